//! The JSON format, for bots: the summary, every hazard, and every resource with its
//! action, field changes, Secret key statuses and unified diff.

use std::io::{self, Write};

use serde::Serialize;

use super::unified_text;
use crate::diff::changes::FieldChange;
use crate::diff::hazards::Finding;
use crate::diff::matching::ResourceKey;
use crate::diff::secret::SecretKey;
use crate::diff::{Action, Report, Summary};

#[derive(Serialize)]
struct Document<'a> {
    summary: Summary,
    hazards: &'a [Finding],
    resources: Vec<Resource<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    ignored: &'a [ResourceKey],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    suppressed: &'a [ResourceKey],
    /// Live objects against the last release (`--live`), in the shape of `resources`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    drift: Vec<Resource<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Resource<'a> {
    api_version: &'a str,
    kind: &'a str,
    namespace: &'a str,
    name: &'a str,
    action: Action,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    changes: &'a [FieldChange],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    secret_keys: &'a [SecretKey],
    #[serde(skip_serializing_if = "String::is_empty")]
    diff: String,
}

fn resource(r: &crate::diff::Resource, context: usize) -> Resource<'_> {
    Resource {
        api_version: &r.api_version,
        kind: &r.key.kind,
        namespace: &r.key.namespace,
        name: &r.key.name,
        action: r.action,
        changes: &r.changes,
        secret_keys: &r.secret_keys,
        diff: unified_text(&r.old_yaml, &r.new_yaml, context),
    }
}

pub fn write(report: &Report, context: usize, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        summary: report.summary(),
        hazards: &report.hazards,
        resources: report
            .resources
            .iter()
            .map(|r| resource(r, context))
            .collect(),
        ignored: &report.ignored,
        suppressed: &report.suppressed,
        drift: report.drift.iter().map(|r| resource(r, context)).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
