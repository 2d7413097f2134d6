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

/// A leaf on one line: multi-line strings as double-quoted scalars so the comment fits.
fn scalar(node: &Node) -> String {
    match &node.value {
        Value::Str(s) if s.contains('\n') => serde_json::to_string(s).unwrap_or_default(),
        _ => yaml(node).trim_end().to_owned(),
    }
}

fn key(k: &str) -> String {
    yaml(&Node::new(
        Value::Str(k.to_owned()),
        super::Origin::Computed,
    ))
    .trim_end()
    .to_owned()
}

fn write_map(out: &mut String, map: &super::Map, depth: usize) {
    let pad = "  ".repeat(depth);
    for (k, v) in map {
        if is_leaf(v) {
            let _ = writeln!(out, "{pad}{}: {}  # {}", key(k), scalar(v), v.origin);
        } else {
            let _ = writeln!(out, "{pad}{}:  # {}", key(k), v.origin);
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
                    let _ = writeln!(out, "{pad}- {}  # {}", scalar(item), item.origin);
                } else {
                    let _ = writeln!(out, "{pad}-  # {}", item.origin);
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
}
