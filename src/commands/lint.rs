//! `redis-ha lint`: checks values and manifests for HA, security and wiring problems; exits 1
//! on findings (warnings only with `--strict`).

use std::io::Write;

use super::Outcome;
use crate::cli::{LintArgs, LintFormat, LintProfile};
use crate::lint::output::{self, Format};
use crate::lint::{self, Environment, LintError, Selection, registry};
use crate::release;

pub fn run(args: &LintArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let LintArgs {
        release: release_args,
        values,
        format,
        strict,
        profile,
        skip,
        list,
        explain,
    } = args;
    let format = match format {
        LintFormat::Text => Format::Text,
        LintFormat::Json => Format::Json,
        LintFormat::Sarif => Format::Sarif,
        LintFormat::Junit => Format::Junit,
        LintFormat::Github => Format::Github,
    };
    let profile = profile.map(|p| match p {
        LintProfile::Dev => Environment::Dev,
        LintProfile::Staging => Environment::Staging,
        LintProfile::Production => Environment::Production,
    });
    if *list {
        if format == Format::Json {
            serde_json::to_writer_pretty(&mut *out, &registry::list_json())?;
            writeln!(out)?;
        } else {
            out.write_all(registry::list_text().as_bytes())?;
        }
        return Ok(Outcome::Clean);
    }
    if let Some(id) = explain {
        let rule = registry::find(id).ok_or_else(|| LintError::UnknownRule {
            unknown: registry::unknown(id),
        })?;
        out.write_all(registry::explain(rule.meta()).as_bytes())?;
        return Ok(Outcome::Clean);
    }
    let selection = Selection::skipping(skip)?;
    let chart = release::load_chart(values.chart.as_deref())?;
    let report = lint::lint(
        &chart,
        &values.sources(),
        &release_args.options(),
        &selection,
        profile,
    )?;
    out.write_all(output::render(&report, format, *strict).as_bytes())?;
    Ok(if report.fails(*strict) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
