//! The filters and functions a chart author needs, with Helm's names and semantics.
//!
//! Registered through [`add_to_environment`], as minijinja's own helpers are. Where Jinja and
//! Helm disagree (`indent`), Helm wins: chart authors port templates from Helm charts.

use base64::Engine as _;
use minijinja::value::{Kwargs, ValueKind};
use minijinja::{Environment, Error, ErrorKind, Value};
use sha2::Digest as _;

pub fn add_to_environment(env: &mut Environment<'_>) {
    env.add_filter("toyaml", toyaml);
    env.add_filter("tojson", tojson);
    env.add_filter("indent", indent);
    env.add_filter("nindent", nindent);
    env.add_filter("b64enc", b64enc);
    env.add_filter("b64dec", b64dec);
    env.add_filter("sha256sum", sha256sum);
    env.add_filter("quote", quote);
    env.add_filter("squote", squote);
    env.add_filter("shquote", shquote);
    env.add_filter("trunc", trunc);
    env.add_filter("trimsuffix", trimsuffix);
    env.add_filter("trimprefix", trimprefix);
    env.add_filter("required", required);
    env.add_function("fail", fail);
    env.set_formatter(formatter);
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorKind::InvalidOperation, message.into())
}

fn text(value: &Value) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    Ok(match value.as_str() {
        Some(s) => s.to_owned(),
        None if value.is_none() => String::new(),
        None if value.kind() == ValueKind::Bool => value.is_true().to_string(),
        None => value.to_string(),
    })
}

/// Block YAML without a trailing newline; strings that YAML 1.1 would misread are quoted.
fn toyaml(value: &Value) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    if value.is_none() {
        return Ok("null".to_owned());
    }
    // Helm's toYaml prints Go maps, whose keys come out sorted.
    let json = serde_json::to_value(value).map_err(|e| invalid(format!("toyaml: {e}")))?;
    let yaml =
        serde_saphyr::to_string(&sort_keys(json)).map_err(|e| invalid(format!("toyaml: {e}")))?;
    Ok(yaml.trim_end_matches('\n').to_owned())
}

fn sort_keys(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => {
            let mut entries: Vec<_> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            serde_json::Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k, sort_keys(v)))
                    .collect(),
            )
        }
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(sort_keys).collect())
        }
        other => other,
    }
}

/// Booleans print as `true`/`false` (as in Go templates), not Python's `True`/`False`.
pub fn formatter(
    out: &mut minijinja::Output<'_>,
    state: &mut minijinja::State<'_, '_>,
    value: &Value,
) -> Result<(), Error> {
    if value.kind() == ValueKind::Bool {
        return out
            .write_str(if value.is_true() { "true" } else { "false" })
            .map_err(Error::from);
    }
    minijinja::escape_formatter(out, state, value)
}

/// Helm's `toJson`: compact, keys sorted, nothing HTML-escaped.
fn tojson(value: &Value) -> Result<String, Error> {
    if value.is_undefined() {
        return Err(Error::from(ErrorKind::UndefinedError));
    }
    let json = serde_json::to_value(value).map_err(|e| invalid(format!("tojson: {e}")))?;
    Ok(sort_keys(json).to_string())
}

/// The widest `indent` a template may ask for: no manifest is nested this deep, and a
/// hostile width (`indent(10**11)`) must not allocate gigabytes.
pub const MAX_INDENT: usize = 1024;

/// The most text one filter call may produce.
pub const MAX_FILTER_OUTPUT: usize = 16 << 20;

/// Helm's `indent`: every line, the first included, gets `width` spaces.
fn indent(value: &Value, width: usize) -> Result<String, Error> {
    if width > MAX_INDENT {
        return Err(invalid(format!(
            "indent: width {width} exceeds the limit of {MAX_INDENT}"
        )));
    }
    let text = text(value)?;
    let lines = text.bytes().filter(|&b| b == b'\n').count() + 1;
    if text.len() + lines * width > MAX_FILTER_OUTPUT {
        return Err(invalid(format!(
            "indent: the result would exceed {} MiB",
            MAX_FILTER_OUTPUT >> 20
        )));
    }
    let mut out = String::with_capacity(text.len() + lines * width);
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            out.push('\n');
        }
        out.extend(std::iter::repeat_n(' ', width));
        out.push_str(line);
    }
    Ok(out)
}

