//! `redis-ha render`: the manifests `helm template` would print, or the same files written to
//! `--output-dir`, and on standard error what to create before applying them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use anyhow::Context as _;

use super::Outcome;
use crate::cli::{ManifestFormat, RenderArgs};
use crate::manifest::{Manifest, select_helm_text, to_helm_file_text, to_helm_text};
use crate::release::{self, Pipeline};

mod batch;

pub fn run(args: &RenderArgs, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let RenderArgs {
        release: release_args,
        chart_arg,
        values,
        show_only,
        values_dir,
        output_dir,
        overwrite,
        skip_schema_validation,
        output,
    } = args;
    let chart_path = chart_arg.as_deref().or(values.chart.as_deref());
    let chart = release::load_chart(chart_path)?;
    let options = release_args.options();
    let pipeline = if *skip_schema_validation {
        Pipeline::new(&chart).without_schema()
    } else {
        Pipeline::new(&chart)
    };
    let printing = Printing {
        chart: &chart.metadata.name,
        source: chart_path,
        show_only,
        output_dir: output_dir.as_deref(),
        overwrite: *overwrite,
        format: *output,
    };
    if let Some(dir) = values_dir {
        return batch::run(&pipeline, &values.sources(), &options, dir, &printing, out);
    }
    let all = pipeline
        .release(&values.sources(), &options)?
        .checked()?
        .manifests;
    let notes = next_steps(&all, &options.namespace);
    if let Some(dir) = output_dir {
        commit_all(vec![printing.stage(dir, &all)?], out)?;
    } else {
        out.write_all(&printing.text(&all)?)?;
    }
    // Like Helm's NOTES.txt, but on standard error so that the manifests stay pipeable; after
    // them on a terminal.
    out.flush()?;
    let mut err = std::io::stderr().lock();
    for note in notes {
        let _ = writeln!(err, "note: {note}");
    }
    Ok(Outcome::Clean)
}

/// How one release's manifests are printed or written: the flags besides the values.
struct Printing<'a> {
    chart: &'a str,
    /// The chart being rendered (a directory or a `.tgz`); `None` for the bundled chart.
    source: Option<&'a Path>,
    show_only: &'a [String],
    output_dir: Option<&'a Path>,
    overwrite: bool,
    format: ManifestFormat,
}

impl Printing<'_> {
    /// The manifests `--show-only` keeps (all without it).
    fn shown<'m>(&self, all: &'m [Manifest]) -> anyhow::Result<Cow<'m, [Manifest]>> {
        if self.show_only.is_empty() {
            Ok(Cow::Borrowed(all))
        } else {
            Ok(Cow::Owned(select(
                all.to_vec(),
                self.show_only,
                self.chart,
            )?))
        }
    }

    /// What standard output gets for one release, as `helm template` prints it (or `-o json`).
    fn text(&self, all: &[Manifest]) -> anyhow::Result<Vec<u8>> {
        let name = self.chart;
        Ok(match self.format {
            ManifestFormat::Yaml if self.show_only.is_empty() => {
                to_helm_text(name, all).into_bytes()
            }
            // Helm selects from its whole output, split again: print what it prints.
            ManifestFormat::Yaml => {
                let matchers = matchers(self.show_only, name)?;
                select_helm_text(&to_helm_text(name, all), &matchers, |(_, m), path| {
                    m.is_match(path)
                })
                .map_err(|(glob, _)| missing_template(glob))?
                .into_bytes()
            }
            ManifestFormat::Json => {
                let shown = self.shown(all)?;
                let objects: Vec<_> = shown.iter().map(|m| &m.object).collect();
                let mut text = serde_json::to_vec_pretty(&objects)?;
                text.push(b'\n');
                text
            }
        })
    }

    /// Stages `dir/<chart>/templates/<file>` (see [`write_output_dir`]).
    fn stage(&self, dir: &Path, all: &[Manifest]) -> anyhow::Result<Staged> {
        write_output_dir(
            &OutputDir {
                dir,
                chart: self.chart,
                source: self.source,
                overwrite: self.overwrite,
            },
            &self.shown(all)?,
        )
    }
}

/// Swaps staged directories in and says what was written.
fn commit_all(staged: Vec<Staged>, out: &mut dyn Write) -> anyhow::Result<()> {
    for staged in staged {
        for path in staged.commit()? {
            writeln!(out, "wrote {}", path.display())?;
        }
    }
    Ok(())
}

