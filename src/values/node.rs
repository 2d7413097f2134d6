//! The values tree: every node carries the [`Origin`] of the layer that set it.
//!
//! Values are kept in this tree, not in `serde_json::Value`, so that schema errors, lint
//! findings and `redis-ha values --show-origin` can all point at the line that set a value.
//! Maps are `BTreeMap`s: Helm's values are Go maps, printed with sorted keys, and sorted keys
//! keep every output deterministic.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// A map of values, as the top level of every layer is.
pub type Map = BTreeMap<String, Node>;

/// Which kind of values file a position belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileLayer {
    /// The chart's own `values.yaml`.
    Chart,
    /// A bundled preset (`--env NAME`).
    Preset,
    /// A file given with `-f/--values`.
    User,
}

/// Where a value was set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A position in a values file (line and column are 1-based).
    File {
        layer: FileLayer,
        path: Arc<str>,
        line: u32,
        col: u32,
    },
    /// A command-line flag: `flag` is `--set`, `--set-string`, ...; `fragment` is the single
    /// `key=value` assignment that set the value.
    Flag {
        flag: &'static str,
        fragment: Arc<str>,
    },
    /// Created by the tool itself (for example an intermediate map of a `--set a.b=1` path).
    Computed,
}

impl Origin {
    /// `path:line:col` for files, the flag fragment otherwise: the prefix of an error message.
    pub fn location(&self) -> String {
        match self {
            Origin::File {
                path, line, col, ..
            } => format!("{path}:{line}:{col}"),
            Origin::Flag { flag, fragment } => {
                // A location never shows a secret: the secrets policy hides its value.
                let whole_value = !matches!(*flag, "--set" | "--set-string");
                format!(
                    "{flag} {}",
                    crate::secrets::redact_set_arg(fragment, whole_value)
                )
            }
            Origin::Computed => "<computed>".to_owned(),
        }
    }

    /// The file path, line and column, when the value comes from a file.
    pub fn file_position(&self) -> Option<(&str, u32, u32)> {
        match self {
            Origin::File {
                path, line, col, ..
            } => Some((path, *line, *col)),
            _ => None,
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::File {
                layer: FileLayer::Chart,
                ..
            } => write!(f, "{} (chart default)", self.location()),
            Origin::File {
                layer: FileLayer::Preset,
                ..
            } => write!(f, "{} (preset)", self.location()),
            _ => f.write_str(&self.location()),
        }
    }
}

/// A value and where it was set.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
}

/// The shapes a value can take: those of YAML, as Helm reads it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Map),
}

impl Node {
    pub fn new(value: Value, origin: Origin) -> Self {
        Node { value, origin }
    }

    /// Every non-empty scalar under a key the secrets policy names replaced by its mask
    /// ([`crate::secrets::MASK`]); origins stay, so `--show-origin` still says where it was set.
    pub fn hide_secrets(&mut self) {
        fn walk(node: &mut Node, secret: bool) {
            match &mut node.value {
                Value::Map(map) => map
                    .iter_mut()
                    .for_each(|(k, v)| walk(v, secret || crate::secrets::is_secret_key(k))),
                Value::Seq(items) => items.iter_mut().for_each(|v| walk(v, secret)),
                Value::Null => {}
                Value::Str(s) if s.is_empty() => {}
                _ if secret => node.value = Value::Str(crate::secrets::MASK.to_owned()),
                _ => {}
            }
        }
        walk(self, false);
    }

    /// The node at a dotted path of map keys (`sentinel.quorum`), if present.
    pub fn get_path(&self, path: &str) -> Option<&Node> {
        path.split('.')
            .try_fold(self, |node, key| match &node.value {
                Value::Map(map) => map.get(key),
                Value::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            })
    }

    /// The node at a JSON pointer (`/sentinel/quorum`), as schema validators report paths.
    pub fn get_pointer(&self, pointer: &str) -> Option<&Node> {
        if pointer.is_empty() {
            return Some(self);
        }
        pointer
            .strip_prefix('/')?
            .split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .try_fold(self, |node, key| match &node.value {
                Value::Map(map) => map.get(&key),
                Value::Seq(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            })
    }

    /// Every leaf (scalar, empty map or empty list) with its dotted path, in key order.
    pub fn leaves(&self) -> Vec<(String, &Node)> {
        fn walk<'a>(prefix: &str, node: &'a Node, out: &mut Vec<(String, &'a Node)>) {
            match &node.value {
                Value::Map(map) if !map.is_empty() => {
                    for (k, v) in map {
                        let p = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        walk(&p, v, out);
                    }
                }
                Value::Seq(items) if !items.is_empty() => {
                    for (i, v) in items.iter().enumerate() {
                        walk(&format!("{prefix}[{i}]"), v, out);
                    }
                }
                _ => out.push((prefix.to_owned(), node)),
            }
        }
        let mut out = Vec::new();
        walk("", self, &mut out);
        out
    }

    /// The value as JSON, dropping origins (for schema validation and `-o json`).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => {
                serde_json::Value::Array(items.iter().map(Node::to_json).collect())
            }
            Value::Map(map) => serde_json::Value::Object(
                map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
            ),
        }
    }

    /// A tree from JSON, every node with the same origin (for `--set-json`).
    pub fn from_json(json: &serde_json::Value, origin: &Origin) -> Node {
        let value = match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => n
                .as_i64()
                .map_or_else(|| Value::Float(n.as_f64().unwrap_or(f64::NAN)), Value::Int),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(items) => {
                Value::Seq(items.iter().map(|v| Node::from_json(v, origin)).collect())
            }
            serde_json::Value::Object(map) => Value::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Node::from_json(v, origin)))
                    .collect(),
            ),
        };
        Node::new(value, origin.clone())
    }
}

impl Value {
    /// A short name of the value's type, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) => "integer",
            Value::Float(_) => "number",
            Value::Str(_) => "string",
            Value::Seq(_) => "list",
            Value::Map(_) => "map",
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.value {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::Str(s) => serializer.serialize_str(s),
            Value::Seq(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(map) => {
                let mut m = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flag_locations_never_show_a_secret() {
        let hidden = crate::secrets::MASK;
        let table = [
            ("--set", "replicas=3", "--set replicas=3".to_owned()),
            (
                "--set",
                "auth.password=hunter22",
                format!("--set auth.password={hidden}"),
            ),
            (
                "--set-json",
                r#"auth={"password":"hunter22"}"#,
                format!("--set-json auth={hidden}"),
            ),
            (
                "--set-literal",
                "api.token=a,b=c",
                format!("--set-literal api.token={hidden}"),
            ),
        ];
        for (flag, fragment, expected) in table {
            let origin = Origin::Flag {
                flag,
                fragment: fragment.into(),
            };
            assert_eq!(origin.location(), expected, "{flag} {fragment}");
        }
    }
}
