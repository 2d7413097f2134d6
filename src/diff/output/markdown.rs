//! The Markdown format, for a pull-request comment: the summary as a heading, hazards as a
//! list with what to do, each changed resource's diff folded in a `<details>` block.

use std::io::{self, Write};

use super::{
    action_sign, drift_line, drift_word, ignored_line, summary_line, suppressed_line, unified_text,
};
use crate::diff::hazards::Severity;
use crate::diff::{Action, Report};

pub fn write(report: &Report, context: usize, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "### `redis-ha diff`: {}", summary_line(report))?;
    for line in [
        drift_line(report),
        ignored_line(report),
        suppressed_line(report),
    ]
    .into_iter()
    .flatten()
    {
        writeln!(out, "\n{line}")?;
    }
    if !report.hazards.is_empty() {
        writeln!(out, "\n#### Hazards\n")?;
        for h in &report.hazards {
            let icon = match h.severity {
                Severity::Error => ":x:",
                Severity::Warning => ":warning:",
                Severity::Note => ":information_source:",
            };
            writeln!(
                out,
                "- {icon} **{}** `{}` on `{}`: {}",
                h.severity.as_str(),
                h.id,
                h.resource,
                h.message
            )?;
            for step in &h.fix {
                writeln!(out, "  - {step}")?;
            }
        }
    }
    let changed: Vec<_> = report
        .resources
        .iter()
        .filter(|r| r.action != Action::Unchanged)
        .collect();
    if !changed.is_empty() {
        writeln!(out, "\n#### Changes")?;
    }
    for r in changed {
        let sign = action_sign(r.action).to_string();
        details(r, &sign, &html_escape(&r.api_version), context, out)?;
    }
    if !report.drift.is_empty() {
        writeln!(
            out,
            "\n#### Drift on the cluster\n\nLive objects against the last release: changed since by someone else, not by the upgrade."
        )?;
        for r in &report.drift {
            let label = format!("{}, {}", html_escape(&r.api_version), drift_word(r.action));
            details(r, "!", &label, context, out)?;
        }
    }
    Ok(())
}

fn details(
    r: &crate::diff::Resource,
    sign: &str,
    label: &str,
    context: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let diff = unified_text(&r.old_yaml, &r.new_yaml, context);
    let fence = "`".repeat(longest_backtick_run(&diff).max(2) + 1);
    writeln!(
        out,
        "\n<details><summary><code>{sign} {}</code> ({label})</summary>\n\n{fence}diff\n{diff}{fence}\n\n</details>",
        html_escape(&r.key.to_string()),
    )
}

fn longest_backtick_run(text: &str) -> usize {
    text.split(|c| c != '`').map(str::len).max().unwrap_or(0)
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_the_content() {
        assert_eq!(longest_backtick_run("a ``` b ` c"), 3);
        assert_eq!(longest_backtick_run("none"), 0);
    }
}
