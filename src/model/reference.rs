//! Documents generated from the schema: the values reference table of the README and the
//! commented `values.yaml` of the chart. Both are derived, so they cannot disagree with the
//! model; tests check that the files on disk are up to date.

use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::{Values, values_schema};

/// The values reference: one Markdown table row per leaf key (type, default, description),
/// generated from [`values_schema`] so it cannot disagree with it.
///
/// # Panics
///
/// Never: the defaults always serialize.
#[must_use]
pub fn values_reference_markdown() -> String {
    let schema = values_schema();
    let mut out = String::from("| Key | Type | Default | Description |\n|---|---|---|---|\n");
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        reference_rows(properties, "", &mut out);
    }
    out
}

fn reference_rows(properties: &Map<String, Value>, prefix: &str, out: &mut String) {
    for (key, property) in properties {
        let path = format!("{prefix}{key}");
        if let Some(nested) = property.get("properties").and_then(Value::as_object) {
            reference_rows(nested, &format!("{path}."), out);
            continue;
        }
        let default = property.get("default").map_or_else(String::new, |d| {
            format!("`{}`", serde_json::to_string(d).expect("json serializes"))
        });
        let description = property
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "| `{path}` | {} | {} | {} |",
            cell(&type_name(property)),
            cell(&default),
            cell(description),
        );
    }
}

/// A table cell: pipes escaped, lines joined.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn type_name(schema: &Value) -> String {
    if let Some(variants) = schema.get("enum").and_then(Value::as_array) {
        return variants
            .iter()
            .map(|v| {
                format!(
                    "`{}`",
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                )
            })
            .collect::<Vec<_>>()
            .join(" | ");
    }
    let base = match schema.get("type") {
        Some(Value::String(t)) => t.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_owned(),
    };
    match base.as_str() {
        "array" => format!(
            "list of {}",
            schema
                .get("items")
                .map_or_else(|| "any".to_owned(), type_name)
        ),
        "object" => match schema.get("additionalProperties") {
            Some(Value::Bool(_)) | None => "object".to_owned(),
            Some(values) => format!("map of {}", type_name(values)),
        },
        _ => base,
    }
}

/// The chart's `values.yaml`: `Values::default()` with each key preceded by its description.
///
/// # Panics
///
/// Never: the defaults always serialize.
#[must_use]
pub fn values_yaml() -> String {
    let schema = values_schema();
    let defaults = serde_json::to_value(Values::default()).expect("the defaults serialize");
    let mut out = String::from(
        "# Default values of the redis-ha chart, generated from the values model (src/model/).\n\
         # values.schema.json rejects unknown keys; the README's values reference lists every key.\n",
    );
    yaml_keys(&schema, &defaults, "", &mut out);
    out
}

fn yaml_keys(schema: &Value, values: &Value, indent: &str, out: &mut String) {
    let Some(properties) = schema.get("properties").and_then(Value::as_object) else {
        return;
    };
    for (key, property) in properties {
        let value = &values[key];
        if indent.is_empty() {
            out.push('\n');
        }
        if let Some(description) = property.get("description").and_then(Value::as_str) {
            comment(description, indent, out);
        }
        match value {
            _ if property.get("properties").is_some() => {
                let _ = writeln!(out, "{indent}{key}:");
                yaml_keys(property, value, &format!("{indent}  "), out);
            }
            Value::Array(items) if !items.is_empty() => {
                let _ = writeln!(out, "{indent}{key}:");
                for item in items {
                    let _ = writeln!(out, "{indent}  - {}", yaml_scalar(item));
                }
            }
            _ => {
                let _ = writeln!(out, "{indent}{key}: {}", yaml_scalar(value));
            }
        }
    }
}

/// `text` as `# ` lines of at most 96 columns.
fn comment(text: &str, indent: &str, out: &mut String) {
    let width = 96 - indent.len() - 2;
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            let _ = writeln!(out, "{indent}# {line}");
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        let _ = writeln!(out, "{indent}# {line}");
    }
}

/// A scalar (or empty collection) in flow style; strings are quoted unless plainly safe in
/// YAML 1.1 and 1.2 alike.
fn yaml_scalar(value: &Value) -> String {
    match value {
        Value::String(s) => {
            let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
                && !matches!(
                    s.to_ascii_lowercase().as_str(),
                    "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
                );
            if plain {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        Value::Object(map) if map.is_empty() => "{}".to_owned(),
        Value::Array(items) if items.is_empty() => "[]".to_owned(),
        other => other.to_string(),
    }
}