/// What a user must do before the manifests can run, and where clients connect: every Secret
/// the pods read that the render does not contain, every Service that is not headless.
fn next_steps(manifests: &[Manifest], release_namespace: &str) -> Vec<String> {
    let rendered: Vec<(String, String)> = manifests
        .iter()
        .filter(|m| m.kind() == "Secret")
        .map(|m| {
            (
                m.namespace().unwrap_or(release_namespace).to_owned(),
                m.name().to_owned(),
            )
        })
        .collect();
    let mut missing: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut services = Vec::new();
    for m in manifests {
        let namespace = m.namespace().unwrap_or(release_namespace).to_owned();
        if m.kind() == "Service" {
            let headless =
                m.object.pointer("/spec/clusterIP").and_then(|v| v.as_str()) == Some("None");
            if !headless {
                let ports: Vec<String> = m
                    .object
                    .pointer("/spec/ports")
                    .and_then(|p| p.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|p| {
                        let port = p.get("port")?;
                        Some(match p.get("name").and_then(|n| n.as_str()) {
                            Some(name) => format!("{port} ({name})"),
                            None => port.to_string(),
                        })
                    })
                    .collect();
                services.push(format!(
                    "Service `{}.{namespace}` serves port {}",
                    m.name(),
                    ports.join(", ")
                ));
            }
        }
        let mut refs = Vec::new();
        secret_refs(&m.object, &mut refs);
        for (name, key) in refs {
            if rendered
                .iter()
                .any(|(ns, n)| *ns == namespace && *n == name)
            {
                continue;
            }
            let keys = missing.entry((namespace.clone(), name)).or_default();
            if let Some(key) = key
                && !keys.contains(&key)
            {
                keys.push(key);
            }
        }
    }
    let mut notes: Vec<String> = missing
        .into_iter()
        .map(|((namespace, name), keys)| {
            let keys = if keys.is_empty() {
                String::new()
            } else {
                let list: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                format!(" with key {}", list.join(", "))
            };
            format!("before applying, create the Secret `{name}`{keys} in namespace `{namespace}`")
        })
        .collect();
    notes.extend(services);
    notes.extend(connect_notes(manifests, release_namespace));
    notes
}

/// How clients connect and how to check the sentinels, from the Services the chart renders
/// (the `app.kubernetes.io/component` label says which is which) and the master name in
/// sentinel.conf's `master.conf`.
fn connect_notes(manifests: &[Manifest], release_namespace: &str) -> Vec<String> {
    let master_name = manifests
        .iter()
        .filter(|m| m.kind() == "ConfigMap")
        .find_map(|m| {
            m.object
                .pointer("/data/master.conf")
                .and_then(|v| v.as_str())
        })
        .and_then(|conf| {
            conf.lines()
                .find_map(|l| l.strip_prefix("sentinel down-after-milliseconds "))
                .and_then(|rest| rest.split_whitespace().next())
                .map(ToOwned::to_owned)
        });
    let sentinel_pod = manifests
        .iter()
        .filter(|m| m.kind() == "StatefulSet")
        .find(|m| {
            m.object
                .pointer("/spec/template/metadata/labels/app.kubernetes.io~1component")
                .and_then(|v| v.as_str())
                == Some("sentinel")
        })
        .map_or_else(
            || "<sentinel pod>".to_owned(),
            |m| format!("{}-0", m.name()),
        );
    let mut notes = Vec::new();
    for m in manifests.iter().filter(|m| m.kind() == "Service") {
        let component = m
            .object
            .pointer("/metadata/labels/app.kubernetes.io~1component")
            .and_then(|v| v.as_str());
        let port = m
            .object
            .pointer("/spec/ports/0/port")
            .map_or_else(String::new, ToString::to_string);
        let namespace = m.namespace().unwrap_or(release_namespace);
        let address = format!("{}.{namespace}.svc:{port}", m.name());
        match (component, &master_name) {
            (Some("sentinel"), Some(master)) if !m.name().ends_with("-headless") => {
                notes.push(format!(
                    "clients that speak Sentinel: ask `{address}` for the master `{master}` (`SENTINEL get-master-addr-by-name {master}`)"
                ));
                notes.push(format!(
                    "check the sentinels: `kubectl exec -n {namespace} {sentinel_pod} -- sh -c 'REDISCLI_AUTH=\"$(cat /opt/redis-ha/secret/password)\" redis-cli -p {port} SENTINEL CKQUORUM {master}'` (drop REDISCLI_AUTH without auth)"
                ));
            }
            (Some("haproxy"), _) if m.name().ends_with("-master") => notes.push(format!(
                "clients that do not speak Sentinel: connect to `{address}`, always the master (HAProxy)"
            )),
            (Some("haproxy"), _) if m.name().ends_with("-replicas") => notes.push(format!(
                "read-only clients: `{address}` spreads connections over the replicas"
            )),
            _ => {}
        }
    }
    notes
}

