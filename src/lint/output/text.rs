//! `path:line:col: severity[rule-id]: message`, then `  hint: ...`, then a summary line.

use std::fmt::Write as _;

use super::{counts, plural};
use crate::lint::Report;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        out.push_str(&finding(f));
    }
    if !report.findings.is_empty() {
        out.push('\n');
    }
    if report.findings.is_empty() && report.stopped.is_none() {
        let _ = write!(
            out,
            "no problems found ({}",
            plural(report.ran.len(), "rule")
        );
    } else {
        let _ = write!(
            out,
            "{} ({}",
            counts(report),
            plural(report.ran.len(), "rule")
        );
    }
    if !report.skipped.is_empty() {
        let _ = write!(out, ", {} skipped", report.skipped.len());
    }
    out.push_str(")\n");
    if let Some(stopped) = report.stopped {
        let _ = writeln!(out, "note: {stopped}: the later checks did not run");
    }
    out
}

/// One finding as the text format prints it: `path:line:col: severity[rule]: message`, then
/// its `hint:` line.
pub fn finding(f: &crate::lint::Finding) -> String {
    let mut out = format!(
        "{}: {}[{}]: {}\n",
        f.location.prefix(),
        f.severity,
        f.rule,
        f.full_message()
    );
    if let Some(hint) = &f.hint {
        let _ = writeln!(out, "  hint: {hint}");
    }
    out
}
