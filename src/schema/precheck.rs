//! A quick check that values satisfy a schema, so that the common case (valid values) does not
//! pay for compiling the schema with `jsonschema` (most of a render's cost otherwise).
//!
//! It answers only "valid" or "not sure": it knows a few keywords (the ones the bundled chart's
//! schema uses) and, at the first keyword, pattern or value it does not understand exactly as
//! `jsonschema` does, gives up. Every violation message still comes from `jsonschema`, which
//! runs whenever this check is not sure; this module never reports one.

use std::cell::RefCell;
use std::collections::HashMap;

use serde_json::{Map, Value};

/// Keywords that only annotate.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "default",
    "examples",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Patterns compiled once per check, by source.
#[derive(Default)]
pub struct Patterns(RefCell<HashMap<String, Option<regex_lite::Regex>>>);

impl Patterns {
    /// Whether `text` matches `pattern`; `None` when the pattern is not one this check reads
    /// exactly as `jsonschema` does.
    fn is_match(&self, pattern: &str, text: &str) -> Option<bool> {
        let mut cache = self.0.borrow_mut();
        let regex = cache.entry(pattern.to_owned()).or_insert_with(|| {
            plain_pattern(pattern).then(|| regex_lite::Regex::new(pattern).ok())?
        });
        regex.as_ref().map(|r| r.is_match(text))
    }
}

/// A pattern that means the same in ECMA-262 (JSON Schema's dialect) and in the `regex` crate:
/// ASCII only, anchored or not, with literal characters, bracketed classes, groups,
/// alternation and counted repetition; no `.`, no escapes but escaped punctuation, no
/// lookaround or back-references, no `\d`-style classes (Unicode in `regex`, ASCII in ECMA).
fn plain_pattern(pattern: &str) -> bool {
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e) if e.is_ascii_punctuation() => {}
                _ => return false,
            },
            '[' if !in_class => {
                in_class = true;
                if chars.clone().next() == Some('^') {
                    // A negated class matches non-ASCII characters too: fine in both, but
                    // keep the check simple.
                    return false;
                }
            }
            ']' if in_class => in_class = false,
            '.' if !in_class => return false,
            '(' if !in_class && chars.clone().next() == Some('?') => return false,
            c if !c.is_ascii() || c.is_ascii_control() => return false,
            _ => {}
        }
    }
    !in_class
}

/// `Some(())` when `instance` satisfies `schema`; `None` when not, or not sure.
pub fn satisfies(schema: &Value, instance: &Value, patterns: &Patterns) -> Option<()> {
    let schema = match schema {
        Value::Bool(true) => return Some(()),
        Value::Object(map) => map,
        _ => return None,
    };
    for (keyword, rule) in schema {
        match keyword.as_str() {
            k if ANNOTATIONS.contains(&k) => {}
            "type" => check_type(rule, instance)?,
            "enum" => rule
                .as_array()?
                .iter()
                .any(|v| v == instance)
                .then_some(())?,
            "const" => (rule == instance).then_some(())?,
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" => {
                check_bound(keyword, rule, instance)?;
            }
            "minLength" | "maxLength" => {
                if let Value::String(s) = instance {
                    let limit = rule.as_u64()?;
                    let length = s.chars().count() as u64;
                    let ok = if keyword == "minLength" {
                        length >= limit
                    } else {
                        length <= limit
                    };
                    ok.then_some(())?;
                }
            }
            "pattern" => {
                if let Value::String(s) = instance {
                    patterns.is_match(rule.as_str()?, s)?.then_some(())?;
                }
            }
            "minItems" | "maxItems" => {
                if let Value::Array(items) = instance {
                    let limit = rule.as_u64()?;
                    let length = items.len() as u64;
                    let ok = if keyword == "minItems" {
                        length >= limit
                    } else {
                        length <= limit
                    };
                    ok.then_some(())?;
                }
            }
            "items" => {
                if let Value::Array(items) = instance {
                    if !rule.is_object() && !rule.is_boolean() {
                        return None;
                    }
                    for item in items {
                        satisfies(rule, item, patterns)?;
                    }
                }
            }
            "required" => {
                if let Value::Object(map) = instance {
                    for key in rule.as_array()? {
                        map.contains_key(key.as_str()?).then_some(())?;
                    }
                }
            }
            "propertyNames" => {
                if let Value::Object(map) = instance {
                    for key in map.keys() {
                        satisfies(rule, &Value::String(key.clone()), patterns)?;
                    }
                }
            }
            "properties" => {
                rule.as_object()?;
            }
            "additionalProperties" => {}
            _ => return None,
        }
    }
    if let Value::Object(map) = instance {
        check_properties(schema, map, patterns)?;
    }
    Some(())
}

