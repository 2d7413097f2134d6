//! Reading values files as Helm reads them: YAML 1.1 scalars, several documents merged in
//! order, duplicate keys rejected, and every node tagged with its file, line and column.
//!
//! Helm decodes values with go-yaml v2, which resolves plain scalars by YAML 1.1 rules
//! (`yes`, `on`, `off` are booleans; `0777` is octal). This module owns that resolution and the
//! positions; it leaves merging to [`super::merge`].

use std::collections::HashMap;
use std::sync::Arc;

use granit_parser::{Event, Marker, Options, Parser, ScalarStyle, ScanError, Span};

use super::merge::merge_maps;
use super::node::{FileLayer, Map, Node, Origin, Value};

/// A values file that cannot be read as values.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum YamlError {
    #[error("{path}:{line}:{col}: invalid YAML: {message}")]
    Syntax {
        path: String,
        line: u32,
        col: u32,
        message: String,
    },
    #[error("{path}:{line}:{col}: duplicate key `{key}` (first defined at line {first_line})")]
    DuplicateKey {
        path: String,
        line: u32,
        col: u32,
        key: String,
        first_line: u32,
    },
    #[error(
        "{path}:{line}:{col}: expected a map of values at the top of the document, found a {found}"
    )]
    NotAMap {
        path: String,
        line: u32,
        col: u32,
        found: &'static str,
    },
    #[error("{path}:{line}:{col}: unknown anchor in alias")]
    UnknownAnchor { path: String, line: u32, col: u32 },
}

/// Parses a values file: every document must be a map (or empty); they merge in order.
pub fn parse_values(text: &str, path: &str, layer: FileLayer) -> Result<Map, YamlError> {
    let mut out = Map::new();
    for node in parse_documents(text, path, layer)? {
        match node.value {
            Value::Map(map) => merge_maps(&mut out, map),
            Value::Null => {}
            other => {
                let (line, col) = position(&node.origin);
                return Err(YamlError::NotAMap {
                    path: path.to_owned(),
                    line,
                    col,
                    found: other.type_name(),
                });
            }
        }
    }
    Ok(out)
}

/// Parses every non-empty document of a YAML stream, by the same YAML 1.1 rules (Kubernetes
/// reads manifests with go-yaml v2 too).
pub fn parse_documents(text: &str, path: &str, layer: FileLayer) -> Result<Vec<Node>, YamlError> {
    let mut loader = Loader {
        parser: {
            let mut options = Options::default();
            options.set_emit_comments(false);
            Parser::new_from_str_with_options(text, options)
        },
        path: Arc::from(path),
        layer,
        anchors: HashMap::new(),
    };
    let mut out = Vec::new();
    loop {
        let (event, _) = loader.next()?;
        match event {
            Event::StreamStart | Event::DocumentEnd => {}
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                loader.anchors.clear();
                let (event, span) = loader.next()?;
                if matches!(event, Event::DocumentEnd) {
                    continue;
                }
                out.push(loader.node(event, span)?);
            }
            _ => {}
        }
    }
    Ok(out)
}

fn position(origin: &Origin) -> (u32, u32) {
    origin.file_position().map_or((1, 1), |(_, l, c)| (l, c))
}

struct Loader<'a> {
    parser: Parser<'a, granit_parser::StrInput<'a>>,
    path: Arc<str>,
    layer: FileLayer,
    anchors: HashMap<usize, Node>,
}

impl<'a> Loader<'a> {
    fn next(&mut self) -> Result<(Event<'a>, Span), YamlError> {
        match self.parser.next_event() {
            Some(Ok(pair)) => Ok(pair),
            Some(Err(err)) => Err(self.syntax(&err)),
            None => Ok((Event::StreamEnd, Span::empty(Marker::default()))),
        }
    }

    fn syntax(&self, err: &ScanError) -> YamlError {
        let mark = err.marker();
        YamlError::Syntax {
            path: self.path.to_string(),
            line: to_u32(mark.line()),
            col: to_u32(mark.col() + 1),
            message: err.info(),
        }
    }

    fn origin(&self, span: Span) -> Origin {
        Origin::File {
            layer: self.layer,
            path: self.path.clone(),
            line: to_u32(span.start.line()),
            col: to_u32(span.start.col() + 1),
        }
    }

