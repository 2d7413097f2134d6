//! JUnit XML: one test case per rule, a failure per rule with findings, so CI systems that
//! read test reports (GitLab, Jenkins) list the lint like a test suite.
//!
//! Warnings fail a test case only with `--strict`, as they fail the run only then; otherwise
//! they are printed in the test case's `system-out`.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use crate::lint::Report;
use crate::lint::finding::{Finding, Severity};
use crate::lint::registry::RULES;

pub fn render(report: &Report, strict: bool) -> String {
    let mut cases = String::new();
    let (mut failures, mut skipped) = (0, 0);
    for rule in RULES {
        let meta = rule.meta();
        let _ = write!(
            cases,
            "    <testcase name=\"{}\" classname=\"redis-ha.lint.{}\">",
            meta.id,
            meta.category.as_str()
        );
        let findings: Vec<&Finding> = report
            .findings
            .iter()
            .filter(|f| f.rule == meta.id)
            .collect();
        let fails = findings
            .iter()
            .any(|f| f.severity == Severity::Error || strict);
        if report.skipped.contains(&meta.id) {
            skipped += 1;
            cases.push_str("<skipped message=\"skipped with --skip\"/>");
        } else if !report.ran.contains(&meta.id) {
            skipped += 1;
            let reason = report.stopped.unwrap_or("not run");
            let _ = write!(cases, "<skipped message=\"{}\"/>", escape(reason));
        } else if !findings.is_empty() {
            let body: String = findings.iter().map(|f| line(f)).collect();
            if fails {
                failures += 1;
                let _ = write!(
                    cases,
                    "\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    ",
                    meta.severity.as_str(),
                    escape(summary(&findings).as_str()),
                    escape(body.as_str())
                );
            } else {
                let _ = write!(
                    cases,
                    "\n      <system-out>{}</system-out>\n    ",
                    escape(body.as_str())
                );
            }
        }
        cases.push_str("</testcase>\n");
    }
    let total = RULES.len();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"redis-ha lint\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"redis-ha lint\" tests=\"{total}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">"
    );
    out.push_str(&cases);
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn summary(findings: &[&Finding]) -> String {
    match findings {
        [one] => one.full_message(),
        many => format!("{} findings", many.len()),
    }
}

fn line(f: &Finding) -> String {
    let mut text = format!(
        "{}: {}[{}]: {}\n",
        f.location.prefix(),
        f.severity,
        f.rule,
        f.full_message()
    );
    if let Some(hint) = &f.hint {
        text.push_str(&format!("  hint: {hint}\n"));
    }
    text
}
