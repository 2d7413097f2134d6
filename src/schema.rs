//! Checking the merged values against the chart's `values.schema.json` (draft-07 or 2020-12).
//!
//! Every violation is reported, not only the first, each pointing at the layer that set the
//! offending value (see [`crate::values::Origin`]): each unknown key on its own with the key
//! that was probably meant, each format checked by a pattern named in words, and never the
//! value of a secret. This module leaves loading the schema file to [`crate::chart`].

mod precheck;

use std::fmt;
use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;

use crate::secrets;
use crate::values::{Node, Origin};

/// A schema that cannot be used.
#[derive(Clone, Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{path}:{line}:{col}: invalid JSON in values schema: {message}")]
    Json {
        path: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{path}: invalid values schema: {message}")]
    Invalid { path: String, message: String },
}

/// A compiled values schema.
pub struct Schema {
    /// Compiled when first needed: values that pass [`precheck`] never need it.
    validator: OnceLock<jsonschema::Validator>,
    /// The schema itself, to find the keys a misspelt one was meant to be.
    json: serde_json::Value,
}

/// One broken rule, with where the offending value was set.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// Dotted path of the value (`sentinel.quorum`, `tolerations[0].key`).
    pub path: String,
    /// What is wrong; never the value of a secret.
    pub message: String,
    /// How to fix it, when the schema says (the key that was meant, the format expected).
    pub hint: Option<String>,
    pub origin: Origin,
    /// The value is a secret: neither the message nor the location shows it.
    pub secret: bool,
}

