//! `redis-ha render`: the manifests `helm template` would print.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::Outcome;
use crate::cli::{ManifestFormat, RenderArgs};
use crate::manifest::{Manifest, to_helm_text};
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
    let (_, mut manifests) =
        release::render_checked(&chart, &values.sources(), &release_args.options())?;
    if !show_only.is_empty() {
        manifests = select(manifests, show_only, &chart.metadata.name)?;
    }
    let name = &chart.metadata.name;
    if let Some(dir) = output_dir {
        for path in write_output_dir(dir, name, &manifests)? {
            writeln!(out, "wrote {}", path.display())?;
        }
        return Ok(Outcome::Clean);
    }
    match output {
        ManifestFormat::Yaml => out.write_all(to_helm_text(name, &manifests).as_bytes())?,
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
    let mut matchers = Vec::new();
    for glob in globs {
        let pattern = glob.strip_prefix(&format!("{chart}/")).unwrap_or(glob);
        let matcher = globset::Glob::new(pattern)
            .with_context(|| format!("invalid --show-only glob `{glob}`"))?
            .compile_matcher();
        matchers.push((glob, matcher));
    }
    for (glob, matcher) in &matchers {
        if !manifests
            .iter()
            .any(|m| matcher.is_match(format!("templates/{}", m.template)))
        {
            anyhow::bail!(
                "could not find template `{glob}` in chart\n  hint: paths look like `templates/redis-statefulset.yaml`"
            );
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
        std::fs::write(&path, to_helm_text(chart, list))
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
