//! YAML scalars as Helm reads them: go-yaml v2's `resolve` (YAML 1.1 booleans, Go's integer
//! syntax, explicit `!!tags`), then sigs.k8s.io/yaml's conversion of map keys to strings.
//!
//! Helm reads every values file with sigs.k8s.io/yaml, which decodes with go-yaml v2 and then
//! goes through JSON. This module owns the first step's rules for one scalar and the key
//! spelling of the second; [`super::yaml`] owns the tree, the positions and the limits.

use base64::Engine as _;

/// A scalar after resolution, before it becomes a value or a key.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    Null,
    Bool(bool),
    Int(i64),
    /// An integer above `i64::MAX` (Go's `uint64`): a value, never a key.
    Uint(u64),
    Float(f64),
    Str(String),
}

/// go-yaml's tag names, as its error messages spell them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Null,
    Bool,
    Int,
    Float,
    Str,
    Timestamp,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Null => "!!null",
            Kind::Bool => "!!bool",
            Kind::Int => "!!int",
            Kind::Float => "!!float",
            Kind::Str => "!!str",
            Kind::Timestamp => "!!timestamp",
        }
    }
}

/// Resolves one scalar. `tag` is the suffix of a `tag:yaml.org,2002:` tag (`int` for `!!int`),
/// `Some("")` for any other tag (a local `!foo`, the non-specific `!`), `None` when untagged;
/// `plain` is whether the scalar was written without quotes or block indicators.
pub fn resolve(text: &str, plain: bool, tag: Option<&str>) -> Result<Scalar, String> {
    let wanted = match tag {
        None if !plain => return Ok(Scalar::Str(text.to_owned())),
        None => None,
        Some("str") => return Ok(Scalar::Str(text.to_owned())),
        Some("binary") => return decode_binary(text).map(Scalar::Str),
        Some("bool") => Some(Kind::Bool),
        Some("int") => Some(Kind::Int),
        Some("float") => Some(Kind::Float),
        Some("null") => Some(Kind::Null),
        Some("timestamp") => Some(Kind::Timestamp),
        // go-yaml keeps the text of a scalar with any tag it cannot resolve.
        Some(_) => return Ok(Scalar::Str(text.to_owned())),
    };
    let (kind, value) = resolve_implicit(text);
    let Some(wanted) = wanted else {
        return Ok(value);
    };
    match (wanted, kind, value) {
        (w, k, v) if w == k => Ok(v),
        (Kind::Float, Kind::Int, Scalar::Int(i)) => Ok(Scalar::Float(i as f64)),
        _ => Err(format!(
            "cannot decode {} `{text}` as a {}",
            kind.name(),
            wanted.name()
        )),
    }
}

/// go-yaml v2's implicit resolution: the first byte picks the candidates.
fn resolve_implicit(text: &str) -> (Kind, Scalar) {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return (Kind::Null, Scalar::Null),
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return (Kind::Bool, Scalar::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return (Kind::Bool, Scalar::Bool(false));
        }
        ".nan" | ".NaN" | ".NAN" => return (Kind::Float, Scalar::Float(f64::NAN)),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return (Kind::Float, Scalar::Float(f64::INFINITY));
        }
        "-.inf" | "-.Inf" | "-.INF" => return (Kind::Float, Scalar::Float(f64::NEG_INFINITY)),
        _ => {}
    }
    let str = || (Kind::Str, Scalar::Str(text.to_owned()));
    match text.as_bytes()[0] {
        b'.' => match go_parse_float(text) {
            Some(f) => (Kind::Float, Scalar::Float(f)),
            None => str(),
        },
        b'0'..=b'9' | b'+' | b'-' => {
            if is_timestamp(text) {
                return (Kind::Timestamp, Scalar::Str(text.to_owned()));
            }
            let plain = text.replace('_', "");
            if let Some(i) = go_parse_int(&plain) {
                return (Kind::Int, Scalar::Int(i));
            }
            if let Some(u) = go_parse_uint(&plain) {
                return (Kind::Int, Scalar::Uint(u));
            }
            if is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return (Kind::Float, Scalar::Float(f));
            }
            str()
        }
        _ => str(),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` on text without underscores: a sign, then `0x`, `0o`, `0b`
/// or a leading `0` (octal), or decimal.
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = go_parse_uint(digits)?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// Go's `strconv.ParseUint(s, 0, 64)` (no sign).
fn go_parse_uint(s: &str) -> Option<u64> {
    let (radix, digits) = match s.as_bytes() {
        [b'0', b'x' | b'X', ..] => (16, &s[2..]),
        [b'0', b'o' | b'O', ..] => (8, &s[2..]),
        [b'0', b'b' | b'B', ..] => (2, &s[2..]),
        [b'0', _, ..] => (8, &s[1..]),
        _ => (10, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// go-yaml v2's float pattern (after removing underscores):
/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`.
fn is_yaml_float(s: &str) -> bool {
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    mantissa_ok && exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)))
}

