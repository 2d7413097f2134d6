//! Helm's two merges: user layers over each other, then the result over the chart defaults.
//!
//! User layers (presets, `-f` files, `--set`...) merge with Helm's `mergeMaps`: maps merge
//! deeply, anything else replaces, and a `null` is kept as a value. The merged user values are
//! then coalesced over the chart's `values.yaml` as Helm's `CoalesceValues` does: there a user
//! `null` deletes the chart default, while a `null` for a key the chart does not define stays.

use super::node::{Map, Node, Value};

/// Merges `src` into `dest`, `src` winning (Helm's `mergeMaps`).
pub fn merge_maps(dest: &mut Map, src: Map) {
    for (key, node) in src {
        match (dest.get_mut(&key), node) {
            (
                Some(Node {
                    value: Value::Map(dest_map),
                    ..
                }),
                Node {
                    value: Value::Map(src_map),
                    ..
                },
            ) => merge_maps(dest_map, src_map),
            (_, node) => {
                dest.insert(key, node);
            }
        }
    }
}

/// Coalesces user values over chart defaults (Helm's `CoalesceValues`).
pub fn coalesce(defaults: Map, user: Map) -> Map {
    let mut out = defaults;
    for (key, node) in user {
        let in_chart = out.contains_key(&key);
        match (out.get_mut(&key), node) {
            (_, node) if matches!(node.value, Value::Null) && in_chart => {
                out.remove(&key);
            }
            (
                Some(Node {
                    value: Value::Map(chart_map),
                    ..
                }),
                Node {
                    value: Value::Map(user_map),
                    ..
                },
            ) => {
                let merged = coalesce(std::mem::take(chart_map), user_map);
                *chart_map = merged;
            }
            (_, node) => {
                out.insert(key, node);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::node::{FileLayer, Origin};
    use crate::values::yaml::parse_values;

    fn map(text: &str) -> Map {
        parse_values(text, "t.yaml", FileLayer::User).expect("valid test yaml")
    }

    fn json(map: Map) -> String {
        Node::new(Value::Map(map), Origin::Computed)
            .to_json()
            .to_string()
    }

    #[test]
    fn merge_table() {
        let table: &[(&str, &str, &str)] = &[
            ("a: {b: 1}", "a: {c: 2}", r#"{"a":{"b":1,"c":2}}"#),
            ("a: [1, 2]", "a: [3]", r#"{"a":[3]}"#),
            ("a: {b: 1}", "a: 5", r#"{"a":5}"#),
            ("a: 5", "a: {b: 1}", r#"{"a":{"b":1}}"#),
            ("a: {b: 1}", "a: null", r#"{"a":null}"#),
            ("a: 1", "b: 2", r#"{"a":1,"b":2}"#),
        ];
        for (dest, src, expected) in table {
            let mut d = map(dest);
            merge_maps(&mut d, map(src));
            assert_eq!(json(d), *expected, "{dest} <- {src}");
        }
    }

    #[test]
    fn coalesce_table() {
        let table: &[(&str, &str, &str)] = &[
            // a user null deletes a chart default
            ("a: 1\nb: 2", "a: null", r#"{"b":2}"#),
            ("a: {b: 1, c: 2}", "a: {b: null}", r#"{"a":{"c":2}}"#),
            ("a: {b: {c: 1}}", "a: null", r#"{}"#),
            // ...but a null for a key the chart does not define stays
            ("a: 1", "z: null", r#"{"a":1,"z":null}"#),
            ("a: 1", "z: {w: null}", r#"{"a":1,"z":{"w":null}}"#),
            // maps merge deeply, lists and scalars replace
            (
                "a: {b: 1, l: [1, 2]}",
                "a: {l: [3]}",
                r#"{"a":{"b":1,"l":[3]}}"#,
            ),
            ("a: {b: 1}", "a: text", r#"{"a":"text"}"#),
        ];
        for (chart, user, expected) in table {
            assert_eq!(
                json(coalesce(map(chart), map(user))),
                *expected,
                "{chart} <- {user}"
            );
        }
    }
}