impl Violation {
    /// Where the value was set; a `--set` fragment never shows a secret's value
    /// ([`Origin::location`] asks the secrets policy); a value the schema marks secret hides
    /// its whole fragment's value.
    pub fn location(&self) -> String {
        match &self.origin {
            Origin::Flag { flag, fragment } if self.secret => {
                let key = fragment.split_once('=').map_or(&**fragment, |(key, _)| key);
                format!("{flag} {key}={}", secrets::MASK)
            }
            origin => origin.location(),
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        write!(f, "{}: {path}: {}", self.location(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl Schema {
    /// Compiles a schema given as JSON text; `path` names it in errors.
    pub fn compile(text: &str, path: &str) -> Result<Schema, SchemaError> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SchemaError::Json {
                path: path.to_owned(),
                line: e.line(),
                col: e.column(),
                message: e.to_string(),
            })?;
        let validator = OnceLock::new();
        // The bundled chart's schema is valid (the test suite compiles it): compile it only for
        // values the quick check is not sure of. Any other schema is compiled now, so that an
        // invalid one is refused whatever the values.
        if text != BUNDLED_SCHEMA {
            let compiled = compile_validator(&json).map_err(|message| SchemaError::Invalid {
                path: path.to_owned(),
                message,
            })?;
            let _ = validator.set(compiled);
        }
        Ok(Schema { validator, json })
    }

    fn validator(&self) -> &jsonschema::Validator {
        self.validator.get_or_init(|| {
            compile_validator(&self.json).expect("the bundled values schema compiles")
        })
    }

    /// Every violation of the schema by `values`, sorted by where it was set.
    pub fn validate(&self, values: &Node) -> Vec<Violation> {
        let instance = values.to_json();
        if precheck::satisfies(&self.json, &instance, &precheck::Patterns::default()).is_some() {
            // Every test that validates values checks the quick check against jsonschema.
            debug_assert!(
                self.validator().is_valid(&instance),
                "the quick check passed values the schema refuses"
            );
            return Vec::new();
        }
        let mut out: Vec<Violation> = Vec::new();
        for error in self.validator().iter_errors(&instance) {
            let pointer = error.instance_path().as_str().to_owned();
            // Each unexpected key on its own, where that key was written.
            if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind() {
                let known = self.known_keys(error.schema_path().as_str());
                for key in unexpected {
                    let at = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    out.push(Violation {
                        path: dotted(&at),
                        message: format!("unknown key `{key}`"),
                        hint: did_you_mean(key, &known),
                        origin: origin_at(values, &at),
                        secret: false,
                    });
                }
                continue;
            }
            let path = dotted(&pointer);
            let secret = secrets::is_secret_dotted(&path) || holds_secret(error.instance());
            let (message, hint) = describe(&error, secret);
            out.push(Violation {
                path,
                message,
                hint,
                origin: origin_at(values, &pointer),
                secret,
            });
        }
        // In the order a reader meets them: by file and line, then by path.
        out.sort_by(|a, b| {
            let position = |v: &Violation| {
                v.origin
                    .file_position()
                    .map(|(f, l, c)| (f.to_owned(), l, c))
            };
            position(a)
                .cmp(&position(b))
                .then_with(|| a.path.cmp(&b.path))
                .then_with(|| a.message.cmp(&b.message))
        });
        out.dedup();
        out
    }

    /// The keys the schema object holding the `additionalProperties` at `keyword` allows.
    fn known_keys(&self, keyword: &str) -> Vec<String> {
        let parent = keyword.rsplit_once('/').map_or("", |(p, _)| p);
        self.json
            .pointer(parent)
            .and_then(|s| s.get("properties"))
            .and_then(serde_json::Value::as_object)
            .map(|props| props.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// The bundled chart's schema, as [`crate::chart::bundled`] holds it.
const BUNDLED_SCHEMA: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/charts/redis-ha/values.schema.json"
));

fn compile_validator(json: &serde_json::Value) -> Result<jsonschema::Validator, String> {
    jsonschema::validator_for(json).map_err(|e| e.to_string())
}

/// The known key closest to a misspelt one, if any is close enough to be what was meant.
fn did_you_mean(key: &str, known: &[String]) -> Option<String> {
    let lower = key.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(&lower, &k.to_ascii_lowercase()), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, k)| format!("did you mean `{k}`?"))
        .or_else(|| {
            (!known.is_empty()).then(|| {
                let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
                format!("the keys here are {}", list.join(", "))
            })
        })
}

/// Formats the chart's schema checks with a regular expression, in words.
const FORMATS: &[(&str, &str, &str)] = &[
    (
        "^[A-Za-z0-9][-_.A-Za-z0-9]*$",
        "a Redis user name",
        "letters, digits, `-`, `_` and `.`, starting with a letter or digit: `orders`",
    ),
    (
        r"^[^\n\r<>#!]*$",
        "ACL rules without a password",
        "rules such as `~app:* +@read +@write -@dangerous`; passwords come from the Secret, never `>`, `<`, `#` or `!`",
    ),
    (
        r"^[+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$",
        "a Kubernetes quantity",
        "a number with an optional unit: `512Mi`, `2Gi`, `500m`, `1`",
    ),
    (
        "^([0-9]+(ms|s|m|h|d|w|y))+$",
        "a duration",
        "numbers with units `ms`, `s`, `m`, `h`, `d`, `w`, `y`: `30s`, `1h30m`",
    ),
    (
        "^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$",
        "a DNS-1123 label",
        "lowercase letters, digits and `-`, starting and ending with a letter or digit (or empty)",
    ),
    (
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
        "a DNS-1123 subdomain",
        "lowercase labels separated by `.`: `cluster.local`",
    ),
    (
        r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$",
        "the name of a Secret (a DNS-1123 subdomain)",
        "lowercase letters, digits, `-` and `.`, starting and ending with a letter or digit: `redis-auth`",
    ),
    (
        "^[-._a-zA-Z0-9]+$",
        "a file name",
        "letters, digits, `-`, `_` and `.`, no `/` or spaces: `tls.crt`",
    ),
    (
        "^[A-Za-z0-9][A-Za-z0-9._-]*$",
        "a Sentinel master name",
        "letters, digits, `.`, `_` and `-`, starting with a letter or digit: `mymaster`",
    ),
    (
        "^[A-Za-z][A-Za-z_-]*$",
        "a Redis command name",
        "letters, `_` and `-`, starting with a letter: `FLUSHALL`",
    ),
    (
        "^(|sha256:[a-f0-9]{64})$",
        "an image digest",
        "`sha256:` and 64 lowercase hex digits, or empty",
    ),
    (
        "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        "an image tag",
        "at most 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`",
    ),
    (
        "^(|[0-9]+([kKmMgG][bB]?)?)$",
        "a Redis memory size",
        "a number with an optional unit `kb`, `mb`, `gb`: `100mb`",
    ),
    (
        "^(|[0-9]+ [0-9]+( [0-9]+ [0-9]+)*)$",
        "a Redis `save` schedule",
        "pairs of seconds and changes: `3600 1 300 100`, or empty",
    ),
];

/// The message and hint for one violation; a secret's value is shown as `the value`.
fn describe(error: &jsonschema::ValidationError<'_>, secret: bool) -> (String, Option<String>) {
    let shown = |e: &jsonschema::ValidationError<'_>| {
        if secret {
            e.masked_with("the value").to_string()
        } else {
            e.to_string()
        }
    };
    if let ValidationErrorKind::Pattern { pattern } = error.kind()
        && let Some((_, what, hint)) = FORMATS.iter().find(|(p, _, _)| p == pattern)
    {
        let value = if secret {
            "the value".to_owned()
        } else {
            error.instance().to_string()
        };
        return (format!("{value} is not {what}"), Some((*hint).to_owned()));
    }
    (shown(error), None)
}

/// Whether a value shown in a message would carry a secret below it.
fn holds_secret(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| secrets::is_secret_key(k) && !v.is_null() || holds_secret(v)),
        serde_json::Value::Array(items) => items.iter().any(holds_secret),
        _ => false,
    }
}

