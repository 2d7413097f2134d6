//! The packaged `values.schema.json` in JSON Schema draft-07, the newest draft every Helm 3
//! release validates (Helm before 3.18 knows nothing newer).
//!
//! A draft-07 schema is copied byte for byte; draft-06 only gets a new `$schema`; 2019-09 and
//! 2020-12 (and a schema that names no draft) are converted where draft-07 can say the same
//! thing (`$defs`, `prefixItems`, `dependentRequired`, `$ref` beside other keywords), and
//! refused where it cannot (`unevaluatedProperties`, dynamic references). Older drafts are
//! refused. Checking values against the schema belongs to [`crate::schema`].

use serde_json::{Map, Value};

pub const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// A schema that cannot be written as draft-07.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Draft07Error {
    #[error("values schema is not JSON: {0}")]
    Json(String),
    #[error(
        "values schema declares `$schema: {0}`, which redis-ha cannot convert to draft-07\n  hint: write the chart's schema in draft-07 or 2020-12"
    )]
    Unsupported(String),
    #[error(
        "values schema uses `{keyword}` at `{pointer}`, which draft-07 cannot express\n  hint: Helm validates charts with draft-07; rewrite that part of the schema without `{keyword}`"
    )]
    Keyword { keyword: String, pointer: String },
    #[error("values schema defines `{name}` in both `$defs` and `definitions` at `{pointer}`")]
    Definitions { name: String, pointer: String },
}

/// Keywords of 2019-09 and 2020-12 that draft-07 has no equivalent for.
const UNSUPPORTED: &[&str] = &[
    "unevaluatedProperties",
    "unevaluatedItems",
    "$dynamicRef",
    "$dynamicAnchor",
    "$recursiveRef",
    "$recursiveAnchor",
    "$anchor",
    "$vocabulary",
    "minContains",
    "maxContains",
];

/// The schema as draft-07 text.
pub fn to_draft07(text: &str) -> Result<String, Draft07Error> {
    let mut schema: Value =
        serde_json::from_str(text).map_err(|e| Draft07Error::Json(e.to_string()))?;
    let declared = schema
        .get("$schema")
        .and_then(Value::as_str)
        .map(ToOwned::to_owned);
    let normalized = declared.as_deref().map(|s| {
        s.trim_end_matches('#')
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .to_owned()
    });
    match normalized.as_deref() {
        Some("json-schema.org/draft-07/schema") => return Ok(text.to_owned()),
        Some("json-schema.org/draft-06/schema") => {}
        Some("json-schema.org/draft/2019-09/schema" | "json-schema.org/draft/2020-12/schema")
        | None => convert(&mut schema, "")?,
        Some(_) => return Err(Draft07Error::Unsupported(declared.unwrap_or_default())),
    }
    if let Value::Object(map) = &mut schema {
        map.shift_remove("$schema");
        let rest = std::mem::take(map);
        map.insert("$schema".to_owned(), DRAFT_07.into());
        map.extend(rest);
    }
    let mut out =
        serde_json::to_string_pretty(&schema).map_err(|e| Draft07Error::Json(e.to_string()))?;
    out.push('\n');
    Ok(out)
}

/// The property whose absence Helm reports when install-time values differ from the packaged
/// ones. Helm prints only the schema's own words, so the message is a property name.
pub const FIXED_VALUES_MESSAGE: &str =
    "values are fixed at package time: run `redis-ha package` again with the values you want";

/// The packaged schema: the chart's (draft-07 text, if any) and, beside it, a rule that accepts
/// exactly `values`. The packaged templates read no values, so an install-time `--set`, `-f`,
/// Argo CD parameter or Flux `spec.values` could only be ignored; this makes Helm refuse it
/// instead (`helm install`, `helm upgrade`, `helm template` and `helm lint` all check it).
pub fn fix_values(chart_schema: Option<&str>, values: &Value) -> Result<String, Draft07Error> {
    let mut schema = match chart_schema {
        Some(text) => serde_json::from_str(text).map_err(|e| Draft07Error::Json(e.to_string()))?,
        None => serde_json::json!({"$schema": DRAFT_07}),
    };
    if schema == Value::Bool(true) {
        schema = serde_json::json!({"$schema": DRAFT_07});
    }
    let fixed = serde_json::json!({
        "anyOf": [exactly(values), {"required": [FIXED_VALUES_MESSAGE]}]
    });
    if let Value::Object(map) = &mut schema {
        match map
            .entry("allOf")
            .or_insert_with(|| Value::Array(Vec::new()))
        {
            Value::Array(list) => list.push(fixed),
            other => *other = Value::Array(vec![other.clone(), fixed]),
        }
    }
    let mut out =
        serde_json::to_string_pretty(&schema).map_err(|e| Draft07Error::Json(e.to_string()))?;
    out.push('\n');
    Ok(out)
}