/// The Secrets an object's pods read: volumes, projected volumes, `secretKeyRef`, `secretRef`.
fn secret_refs(value: &serde_json::Value, out: &mut Vec<(String, Option<String>)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, child) in map {
                let name = |field: &str| {
                    child
                        .get(field)
                        .and_then(|v| v.as_str())
                        .map(ToOwned::to_owned)
                };
                // An optional Secret need not exist.
                if child.get("optional").and_then(serde_json::Value::as_bool) == Some(true) {
                    continue;
                }
                match key.as_str() {
                    "secret" => {
                        if let Some(secret) = name("secretName").or_else(|| name("name")) {
                            let items: Vec<String> = child
                                .get("items")
                                .and_then(|i| i.as_array())
                                .into_iter()
                                .flatten()
                                .filter_map(|i| {
                                    i.get("key").and_then(|k| k.as_str()).map(ToOwned::to_owned)
                                })
                                .collect();
                            if items.is_empty() {
                                out.push((secret, None));
                            } else {
                                out.extend(
                                    items.into_iter().map(|item| (secret.clone(), Some(item))),
                                );
                            }
                        }
                    }
                    "secretKeyRef" => {
                        if let Some(secret) = name("name") {
                            out.push((secret, name("key")));
                        }
                    }
                    "secretRef" => {
                        if let Some(secret) = name("name") {
                            out.push((secret, None));
                        }
                    }
                    _ => {}
                }
                secret_refs(child, out);
            }
        }
        serde_json::Value::Array(items) => {
            for item in items {
                secret_refs(item, out);
            }
        }
        _ => {}
    }
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

/// Where `--output-dir` writes, and what it must not touch.
struct OutputDir<'a> {
    dir: &'a Path,
    chart: &'a str,
    /// The chart being rendered (a directory or a `.tgz`); `None` for the bundled chart.
    source: Option<&'a Path>,
    overwrite: bool,
}

/// Stages `DIR/<chart>/templates/<file>` and nothing else: the whole `<chart>` directory is
/// written beside the target, and [`Staged::commit`] swaps it in by two renames, so the result
/// holds exactly this render's files (a disabled component's old files go) and a failure leaves
/// the old one.
fn write_output_dir(target: &OutputDir<'_>, manifests: &[Manifest]) -> anyhow::Result<Staged> {
    let OutputDir {
        dir,
        chart,
        source,
        overwrite,
    } = *target;
    if !is_plain_name(Path::new(chart)) {
        anyhow::bail!(
            "chart name `{chart}` is not a plain file name, so `--output-dir` cannot hold it\n  hint: name the chart in Chart.yaml with letters, digits and `-`"
        );
    }
    let mut files: BTreeMap<&str, Vec<Manifest>> = BTreeMap::new();
    for m in manifests {
        if !is_plain_relative(Path::new(&m.template)) {
            anyhow::bail!(
                "template path `{}` leaves the chart's templates directory, so `--output-dir` will not write it",
                m.template
            );
        }
        files.entry(&m.template).or_default().push(m.clone());
    }
    let real_dir = resolved(dir)?;
    if let Some(source) = source {
        let real_source = source
            .canonicalize()
            .with_context(|| format!("cannot read `{}`", source.display()))?;
        // Never write into the chart, never replace a directory holding it.
        let inside = real_dir.starts_with(&real_source);
        let holds = if real_source.is_dir() {
            real_source.starts_with(&real_dir)
        } else {
            real_source.starts_with(real_dir.join(chart))
        };
        if inside || holds {
            anyhow::bail!(
                "`--output-dir {}` overlaps the chart being rendered (`{}`)\n  hint: write the manifests outside the chart, for example `--output-dir rendered`",
                dir.display(),
                source.display()
            );
        }
    }
    let created = !dir.exists();
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let result = stage(dir, chart, overwrite, &files);
    match result {
        Ok(mut staged) => {
            staged.created = created.then(|| dir.to_path_buf());
            Ok(staged)
        }
        Err(err) => {
            if created {
                let _ = std::fs::remove_dir(dir);
            }
            Err(err)
        }
    }
}