/// One word for a POSIX shell, whatever the value holds: single-quoted, each `'` written as
/// `'\''`. Every value a template puts into a script goes through it, so that
/// `a b;$(id)` stays one harmless word.
fn shquote(value: &Value) -> Result<String, Error> {
    Ok(format!("'{}'", text(value)?.replace('\'', r"'\''")))
}

/// Helm's `nindent`: a newline, then `indent`.
fn nindent(value: &Value, width: usize) -> Result<String, Error> {
    Ok(format!("\n{}", indent(value, width)?))
}

fn b64enc(value: &Value) -> Result<String, Error> {
    Ok(base64::engine::general_purpose::STANDARD.encode(text(value)?))
}

fn b64dec(value: &Value) -> Result<String, Error> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text(value)?)
        .map_err(|e| invalid(format!("b64dec: {e}")))?;
    String::from_utf8(bytes).map_err(|_| invalid("b64dec: the decoded value is not UTF-8"))
}

/// The last few digests, by input: a chart checksums the same rendered text from several
/// templates (the scripts ConfigMap from both StatefulSets), and comparing equal texts costs a
/// small fraction of hashing them.
const DIGEST_MEMO: usize = 8;

/// Inputs longer than this are hashed every time instead of kept.
const DIGEST_MEMO_BYTES: usize = 1 << 20;

thread_local! {
    static DIGESTS: std::cell::RefCell<std::collections::VecDeque<(String, String)>> =
        const { std::cell::RefCell::new(std::collections::VecDeque::new()) };
}

fn sha256sum(value: &Value) -> Result<String, Error> {
    let input = text(value)?;
    let memo = input.len() <= DIGEST_MEMO_BYTES;
    if memo
        && let Some(digest) = DIGESTS.with_borrow(|d| {
            d.iter()
                .find(|(text, _)| *text == input)
                .map(|(_, digest)| digest.clone())
        })
    {
        return Ok(digest);
    }
    let digest = sha256_hex(&input);
    if memo {
        DIGESTS.with_borrow_mut(|d| {
            if d.len() == DIGEST_MEMO {
                d.pop_front();
            }
            d.push_back((input, digest.clone()));
        });
    }
    Ok(digest)
}

