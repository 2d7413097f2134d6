//! GitHub workflow commands: `::error file=..,line=..,col=..,title=rule::message`, which the
//! Actions runner turns into annotations on the pull request.

use std::fmt::Write as _;

use super::counts;
use crate::lint::Report;
use crate::lint::finding::Severity;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let command = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut properties = Vec::new();
        if let Some(pos) = f.location.physical() {
            properties.push(format!("file={}", property(&pos.path)));
            properties.push(format!("line={}", pos.line));
            properties.push(format!("col={}", pos.col));
        }
        properties.push(format!("title={}", property(f.rule)));
        let mut message = f.full_message();
        if let Some(flag) = &f.location.flag {
            message = format!("{flag}: {message}");
        }
        if let Some(hint) = &f.hint {
            message = format!("{message}\nhint: {hint}");
        }
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            properties.join(","),
            data(&message)
        );
    }
    let _ = writeln!(out, "redis-ha lint: {}", counts(report));
    out
}

/// Escapes a command's message.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command's property value.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping() {
        assert_eq!(data("50%\nx"), "50%25%0Ax");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