/// A schema that accepts `value` and nothing else, object by object so that Helm names the
/// path of each difference (`at '/sentinel/replicas': value must be 3`).
fn exactly(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let properties: Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), exactly(v))).collect();
            // A null may be dropped by Helm's coalescing, so only other values are required.
            let required: Vec<Value> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, _)| Value::String(k.clone()))
                .collect();
            serde_json::json!({
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false,
            })
        }
        other => serde_json::json!({"const": other}),
    }
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Converts one schema object and every schema below it.
fn convert(schema: &mut Value, pointer: &str) -> Result<(), Draft07Error> {
    let Value::Object(map) = schema else {
        return Ok(());
    };
    for keyword in UNSUPPORTED {
        if map.contains_key(*keyword) {
            return Err(Draft07Error::Keyword {
                keyword: (*keyword).to_owned(),
                pointer: if pointer.is_empty() {
                    "/".to_owned()
                } else {
                    pointer.to_owned()
                },
            });
        }
    }
    // Below this object first: names below are already final.
    for (keyword, value) in map.iter_mut() {
        let here = format!("{pointer}/{}", escape_pointer(keyword));
        match keyword.as_str() {
            "additionalProperties"
            | "propertyNames"
            | "additionalItems"
            | "contains"
            | "not"
            | "if"
            | "then"
            | "else"
            | "items"
            | "contentSchema" => match value {
                Value::Array(items) => {
                    for (i, item) in items.iter_mut().enumerate() {
                        convert(item, &format!("{here}/{i}"))?;
                    }
                }
                other => convert(other, &here)?,
            },
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                if let Value::Array(items) = value {
                    for (i, item) in items.iter_mut().enumerate() {
                        convert(item, &format!("{here}/{i}"))?;
                    }
                }
            }
            "properties" | "patternProperties" | "$defs" | "definitions" | "dependentSchemas"
            | "dependencies" => {
                if let Value::Object(children) = value {
                    for (name, child) in children.iter_mut() {
                        convert(child, &format!("{here}/{}", escape_pointer(name)))?;
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(Value::Object(defs)) = map.shift_remove("$defs") {
        let definitions = map
            .entry("definitions")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(definitions) = definitions {
            for (name, def) in defs {
                if definitions.contains_key(&name) {
                    return Err(Draft07Error::Definitions {
                        name,
                        pointer: pointer.to_owned(),
                    });
                }
                definitions.insert(name, def);
            }
        }
    }
    if let Some(Value::String(reference)) = map.get_mut("$ref")
        && reference.starts_with('#')
    {
        *reference = reference.replace("/$defs/", "/definitions/");
    }
    // In draft-07 `$ref` hides its siblings; `allOf` keeps them in force.
    if map.contains_key("$ref") && map.len() > 1 {
        let reference = map.shift_remove("$ref").unwrap_or_default();
        let mut wrapped = Map::new();
        wrapped.insert("$ref".to_owned(), reference);
        match map.get_mut("allOf") {
            Some(Value::Array(all)) => all.push(Value::Object(wrapped)),
            _ => {
                map.insert(
                    "allOf".to_owned(),
                    Value::Array(vec![Value::Object(wrapped)]),
                );
            }
        }
    }
    if let Some(prefix) = map.shift_remove("prefixItems") {
        if let Some(rest) = map.shift_remove("items") {
            map.insert("additionalItems".to_owned(), rest);
        }
        map.insert("items".to_owned(), prefix);
    }
    for keyword in ["dependentRequired", "dependentSchemas"] {
        if let Some(Value::Object(deps)) = map.shift_remove(keyword) {
            let dependencies = map
                .entry("dependencies")
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(dependencies) = dependencies {
                dependencies.extend(deps);
            }
        }
    }
    map.shift_remove("$schema");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draft07_is_copied_verbatim() {
        let text =
            "{\"$schema\": \"http://json-schema.org/draft-07/schema#\",  \"type\": \"object\"}";
        assert_eq!(to_draft07(text).unwrap(), text);
        let https = "{\"$schema\": \"https://json-schema.org/draft-07/schema\"}";
        assert_eq!(to_draft07(https).unwrap(), https);
    }

    #[test]
    fn converts_2020_12() {
        let text = serde_json::json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "type": "object",
            "properties": {
                "auth": {"$ref": "#/$defs/Auth", "description": "auth settings"},
                "pair": {"prefixItems": [{"type": "string"}], "items": false},
                "$defs": {"type": "string"}
            },
            "dependentRequired": {"a": ["b"]},
            "$defs": {"Auth": {"type": "object", "properties": {"x": {"$ref": "#/$defs/X"}}}, "X": {"type": "integer"}}
        })
        .to_string();
        let out: Value = serde_json::from_str(&to_draft07(&text).unwrap()).unwrap();
        assert_eq!(
            out,
            serde_json::json!({
                "$schema": DRAFT_07,
                "type": "object",
                "properties": {
                    "auth": {"description": "auth settings", "allOf": [{"$ref": "#/definitions/Auth"}]},
                    "pair": {"additionalItems": false, "items": [{"type": "string"}]},
                    "$defs": {"type": "string"}
                },
                "dependencies": {"a": ["b"]},
                "definitions": {"Auth": {"type": "object", "properties": {"x": {"$ref": "#/definitions/X"}}}, "X": {"type": "integer"}}
            })
        );
    }

    #[test]
    fn no_schema_keyword_is_taken_as_draft07_with_a_declaration() {
        let out = to_draft07("{\"type\": \"object\"}").unwrap();
        assert_eq!(
            out,
            "{\n  \"$schema\": \"http://json-schema.org/draft-07/schema#\",\n  \"type\": \"object\"\n}\n"
        );
    }

    #[test]
    fn refusals() {
        assert_eq!(
            to_draft07("{\"$schema\": \"http://json-schema.org/draft-04/schema#\"}"),
            Err(Draft07Error::Unsupported(
                "http://json-schema.org/draft-04/schema#".to_owned()
            ))
        );
        assert_eq!(
            to_draft07(
                "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", \"properties\": {\"a\": {\"unevaluatedProperties\": false}}}"
            ),
            Err(Draft07Error::Keyword {
                keyword: "unevaluatedProperties".to_owned(),
                pointer: "/properties/a".to_owned()
            })
        );
        assert!(matches!(to_draft07("{"), Err(Draft07Error::Json(_))));
    }

    #[test]
    fn fixed_values_accept_the_packaged_values_and_nothing_else() {
        let values = serde_json::json!({"a": 1, "b": {"c": "x", "n": null}, "l": [1]});
        let chart = r#"{"$schema": "http://json-schema.org/draft-07/schema#", "allOf": [{"type": "object"}]}"#;
        for schema in [Some(chart), None] {
            let text = fix_values(schema, &values).unwrap();
            let json: Value = serde_json::from_str(&text).unwrap();
            let validator = jsonschema::validator_for(&json).unwrap();
            assert!(validator.is_valid(&values), "{text}");
            let mut without_null = values.clone();
            without_null["b"].as_object_mut().unwrap().remove("n");
            assert!(validator.is_valid(&without_null));
            for changed in [
                serde_json::json!({"a": 2, "b": {"c": "x", "n": null}, "l": [1]}),
                serde_json::json!({"a": 1, "b": {"c": "x", "d": 1}, "l": [1]}),
                serde_json::json!({"a": 1, "b": {"c": "x"}, "l": [1], "anything": 1}),
                serde_json::json!({"a": 1, "b": {"c": "x"}, "l": [1, 2]}),
                serde_json::json!({"b": {"c": "x"}, "l": [1]}),
            ] {
                assert!(!validator.is_valid(&changed), "{changed}");
            }
        }
        let text = fix_values(Some(chart), &values).unwrap();
        assert!(
            text.contains(r#""type": "object""#),
            "the chart's own rules stay"
        );
        assert!(text.contains(FIXED_VALUES_MESSAGE));
    }
}
