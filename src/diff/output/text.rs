//! The text format: summary, hazards with what to do, then a unified diff per changed
//! resource; ANSI colors when asked.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};

use super::{
    Line, action_sign, drift_line, drift_word, hunks, ignored_line, summary_line, suppressed_line,
};
use crate::diff::hazards::Severity;
use crate::diff::{Action, Report};

struct Palette {
    on: bool,
}

impl Palette {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.on {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }
}

fn fg(color: AnsiColor) -> Style {
    Style::new().fg_color(Some(color.into()))
}

pub fn write(report: &Report, context: usize, color: bool, out: &mut dyn Write) -> io::Result<()> {
    let p = Palette { on: color };
    let bold = Style::new().bold();
    writeln!(out, "{}", p.paint(bold, &summary_line(report)))?;
    for line in [
        drift_line(report),
        ignored_line(report),
        suppressed_line(report),
    ]
    .into_iter()
    .flatten()
    {
        writeln!(out, "{line}")?;
    }
    if !report.hazards.is_empty() {
        let count = report.hazards.len();
        let noun = if count == 1 { "hazard" } else { "hazards" };
        writeln!(out, "\n{}", p.paint(bold, &format!("{count} {noun}:")))?;
        for h in &report.hazards {
            let style = match h.severity {
                Severity::Error => fg(AnsiColor::Red).bold(),
                Severity::Warning => fg(AnsiColor::Yellow).bold(),
                Severity::Note => fg(AnsiColor::Cyan).bold(),
            };
            let label = format!("{}[{}]", h.severity.as_str(), h.id);
            writeln!(
                out,
                "\n{}: {}",
                p.paint(style, &label),
                p.paint(bold, &h.resource.to_string())
            )?;
            writeln!(out, "  {}", h.message)?;
            if !h.fix.is_empty() {
                writeln!(out, "  what to do:")?;
                for (i, step) in h.fix.iter().enumerate() {
                    writeln!(out, "    {}. {step}", i + 1)?;
                }
            }
        }
    }
    for r in report
        .resources
        .iter()
        .filter(|r| r.action != Action::Unchanged)
    {
        let (sign_style, header) = match r.action {
            Action::Add => (fg(AnsiColor::Green), "added"),
            Action::Remove => (fg(AnsiColor::Red), "removed"),
            _ => (fg(AnsiColor::Yellow), "changed"),
        };
        let sign = action_sign(r.action).to_string();
        resource(&p, r, (sign_style, &sign), header, context, out)?;
    }
    if !report.drift.is_empty() {
        let title = "Drift: live objects against the last release (the upgrade does not cause it):";
        writeln!(out, "\n{}", p.paint(bold, title))?;
        for r in &report.drift {
            let style = fg(AnsiColor::Magenta);
            resource(&p, r, (style, "!"), drift_word(r.action), context, out)?;
        }
    }
    Ok(())
}

/// One resource's header and unified diff.
fn resource(
    p: &Palette,
    r: &crate::diff::Resource,
    (sign_style, sign): (Style, &str),
    header: &str,
    context: usize,
    out: &mut dyn Write,
) -> io::Result<()> {
    let bold = Style::new().bold();
    writeln!(
        out,
        "\n{} {} ({}, {header})",
        p.paint(sign_style.bold(), sign),
        p.paint(bold, &r.key.to_string()),
        r.api_version
    )?;
    let all = hunks(&r.old_yaml, &r.new_yaml, context);
    if all.is_empty() {
        writeln!(out, "  (the change is only in hidden values)")?;
    }
    for hunk in all {
        // A resource added or removed whole needs no `@@` line.
        if r.action == Action::Change {
            writeln!(out, "{}", p.paint(fg(AnsiColor::Cyan), &hunk.header))?;
        }
        for line in hunk.lines {
            match line {
                Line::Context(t) => writeln!(out, " {t}")?,
                Line::Removed(t) => {
                    writeln!(out, "{}", p.paint(fg(AnsiColor::Red), &format!("-{t}")))?;
                }
                Line::Added(t) => {
                    writeln!(out, "{}", p.paint(fg(AnsiColor::Green), &format!("+{t}")))?;
                }
            }
        }
    }
    Ok(())
}