    /// Reads the rest of a node whose first event is `event`.
    fn node(&mut self, event: Event<'a>, span: Span) -> Result<Node, YamlError> {
        let origin = self.origin(span);
        let (node, anchor) = match event {
            Event::Scalar(text, style, anchor, tag) => {
                let explicit_str = tag.as_ref().is_some_and(|t| t.suffix() == "str");
                let value = if style == ScalarStyle::Plain && !explicit_str {
                    resolve_plain(&text)
                } else {
                    Value::Str(text.into_owned())
                };
                (Node::new(value, origin), anchor)
            }
            Event::SequenceStart(_, anchor, _) => {
                let mut items = Vec::new();
                loop {
                    let (event, span) = self.next()?;
                    if matches!(event, Event::SequenceEnd) {
                        break;
                    }
                    items.push(self.node(event, span)?);
                }
                (Node::new(Value::Seq(items), origin), anchor)
            }
            Event::MappingStart(_, anchor, _) => (self.mapping(origin)?, anchor),
            Event::Alias(id) => {
                return self.anchors.get(&id).cloned().ok_or_else(|| {
                    let (line, col) = position(&origin);
                    YamlError::UnknownAnchor {
                        path: self.path.to_string(),
                        line,
                        col,
                    }
                });
            }
            _ => {
                let (line, col) = position(&origin);
                return Err(YamlError::Syntax {
                    path: self.path.to_string(),
                    line,
                    col,
                    message: "unexpected YAML event".to_owned(),
                });
            }
        };
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        Ok(node)
    }

    fn mapping(&mut self, origin: Origin) -> Result<Node, YamlError> {
        let mut map = Map::new();
        // `<<` merge keys (YAML 1.1, supported by go-yaml v2): explicit keys win over merged ones.
        let mut merged = Map::new();
        loop {
            let (event, span) = self.next()?;
            if matches!(event, Event::MappingEnd) {
                break;
            }
            let key_node = self.node(event, span)?;
            let key = match &key_node.value {
                Value::Str(s) => s.clone(),
                Value::Null => "null".to_owned(),
                Value::Bool(b) => b.to_string(),
                Value::Int(i) => i.to_string(),
                Value::Float(f) => f.to_string(),
                Value::Seq(_) | Value::Map(_) => {
                    let (line, col) = position(&key_node.origin);
                    return Err(YamlError::Syntax {
                        path: self.path.to_string(),
                        line,
                        col,
                        message: "a map key must be a scalar".to_owned(),
                    });
                }
            };
            let (event, span) = self.next()?;
            let mut value = self.node(event, span)?;
            // A nested map or list is best located by its key: that is the line people read.
            if matches!(value.value, Value::Map(_) | Value::Seq(_)) {
                value.origin = key_node.origin.clone();
            }
            if key == "<<" {
                match value.value {
                    Value::Map(m) => merge_missing(&mut merged, m),
                    Value::Seq(items) => {
                        for item in items {
                            if let Value::Map(m) = item.value {
                                merge_missing(&mut merged, m);
                            }
                        }
                    }
                    _ => {}
                }
                continue;
            }
            if let Some(first) = map.get(&key) {
                let (line, col) = position(&key_node.origin);
                return Err(YamlError::DuplicateKey {
                    path: self.path.to_string(),
                    line,
                    col,
                    key,
                    first_line: position(&first.origin).0,
                });
            }
            map.insert(key, value);
        }
        merge_missing(&mut map, merged);
        Ok(Node::new(Value::Map(map), origin))
    }
}

fn merge_missing(into: &mut Map, from: Map) {
    for (k, v) in from {
        into.entry(k).or_insert(v);
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Resolves a plain scalar by YAML 1.1 rules, as go-yaml v2 does.
pub fn resolve_plain(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
            return Value::Float(f64::INFINITY);
        }
        "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
        _ => {}
    }
    if let Some(i) = parse_int(text) {
        return Value::Int(i);
    }
    if is_float(text)
        && let Ok(f) = text.replace('_', "").parse::<f64>()
    {
        return Value::Float(f);
    }
    Value::Str(text.to_owned())
}

