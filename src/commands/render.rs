//! `redis-ha render`: the manifests `helm template` would print.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::Outcome;
use crate::cli::{ManifestFormat, RenderArgs};
use crate::manifest::{Manifest, select_helm_text, to_helm_file_text, to_helm_text};
use crate::release;

pub fn run(args: &RenderArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let RenderArgs {
        release: release_args,
        values,
        show_only,
        output_dir,
        output,
    } = args;
    let chart = release::load_chart(values.chart.as_deref())?;
    let (_, all) = release::render_checked(&chart, &values.sources(), &release_args.options())?;
    let name = &chart.metadata.name;
    let selected;
    let manifests: &[Manifest] = if show_only.is_empty() {
        &all
    } else {
        selected = select(all.clone(), show_only, name)?;
        &selected
    };
    if let Some(dir) = output_dir {
        for path in write_output_dir(dir, name, manifests)? {
            writeln!(out, "wrote {}", path.display())?;
        }
        return Ok(Outcome::Clean);
    }
    match output {
        ManifestFormat::Yaml if show_only.is_empty() => {
            out.write_all(to_helm_text(name, manifests).as_bytes())?;
        }
        // Helm selects from its whole output, split again: print what it prints.
        ManifestFormat::Yaml => {
            let matchers = matchers(show_only, name)?;
            let text = select_helm_text(&to_helm_text(name, &all), &matchers, |(_, m), path| {
                m.is_match(path)
            })
            .map_err(|(glob, _)| missing_template(glob))?;
            out.write_all(text.as_bytes())?;
        }
        ManifestFormat::Json => {
            let objects: Vec<_> = manifests.iter().map(|m| &m.object).collect();
            serde_json::to_writer_pretty(&mut *out, &objects)?;
            writeln!(out)?;
        }
    }
    Ok(Outcome::Clean)
}

/// Keeps the manifests whose template matches one of the globs; a glob matching nothing is an
/// error, as in Helm.
fn select(
    manifests: Vec<Manifest>,
    globs: &[String],
    chart: &str,
) -> anyhow::Result<Vec<Manifest>> {
    let matchers = matchers(globs, chart)?;
    for (glob, matcher) in &matchers {
        if !manifests
            .iter()
            .any(|m| matcher.is_match(format!("templates/{}", m.template)))
        {
            return Err(missing_template(glob));
        }
    }
    Ok(manifests
        .into_iter()
        .filter(|m| {
            let path = format!("templates/{}", m.template);
            matchers.iter().any(|(_, matcher)| matcher.is_match(&path))
        })
        .collect())
}

fn matchers<'g>(
    globs: &'g [String],
    chart: &str,
) -> anyhow::Result<Vec<(&'g String, globset::GlobMatcher)>> {
    let mut matchers = Vec::new();
    for glob in globs {
        let pattern = glob.strip_prefix(&format!("{chart}/")).unwrap_or(glob);
        let matcher = globset::Glob::new(pattern)
            .with_context(|| format!("invalid --show-only glob `{glob}`"))?
            .compile_matcher();
        matchers.push((glob, matcher));
    }
    Ok(matchers)
}

fn missing_template(glob: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "could not find template `{glob}` in chart\n  hint: paths look like `templates/redis-statefulset.yaml`"
    )
}

/// Writes `DIR/<chart>/templates/<file>`: everything is staged first, then moved into place,
/// so a failure leaves nothing half-written.
fn write_output_dir(
    dir: &Path,
    chart: &str,
    manifests: &[Manifest],
) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: BTreeMap<&str, Vec<Manifest>> = BTreeMap::new();
    for m in manifests {
        files.entry(&m.template).or_default().push(m.clone());
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".redis-ha-render-")
        .tempdir_in(dir)
        .with_context(|| format!("cannot write to `{}`", dir.display()))?;
    let mut staged = Vec::new();
    for (template, list) in &files {
        let rel = Path::new(chart).join("templates").join(template);
        let path = staging.path().join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, to_helm_file_text(chart, list))
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        staged.push(rel);
    }
    let mut written = Vec::new();
    for rel in staged {
        let target = dir.join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::rename(staging.path().join(&rel), &target)
            .with_context(|| format!("cannot write `{}`", target.display()))?;
        written.push(target);
    }
    Ok(written)
}
