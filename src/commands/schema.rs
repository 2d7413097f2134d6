//! `redis-ha schema`: the JSON schema of the bundled chart's values.

use std::io::Write;

use super::Outcome;

pub fn run(out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let chart = crate::chart::bundled();
    out.write_all(chart.schema.unwrap_or_default().as_bytes())?;
    Ok(Outcome::Clean)
}
