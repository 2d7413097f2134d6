//! `redis-ha values`: the effective values, optionally with each leaf's origin.

use std::io::Write;

use super::Outcome;
use crate::cli::{ManifestFormat, ValuesArgs};
use crate::release;
use crate::values::show;

pub fn run(args: &ValuesArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let ValuesArgs {
        values,
        output,
        show_origin,
        show_secrets,
    } = args;
    let chart = release::load_chart(values.chart.as_deref())?;
    let mut merged = release::merged_values(&chart, &values.sources())?;
    if !show_secrets {
        merged.hide_secrets();
    }
    let text = match (output, show_origin) {
        (ManifestFormat::Yaml, false) => show::yaml(&merged),
        (ManifestFormat::Yaml, true) => show::yaml_with_origins(&merged),
        (ManifestFormat::Json, false) => serde_json::to_string_pretty(&merged.to_json())? + "\n",
        (ManifestFormat::Json, true) => show::json_with_origins(&merged),
    };
    out.write_all(text.as_bytes())?;
    Ok(Outcome::Clean)
}
