//! Keeping secrets out of a chart archive, which is made to be pushed to a repository.
//!
//! Values under a key named like a secret (`auth.password`, `*token*`, `*secret*`) are
//! replaced by [`REDACTED`] in the packaged `values.yaml` and in the README's command line;
//! the redacted values are then searched for in every packaged file, in clear or in base64
//! (`base64("user:password")` too), so that a chart which copies a password into a ConfigMap
//! stops the packaging instead of publishing it. What is secret is [`crate::secrets`]'s
//! decision. Which
//! objects are left out (Secrets) is decided in [`super`].

pub use crate::secrets::is_secret_key;
use crate::secrets::{MIN_SEARCHED_LEN, Needles};
use crate::values::{Node, Origin, Value};

/// What a secret value becomes.
pub const REDACTED: &str = "<redacted>";

/// A value that was replaced.
#[derive(Clone, Debug, PartialEq)]
pub struct Redacted {
    /// Dotted path (`auth.password`, `extra[0].token`).
    pub path: String,
    pub origin: Origin,
    /// The value, when it is long enough to be searched for in the package.
    pub needle: Option<String>,
}

/// The values with every secret leaf replaced by [`REDACTED`], and what was replaced. Empty
/// strings, nulls and booleans are kept: they carry no secret and document that none is set.
pub fn redact(values: &Node) -> (Node, Vec<Redacted>) {
    let mut out = values.clone();
    let mut redacted = Vec::new();
    walk(&mut out, "", false, &mut redacted);
    (out, redacted)
}

fn walk(node: &mut Node, path: &str, secret: bool, out: &mut Vec<Redacted>) {
    match &mut node.value {
        Value::Map(map) => {
            for (key, child) in map.iter_mut() {
                let p = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(child, &p, secret || is_secret_key(key), out);
            }
        }
        Value::Seq(items) => {
            for (i, child) in items.iter_mut().enumerate() {
                walk(child, &format!("{path}[{i}]"), secret, out);
            }
        }
        Value::Str(s) if secret && !s.is_empty() => {
            out.push(Redacted {
                path: path.to_owned(),
                origin: node.origin.clone(),
                needle: (s.chars().count() >= MIN_SEARCHED_LEN).then(|| s.clone()),
            });
            node.value = Value::Str(REDACTED.to_owned());
        }
        Value::Int(_) | Value::Float(_) if secret => {
            out.push(Redacted {
                path: path.to_owned(),
                origin: node.origin.clone(),
                needle: None,
            });
            node.value = Value::Str(REDACTED.to_owned());
        }
        _ => {}
    }
}

/// Removes the leaf at a dotted path from a map tree (used when the schema refuses the
/// placeholder, for example a numeric token).
pub fn remove_path(values: &mut Node, path: &str) {
    fn go(node: &mut Node, keys: &[&str]) {
        let Value::Map(map) = &mut node.value else {
            return;
        };
        match keys {
            [last] => {
                map.remove(*last);
            }
            [first, rest @ ..] => {
                if let Some(child) = map.get_mut(*first) {
                    go(child, rest);
                }
            }
            [] => {}
        }
    }
    // List items are not removed: a placeholder in a list is kept.
    if !path.contains('[') {
        go(values, &path.split('.').collect::<Vec<_>>());
    }
}

/// A secret found in clear in a packaged file.
#[derive(Clone, Debug, PartialEq)]
pub struct Leak {
    pub path: String,
    /// Where the value was set, without the value (`--set`, never its fragment).
    pub set_by: String,
    pub file: String,
}

/// How to name where a secret was set without showing it.
pub fn set_by(origin: &Origin) -> String {
    match origin {
        Origin::Flag { flag, .. } => format!("`{flag}`"),
        Origin::File { .. } => origin.location(),
        Origin::Computed => "a computed value".to_owned(),
    }
}

/// The first secret found, in clear or base64, in one of `files` (`(path, text)`).
pub fn find_leak<'a>(
    secrets: &[Redacted],
    extra: &[String],
    files: impl Iterator<Item = (&'a str, &'a str)> + Clone,
) -> Option<Leak> {
    let mut by_needle: Vec<(&str, String, String)> = secrets
        .iter()
        .filter_map(|r| {
            r.needle
                .as_deref()
                .map(|n| (n, r.path.clone(), set_by(&r.origin)))
        })
        .collect();
    by_needle.extend(extra.iter().map(|n| {
        (
            n.as_str(),
            "a rendered Secret".to_owned(),
            "the render".to_owned(),
        )
    }));
    let needles = Needles::new(
        by_needle
            .iter()
            .filter(|(n, ..)| n.chars().count() >= MIN_SEARCHED_LEN)
            .map(|(n, ..)| (*n).to_owned()),
    );
    for (file, text) in files {
        if let Some(found) = needles.find(text, MIN_SEARCHED_LEN) {
            let (_, path, set_by) = by_needle.iter().find(|(n, ..)| *n == found)?;
            return Some(Leak {
                path: path.clone(),
                set_by: set_by.clone(),
                file: file.to_owned(),
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::FileLayer;
    use crate::values::yaml::parse_values;

    fn node(yaml: &str) -> Node {
        let map = parse_values(yaml, "v.yaml", FileLayer::User).unwrap();
        Node::new(Value::Map(map), Origin::Computed)
    }

    #[test]
    fn redacts_secret_leaves_only() {
        let values = node(
            "auth:\n  enabled: true\n  password: hunter2-long\n  existingSecret: redis-auth\nempty:\n  password: ''\nsecrets:\n  list: [a-token-value, 3]\n  flag: false\nreplicas: 3\n",
        );
        let (out, redacted) = redact(&values);
        assert_eq!(
            out.to_json(),
            serde_json::json!({
                "auth": {"enabled": true, "password": REDACTED, "existingSecret": "redis-auth"},
                "empty": {"password": ""},
                "secrets": {"list": [REDACTED, REDACTED], "flag": false},
                "replicas": 3,
            })
        );
        let paths: Vec<_> = redacted.iter().map(|r| r.path.as_str()).collect();
        assert_eq!(
            paths,
            ["auth.password", "secrets.list[0]", "secrets.list[1]"]
        );
        assert_eq!(redacted[0].needle.as_deref(), Some("hunter2-long"));
        assert_eq!(redacted[2].needle, None);
    }

    #[test]
    fn finds_clear_and_base64_leaks_without_showing_them() {
        let (_, redacted) = redact(&node("auth:\n  password: hunter2-long\n"));
        let files = [
            ("values.yaml", "password: <redacted>"),
            ("templates/cm.yaml", "pass aHVudGVyMi1sb25n"),
        ];
        let leak = find_leak(&redacted, &[], files.iter().copied()).unwrap();
        assert_eq!(leak.path, "auth.password");
        assert_eq!(leak.file, "templates/cm.yaml");
        assert_eq!(leak.set_by, "v.yaml:2:13");
        assert!(find_leak(&redacted, &[], files[..1].iter().copied()).is_none());
    }

    #[test]
    fn removes_a_path() {
        let mut values = node("a:\n  token: 5\n  keep: 1\n");
        remove_path(&mut values, "a.token");
        assert_eq!(values.to_json(), serde_json::json!({"a": {"keep": 1}}));
    }
}
