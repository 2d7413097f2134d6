//! `redis-ha diff`: the new desired state (the value flags, as for `render`) against one old
//! state: manifests (`--against`) or the chart rendered with other values (`--old-*`).
//! Exits 0 without changes, 1 with changes (or, with `--fail-on hazard`, with hazards), 2 on
//! errors, as `diff(1)`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context as _;

use super::Outcome;
use crate::cli::{ColorChoice, DiffArgs, DiffFormat, FailOn};
use crate::diff::hazards;
use crate::diff::{self, Side, output};
use crate::registry;
use crate::release::{self, Pipeline};
use crate::render::ReleaseOptions;
use crate::values::ValueSources;

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
        return list(*format, out);
    }
    if let Some(id) = explain {
        return explain_hazard(id, out);
    }
    check_stdin(args)?;
    let options = release_args.options();
    let (old, new) = sides(args, &options)?;
    let diff_options = diff::Options {
        release: options.name.clone(),
        namespace: options.namespace.clone(),
        show_defaults: *show_defaults,
        show_secrets: *show_secrets,
        suppress: suppress.clone(),
    };
    let live = live.as_deref().map(read_against).transpose()?;
    let report = diff::sides(old, new, live, &diff_options)?;
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

/// The old and the new side. The new side renders here while the old one (another render,
/// or the reading of `--against`) runs on a thread of its own; with the same chart both use
/// one pipeline, so its schema and engine compile once. Errors are taken in a fixed order,
/// the new side's first, so the same inputs always give the same error.
fn sides(args: &DiffArgs, options: &ReleaseOptions) -> anyhow::Result<(Side, Side)> {
    let old_side = old_side(args)?;
    let chart = release::load_chart(args.values.chart.as_deref())?;
    let pipeline = Pipeline::new(&chart);
    let new_sources = args.values.sources();
    let (new, old) = std::thread::scope(|scope| {
        let old = scope.spawn(|| old_objects(old_side, &pipeline, options));
        let new = pipeline.release(&new_sources, options);
        (new, old.join())
    });
    let new = Side::rendered(&chart.metadata.name, new?.checked()?);
    let old = old.map_err(|_| anyhow::anyhow!("internal error: a render thread stopped"))??;
    Ok((old, new))
}

/// The old side; `pipeline` is the new side's, for the same chart.
fn old_objects(
    old_side: OldSide,
    pipeline: &Pipeline<'_>,
    options: &ReleaseOptions,
) -> anyhow::Result<Side> {
    let (chart, sources) = match old_side {
        OldSide::Against(path) => return read_against(&path),
        OldSide::Render { chart, sources } => (chart, sources),
    };
    let render = |pipeline: &Pipeline<'_>| -> anyhow::Result<Side> {
        let release = pipeline.release(&sources, options)?.checked()?;
        Ok(Side::rendered(&pipeline.chart().metadata.name, release))
    };
    match chart {
        None => render(pipeline).context("cannot render the old state"),
        Some(path) => {
            let old_chart =
                release::load_chart(Some(&path)).context("cannot load the old chart")?;
            render(&Pipeline::new(&old_chart)).context("cannot render the old state")
        }
    }
}

fn read_against(path: &str) -> anyhow::Result<Side> {
    let text = crate::input::read_text(path).with_context(|| match path {
        "-" => "cannot read the old state from standard input".to_owned(),
        _ => format!("cannot read `{path}`"),
    })?;
    Ok(Side::read(&text, path)?)
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

fn list(format: DiffFormat, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    if format == DiffFormat::Json {
        serde_json::to_writer_pretty(&mut *out, &registry::list_json(hazards::entries()))?;
        writeln!(out)?;
    } else {
        out.write_all(registry::list_text(hazards::entries()).as_bytes())?;
    }
    Ok(Outcome::Clean)
}

fn explain_hazard(id: &str, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let hazard = hazards::find(id)
        .map_err(|unknown| anyhow::anyhow!("{unknown}\n  hint: {}", unknown.hint()))?;
    out.write_all(registry::explain(hazard).as_bytes())?;
    Ok(Outcome::Clean)
}
