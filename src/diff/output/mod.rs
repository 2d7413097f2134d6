//! Printing a diff report: `text` (for people, colored on a terminal), `json` (for bots) and
//! `markdown` (for a pull-request comment). All three print the same report: the summary,
//! the hazards with what to do, then each changed resource's unified diff.
//!
//! This module owns the formats and the unified diff; it leaves deciding whether to color
//! to the command layer.

pub mod json;
pub mod markdown;
pub mod text;

use std::time::{Duration, Instant};

use similar::{ChangeTag, TextDiff};

use super::{Action, Report};

/// One line of a unified diff.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    Context(&'a str),
    Removed(&'a str),
    Added(&'a str),
}

/// A hunk: its `@@ -a,b +c,d @@` header and its lines (without newlines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hunk<'a> {
    pub header: String,
    pub lines: Vec<Line<'a>>,
}

/// How long one diff may search for the smallest edit: past it, the diff is still correct
/// but may be longer than needed. Myers' algorithm is quadratic when two large texts share
/// little (two different 1 MiB ConfigMaps); this bounds such a diff. Only such texts reach
/// it, so ordinary diffs stay the same bytes on every run.
const DIFF_DEADLINE: Duration = Duration::from_secs(2);

/// The unified diff of two texts with `context` lines around each change: lines, never
/// characters, searched for at most [`DIFF_DEADLINE`].
pub fn hunks<'a>(old: &'a str, new: &'a str, context: usize) -> Vec<Hunk<'a>> {
    let diff = TextDiff::configure()
        .deadline(Instant::now() + DIFF_DEADLINE)
        .diff_lines(old, new);
    // More context than lines is all of them; `similar` overflows on `usize::MAX`.
    let context = context.min(old.len().max(new.len()) + 1);
    diff.unified_diff()
        .context_radius(context)
        .iter_hunks()
        .map(|hunk| Hunk {
            header: hunk.header().to_string(),
            lines: hunk
                .iter_changes()
                .map(|change| {
                    let text = change.value().strip_suffix('\n').unwrap_or(change.value());
                    match change.tag() {
                        ChangeTag::Equal => Line::Context(text),
                        ChangeTag::Delete => Line::Removed(text),
                        ChangeTag::Insert => Line::Added(text),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The unified diff as plain text, `@@` headers included.
pub fn unified_text(old: &str, new: &str, context: usize) -> String {
    let mut out = String::new();
    for hunk in hunks(old, new, context) {
        out.push_str(&hunk.header);
        out.push('\n');
        for line in hunk.lines {
            let (sign, text) = match line {
                Line::Context(t) => (' ', t),
                Line::Removed(t) => ('-', t),
                Line::Added(t) => ('+', t),
            };
            out.push(sign);
            out.push_str(text);
            out.push('\n');
        }
    }
    out
}

/// `~ 2 to change, + 1 to add, - 0 to remove, 9 unchanged`.
pub fn summary_line(report: &Report) -> String {
    let s = report.summary();
    format!(
        "~ {} to change, + {} to add, - {} to remove, {} unchanged",
        s.change, s.add, s.remove, s.unchanged
    )
}

/// `2 live objects the release does not manage left out (1 Pod, 1 PersistentVolumeClaim)`.
pub fn ignored_line(report: &Report) -> Option<String> {
    if report.ignored.is_empty() {
        return None;
    }
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for key in &report.ignored {
        match kinds.iter_mut().find(|(k, _)| *k == key.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((&key.kind, 1)),
        }
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let count = report.ignored.len();
    let noun = if count == 1 { "object" } else { "objects" };
    Some(format!(
        "{count} live {noun} the release does not manage left out ({})",
        kinds.join(", ")
    ))
}

/// `! 2 live objects drifted from the last release (changed on the cluster)`.
pub fn drift_line(report: &Report) -> Option<String> {
    let count = report.drift.len();
    let noun = if count == 1 { "object" } else { "objects" };
    (count > 0).then(|| {
        format!("! {count} live {noun} drifted from the last release (changed on the cluster, not by the upgrade)")
    })
}

/// `2 resources of suppressed kinds left out (2 Secret)`.
pub fn suppressed_line(report: &Report) -> Option<String> {
    if report.suppressed.is_empty() {
        return None;
    }
    let mut kinds: Vec<(&str, usize)> = Vec::new();
    for key in &report.suppressed {
        match kinds.iter_mut().find(|(k, _)| *k == key.kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((&key.kind, 1)),
        }
    }
    let kinds: Vec<String> = kinds.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let count = report.suppressed.len();
    let noun = if count == 1 { "resource" } else { "resources" };
    Some(format!(
        "{count} {noun} of suppressed kinds left out ({})",
        kinds.join(", ")
    ))
}

/// How a drifted resource differs from the last release.
pub fn drift_word(action: Action) -> &'static str {
    match action {
        Action::Add => "only on the cluster",
        Action::Remove => "deleted from the cluster",
        _ => "changed on the cluster",
    }
}

/// The sign of a resource's header.
pub fn action_sign(action: Action) -> char {
    match action {
        Action::Change => '~',
        Action::Add => '+',
        Action::Remove => '-',
        Action::Unchanged => '=',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unified() {
        let old = "a\nb\nc\nd\ne\nf\n";
        let new = "a\nb\nC\nd\ne\nf\n";
        assert_eq!(
            unified_text(old, new, 1),
            "@@ -2,3 +2,3 @@\n b\n-c\n+C\n d\n"
        );
        assert_eq!(unified_text(old, old, 3), "");
        assert_eq!(unified_text("", "x: 1\n", 3), "@@ -0,0 +1 @@\n+x: 1\n");
    }
}
