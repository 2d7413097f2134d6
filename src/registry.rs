//! The shape lint rules and diff hazards share: an ID naming the problem, a [`Severity`], a
//! doc comment that is the user documentation, and what is built from those (`--list` as
//! text or JSON, `--explain`, the did-you-mean after a typo).
//!
//! Each registry (`lint::registry::RULES`, `diff::hazards::HAZARDS`) is a `const` slice of
//! its own trait objects; both traits extend [`Entry`], so everything here is written once.

use std::fmt::{self, Write as _};

use serde::Serialize;

/// How bad a finding is. Lint: errors fail, warnings only with `--strict`. Diff: errors are
/// changes the API server rejects, warnings risk data or clients, notes are expected
/// disruption worth knowing before it happens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A doc comment as the compiler hands it to a macro: one line per `///`, each with its
/// leading space.
#[derive(Clone, Copy, Debug)]
pub struct Doc(pub &'static str);

impl Doc {
    /// The documentation as Markdown.
    pub fn markdown(self) -> String {
        let mut out = String::new();
        for line in self.0.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim().to_owned() + "\n"
    }

    /// The Markdown of one `## Title` section, without its title.
    pub fn section(self, title: &str) -> Option<String> {
        let doc = self.markdown();
        let heading = format!("## {title}");
        let start = doc.lines().position(|l| l.trim_end() == heading)?;
        let body: Vec<&str> = doc
            .lines()
            .skip(start + 1)
            .take_while(|l| !l.starts_with("## "))
            .collect();
        Some(body.join("\n").trim().to_owned())
    }

    /// The first sentence of "What it does": one line for lists.
    pub fn summary(self) -> String {
        let what = self.section("What it does").unwrap_or_default();
        let paragraph = what.split("\n\n").next().unwrap_or("").replace('\n', " ");
        match paragraph.find(". ") {
            Some(end) => paragraph[..=end].to_owned(),
            None => paragraph,
        }
    }
}

/// What every registered rule or hazard says about itself.
pub trait Entry: Sync {
    fn id(&self) -> &'static str;
    fn severity(&self) -> Severity;
    /// A lint rule's category (`ha`, `security`); hazards have none.
    fn category(&self) -> Option<&'static str>;
    fn doc(&self) -> Doc;
}

/// An ID that names no rule or hazard, with the closest one as a hint.
#[derive(Debug, thiserror::Error)]
#[error("unknown {what} `{id}`")]
pub struct UnknownId {
    /// `rule` or `hazard`.
    pub what: &'static str,
    pub id: String,
    pub suggestion: Option<&'static str>,
    /// The command that lists them all.
    pub list: &'static str,
}

impl UnknownId {
    pub fn new<'e>(
        what: &'static str,
        list: &'static str,
        id: &str,
        entries: impl IntoIterator<Item = &'e dyn Entry>,
    ) -> UnknownId {
        UnknownId {
            what,
            id: id.to_owned(),
            suggestion: closest(id, entries),
            list,
        }
    }

    pub fn hint(&self) -> String {
        match self.suggestion {
            Some(s) => format!(
                "did you mean `{s}`? (`{}` shows every {})",
                self.list, self.what
            ),
            None => format!("`{}` shows every {}", self.list, self.what),
        }
    }
}

/// The entry with this ID.
pub fn find<'e>(
    id: &str,
    entries: impl IntoIterator<Item = &'e dyn Entry>,
) -> Option<&'e dyn Entry> {
    entries.into_iter().find(|e| e.id() == id)
}

/// The known ID closest to `id` (Levenshtein), for a `hint:` after a typo.
pub fn closest<'e>(
    id: &str,
    entries: impl IntoIterator<Item = &'e dyn Entry>,
) -> Option<&'static str> {
    entries
        .into_iter()
        .map(|e| (strsim::levenshtein(id, e.id()), e.id()))
        .filter(|(distance, known)| *distance <= known.len() / 3 + 1)
        .min()
        .map(|(_, known)| known)
}

/// `--list`: one entry a line, ID, severity, category (when there is one), summary.
pub fn list_text<'e>(entries: impl IntoIterator<Item = &'e dyn Entry> + Clone) -> String {
    let width = entries
        .clone()
        .into_iter()
        .map(|e| e.id().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for entry in entries {
        let _ = write!(
            out,
            "{:width$}  {:7}  ",
            entry.id(),
            entry.severity().as_str()
        );
        if let Some(category) = entry.category() {
            let _ = write!(out, "{category:9}  ");
        }
        let _ = writeln!(out, "{}", entry.doc().summary());
    }
    out
}

/// `--list` as JSON.
pub fn list_json<'e>(entries: impl IntoIterator<Item = &'e dyn Entry>) -> serde_json::Value {
    entries
        .into_iter()
        .map(|entry| {
            let mut item = serde_json::json!({
                "id": entry.id(),
                "severity": entry.severity().as_str(),
            });
            if let Some(category) = entry.category() {
                item["category"] = category.into();
            }
            item["summary"] = entry.doc().summary().into();
            item
        })
        .collect()
}

/// `--explain ID`: a title line, then the documentation.
pub fn explain(entry: &dyn Entry) -> String {
    let tags = match entry.category() {
        Some(category) => format!("{}, {category}", entry.severity().as_str()),
        None => entry.severity().as_str().to_owned(),
    };
    format!("# {} ({tags})\n\n{}", entry.id(), entry.doc().markdown())
}
