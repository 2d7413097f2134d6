//! Printing values: plain YAML, or YAML with each leaf's origin as a comment beside it.

use std::fmt::Write as _;

use super::node::{Node, Value};

/// The values as YAML (sorted keys, strings quoted where YAML 1.1 would misread them).
pub fn yaml(node: &Node) -> String {
    serde_saphyr::to_string(node).unwrap_or_default()
}

/// The values as YAML, each leaf followed by `# <origin>`.
pub fn yaml_with_origins(node: &Node) -> String {
    let mut out = String::new();
    match &node.value {
        Value::Map(map) if !map.is_empty() => write_map(&mut out, map, 0),
        _ => {
            let _ = writeln!(out, "{}", scalar(node));
        }
    }
    out
}

/// The leaves as a JSON list of `{path, value, origin}`.
pub fn json_with_origins(node: &Node) -> String {
    let leaves: Vec<_> = node
        .leaves()
        .into_iter()
        .map(|(path, leaf)| {
            serde_json::json!({
                "path": path,
                "value": leaf.to_json(),
                "origin": leaf.origin.to_string(),
            })
        })
        .collect();
    serde_json::to_string_pretty(&leaves).unwrap_or_default() + "\n"
}

fn is_leaf(node: &Node) -> bool {
    match &node.value {
        Value::Map(m) => m.is_empty(),
        Value::Seq(s) => s.is_empty(),
        _ => true,
    }
}

/// A leaf on one line so the comment fits: what the YAML writer would spread over several
/// lines (a multi-line string, a long one it folds) as a double-quoted scalar.
fn scalar(node: &Node) -> String {
    let text = yaml(node).trim_end().to_owned();
    match &node.value {
        Value::Str(s) if s.contains('\n') || text.contains('\n') => {
            serde_json::to_string(s).unwrap_or_default()
        }
        _ => text,
    }
}

fn key(k: &str) -> String {
    scalar(&Node::new(
        Value::Str(k.to_owned()),
        super::Origin::Computed,
    ))
}

/// An origin as a comment: on one line whatever the `--set` fragment held.
fn comment(origin: &super::Origin) -> String {
    origin
        .to_string()
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}

fn write_map(out: &mut String, map: &super::Map, depth: usize) {
    let pad = "  ".repeat(depth);
    for (k, v) in map {
        if is_leaf(v) {
            let _ = writeln!(
                out,
                "{pad}{}: {}  # {}",
                key(k),
                scalar(v),
                comment(&v.origin)
            );
        } else {
            let _ = writeln!(out, "{pad}{}:  # {}", key(k), comment(&v.origin));
            write_nested(out, v, depth + 1);
        }
    }
}

fn write_nested(out: &mut String, node: &Node, depth: usize) {
    match &node.value {
        Value::Map(map) => write_map(out, map, depth),
        Value::Seq(items) => {
            let pad = "  ".repeat(depth);
            for item in items {
                if is_leaf(item) {
                    let _ = writeln!(out, "{pad}- {}  # {}", scalar(item), comment(&item.origin));
                } else {
                    let _ = writeln!(out, "{pad}-  # {}", comment(&item.origin));
                    write_nested(out, item, depth + 1);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::node::FileLayer;
    use crate::values::yaml::parse_values;

    #[test]
    fn origins_beside_leaves() {
        let map = parse_values(
            "a:\n  b: yes\n  l: [1, {x: on}]\nm: \"two\\nlines\"\ne: {}\n",
            "f.yaml",
            FileLayer::User,
        )
        .unwrap();
        let node = Node::new(Value::Map(map), super::super::Origin::Computed);
        let text = yaml_with_origins(&node);
        assert_eq!(
            text,
            "a:  # f.yaml:1:1\n  b: true  # f.yaml:2:6\n  l:  # f.yaml:3:3\n    - 1  # f.yaml:3:7\n    -  # f.yaml:3:10\n      x: true  # f.yaml:3:14\ne: {}  # f.yaml:5:1\nm: \"two\\nlines\"  # f.yaml:4:4\n"
        );
        // The annotated text is still YAML with the same data.
        let reparsed = parse_values(&text, "g.yaml", FileLayer::User).unwrap();
        assert_eq!(
            Node::new(Value::Map(reparsed), super::super::Origin::Computed).to_json(),
            node.to_json()
        );
    }

    #[test]
    fn long_strings_and_odd_origins_stay_yaml() {
        let long = "word ".repeat(200);
        let mut map = crate::values::Map::new();
        map.insert(
            "long".to_owned(),
            Node::new(Value::Str(long.clone()), super::super::Origin::Computed),
        );
        map.insert(
            "k".to_owned(),
            Node::new(
                Value::Str("v".to_owned()),
                super::super::Origin::Flag {
                    flag: "--set",
                    fragment: std::sync::Arc::from("k=v\nevil: 1"),
                },
            ),
        );
        let node = Node::new(Value::Map(map), super::super::Origin::Computed);
        let text = yaml_with_origins(&node);
        assert_eq!(text.lines().count(), 2, "{text}");
        let reparsed = parse_values(&text, "g.yaml", FileLayer::User).unwrap();
        assert_eq!(
            Node::new(Value::Map(reparsed), super::super::Origin::Computed).to_json(),
            node.to_json()
        );
    }
}
