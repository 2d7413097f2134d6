//! The one secrets policy: which values are secret, which strings derive from a secret, and
//! how a secret is hidden. Render, lint, diff, package and every error message ask this
//! module; none keeps its own list of words.
//!
//! - A value is secret when a key on its path names a secret ([`is_secret_key`]:
//!   `password`, `passwd`, `token`, `secret`, `privateKey` in any case and spelling), unless the key is a
//!   reference to a secret (`existingSecret`, `secretName`, `passwordFile`, `*Ref`,
//!   `*Path`, `*Key` of an existing Secret) or a switch about one (`automount*Token`,
//!   `use*`, `enable*`, `*Enabled`): those are configuration a reader needs.
//! - A string derives from a secret when it holds it in clear, or holds a base64 token
//!   whose decoding holds it (`base64("user:password")` in a basic-auth header, a Secret's
//!   `data`): [`Needles::find`].
//! - Hiding never reveals the length or the letters of a secret: the mask is the fixed
//!   [`MASK`], and it replaces the whole line (the whole value for one-line strings) that
//!   holds a secret, so the text around a secret does not spell it out either
//!   ([`Needles::mask`]).
//!
//! What each command shows instead of a value it knows to be secret (diff's `(changed)`,
//! package's `<redacted>`) is left to that command.

use base64::Engine as _;

/// What stands in for a secret: the same whatever the secret's length or letters.
pub const MASK: &str = "(hidden)";

/// Secrets shorter than this are hidden only where they are a whole value or line: a
/// two-letter password would otherwise hide every line.
const MIN_MASKED_LEN: usize = 3;

/// Secrets shorter than this are not searched for as leaks (a search that refuses the
/// output): they would be found in every file.
pub const MIN_SEARCHED_LEN: usize = 6;

/// Base64 shorter than this encodes at most four bytes: too short to hold a secret we search.
const MIN_BASE64_LEN: usize = 8;

/// The words that make a key secret ([`is_secret_key`]).
const SECRET_WORDS: [&str; 5] = ["password", "passwd", "token", "secret", "privatekey"];

/// Whether a text mentions a secret word at all: when it cannot be parsed into keys, the
/// cautious answer.
pub fn mentions_secret(text: &str) -> bool {
    let lowered = text.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lowered.contains(w))
}

/// Whether a key names a secret value. References to a secret (the name of an existing
/// Secret, a key or a file in it) are not secrets.
pub fn is_secret_key(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let secret = SECRET_WORDS.iter().any(|w| k.contains(w));
    let reference = k.starts_with("existing")
        || ["name", "ref", "file", "path", "passwordkey"]
            .iter()
            .any(|s| k.ends_with(s));
    // A switch about a secret (`automountServiceAccountToken`, `usePasswordFiles`) says
    // whether one is used, not what it is.
    let switch = ["automount", "use", "enable", "disable"]
        .iter()
        .any(|p| k.starts_with(p))
        || k.ends_with("enabled");
    secret && !reference && !switch
}

/// Words in a Secret's name or data key that say it holds a credential (`pass`, `auth`,
/// `acl`, ...): a Secret's keys are not values, so they have their own list.
pub fn is_credential_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "password",
        "passwd",
        "pass",
        "auth",
        "token",
        "credential",
        "acl",
    ]
    .iter()
    .any(|w| name.contains(w))
}

/// Whether a value at this path of keys is secret: some key on it names a secret.
pub fn is_secret_path<S: AsRef<str>>(path: &[S]) -> bool {
    path.iter().any(|k| is_secret_key(k.as_ref()))
}

/// [`is_secret_path`] for a dotted path as messages print it (`auth.password`,
/// `extra[0].token`).
pub fn is_secret_dotted(path: &str) -> bool {
    path.split(['.', '[', ']']).any(is_secret_key)
}

/// The plain-text secrets in a values tree: every non-empty string or number under a secret
/// path.
pub fn secret_values(values: &serde_json::Value) -> Vec<String> {
    fn walk(value: &serde_json::Value, secret: bool, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (k, v) in map {
                    walk(v, secret || is_secret_key(k), out);
                }
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, secret, out)),
            serde_json::Value::String(s) if secret && !s.is_empty() => out.push(s.clone()),
            serde_json::Value::Number(n) if secret => out.push(n.to_string()),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(values, false, &mut out);
    out
}

