//! Field-level changes between two normalized objects, for bots (`-o json`) and for hazards
//! that name what changed (`spec.containers[name=redis].image`).
//!
//! Maps compare key by key, lists by element `name` when every element has a unique one,
//! else by position (see [`super::normalize::list_pairs`]).

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use super::normalize::{list_pairs, names};

/// One changed field: `old` is `None` when added, `new` is `None` when removed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldChange {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// Every leaf-most change from `old` to `new`.
pub fn field_changes(old: &Value, new: &Value) -> Vec<FieldChange> {
    let mut out = Vec::new();
    walk(old, new, &mut String::new(), &mut out);
    out
}

fn walk(old: &Value, new: &Value, path: &mut String, out: &mut Vec<FieldChange>) {
    if old == new {
        return;
    }
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => {
            let mut keys: Vec<&String> = o
                .keys()
                .chain(n.keys().filter(|k| !o.contains_key(*k)))
                .collect();
            keys.sort();
            for key in keys {
                let len = path.len();
                push_key(path, key);
                match (o.get(key), n.get(key)) {
                    (Some(a), Some(b)) => walk(a, b, path, out),
                    (a, b) => out.push(FieldChange {
                        path: path.clone(),
                        old: a.cloned(),
                        new: b.cloned(),
                    }),
                }
                path.truncate(len);
            }
        }
        (Value::Array(o), Value::Array(n)) => {
            let by_name = names(o).is_some() && names(n).is_some();
            for (i, j) in list_pairs(o, n) {
                let len = path.len();
                let element = i.map(|i| &o[i]).or(j.map(|j| &n[j]));
                match element.and_then(|e| e.get("name")).and_then(Value::as_str) {
                    Some(name) if by_name => {
                        let _ = write!(path, "[name={name}]");
                    }
                    _ => {
                        let _ = write!(path, "[{}]", i.or(j).unwrap_or(0));
                    }
                }
                match (i.map(|i| &o[i]), j.map(|j| &n[j])) {
                    (Some(a), Some(b)) => walk(a, b, path, out),
                    (a, b) => out.push(FieldChange {
                        path: path.clone(),
                        old: a.cloned(),
                        new: b.cloned(),
                    }),
                }
                path.truncate(len);
            }
        }
        _ => out.push(FieldChange {
            path: if path.is_empty() {
                ".".to_owned()
            } else {
                path.clone()
            },
            old: Some(old.clone()),
            new: Some(new.clone()),
        }),
    }
}

/// `a.b` for plain keys, `a["checksum/config"]` for the others.
fn push_key(path: &mut String, key: &str) {
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if plain {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(key);
    } else {
        let _ = write!(path, "[{}]", serde_json::Value::from(key));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn paths() {
        let old = json!({
            "metadata": {"annotations": {"checksum/config": "a"}},
            "spec": {"containers": [{"name": "redis", "image": "r:1"}, {"name": "exporter"}],
                     "args": ["a", "b"]},
        });
        let new = json!({
            "metadata": {"annotations": {"checksum/config": "b"}, "labels": {"x": "1"}},
            "spec": {"containers": [{"name": "redis", "image": "r:2"}],
                     "args": ["a", "c", "d"]},
        });
        let got: Vec<_> = field_changes(&old, &new)
            .into_iter()
            .map(|c| (c.path, c.old, c.new))
            .collect();
        assert_eq!(
            got,
            [
                (
                    "metadata.annotations[\"checksum/config\"]".to_owned(),
                    Some(json!("a")),
                    Some(json!("b"))
                ),
                ("metadata.labels".to_owned(), None, Some(json!({"x": "1"}))),
                (
                    "spec.args[1]".to_owned(),
                    Some(json!("b")),
                    Some(json!("c"))
                ),
                ("spec.args[2]".to_owned(), None, Some(json!("d"))),
                (
                    "spec.containers[name=redis].image".to_owned(),
                    Some(json!("r:1")),
                    Some(json!("r:2"))
                ),
                (
                    "spec.containers[name=exporter]".to_owned(),
                    Some(json!({"name": "exporter"})),
                    None
                ),
            ]
        );
    }

    #[test]
    fn equal_is_empty() {
        assert_eq!(field_changes(&json!({"a": [1]}), &json!({"a": [1]})), []);
        assert_eq!(field_changes(&json!(1), &json!(2))[0].path, ".");
    }
}
