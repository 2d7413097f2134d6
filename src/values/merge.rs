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

/// Coalesces user values over chart defaults (Helm's `CoalesceValues`): a user `null` deletes
/// the chart default, chart defaults that are `null` are dropped (at any depth of maps), and a
/// user `null` for a key the chart does not define stays.
pub fn coalesce(defaults: Map, user: Map) -> Map {
    let mut out = user;
    for (key, chart) in defaults {
        match out.get_mut(&key) {
            Some(node) if matches!(node.value, Value::Null) => {
                out.remove(&key);
            }
            Some(Node {
                value: Value::Map(user_map),
                origin,
            }) => {
                if let Value::Map(mut chart_map) = chart.value {
                    remove_nulls(&mut chart_map);
                    coalesce_tables(user_map, chart_map);
                    // The map itself is the chart's: the user only set keys inside it.
                    *origin = chart.origin;
                }
            }
            Some(_) => {}
            None => {
                let mut chart = chart;
                match &mut chart.value {
                    Value::Null => continue,
                    Value::Map(chart_map) => remove_nulls(chart_map),
                    _ => {}
                }
                out.insert(key, chart);
            }
        }
    }
    out
}

/// Helm's `coalesceTablesFullKey` below the top level; `chart` has no nulls left. A user
/// `null` deletes what the chart sets; one for a key the chart leaves unset (or `null`) stays.
fn coalesce_tables(user: &mut Map, chart: Map) {
    for (key, chart) in chart {
        match user.get_mut(&key) {
            None => {
                user.insert(key, chart);
            }
            Some(node) if matches!(node.value, Value::Null) => {
                user.remove(&key);
            }
            Some(Node {
                value: Value::Map(user_map),
                origin,
            }) => {
                if let Value::Map(chart_map) = chart.value {
                    coalesce_tables(user_map, chart_map);
                    *origin = chart.origin;
                }
            }
            Some(_) => {}
        }
    }
}

/// Helm's `cleanNilValues`: nulls go from maps at any depth (not from lists).
fn remove_nulls(map: &mut Map) {
    map.retain(|_, node| !matches!(node.value, Value::Null));
    for node in map.values_mut() {
        if let Value::Map(inner) = &mut node.value {
            remove_nulls(inner);
        }
    }
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
            ("a: {b: {c: 1}}", "a: null", "{}"),
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
            // chart defaults that are null are dropped, at any depth of maps, not in lists
            ("a: null\nb: 1", "", r#"{"b":1}"#),
            (
                "a: {b: null, c: {d: null}, l: [null]}",
                "",
                r#"{"a":{"c":{},"l":[null]}}"#,
            ),
            ("a: {b: null, c: 1}", "a: {d: 2}", r#"{"a":{"c":1,"d":2}}"#),
            // a user null over a chart null: gone at the top, kept below (as Helm does)
            ("a: null", "a: null", "{}"),
            ("a: {b: null}", "a: {b: null}", r#"{"a":{"b":null}}"#),
            // a map over a scalar default, a scalar over a map default: the user wins
            ("a: 1", "a: {b: 1}", r#"{"a":{"b":1}}"#),
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
