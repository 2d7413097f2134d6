//! Reading the old state given as manifests (`--against`): the output of `helm get manifest`,
//! of `kubectl get -o yaml` (a `List` or several documents), or of a previous render.
//!
//! This module owns turning that text into objects, each with the line it starts on, and the
//! errors that name the file and line; it leaves comparing them to the rest of [`super`].

use serde_json::Value;

use crate::values::FileLayer;
use crate::values::yaml::{YamlError, parse_documents};

/// An object of the old state and where it was read.
#[derive(Clone, Debug, PartialEq)]
pub struct Located {
    pub object: Value,
    /// `file:line`, for messages.
    pub location: String,
}

/// Old-state text that is not a set of Kubernetes objects.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoadError {
    #[error("{path}:{line}:{col}: invalid YAML: {message}")]
    Yaml {
        path: String,
        line: u64,
        col: u64,
        message: String,
    },
    #[error(
        "{location}: expected a Kubernetes object (a map with `apiVersion`, `kind` and `metadata.name`), {problem}\n  hint: pass the output of `helm get manifest`, `kubectl get -o yaml` or `redis-ha render`"
    )]
    NotAnObject { location: String, problem: String },
}

/// Parses manifests; `path` names the input in messages (`-` is standard input). Empty
/// documents are skipped and `List`s are flattened into their items.
///
/// Read by the same YAML 1.1 rules as rendered documents (and as Kubernetes reads
/// manifests): `defaultMode: 0440` is 288 on both sides of a diff.
pub fn parse(text: &str, path: &str) -> Result<Vec<Located>, LoadError> {
    let label = if path == "-" { "<stdin>" } else { path };
    let docs =
        parse_documents(text, label, FileLayer::User).map_err(|err| yaml_error(err, label))?;
    let mut objects = Vec::new();
    for doc in docs {
        let line = doc
            .origin
            .file_position()
            .map_or(1, |(_, line, _)| line.max(1));
        let location = format!("{label}:{line}");
        match doc.to_json() {
            Value::Null => {}
            Value::Object(map) if is_list(&map) => {
                let items = match map.get("items") {
                    Some(Value::Array(items)) => items.clone(),
                    Some(Value::Null) | None => Vec::new(),
                    Some(_) => {
                        return Err(LoadError::NotAnObject {
                            location,
                            problem: "found a `List` whose `items` is not a list".to_owned(),
                        });
                    }
                };
                for (index, item) in items.into_iter().enumerate() {
                    let location = format!("{location} (item {} of the `List`)", index + 1);
                    objects.push(checked(item, location)?);
                }
            }
            other => objects.push(checked(other, location)?),
        }
    }
    Ok(objects)
}

/// The YAML reader's error, as a load error (it never quotes the input).
fn yaml_error(err: YamlError, path: &str) -> LoadError {
    let (line, col, message) = match err {
        YamlError::Syntax {
            line, col, message, ..
        } => (line, col, message),
        YamlError::DuplicateKey {
            line,
            col,
            key,
            first_line,
            ..
        } => (
            line,
            col,
            format!("duplicate key `{key}` (first defined at line {first_line})"),
        ),
        YamlError::UnknownAnchor { line, col, .. } => {
            (line, col, "unknown anchor in alias".to_owned())
        }
        YamlError::NotAMap {
            line, col, found, ..
        } => (line, col, format!("expected a map, found a {found}")),
        YamlError::Invalid { line, col, .. } => (line, col, err.message()),
    };
    LoadError::Yaml {
        path: path.to_owned(),
        line: line.into(),
        col: col.into(),
        message,
    }
}

fn is_list(map: &serde_json::Map<String, Value>) -> bool {
    map.get("kind")
        .and_then(Value::as_str)
        .is_some_and(|k| k.ends_with("List"))
        && map.contains_key("items")
}

fn checked(object: Value, location: String) -> Result<Located, LoadError> {
    let problem = match &object {
        Value::Object(map) => {
            let text = |key: &str| map.get(key).and_then(Value::as_str).unwrap_or("");
            let name = object.pointer("/metadata/name").and_then(Value::as_str);
            if text("apiVersion").is_empty() {
                Some("but it has no `apiVersion`".to_owned())
            } else if text("kind").is_empty() {
                Some("but it has no `kind`".to_owned())
            } else if name.is_none_or(str::is_empty) {
                Some(format!(
                    "but this `{}` has no `metadata.name`",
                    text("kind")
                ))
            } else {
                None
            }
        }
        other => Some(format!("found {}", describe(other))),
    };
    match problem {
        Some(problem) => Err(LoadError::NotAnObject { location, problem }),
        None => Ok(Located { object, location }),
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_and_lists() {
        let text = "\
---
# Source: redis-ha/templates/a.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
---
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata:
    name: b
- apiVersion: apps/v1
  kind: StatefulSet
  metadata:
    name: c
metadata:
  resourceVersion: \"\"
";
        let objects = parse(text, "live.yaml").unwrap();
        let names: Vec<_> = objects
            .iter()
            .map(|o| (o.object["metadata"]["name"].as_str().unwrap(), &*o.location))
            .collect();
        assert_eq!(
            names,
            [
                ("a", "live.yaml:3"),
                ("b", "live.yaml:9 (item 1 of the `List`)"),
                ("c", "live.yaml:9 (item 2 of the `List`)"),
            ]
        );
    }

    #[test]
    fn empty_input_is_no_objects() {
        assert_eq!(parse("", "x").unwrap(), []);
        assert_eq!(parse("---\n---\n", "x").unwrap(), []);
        assert_eq!(
            parse("apiVersion: v1\nkind: List\nitems: []\n", "x").unwrap(),
            []
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        let table = [
            (
                "a: 1\n---\nb: [1,\n",
                "live.yaml:3:4: invalid YAML: unclosed bracket '['",
            ),
            (
                "apiVersion: v1\nkind: A\nmetadata:\n  name: a\n  name: b\n",
                "live.yaml:5:3: invalid YAML: duplicate key `name` (first defined at line 4)",
            ),
            ("- a\n- b\n", "live.yaml:1: expected a Kubernetes object"),
            ("kind: A\nmetadata: {name: a}\n", "has no `apiVersion`"),
            ("apiVersion: v1\nmetadata: {name: a}\n", "has no `kind`"),
            (
                "apiVersion: v1\nkind: Secret\nmetadata: {}\n",
                "this `Secret` has no `metadata.name`",
            ),
            (
                "apiVersion: v1\nkind: List\nitems:\n- 3\n",
                "live.yaml:1 (item 1 of the `List`): expected a Kubernetes object",
            ),
        ];
        for (text, expected) in table {
            let err = parse(text, "live.yaml").unwrap_err().to_string();
            assert!(err.contains(expected), "{text:?}:\n{err}");
        }
    }

    /// The same YAML 1.1 scalars as rendered documents: octal modes, `yes`, `~`.
    #[test]
    fn yaml_1_1_scalars() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nmode: 0440\nflag: yes\nnone: ~\n";
        let object = &parse(text, "live.yaml").unwrap()[0].object;
        assert_eq!(object["mode"], 288);
        assert_eq!(object["flag"], true);
        assert!(object["none"].is_null());
    }

    #[test]
    fn stdin_is_named() {
        let err = parse("[", "-").unwrap_err().to_string();
        assert!(err.starts_with("<stdin>:1:"), "{err}");
    }
}
