//! `render --values-dir DIR`: a release per values file, all through one pipeline, so the
//! template engine, the compiled schema and the chart's parsed defaults are built once for the
//! whole batch (a GitOps repository renders dozens of releases on every commit).
//!
//! Every release renders before anything is printed or written: an error in one names its file
//! and fails the command with no output at all. With `--output-dir`, every release's directory
//! is staged first and swapped in only when all are staged.

use std::io::{IsTerminal as _, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::{Printing, Staged, commit_all};
use crate::cli::ManifestFormat;
use crate::commands::Outcome;
use crate::manifest::Manifest;
use crate::release::Pipeline;
use crate::render::ReleaseOptions;
use crate::values::{self, Map, ValueSources};

/// One release of the batch: its name (the file's stem) and its values file.
struct ReleaseFile {
    name: String,
    path: PathBuf,
}

pub(super) fn run(
    pipeline: &Pipeline<'_>,
    sources: &ValueSources,
    options: &ReleaseOptions,
    dir: &Path,
    printing: &Printing<'_>,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let files = release_files(dir)?;
    // The preset and `-f` files are the same for every release: read them once.
    let below = values::file_layers(sources, &crate::chart::bundled_presets())?;
    let mut progress = Progress::new(files.len());
    let mut rendered = Vec::with_capacity(files.len());
    for (index, file) in files.iter().enumerate() {
        progress.show(index, &file.name);
        let manifests = render_one(pipeline, &below, sources, options, file);
        match manifests {
            Ok(manifests) => rendered.push((file, manifests)),
            Err(err) => {
                progress.clear();
                return Err(err.context(format!(
                    "release `{}` (`{}`) did not render",
                    file.name,
                    file.path.display()
                )));
            }
        }
    }
    progress.clear();
    let failed = |file: &ReleaseFile| {
        format!(
            "release `{}` (`{}`) was not written",
            file.name,
            file.path.display()
        )
    };
    if let Some(output_dir) = printing.output_dir {
        let mut staged: Vec<Staged> = Vec::with_capacity(rendered.len());
        for (file, manifests) in &rendered {
            let dir = output_dir.join(&file.name);
            staged.push(
                printing
                    .stage(&dir, manifests)
                    .with_context(|| failed(file))?,
            );
        }
        commit_all(staged, out)?;
    } else if printing.format == ManifestFormat::Json {
        // One JSON document for the batch: the releases by name, each its array of objects.
        let mut releases = serde_json::Map::new();
        for (file, manifests) in &rendered {
            let shown = printing.shown(manifests).with_context(|| failed(file))?;
            let objects = shown.iter().map(|m| m.object.clone()).collect();
            releases.insert(file.name.clone(), serde_json::Value::Array(objects));
        }
        serde_json::to_writer_pretty(&mut *out, &releases)?;
        writeln!(out)?;
    } else {
        let mut texts = Vec::with_capacity(rendered.len());
        for (file, manifests) in &rendered {
            texts.push(printing.text(manifests).with_context(|| failed(file))?);
        }
        for ((file, _), text) in rendered.iter().zip(texts) {
            writeln!(out, "# Release: {}", file.name)?;
            out.write_all(&text)?;
        }
    }
    Ok(Outcome::Clean)
}

/// The release's own file above the shared layers, the `--set` flags above it; validated and
/// rendered.
fn render_one(
    pipeline: &Pipeline<'_>,
    below: &Map,
    sources: &ValueSources,
    options: &ReleaseOptions,
    file: &ReleaseFile,
) -> anyhow::Result<Vec<Manifest>> {
    let mut user = below.clone();
    let label = file.path.display().to_string();
    let text = values::read_source(&label)?;
    values::merge_file(&mut user, &text, &label)?;
    values::apply_flags(sources, &mut user)?;
    let options = ReleaseOptions {
        name: file.name.clone(),
        ..options.clone()
    };
    let values = pipeline.values_above(user)?;
    Ok(pipeline
        .release_of(values, &options, || {})?
        .checked()?
        .manifests)
}

/// The `*.yaml` files directly in `dir`, in byte order of their names; hidden files are not
/// releases (an editor's backup, a `.gitkeep`).
fn release_files(dir: &Path) -> anyhow::Result<Vec<ReleaseFile>> {
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read `--values-dir {}`", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.with_context(|| format!("cannot read `{}`", dir.display()))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".yaml") else {
            continue;
        };
        if stem.is_empty() || name.starts_with('.') || !path.is_file() {
            continue;
        }
        files.push(ReleaseFile {
            name: stem.to_owned(),
            path,
        });
    }
    if files.is_empty() {
        anyhow::bail!(
            "`--values-dir {}` holds no `*.yaml` file\n  hint: put one values file per release in it, named after the release (`cache-eu.yaml`)",
            dir.display()
        );
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

/// `rendering 12/100: cache-eu` on standard error, rewritten in place, only on a terminal.
struct Progress {
    total: usize,
    shown: bool,
    terminal: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            shown: false,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn show(&mut self, index: usize, name: &str) {
        if self.terminal {
            let _ = write!(
                std::io::stderr(),
                "\r\x1b[Krendering {}/{}: {name}",
                index + 1,
                self.total
            );
            self.shown = true;
        }
    }

    fn clear(&mut self) {
        if self.shown {
            let _ = write!(std::io::stderr(), "\r\x1b[K");
            self.shown = false;
        }
    }
}
