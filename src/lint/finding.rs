//! A finding: one problem a rule found, how bad it is, and where it is.
//!
//! A finding caused by a value points at the line that set the value (a values file, a preset,
//! the chart's defaults) or at the `--set` fragment; any other finding points at the template
//! and the object it rendered. The output formats ([`super::output`]) only print these.

use std::cmp::Ordering;
use std::fmt;

pub use crate::registry::Severity;

/// A position in a file; line and column are 1-based.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FilePos {
    pub path: String,
    pub line: u32,
    pub col: u32,
}

impl fmt::Display for FilePos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path, self.line, self.col)
    }
}

/// Where a finding points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    /// The file position shown: a values file line, or a template line. `None` when the value
    /// was set by a flag.
    pub file: Option<FilePos>,
    /// The flag fragment that set the value (`--set sentinel.quorum=1`), secrets masked.
    pub flag: Option<String>,
    /// The dotted values key, for a finding caused by a value.
    pub key: Option<String>,
    /// `Kind/name`, for a finding about a rendered object.
    pub object: Option<String>,
    /// For a value set by a flag: the nearest enclosing value written in a file, so that
    /// formats which need a file (SARIF, GitHub annotations) have one.
    pub anchor: Option<FilePos>,
}

impl Location {
    /// `path:line:col`, or the flag fragment.
    pub fn prefix(&self) -> String {
        match (&self.file, &self.flag) {
            (Some(pos), _) => pos.to_string(),
            (None, Some(flag)) => flag.clone(),
            (None, None) => "<unknown>".to_owned(),
        }
    }

    /// The file a file-based format shows this finding in.
    pub fn physical(&self) -> Option<&FilePos> {
        self.file.as_ref().or(self.anchor.as_ref())
    }
}

/// One problem found by one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub hint: Option<String>,
    pub location: Location,
}

impl Finding {
    /// Adds a `hint:` line: how to fix it.
    pub fn hint(&mut self, text: impl Into<String>) -> &mut Self {
        self.hint = Some(text.into());
        self
    }

    /// The message as shown: prefixed with the object it is about, if any.
    pub fn full_message(&self) -> String {
        match &self.location.object {
            Some(object) => format!("{object}: {}", self.message),
            None => self.message.clone(),
        }
    }

    /// Output order: findings in files first, by file and position, then those set by flags;
    /// ties broken by rule and message so the order never depends on how rules ran.
    pub fn order(a: &Finding, b: &Finding) -> Ordering {
        let key = |f: &Finding| {
            (
                f.location.file.is_none(),
                f.location.file.clone(),
                f.location.flag.clone(),
            )
        };
        key(a)
            .cmp(&key(b))
            .then_with(|| a.rule.cmp(b.rule))
            .then_with(|| a.location.object.cmp(&b.location.object))
            .then_with(|| a.message.cmp(&b.message))
    }
}
