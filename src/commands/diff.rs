//! `redis-ha diff`: the new desired state (the value flags, as for `render`) against one old
//! state: manifests (`--against`) or the chart rendered with other values (`--old-*`).
//! Exits 0 without changes, 1 with changes (or, with `--fail-on hazard`, with hazards), 2 on
//! errors, as `diff(1)`.

use std::io::{Read as _, Write};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context as _;

use super::Outcome;
use crate::chart::Chart;
use crate::cli::{ColorChoice, DiffArgs, DiffFormat, FailOn};
use crate::diff::hazards::{self, HAZARDS};
use crate::diff::load::{self, Located};
use crate::diff::{self, output};
use crate::release::{self, ReleaseError};
use crate::render::{Engine, ReleaseOptions};
use crate::schema::Schema;
use crate::values::{Node, ValueSources};

pub fn run(args: &DiffArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let DiffArgs {
        release: release_args,
        // The two sides' flags: read by `old_side` and `sides`.
        values: _,
        against: _,
        live,
        old_env: _,
        old_values: _,
        old_set: _,
        old_chart: _,
        context,
        show_defaults,
        show_secrets,
        // Masking is the default; the flag only conflicts with `--show-secrets`.
        suppress_secrets: _,
        suppress,
        output: format,
        color,
        fail_on,
        list_hazards,
        explain,
    } = args;
    if *list_hazards {
        return list(out);
    }
    if let Some(id) = explain {
        return explain_hazard(id, out);
    }
    check_stdin(args)?;
    let options = release_args.options();
    let (old, new, secrets) = sides(args, &options)?;
    let diff_options = diff::Options {
        release: options.name.clone(),
        namespace: options.namespace.clone(),
        show_defaults: *show_defaults,
        show_secrets: *show_secrets,
        suppress: suppress.clone(),
    };
    let report = match live {
        Some(path) => {
            let live = read_against(path)?;
            diff::compare_with_drift(old, live, new, &secrets, &diff_options)?
        }
        None => diff::compare(old, new, &secrets, &diff_options)?,
    };
    match format {
        DiffFormat::Text => output::text::write(&report, *context, use_color(*color), out)?,
        DiffFormat::Json => output::json::write(&report, *context, out)?,
        DiffFormat::Markdown => output::markdown::write(&report, *context, out)?,
    }
    let failed = match fail_on {
        FailOn::Change => report.has_changes(),
        FailOn::Hazard => !report.hazards.is_empty(),
    };
    Ok(if failed {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Standard input can be read once.
fn check_stdin(args: &DiffArgs) -> anyhow::Result<()> {
    let readers = [
        args.against.as_deref() == Some("-"),
        args.live.as_deref() == Some("-"),
    ]
    .into_iter()
    .chain(
        args.values
            .values
            .iter()
            .flat_map(|f| f.split(','))
            .map(|f| f == "-"),
    )
    .chain(args.old_values.iter().map(|f| f == "-"))
    .filter(|is_stdin| *is_stdin)
    .count();
    if readers > 1 {
        anyhow::bail!(
            "standard input (`-`) is given more than once\n  hint: only one of `--against`, `--live`, `-f` and `--old-values` can read standard input"
        );
    }
    Ok(())
}

/// Where the old state comes from.
enum OldSide {
    /// Manifests in a file, `-` for standard input.
    Against(String),
    /// The chart (`None`: the new side's) rendered with these values.
    Render {
        chart: Option<PathBuf>,
        sources: ValueSources,
    },
}

fn old_side(args: &DiffArgs) -> anyhow::Result<OldSide> {
    let DiffArgs {
        values,
        against,
        old_env,
        old_values,
        old_set,
        old_chart,
        ..
    } = args;
    if let Some(path) = against {
        return Ok(OldSide::Against(path.clone()));
    }
    let has_old_values = old_env.is_some() || !old_values.is_empty() || !old_set.is_empty();
    if !has_old_values && old_chart.is_none() {
        anyhow::bail!(
            "nothing to compare with\n  hint: pass the current state with `--against FILE` (from `helm get manifest` or `kubectl get -o yaml`), or the old values with `--old-env`, `--old-values` or `--old-set`"
        );
    }
    // Only `--old-chart`: the same values on another chart (a chart upgrade).
    let sources = if has_old_values {
        ValueSources {
            env: old_env.clone(),
            files: old_values.clone(),
            set: old_set.clone(),
            ..ValueSources::default()
        }
    } else {
        values.sources()
    };
    Ok(OldSide::Render {
        chart: old_chart.clone(),
        sources,
    })
}

/// The old and the new objects, and the plain-text passwords of either side's values.
///
/// Rendering is most of a diff's time, and the steps need not wait for each other: the schema
/// compiles and checks both sides' values on one thread while the template engine compiles
/// and the sides render, the old one (or the reading of `--against`) on a thread of its own.
/// Results are then taken in the order a sequential run would meet them, so the same inputs
/// always give the same error: values, schema, engine, new render, old side.
fn sides(
    args: &DiffArgs,
    options: &ReleaseOptions,
) -> anyhow::Result<(Vec<Located>, Vec<Located>, Vec<String>)> {
    let old_side = old_side(args)?;
    let chart = release::load_chart(args.values.chart.as_deref())?;
    let new_values = release::merged_values(&chart, &args.values.sources())?;
    let same_chart_old = match &old_side {
        OldSide::Render {
            chart: None,
            sources,
        } => Some(release::merged_values(&chart, sources).context("cannot render the old state")?),
        _ => None,
    };
    let (chart, new_values, same_chart_old) = (&chart, &new_values, same_chart_old.as_ref());
    std::thread::scope(|scope| {
        let validation = scope.spawn(move || -> anyhow::Result<()> {
            let schema = Checker::new(chart)?;
            schema.check(new_values)?;
            if let Some(old) = same_chart_old {
                schema.check(old).context("cannot render the old state")?;
            }
            Ok(())
        });
        let engine = Engine::new(chart).map(Arc::new);
        let old_engine = engine.as_ref().ok().map(Arc::clone);
        let old = scope.spawn(move || {
            old_objects(
                old_side,
                old_engine.as_deref(),
                chart,
                same_chart_old,
                options,
            )
        });
        let new = engine
            .as_deref()
            .map_err(|_| ())
            .map(|engine| render_side(engine, chart, new_values, options));
        joined(validation)??;
        let new = match (new, engine) {
            (Ok(new), _) => new?,
            (Err(()), Err(err)) => return Err(err.into()),
            (Err(()), Ok(_)) => anyhow::bail!("internal error: the engine is gone"),
        };
        let (old, mut secrets) = joined(old)??;
        secrets.extend(value_secrets(&new_values.to_json()));
        Ok((old, new, secrets))
    })
}

/// The old side's objects and the plain-text passwords of its values. `engine` is the new
/// side's, for the same chart (`None` when it failed to compile: the caller reports that).
fn old_objects(
    old_side: OldSide,
    engine: Option<&Engine>,
    chart: &Chart,
    same_chart_values: Option<&Node>,
    options: &ReleaseOptions,
) -> anyhow::Result<(Vec<Located>, Vec<String>)> {
    match old_side {
        OldSide::Against(path) => Ok((read_against(&path)?, Vec::new())),
        OldSide::Render {
            chart: Some(path),
            sources,
        } => {
            let old_chart =
                release::load_chart(Some(&path)).context("cannot load the old chart")?;
            let values = Checker::new(&old_chart)
                .and_then(|schema| {
                    let values = release::merged_values(&old_chart, &sources)?;
                    schema.check(&values)?;
                    Ok(values)
                })
                .context("cannot render the old state")?;
            let engine = Engine::new(&old_chart).context("cannot render the old state")?;
            let old = render_side(&engine, &old_chart, &values, options)
                .context("cannot render the old state")?;
            Ok((old, value_secrets(&values.to_json())))
        }
        OldSide::Render { chart: None, .. } => {
            let (Some(engine), Some(values)) = (engine, same_chart_values) else {
                return Ok((Vec::new(), Vec::new()));
            };
            let old = render_side(engine, chart, values, options)
                .context("cannot render the old state")?;
            Ok((old, value_secrets(&values.to_json())))
        }
    }
}

/// A thread's result; a panic in it becomes an error rather than a second panic.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> anyhow::Result<T> {
    handle
        .join()
        .map_err(|_| anyhow::anyhow!("internal error: a render thread stopped unexpectedly"))
}

/// The schema half of `release::checked_values`, compiled once for both sides (compiling it
/// is a good part of a render's time).
struct Checker(Option<Schema>);

impl Checker {
    fn new(chart: &Chart) -> Result<Checker, ReleaseError> {
        let schema = match &chart.schema {
            Some(text) => Some(Schema::compile(text, &chart.schema_path)?),
            None => None,
        };
        Ok(Checker(schema))
    }

    fn check(&self, values: &Node) -> Result<(), ReleaseError> {
        let violations = self
            .0
            .as_ref()
            .map(|s| s.validate(values))
            .unwrap_or_default();
        if violations.is_empty() {
            Ok(())
        } else {
            Err(ReleaseError::Violations(violations))
        }
    }
}

/// Renders one side with an engine built for `chart`; manifests in Helm's order.
fn render_side(
    engine: &Engine,
    chart: &Chart,
    values: &Node,
    options: &ReleaseOptions,
) -> anyhow::Result<Vec<Located>> {
    let mut manifests = engine.render(values, options)?;
    crate::manifest::sort_by_install_order(&mut manifests);
    Ok(manifests
        .into_iter()
        .map(|m| Located {
            location: format!("{}/templates/{}", chart.metadata.name, m.template),
            object: m.object,
        })
        .collect())
}

fn read_against(path: &str) -> anyhow::Result<Vec<Located>> {
    let text = if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read the old state from standard input")?;
        text
    } else {
        std::fs::read_to_string(path).with_context(|| format!("cannot read `{path}`"))?
    };
    Ok(load::parse(&text, path)?)
}

/// Plain-text secrets in the values (`auth.password` and the like), to hide wherever a
/// template copied them.
fn value_secrets(values: &serde_json::Value) -> Vec<String> {
    crate::secrets::secret_values(values)
}

/// Colors on a terminal unless `NO_COLOR` (or `CLICOLOR=0`, `TERM=dumb`) says otherwise;
/// `--color always|never` wins over both.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

fn list(out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let width = HAZARDS.iter().map(|h| h.id().len()).max().unwrap_or(0);
    for hazard in HAZARDS {
        writeln!(
            out,
            "{:width$}  {:7}  {}",
            hazard.id(),
            hazard.severity().as_str(),
            summary(&hazard.documentation())
        )?;
    }
    Ok(Outcome::Clean)
}

/// The first sentence of "What it does".
fn summary(doc: &str) -> String {
    let section = doc
        .split("## What it does")
        .nth(1)
        .unwrap_or(doc)
        .split("\n## ")
        .next()
        .unwrap_or("");
    let text = section.split_whitespace().collect::<Vec<_>>().join(" ");
    match text.find(". ") {
        Some(end) => text[..end].to_owned(),
        None => text.trim_end_matches('.').to_owned(),
    }
}

fn explain_hazard(id: &str, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let Some(hazard) = hazards::find(id) else {
        let ids: Vec<_> = HAZARDS.iter().map(|h| h.id()).collect();
        anyhow::bail!(
            "unknown hazard `{id}`\n  hint: the hazards are: {}",
            ids.join(", ")
        );
    };
    writeln!(out, "# {} ({})\n", hazard.id(), hazard.severity().as_str())?;
    write!(out, "{}", hazard.documentation())?;
    Ok(Outcome::Clean)
}