/// `properties` and `additionalProperties` together (no `patternProperties`).
fn check_properties(
    schema: &Map<String, Value>,
    map: &Map<String, Value>,
    patterns: &Patterns,
) -> Option<()> {
    let properties = schema.get("properties").and_then(Value::as_object);
    let additional = schema.get("additionalProperties");
    for (key, value) in map {
        match properties.and_then(|p| p.get(key)) {
            Some(sub) => satisfies(sub, value, patterns)?,
            None => match additional {
                None | Some(Value::Bool(true)) => {}
                Some(sub) => satisfies(sub, value, patterns)?,
            },
        }
    }
    Some(())
}

fn check_type(rule: &Value, instance: &Value) -> Option<()> {
    let is = |name: &str| match name {
        "null" => instance.is_null(),
        "boolean" => instance.is_boolean(),
        "string" => instance.is_string(),
        "array" => instance.is_array(),
        "object" => instance.is_object(),
        "number" => instance.is_number(),
        // A float with no fraction is an integer to JSON Schema: not sure, let jsonschema say.
        "integer" => instance.is_i64() || instance.is_u64(),
        _ => false,
    };
    let ok = match rule {
        Value::String(name) => is(name),
        Value::Array(names) => names.iter().any(|n| n.as_str().is_some_and(is)),
        _ => false,
    };
    ok.then_some(())
}

/// Numbers are compared exactly only within 2^53, where `f64` holds every integer.
fn check_bound(keyword: &str, rule: &Value, instance: &Value) -> Option<()> {
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let Value::Number(number) = instance else {
        return Some(());
    };
    let (value, bound) = (number.as_f64()?, rule.as_f64()?);
    if value.abs() > EXACT || bound.abs() > EXACT {
        return None;
    }
    let ok = match keyword {
        "minimum" => value >= bound,
        "maximum" => value <= bound,
        "exclusiveMinimum" => value > bound,
        _ => value < bound,
    };
    ok.then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn valid_or_not_sure() {
        let schema = json!({
            "type": "object", "additionalProperties": false,
            "properties": {
                "n": {"type": "integer", "minimum": 1, "maximum": 15},
                "s": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 3},
                "e": {"enum": ["a", "b"]},
                "l": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "m": {"type": "object", "additionalProperties": {"type": "string"}},
            }
        });
        let check = |v: Value| satisfies(&schema, &v, &Patterns::default()).is_some();
        assert!(check(
            json!({"n": 3, "s": "abc", "e": "a", "l": ["x"], "m": {"k": "v"}})
        ));
        assert!(check(json!({})));
        for bad in [
            json!({"n": 0}),
            json!({"n": 16}),
            json!({"n": 3.0}),
            json!({"n": "3"}),
            json!({"s": "ABC"}),
            json!({"s": "abcd"}),
            json!({"e": "c"}),
            json!({"l": []}),
            json!({"l": [1]}),
            json!({"m": {"k": 1}}),
            json!({"typo": 1}),
            json!([]),
        ] {
            assert!(!check(bad.clone()), "{bad}");
        }
        // A keyword it does not know: not sure.
        let unknown = json!({"format": "email"});
        assert!(satisfies(&unknown, &json!("x"), &Patterns::default()).is_none());
    }

    #[test]
    fn only_patterns_read_alike() {
        for ok in [
            "^(|[0-9]+([kKmMgG][bB]?)?)$",
            r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$",
            "^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$",
        ] {
            assert!(plain_pattern(ok), "{ok}");
        }
        for unsure in [r"^\d+$", "^a.b$", "^(?=a)", r"\bx", "[^a]", "é", "^[a-z"] {
            assert!(!plain_pattern(unsure), "{unsure}");
        }
    }
}