fn sha256_hex(input: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = sha2::Sha256::digest(input.as_bytes());
    let mut out = String::with_capacity(2 * digest.len());
    for b in digest {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    out
}

/// Helm's `quote`: a double-quoted Go string (`nil` quotes as `""`).
fn quote(value: &Value) -> Result<String, Error> {
    Ok(serde_json::to_string(&text(value)?).unwrap_or_default())
}

fn squote(value: &Value) -> Result<String, Error> {
    Ok(format!("'{}'", text(value)?.replace('\'', "''")))
}

fn trunc(value: &Value, length: i64) -> Result<String, Error> {
    let s = text(value)?;
    let chars: Vec<char> = s.chars().collect();
    let n = usize::try_from(length.unsigned_abs())
        .unwrap_or(usize::MAX)
        .min(chars.len());
    Ok(if length >= 0 {
        chars[..n].iter().collect()
    } else {
        chars[chars.len() - n..].iter().collect()
    })
}

fn trimsuffix(value: &Value, suffix: &str) -> Result<String, Error> {
    let s = text(value)?;
    Ok(s.strip_suffix(suffix).unwrap_or(&s).to_owned())
}

fn trimprefix(value: &Value, prefix: &str) -> Result<String, Error> {
    let s = text(value)?;
    Ok(s.strip_prefix(prefix).unwrap_or(&s).to_owned())
}

/// `value | required("message")`: fails when the value is undefined, none or an empty string.
fn required(value: &Value, message: &str, _kwargs: Kwargs) -> Result<Value, Error> {
    let empty = value.is_undefined()
        || value.is_none()
        || (value.kind() == ValueKind::String && value.as_str() == Some(""));
    if empty {
        Err(invalid(message.to_owned()))
    } else {
        Ok(value.clone())
    }
}

fn fail(message: &str) -> Result<Value, Error> {
    Err(invalid(message.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(template: &str, ctx: Value) -> Result<String, String> {
        let mut env = Environment::new();
        add_to_environment(&mut env);
        env.render_str(template, ctx).map_err(|e| e.to_string())
    }

    #[test]
    fn filter_table() {
        let ctx = Value::from(minijinja::value::Serde(serde_json::json!({
            "s": "yes", "n": 5, "l": ["on", "0777", "x"], "m": {"b": 1, "a": "text"},
            "multi": "a\nb", "empty": "", "none": null, "pw": "s3cret"
        })));
        let table: &[(&str, &str)] = &[
            ("{{ s | toyaml }}", "\"yes\""),
            ("{{ l | toyaml }}", "- \"on\"\n- \"0777\"\n- x"),
            ("{{ m | toyaml }}", "a: text\nb: 1"),
            ("{{ true }} {{ s == 'yes' }}", "true true"),
            ("{{ none | toyaml }}", "null"),
            ("{{ m | tojson }}", r#"{"a":"text","b":1}"#),
            ("{{ '<&>' | tojson }}", r#""<&>""#),
            ("{{ multi | indent(2) }}", "  a\n  b"),
            ("x:{{ multi | nindent(2) }}", "x:\n  a\n  b"),
            ("{{ pw | b64enc }}", "czNjcmV0"),
            ("{{ 'czNjcmV0' | b64dec }}", "s3cret"),
            (
                "{{ 'abc' | sha256sum }}",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            ("{{ n | quote }}", "\"5\""),
            ("{{ false | quote }}", "\"false\""),
            ("{{ 'a\"b' | quote }}", "\"a\\\"b\""),
            ("{{ none | quote }}", "\"\""),
            ("{{ \"it's\" | squote }}", "'it''s'"),
            ("{{ 'abcdef' | trunc(3) }}", "abc"),
            ("{{ 'abcdef' | trunc(-2) }}", "ef"),
            ("{{ 'abc' | trunc(63) }}", "abc"),
            ("{{ 'name-' | trimsuffix('-') }}", "name"),
            ("{{ s | required('s is required') }}", "yes"),
            ("{{ 'a b;$(id)' | shquote }}", "'a b;$(id)'"),
            ("{{ \"it's\" | shquote }}", r"'it'\''s'"),
            ("{{ none | shquote }}", "''"),
            ("{{ multi | indent(1024) | length }}", "2051"),
        ];
        for (template, expected) in table {
            assert_eq!(
                render(template, ctx.clone()).as_deref(),
                Ok(*expected),
                "{template}"
            );
        }
    }

    #[test]
    fn repeated_digests_are_the_same() {
        let ctx = Value::from(minijinja::value::Serde(serde_json::json!({})));
        let once = render("{{ 'abc' | sha256sum }}", ctx.clone()).unwrap();
        for text in ["x", "abc", "y", "abc"] {
            let again = render(&format!("{{{{ '{text}' | sha256sum }}}}"), ctx.clone()).unwrap();
            assert_eq!(again == once, text == "abc", "{text}");
        }
    }

    #[test]
    fn failures() {
        let ctx = Value::from(minijinja::value::Serde(
            serde_json::json!({"empty": "", "none": null}),
        ));
        for (template, message) in [
            (
                "{{ empty | required('auth.password is required') }}",
                "auth.password is required",
            ),
            ("{{ none | required('x needed') }}", "x needed"),
            ("{{ missing | required('x needed') }}", "x needed"),
            ("{{ fail('no way') }}", "no way"),
            ("{{ 'not base64!' | b64dec }}", "b64dec"),
            (
                "{{ 'x' | indent(100000000000) }}",
                "exceeds the limit of 1024",
            ),
            (
                "{{ ('x\n' * 5000000) | indent(1000) }}",
                "would exceed 16 MiB",
            ),
        ] {
            let err = render(template, ctx.clone()).unwrap_err();
            assert!(err.contains(message), "{template}: {err}");
        }
    }
}