/// A chart directory written beside its target, swapped in by [`Staged::commit`]; dropped
/// uncommitted, it goes, with the `--output-dir` it created.
struct Staged {
    /// Holds the new `<chart>` directory (and, once swapped, the old one).
    staging: Option<tempfile::TempDir>,
    final_dir: PathBuf,
    /// The files, at their final paths.
    written: Vec<PathBuf>,
    /// The output directory, when staging created it.
    created: Option<PathBuf>,
}

impl Staged {
    /// Swaps the staged directory in; the paths written.
    fn commit(mut self) -> anyhow::Result<Vec<PathBuf>> {
        let staging = self
            .staging
            .take()
            .expect("a staged directory commits once");
        let staged_chart = staging.path().join(
            self.final_dir
                .file_name()
                .expect("the chart directory has a name"),
        );
        let final_dir = &self.final_dir;
        let old = staging.path().join(".old");
        let had_old = final_dir.exists();
        if had_old {
            std::fs::rename(final_dir, &old)
                .with_context(|| format!("cannot replace `{}`", final_dir.display()))?;
        }
        if let Err(e) = std::fs::rename(&staged_chart, final_dir) {
            if had_old {
                let _ = std::fs::rename(&old, final_dir);
            }
            return Err(e).with_context(|| format!("cannot write `{}`", final_dir.display()));
        }
        // `staging` (with the old directory) is removed when it drops.
        self.created = None;
        Ok(std::mem::take(&mut self.written))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        drop(self.staging.take());
        if let Some(dir) = &self.created {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

fn stage(
    dir: &Path,
    chart: &str,
    overwrite: bool,
    files: &BTreeMap<&str, Vec<Manifest>>,
) -> anyhow::Result<Staged> {
    let final_dir = dir.join(chart);
    match std::fs::symlink_metadata(&final_dir) {
        Ok(meta) if meta.is_dir() => {
            if !overwrite && !written_by_render(&final_dir, chart) {
                anyhow::bail!(
                    "`{}` holds files that `redis-ha render` did not write\n  hint: choose another `--output-dir`, or pass `--overwrite` to replace that directory",
                    final_dir.display()
                );
            }
        }
        Ok(_) => anyhow::bail!(
            "`{}` exists and is not a directory\n  hint: choose another `--output-dir`",
            final_dir.display()
        ),
        Err(_) => {}
    }
    let staging = tempfile::Builder::new()
        .prefix(".redis-ha-render-")
        .tempdir_in(dir)
        .with_context(|| format!("cannot write to `{}`", dir.display()))?;
    let staged_chart = staging.path().join(chart);
    let mut written = Vec::new();
    for (template, list) in files {
        let path = staged_chart.join("templates").join(template);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, to_helm_file_text(chart, list))
            .with_context(|| format!("cannot write `{}`", path.display()))?;
        written.push(final_dir.join("templates").join(template));
    }
    std::fs::create_dir_all(&staged_chart)?;
    Ok(Staged {
        staging: Some(staging),
        final_dir,
        written,
        created: None,
    })
}

/// A directory `render --output-dir` wrote: only files under `templates/`, each starting as
/// `helm template` output of this chart starts.
fn written_by_render(dir: &Path, chart: &str) -> bool {
    let header = format!("---\n# Source: {chart}/templates/");
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&current) else {
            return false;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                return false;
            };
            if meta.is_dir() {
                stack.push(path);
            } else if !meta.is_file() || !path.starts_with(dir.join("templates")) {
                return false;
            } else {
                let mut start = vec![0; header.len()];
                let ok = std::fs::File::open(&path)
                    .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut start))
                    .is_ok();
                if !ok || start != header.as_bytes() {
                    return false;
                }
            }
        }
    }
    true
}

/// The path with symbolic links resolved, for a path that may not exist yet: its nearest
/// existing ancestor resolved, the rest appended.
fn resolved(path: &Path) -> anyhow::Result<PathBuf> {
    let absolute = std::path::absolute(path)
        .with_context(|| format!("cannot resolve `{}`", path.display()))?;
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
            break;
        };
        rest.push(name.to_owned());
        existing = parent;
    }
    let mut out = existing
        .canonicalize()
        .with_context(|| format!("cannot read `{}`", existing.display()))?;
    out.extend(rest.iter().rev());
    Ok(out)
}

fn is_plain_name(path: &Path) -> bool {
    let mut components = path.components();
    matches!(components.next(), Some(Component::Normal(_))) && components.next().is_none()
}

fn is_plain_relative(path: &Path) -> bool {
    path.components().next().is_some()
        && path.components().all(|c| matches!(c, Component::Normal(_)))
}
