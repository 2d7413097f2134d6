//! SARIF 2.1.0, as GitHub code scanning accepts it: every rule in `tool.driver.rules` with its
//! documentation as help, every result with a file and a `region.startLine`.
//!
//! A value set by a flag has no line; its result is placed at the nearest enclosing value
//! written in a file (the preset's `sentinel:` line for `--set sentinel.quorum=1`) and its
//! message names the flag.

use serde_json::{Value, json};

use crate::lint::Report;
use crate::lint::finding::{Finding, Severity};
use crate::lint::registry::{Meta, RULES};

pub fn render(report: &Report) -> String {
    let rules: Vec<Value> = RULES.iter().map(|r| rule(r.meta())).collect();
    let results: Vec<Value> = report.findings.iter().map(result).collect();
    let document = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "redis-ha",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// `sentinel-count-even` as `SentinelCountEven`: SARIF's `name` is an identifier.
fn pascal(id: &str) -> String {
    id.split('-')
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

fn rule(meta: &Meta) -> Value {
    let doc = meta.doc();
    json!({
        "id": meta.id,
        "name": pascal(meta.id),
        "shortDescription": { "text": meta.summary() },
        "fullDescription": { "text": unwrap(&meta.section("What it does").unwrap_or_default()) },
        "help": { "text": doc, "markdown": doc },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "tags": [meta.category.as_str()],
            "precision": "very-high",
            "problem.severity": level(meta.severity),
        },
    })
}

fn result(f: &Finding) -> Value {
    let index = RULES.iter().position(|r| r.meta().id == f.rule);
    let mut text = f.full_message();
    if let Some(flag) = &f.location.flag {
        text = format!("`{flag}`: {text}");
    }
    if let Some(hint) = &f.hint {
        text = format!("{text}\nhint: {hint}");
    }
    let mut result = json!({
        "ruleId": f.rule,
        "ruleIndex": index,
        "level": level(f.severity),
        "message": { "text": text },
    });
    if let Some(pos) = f.location.physical() {
        result["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": { "uri": uri(&pos.path) },
                "region": { "startLine": pos.line, "startColumn": pos.col },
            }
        }]);
    }
    if let Some(object) = &f.location.object
        && let Some(location) = result["locations"].get_mut(0)
    {
        location["logicalLocations"] = json!([{ "name": object, "kind": "object" }]);
    }
    result
}

/// Text with its hard line breaks joined, paragraphs kept: plain-text fields are reflowed by
/// whoever shows them.
fn unwrap(text: &str) -> String {
    text.split("\n\n")
        .map(|p| p.split('\n').map(str::trim).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// A relative path stays relative (to the repository root, as code scanning expects); an
/// absolute one becomes a `file://` URI.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let encoded = path.replace('%', "%25").replace(' ', "%20");
    if encoded.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded.trim_start_matches("./").to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal("sentinel-count-even"), "SentinelCountEven");
        assert_eq!(uri("./values/a b.yaml"), "values/a%20b.yaml");
        assert_eq!(uri("/tmp/x.yaml"), "file:///tmp/x.yaml");
    }
}