/// Go's `strconv.ParseFloat` for text starting with `.`: digits, single underscores between
/// digits, an optional exponent; out of range is not a number.
fn go_parse_float(s: &str) -> Option<f64> {
    let bytes = s.as_bytes();
    let underscores_ok = bytes.iter().enumerate().all(|(i, &b)| {
        b != b'_'
            || (i > 0
                && bytes[i - 1].is_ascii_digit()
                && bytes.get(i + 1).is_some_and(u8::is_ascii_digit))
    });
    let plain = s.replace('_', "");
    if !underscores_ok || !is_yaml_float(&plain) {
        return None;
    }
    plain.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// go-yaml v2's timestamp check: `YYYY-M-D`, optionally with a time (`T`, `t` or a space).
fn is_timestamp(s: &str) -> bool {
    fn number(s: &str, min: usize, max: usize) -> Option<&str> {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        (min..=max).contains(&n).then(|| &s[n..])
    }
    let date = || -> Option<&str> {
        let rest = number(s, 4, 4)?.strip_prefix('-')?;
        let rest = number(rest, 1, 2)?.strip_prefix('-')?;
        number(rest, 1, 2)
    };
    let Some(rest) = date() else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    let Some(time) = rest.strip_prefix(['T', 't', ' ']) else {
        return false;
    };
    let parsed = || -> Option<&str> {
        let rest = number(time, 1, 2)?.strip_prefix(':')?;
        let rest = number(rest, 1, 2)?.strip_prefix(':')?;
        let mut rest = number(rest, 1, 2)?;
        if let Some(frac) = rest.strip_prefix('.') {
            rest = number(frac, 1, 9)?;
        }
        Some(rest)
    };
    let Some(zone) = parsed() else {
        return false;
    };
    let offset = || -> Option<&str> {
        let rest = number(zone.strip_prefix(['+', '-'])?, 2, 2)?.strip_prefix(':')?;
        number(rest, 2, 2)
    };
    // The space-separated form takes no zone; the `T` forms need one.
    if rest.starts_with(' ') {
        zone.is_empty()
    } else {
        zone == "Z" || offset() == Some("")
    }
}

/// `!!binary`: standard base64 (line breaks ignored, as Go's decoder does), the bytes as text.
fn decode_binary(text: &str) -> Result<String, String> {
    let compact: String = text.chars().filter(|c| !matches!(c, '\n' | '\r')).collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|_| "!!binary value contains invalid base64 data".to_owned())
}

impl Scalar {
    /// The key sigs.k8s.io/yaml makes of it; `Err` names what Helm refuses as a key.
    pub fn key(&self) -> Result<String, &'static str> {
        match self {
            Scalar::Str(s) => Ok(s.clone()),
            Scalar::Int(i) => Ok(i.to_string()),
            Scalar::Bool(b) => Ok(b.to_string()),
            Scalar::Float(f) => Ok(float_key(*f)),
            Scalar::Null => Err("a null map key"),
            Scalar::Uint(_) => Err("an integer map key above 9223372036854775807"),
        }
    }
}

