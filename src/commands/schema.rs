//! `redis-ha schema`: the JSON schema of the bundled chart's values, generated from the typed
//! model in [`crate::model`]; `charts/redis-ha/values.schema.json` is this output.

use std::io::Write;

use super::Outcome;

pub fn run(out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let schema = crate::model::values_schema();
    writeln!(out, "{}", serde_json::to_string_pretty(&schema)?)?;
    Ok(Outcome::Clean)
}
