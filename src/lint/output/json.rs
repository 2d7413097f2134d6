//! One JSON document: the findings, each with its location, and the counts.

use serde_json::{Value, json};

use crate::lint::Report;
use crate::lint::finding::{Finding, Severity};

pub fn render(report: &Report, strict: bool) -> String {
    let findings: Vec<Value> = report.findings.iter().map(finding).collect();
    let document = json!({
        "findings": findings,
        "summary": {
            "errors": report.count(Severity::Error),
            "warnings": report.count(Severity::Warning),
            "failed": report.fails(strict),
            "rulesRun": report.ran.len(),
            "rulesSkipped": report.skipped,
            "stopped": report.stopped,
        },
    });
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

fn finding(f: &Finding) -> Value {
    let l = &f.location;
    let mut location = serde_json::Map::new();
    if let Some(pos) = &l.file {
        location.insert("file".into(), pos.path.clone().into());
        location.insert("line".into(), pos.line.into());
        location.insert("column".into(), pos.col.into());
    }
    if let Some(flag) = &l.flag {
        location.insert("flag".into(), flag.clone().into());
    }
    if let Some(key) = &l.key {
        location.insert("key".into(), key.clone().into());
    }
    if let Some(object) = &l.object {
        location.insert("object".into(), object.clone().into());
    }
    json!({
        "rule": f.rule,
        "severity": f.severity.as_str(),
        "message": f.message,
        "hint": f.hint,
        "location": location,
    })
}
