//! Printing a [`Report`]: text for people, JSON for scripts, SARIF for GitHub code scanning,
//! JUnit XML for CI test reports, and GitHub workflow annotations.
//!
//! Every format prints the findings in the report's order, which is deterministic; none prints
//! a timestamp or an absolute path it was not given. This module owns the formats; what a
//! finding says is the rules'.

mod github;
mod json;
mod junit;
mod sarif;
pub mod text;

use super::Report;
use super::finding::Severity;

/// An output format (no clap type here: `cli.rs` maps its own onto this).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
    Github,
}

/// The report in a format; `strict` decides whether warnings fail (JUnit failures).
pub fn render(report: &Report, format: Format, strict: bool) -> String {
    match format {
        Format::Text => text::render(report),
        Format::Json => json::render(report, strict),
        Format::Sarif => sarif::render(report),
        Format::Junit => junit::render(report, strict),
        Format::Github => github::render(report),
    }
}

/// `1 error`, `2 warnings`.
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `2 errors, 1 warning`.
fn counts(report: &Report) -> String {
    format!(
        "{}, {}",
        plural(report.count(Severity::Error), "error"),
        plural(report.count(Severity::Warning), "warning")
    )
}