/// A `--set` family argument as an error may show it: the value of every assignment to a
/// secret key hidden. `whole_value` is for flags whose value runs to the end of the argument
/// (`--set-literal`, `--set-json`): there a secret hides everything after its `=`.
pub fn redact_set_arg(arg: &str, whole_value: bool) -> String {
    if !mentions_secret(arg) {
        return arg.to_owned();
    }
    // A JSON object (`--set-json '{"auth":{"password":"x"}}'`) has no `key=` to keep.
    if arg.trim_start().starts_with('{') {
        return format!("{{{MASK}}}");
    }
    let mut out = String::new();
    for (n, assignment) in split_unescaped(arg, if whole_value { None } else { Some(',') })
        .into_iter()
        .enumerate()
    {
        if n > 0 {
            out.push(',');
        }
        match split_key(assignment) {
            // A whole value (`--set-json auth={"password":"x"}`) may carry a secret under a
            // key of its own.
            Some((key, value))
                if is_secret_dotted(key) || (whole_value && mentions_secret(value)) =>
            {
                out.push_str(key);
                out.push('=');
                out.push_str(MASK);
            }
            // No `=` (a malformed key): a secret word in it may be a value typed by mistake.
            None if is_secret_dotted(assignment) => out.push_str(MASK),
            _ => out.push_str(assignment),
        }
    }
    out
}

/// `arg` split at every `sep` not escaped by `\` (no split for `None`).
fn split_unescaped(arg: &str, sep: Option<char>) -> Vec<&str> {
    let Some(sep) = sep else {
        return vec![arg];
    };
    let mut parts = Vec::new();
    let (mut start, mut escaped) = (0, false);
    for (i, c) in arg.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == sep {
            parts.push(&arg[start..i]);
            start = i + c.len_utf8();
        }
    }
    parts.push(&arg[start..]);
    parts
}

/// `key=value` split at the first `=` not escaped by `\`.
fn split_key(assignment: &str) -> Option<(&str, &str)> {
    let mut escaped = false;
    for (i, c) in assignment.char_indices() {
        if escaped {
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        } else if c == '=' {
            return Some((&assignment[..i], &assignment[i + 1..]));
        }
    }
    None
}

/// Known secret strings, to find and hide wherever they were copied.
#[derive(Clone, Debug, Default)]
pub struct Needles {
    /// Longest first, no duplicates, none empty.
    values: Vec<String>,
}

