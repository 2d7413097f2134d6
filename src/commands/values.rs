//! `redis-ha values`: the effective values, optionally with each leaf's origin.

use std::io::Write;

use super::Outcome;
use anyhow::Context as _;

use crate::cli::{ImportArgs, ImportSource, ManifestFormat, ValuesAction, ValuesArgs};
use crate::import::{self, SourceChart};
use crate::release;
use crate::values::show;

pub fn run(args: &ValuesArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let ValuesArgs {
        action,
        values,
        output,
        show_origin,
        show_secrets,
    } = args;
    if let Some(ValuesAction::Import(args)) = action {
        return run_import(args, out);
    }
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

/// `values import`: the converted values on standard output, the report on standard error.
fn run_import(args: &ImportArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let ImportArgs {
        from,
        file,
        show_secrets,
    } = args;
    let chart = match from {
        ImportSource::Bitnami => SourceChart::Bitnami,
        ImportSource::Dandydeveloper => SourceChart::DandyDeveloper,
    };
    let text = crate::values::read_source(file)?;
    let label = if file == "-" { "<stdin>" } else { file };
    let ours = release::load_chart(None)?;
    let imported = import::import(chart, &text, label, *show_secrets, &ours)
        .with_context(|| format!("cannot import `{label}` as {} values", chart.name()))?;
    out.write_all(imported.to_yaml(label).as_bytes())?;
    out.flush()?;
    let mut err = std::io::stderr().lock();
    for entry in &imported.entries {
        let _ = writeln!(err, "{entry}");
    }
    let _ = writeln!(
        err,
        "import: {} values mapped, {} left out, {} empty values skipped (from a {} {} values file)",
        imported.mapped(),
        imported.dropped(),
        imported.empty,
        chart.name(),
        chart.known_version(),
    );
    Ok(Outcome::Clean)
}