/// The origin of the deepest existing node on the pointer's path.
fn origin_at(values: &Node, pointer: &str) -> Origin {
    let mut current = pointer;
    loop {
        if let Some(node) = values.get_pointer(current)
            && (node.origin != Origin::Computed || current.is_empty())
        {
            return node.origin.clone();
        }
        match current.rfind('/') {
            Some(i) => current = &current[..i],
            None => return values.origin.clone(),
        }
    }
}

/// `/tolerations/0/key` as `tolerations[0].key`.
pub fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pattern of the bundled schema reads as words in an error, not as a regex.
    #[test]
    fn every_schema_pattern_has_a_description() {
        fn patterns<'a>(value: &'a serde_json::Value, out: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(p)) = map.get("pattern") {
                        out.push(p);
                    }
                    map.values().for_each(|v| patterns(v, out));
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| patterns(v, out)),
                _ => {}
            }
        }
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../charts/redis-ha/values.schema.json")).unwrap();
        let mut found = Vec::new();
        patterns(&schema, &mut found);
        assert!(!found.is_empty());
        for pattern in found {
            assert!(
                FORMATS.iter().any(|(p, _, _)| *p == pattern),
                "no description in FORMATS for {pattern}"
            );
        }
    }
    use crate::values::yaml::parse_values;
    use crate::values::{FileLayer, Value};

    const SCHEMA: &str = r#"{
      "$schema": "http://json-schema.org/draft-07/schema#",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "sentinel": {"type": "object", "properties": {"quorum": {"type": "integer", "maximum": 3}}},
        "name": {"type": "string"}
      }
    }"#;

    fn check(yaml: &str) -> Vec<String> {
        let schema = Schema::compile(SCHEMA, "s.json").unwrap();
        let map = parse_values(yaml, "v.yaml", FileLayer::User).unwrap();
        schema
            .validate(&Node::new(Value::Map(map), Origin::Computed))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn reports_every_violation_with_its_line() {
        assert_eq!(
            check("name: 1\nsentinel:\n  quorum: 5\ntypo: x\n"),
            [
                "v.yaml:1:7: name: 1 is not of type \"string\"",
                "v.yaml:3:11: sentinel.quorum: 5 is greater than the maximum of 3",
                "v.yaml:4:7: typo: unknown key `typo`\n  hint: the keys here are `sentinel`, `name`",
            ]
        );
        assert!(check("sentinel: {quorum: 3}").is_empty());
    }

    #[test]
    fn every_unknown_key_has_its_own_line_and_a_suggestion() {
        assert_eq!(
            check("sentinal:\n  quorum: 1\nnmae: x\n"),
            [
                "v.yaml:1:1: sentinal: unknown key `sentinal`\n  hint: did you mean `sentinel`?",
                "v.yaml:3:7: nmae: unknown key `nmae`\n  hint: did you mean `name`?",
            ]
        );
    }

    #[test]
    fn formats_are_named_and_secrets_never_shown() {
        let schema = r#"{"type": "object", "properties": {
            "memory": {"type": "string", "pattern": "^([0-9]+(ms|s|m|h|d|w|y))+$"},
            "auth": {"type": "object", "properties": {"password": {"type": "string", "minLength": 16}}}}}"#;
        let schema = Schema::compile(schema, "s.json").unwrap();
        let map = parse_values(
            "memory: soon\nauth:\n  password: hunter2\n",
            "v.yaml",
            FileLayer::User,
        )
        .unwrap();
        let shown: Vec<String> = schema
            .validate(&Node::new(Value::Map(map), Origin::Computed))
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown.len(), 2, "{shown:?}");
        assert!(shown[0].starts_with("v.yaml:1:9: memory: \"soon\" is not a duration\n  hint: "));
        assert!(
            shown[1].starts_with("v.yaml:3:13: auth.password: "),
            "{}",
            shown[1]
        );
        assert!(!shown[1].contains("hunter2"), "{}", shown[1]);
        let flag = Violation {
            path: "auth.password".to_owned(),
            message: String::new(),
            hint: None,
            origin: Origin::Flag {
                flag: "--set",
                fragment: "auth.password=12345678".into(),
            },
            secret: true,
        };
        assert_eq!(
            flag.location(),
            format!("--set auth.password={}", secrets::MASK)
        );
    }

    #[test]
    fn the_bundled_schema_compiles() {
        let json = serde_json::from_str(BUNDLED_SCHEMA).unwrap();
        assert!(compile_validator(&json).is_ok());
    }

    #[test]
    fn dotted_paths() {
        assert_eq!(dotted(""), "");
        assert_eq!(dotted("/a/0/b"), "a[0].b");
        assert_eq!(dotted("/a~1b"), "a/b");
    }
}
