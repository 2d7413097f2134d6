//! Checking the merged values against the chart's `values.schema.json` (draft-07 or 2020-12).
//!
//! Every violation is reported, not only the first, each pointing at the layer that set the
//! offending value (see [`crate::values::Origin`]). This module leaves loading the schema file
//! to [`crate::chart`].

use std::fmt;

use jsonschema::error::ValidationErrorKind;

use crate::values::{Node, Origin};

/// A schema that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{path}:{line}:{col}: invalid JSON in values schema: {message}")]
    Json {
        path: String,
        line: usize,
        col: usize,
        message: String,
    },
    #[error("{path}: invalid values schema: {message}")]
    Invalid { path: String, message: String },
}

/// A compiled values schema.
pub struct Schema {
    validator: jsonschema::Validator,
}

/// One broken rule, with where the offending value was set.
#[derive(Clone, Debug, PartialEq)]
pub struct Violation {
    /// Dotted path of the value (`sentinel.quorum`, `tolerations[0].key`).
    pub path: String,
    pub message: String,
    pub origin: Origin,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "(root)"
        } else {
            &self.path
        };
        write!(f, "{}: {path}: {}", self.origin.location(), self.message)
    }
}

impl Schema {
    /// Compiles a schema given as JSON text; `path` names it in errors.
    pub fn compile(text: &str, path: &str) -> Result<Schema, SchemaError> {
        let json: serde_json::Value =
            serde_json::from_str(text).map_err(|e| SchemaError::Json {
                path: path.to_owned(),
                line: e.line(),
                col: e.column(),
                message: e.to_string(),
            })?;
        let validator = jsonschema::validator_for(&json).map_err(|e| SchemaError::Invalid {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        Ok(Schema { validator })
    }

    /// Every violation of the schema by `values`, sorted by path.
    pub fn validate(&self, values: &Node) -> Vec<Violation> {
        let instance = values.to_json();
        let mut out: Vec<Violation> = self
            .validator
            .iter_errors(&instance)
            .map(|error| {
                let mut pointer = error.instance_path().as_str().to_owned();
                // An unexpected key is best shown where that key was written.
                if let ValidationErrorKind::AdditionalProperties { unexpected } = error.kind()
                    && let [key] = unexpected.as_slice()
                {
                    pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                }
                Violation {
                    path: dotted(&pointer),
                    message: error.to_string(),
                    origin: origin_at(values, &pointer),
                }
            })
            .collect();
        // In the order a reader meets them: by file and line, then by path.
        out.sort_by(|a, b| {
            let position = |v: &Violation| {
                v.origin
                    .file_position()
                    .map(|(f, l, c)| (f.to_owned(), l, c))
            };
            position(a)
                .cmp(&position(b))
                .then_with(|| a.path.cmp(&b.path))
                .then_with(|| a.message.cmp(&b.message))
        });
        out.dedup();
        out
    }
}

/// The origin of the deepest existing node on the pointer's path.
fn origin_at(values: &Node, pointer: &str) -> Origin {
    let mut current = pointer;
    loop {
        if let Some(node) = values.get_pointer(current)
            && (node.origin != Origin::Computed || current.is_empty())
        {
            return node.origin.clone();
        }
        match current.rfind('/') {
            Some(i) => current = &current[..i],
            None => return values.origin.clone(),
        }
    }
}

/// `/tolerations/0/key` as `tolerations[0].key`.
pub fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;
    use crate::values::{FileLayer, Value};

    const SCHEMA: &str = r#"{
      "$schema": "http://json-schema.org/draft-07/schema#",
      "type": "object",
      "additionalProperties": false,
      "properties": {
        "sentinel": {"type": "object", "properties": {"quorum": {"type": "integer", "maximum": 3}}},
        "name": {"type": "string"}
      }
    }"#;

    fn check(yaml: &str) -> Vec<String> {
        let schema = Schema::compile(SCHEMA, "s.json").unwrap();
        let map = parse_values(yaml, "v.yaml", FileLayer::User).unwrap();
        schema
            .validate(&Node::new(Value::Map(map), Origin::Computed))
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn reports_every_violation_with_its_line() {
        assert_eq!(
            check("name: 1\nsentinel:\n  quorum: 5\ntypo: x\n"),
            [
                "v.yaml:1:7: name: 1 is not of type \"string\"",
                "v.yaml:3:11: sentinel.quorum: 5 is greater than the maximum of 3",
                "v.yaml:4:7: typo: Additional properties are not allowed ('typo' was unexpected)",
            ]
        );
        assert!(check("sentinel: {quorum: 3}").is_empty());
    }

    #[test]
    fn dotted_paths() {
        assert_eq!(dotted(""), "");
        assert_eq!(dotted("/a/0/b"), "a[0].b");
        assert_eq!(dotted("/a~1b"), "a/b");
    }
}