/// `strconv.FormatFloat(f, 'g', -1, 32)` with go-yaml's names for the special values: the
/// shortest digits of the 32-bit float, in exponent form below 1e-4 and from 1e6 (Go's `%g`
/// rule for the shortest form).
fn float_key(f: f64) -> String {
    if f.is_nan() {
        return ".nan".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf" } else { "-.inf" }.to_owned();
    }
    #[expect(
        clippy::cast_possible_truncation,
        reason = "Go formats keys as float32"
    )]
    let single = f as f32;
    if single == 0.0 {
        return if single.is_sign_negative() { "-0" } else { "0" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest digits that round-trip, as Go's shortest mode does.
    let sci = format!("{single:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { "" } else { "." };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{dot}{rest}e{esign}{:02}", exp.abs());
    }
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else {
        #[expect(clippy::cast_sign_loss, reason = "positive in this branch")]
        let point = point as usize;
        if digits.len() <= point {
            format!("{digits}{}", "0".repeat(point - digits.len()))
        } else {
            format!("{}.{}", &digits[..point], &digits[point..])
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implicit_table() {
        // Each row was checked against Helm 4.2.3 (`helm-values`).
        let table: &[(&str, Scalar)] = &[
            ("0o777", Scalar::Int(511)),
            ("0X1f", Scalar::Int(31)),
            ("0777", Scalar::Int(511)),
            ("09", Scalar::Float(9.0)),
            ("_1", Scalar::Str("_1".into())),
            ("1__000", Scalar::Int(1000)),
            ("0x_1f", Scalar::Int(31)),
            ("-0b101", Scalar::Int(-5)),
            ("+1", Scalar::Int(1)),
            ("1.", Scalar::Float(1.0)),
            (".5", Scalar::Float(0.5)),
            ("0.1e3", Scalar::Float(100.0)),
            ("1e400", Scalar::Str("1e400".into())),
            ("99999999999999999999", Scalar::Float(1e20)),
            ("18446744073709551615", Scalar::Uint(u64::MAX)),
            ("-9223372036854775808", Scalar::Int(i64::MIN)),
            ("2001-12-14", Scalar::Str("2001-12-14".into())),
            ("yES", Scalar::Str("yES".into())),
            ("ON", Scalar::Bool(true)),
            ("n", Scalar::Bool(false)),
            ("~", Scalar::Null),
            ("1.2.3", Scalar::Str("1.2.3".into())),
            ("-", Scalar::Str("-".into())),
            ("0x", Scalar::Str("0x".into())),
        ];
        for (text, expected) in table {
            assert_eq!(resolve(text, true, None).as_ref(), Ok(expected), "{text}");
        }
        assert!(matches!(resolve(".inf", true, None), Ok(Scalar::Float(f)) if f.is_infinite()));
        assert_eq!(resolve("yes", false, None), Ok(Scalar::Str("yes".into())));
    }

    #[test]
    fn tagged_table() {
        let ok: &[(&str, &str, Scalar)] = &[
            ("int", "12", Scalar::Int(12)),
            ("bool", "yes", Scalar::Bool(true)),
            ("null", "", Scalar::Null),
            ("float", "1", Scalar::Float(1.0)),
            ("binary", "aGVsbG8=", Scalar::Str("hello".into())),
            ("str", "12", Scalar::Str("12".into())),
            ("timestamp", "2001-01-01", Scalar::Str("2001-01-01".into())),
            ("", "12", Scalar::Str("12".into())),
            ("seq", "12", Scalar::Str("12".into())),
        ];
        for (tag, text, expected) in ok {
            assert_eq!(
                resolve(text, false, Some(tag)).as_ref(),
                Ok(expected),
                "!!{tag} {text}"
            );
        }
        let refused: &[(&str, &str, &str)] = &[
            ("int", "1.5", "cannot decode !!float `1.5` as a !!int"),
            ("null", "x", "cannot decode !!str `x` as a !!null"),
            ("float", "1e400", "cannot decode !!str `1e400` as a !!float"),
            (
                "int",
                "99999999999999999999",
                "cannot decode !!float `99999999999999999999` as a !!int",
            ),
            (
                "binary",
                "!!",
                "!!binary value contains invalid base64 data",
            ),
        ];
        for (tag, text, message) in refused {
            assert_eq!(resolve(text, true, Some(tag)), Err((*message).to_owned()));
        }
    }

    #[test]
    fn key_table() {
        let table: &[(&str, &str)] = &[
            ("1.5", "1.5"),
            ("3.14159265358979", "3.1415927"),
            ("1e10", "1e+10"),
            ("1e3", "1000"),
            ("1.0", "1"),
            ("0.0001", "0.0001"),
            ("0.00001", "1e-05"),
            ("123456.0", "123456"),
            ("1234567.0", "1.234567e+06"),
            ("-2.5", "-2.5"),
            (".inf", ".inf"),
            ("-.inf", "-.inf"),
            ("0x1f", "31"),
            ("yes", "true"),
        ];
        for (text, key) in table {
            let scalar = resolve(text, true, None).unwrap();
            assert_eq!(scalar.key().as_deref(), Ok(*key), "{text}");
        }
        assert!(resolve("~", true, None).unwrap().key().is_err());
        assert!(
            resolve("18446744073709551615", true, None)
                .unwrap()
                .key()
                .is_err()
        );
    }
}