fn parse_int(text: &str) -> Option<i64> {
    let plain = text.replace('_', "");
    let (negative, digits) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, plain.as_str()),
    };
    if digits.is_empty() {
        return None;
    }
    let magnitude = if let Some(hex) = digits.strip_prefix("0x") {
        i64::from_str_radix(hex, 16).ok()?
    } else if let Some(bin) = digits.strip_prefix("0b") {
        i64::from_str_radix(bin, 2).ok()?
    } else if digits.len() > 1 && digits.starts_with('0') {
        i64::from_str_radix(&digits[1..], 8).ok()?
    } else if digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse::<i64>().ok()?
    } else {
        return None;
    };
    Some(if negative { -magnitude } else { magnitude })
}

/// go-yaml v2's float pattern: `[-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?`.
fn is_float(text: &str) -> bool {
    let s = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let mantissa_ok = if let Some(frac) = mantissa.strip_prefix('.') {
        !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit())
    } else {
        let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        int.bytes().next().is_some_and(|b| b.is_ascii_digit())
            && int.bytes().all(|b| b.is_ascii_digit() || b == b'_')
            && frac.bytes().all(|b| b.is_ascii_digit() || b == b'_')
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let digits = e.strip_prefix(['-', '+']).unwrap_or(e);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> String {
        let map = parse_values(text, "v.yaml", FileLayer::User).expect("parses");
        Node::new(Value::Map(map), Origin::Computed)
            .to_json()
            .to_string()
    }

    #[test]
    fn yaml_1_1_scalars() {
        let table: &[(&str, &str)] = &[
            ("a: yes", r#"{"a":true}"#),
            ("a: on", r#"{"a":true}"#),
            ("a: Off", r#"{"a":false}"#),
            ("a: n", r#"{"a":false}"#),
            ("a: 'yes'", r#"{"a":"yes"}"#),
            ("a: !!str yes", r#"{"a":"yes"}"#),
            ("a: 0777", r#"{"a":511}"#),
            ("a: 0x1F", r#"{"a":31}"#),
            ("a: 1_000", r#"{"a":1000}"#),
            ("a: -12", r#"{"a":-12}"#),
            ("a: 1000000", r#"{"a":1000000}"#),
            ("a: 1.5", r#"{"a":1.5}"#),
            ("a: 1e3", r#"{"a":1000.0}"#),
            ("a: ~", r#"{"a":null}"#),
            ("a:", r#"{"a":null}"#),
            ("a: 1.2.3", r#"{"a":"1.2.3"}"#),
            ("a: 10Gi", r#"{"a":"10Gi"}"#),
            ("a: \"0777\"", r#"{"a":"0777"}"#),
            ("a: [x, 1]", r#"{"a":["x",1]}"#),
            // go-yaml v2 resolves keys too: Helm reads `y:` as the key `true`.
            ("y: 1", r#"{"true":1}"#),
        ];
        for (input, expected) in table {
            assert_eq!(json(input), *expected, "input: {input}");
        }
    }

    #[test]
    fn documents_merge_in_order() {
        let text = "a: {b: 1, c: 2}\nl: [1]\n---\na: {c: 3}\nl: [2]\n---\n";
        assert_eq!(json(text), r#"{"a":{"b":1,"c":3},"l":[2]}"#);
    }

    #[test]
    fn anchors_and_merge_keys() {
        let text = "base: &b {x: 1, z: 2}\nother:\n  <<: *b\n  z: 3\n";
        assert_eq!(
            json(text),
            r#"{"base":{"x":1,"z":2},"other":{"x":1,"z":3}}"#
        );
    }

    #[test]
    fn positions_are_one_based() {
        let map = parse_values("a:\n  b: 5\n", "f.yaml", FileLayer::User).unwrap();
        let root = Node::new(Value::Map(map), Origin::Computed);
        assert_eq!(
            root.get_path("a.b").unwrap().origin.location(),
            "f.yaml:2:6"
        );
    }

    #[test]
    fn errors() {
        let dup = parse_values("a: 1\nb: 2\na: 3\n", "f.yaml", FileLayer::User).unwrap_err();
        assert_eq!(
            dup.to_string(),
            "f.yaml:3:1: duplicate key `a` (first defined at line 1)"
        );
        let not_map = parse_values("- 1\n", "f.yaml", FileLayer::User).unwrap_err();
        assert_eq!(
            not_map.to_string(),
            "f.yaml:1:1: expected a map of values at the top of the document, found a list"
        );
        let syntax = parse_values("a: [1,\n", "f.yaml", FileLayer::User).unwrap_err();
        assert!(matches!(syntax, YamlError::Syntax { .. }), "{syntax}");
    }
}