impl Needles {
    pub fn new(values: impl IntoIterator<Item = String>) -> Needles {
        let mut values: Vec<String> = values.into_iter().filter(|s| !s.is_empty()).collect();
        values.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        values.dedup();
        Needles { values }
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The first secret at least `min_len` characters long that `text` holds, in clear or
    /// inside a base64 token; a shorter one only when it is the whole (trimmed) text.
    pub fn find(&self, text: &str, min_len: usize) -> Option<&str> {
        let trimmed = text.trim();
        let decoded = base64_tokens(text);
        self.values
            .iter()
            .find(|s| {
                if s.chars().count() < min_len {
                    return trimmed == s.as_str();
                }
                text.contains(s.as_str()) || decoded.iter().any(|d| d.contains(s.as_str()))
            })
            .map(String::as_str)
    }

    /// `text` with every line that holds a secret replaced by [`MASK`] (its indentation
    /// kept): neither the secret's length nor the text around it is left to read.
    pub fn mask(&self, text: &str) -> String {
        if self.values.is_empty() || self.find(text, MIN_MASKED_LEN).is_none() {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            let body = line.trim_end_matches(['\n', '\r']);
            if self.find(body, MIN_MASKED_LEN).is_some() {
                let indent = body.len() - body.trim_start().len();
                out.push_str(&body[..indent]);
                out.push_str(MASK);
                out.push_str(&line[body.len()..]);
            } else {
                out.push_str(line);
            }
        }
        out
    }
}

/// The UTF-8 decodings of every base64 (standard or URL-safe, padded or not) token of
/// `text` long enough to hold a secret.
fn base64_tokens(text: &str) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '-' | '_' | '=');
    text.split(|c: char| !is_b64(c))
        .filter(|t| t.len() >= MIN_BASE64_LEN)
        .filter_map(|t| {
            [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
                .iter()
                .find_map(|engine| engine.decode(t).ok())
        })
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_keys() {
        for key in [
            "password",
            "auth_password",
            "masterPassword",
            "token",
            "bearerToken",
            "clientSecret",
            "secret",
            "secretKey",
            "passwd",
            "PASSWORD",
            "privateKey",
            "tls_private_key",
        ] {
            assert!(is_secret_key(key), "{key}");
        }
        for key in [
            "existingSecret",
            "existingSecretPasswordKey",
            "secretName",
            "passwordFile",
            "tokenPath",
            "secretKeyRef",
            "replicas",
            "enabled",
            "automountServiceAccountToken",
            "usePasswordFiles",
            "tokenEnabled",
            "",
        ] {
            assert!(!is_secret_key(key), "{key}");
        }
    }

    #[test]
    fn secret_paths() {
        assert!(is_secret_path(&["auth", "password"]));
        assert!(!is_secret_path(&["auth", "existingSecret"]));
        assert!(is_secret_dotted("auth.password"));
        assert!(is_secret_dotted("extra[0].token"));
        assert!(is_secret_dotted("tokens[2]"));
        assert!(!is_secret_dotted("sentinel.quorum"));
        assert!(!is_secret_dotted("tls.secretName"));
        assert!(is_secret_dotted("x.clientSecret"));
    }

    #[test]
    fn values_under_secret_keys() {
        let values = serde_json::json!({
            "auth": {"password": "hunter2", "existingSecret": "x", "enabled": true},
            "tokens": ["a", 5],
            "empty": {"password": ""},
        });
        assert_eq!(secret_values(&values), ["hunter2", "a", "5"]);
    }

    #[test]
    fn set_args_hide_secret_values_only() {
        let table = [
            ("auth.password=12345678", false, "auth.password=(hidden)"),
            (
                "replicas=3,auth.password=a\\,b,x=1",
                false,
                "replicas=3,auth.password=(hidden),x=1",
            ),
            ("auth.password=a,b", true, "auth.password=(hidden)"),
            (r#"{"auth":{"password":"x"}}"#, true, "{(hidden)}"),
            ("auth.password", false, "(hidden)"),
            ("replicas=3", false, "replicas=3"),
            ("auth.existingSecret=s", false, "auth.existingSecret=s"),
        ];
        for (arg, whole, want) in table {
            assert_eq!(redact_set_arg(arg, whole), want, "{arg}");
        }
    }

    #[test]
    fn finds_clear_and_derived_copies() {
        let needles = Needles::new(["hunter2-long".to_owned(), "ab".to_owned()]);
        let basic = base64::engine::general_purpose::STANDARD.encode("default:hunter2-long");
        assert_eq!(needles.find("x hunter2-long y", 6), Some("hunter2-long"));
        assert_eq!(
            needles.find(&format!("Authorization: Basic {basic}"), 6),
            Some("hunter2-long")
        );
        assert_eq!(needles.find("tab", 6), None);
        assert_eq!(needles.find(" ab ", 6), Some("ab"));
        assert_eq!(needles.find("nothing here", 6), None);
    }

    #[test]
    fn masks_whole_lines_without_length_or_letters() {
        let needles = Needles::new(["redis".to_owned(), "longer-secret".to_owned()]);
        let text = "name: redis-ha\n  requirepass longer-secret\nport: 6379\n";
        assert_eq!(
            needles.mask(text),
            "(hidden)\n  (hidden)\nport: 6379\n",
            "a common-word password hides whole lines, never spells itself out"
        );
        let short = Needles::new(["x".to_owned()]);
        assert_eq!(short.mask("x"), MASK);
        assert_eq!(short.mask("max"), "max");
    }
}
