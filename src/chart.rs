//! Charts: the bundled one (embedded at build time), a directory, or a `.tgz` archive.
//!
//! A chart has Helm's layout (`Chart.yaml`, `values.yaml`, `values.schema.json`,
//! `templates/`), with Jinja templates. This module only loads files; it leaves parsing values
//! to [`crate::values`] and templates to [`crate::render`].
//!
//! Loading is where a hostile chart is stopped: only regular files are read (a FIFO would
//! block), an archive's members are bounded in number and size as Helm bounds them (a gzip
//! bomb stops at the limit), a member listed twice is refused, and `Chart.yaml` is validated
//! as Helm validates it (a name that is one path component, a SemVer version, a known
//! `apiVersion`), so that every writer can build paths from the chart's name.

use std::io::Read;
use std::path::{Component, Path};

use serde::{Deserialize, Serialize};

mod bundled {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"));
}

/// `Chart.yaml`, the fields redis-ha uses.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ChartMetadata {
    pub api_version: String,
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub app_version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "type")]
    pub chart_type: Option<String>,
    #[serde(default)]
    pub kube_version: Option<String>,
}

/// One template file, named relative to `templates/`.
#[derive(Clone, Debug)]
pub struct TemplateFile {
    pub name: String,
    pub source: String,
}

/// A loaded chart.
#[derive(Clone, Debug)]
pub struct Chart {
    pub metadata: ChartMetadata,
    pub values_yaml: String,
    /// How the chart's `values.yaml` is named in messages.
    pub values_path: String,
    pub schema: Option<String>,
    pub schema_path: String,
    /// Sorted by name.
    pub templates: Vec<TemplateFile>,
}

/// A bundled values preset (`--env NAME`).
#[derive(Clone, Debug)]
pub struct Preset {
    pub name: String,
    pub path: String,
    pub text: String,
}

/// Helm's `MaxDecompressedChartSize`: the most a chart may hold, all files together.
pub const MAX_CHART_BYTES: u64 = 100 << 20;

/// Helm's `MaxDecompressedFileSize`: the most one file of a chart may hold.
pub const MAX_FILE_BYTES: u64 = 5 << 20;

/// The most files a chart may hold (Helm bounds only sizes; each file costs a little
/// besides its bytes, and no real chart comes near).
pub const MAX_FILES: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot read chart `{path}`")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("chart `{path}` has no `{file}`")]
    Missing { path: String, file: &'static str },
    #[error("{path}: invalid Chart.yaml: {message}")]
    Metadata { path: String, message: String },
    #[error("{path}: `{file}` is not UTF-8")]
    NotUtf8 { path: String, file: String },
    #[error(
        "{path}: `{file}` is not a regular file or directory\n  hint: a chart holds only files and directories; remove it"
    )]
    NotRegular { path: String, file: String },
    #[error(
        "{path}: `{file}` is in the archive twice\n  hint: rebuild the archive with `helm package` or `redis-ha package`"
    )]
    Duplicate { path: String, file: String },
    #[error(
        "{path}: {what} exceeds the limit of {limit}\n  hint: Helm refuses such charts too; remove what the chart does not need"
    )]
    TooLarge {
        path: String,
        what: String,
        limit: String,
    },
}

/// The chart compiled into the binary.
pub fn bundled() -> Chart {
    let files = bundled::CHART_FILES
        .iter()
        .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()));
    from_files("charts/redis-ha", files).expect("the bundled chart is checked by the test suite")
}

/// The presets compiled into the binary, by name (`dev`, `production`, ...).
pub fn bundled_presets() -> Vec<Preset> {
    bundled::PRESET_FILES
        .iter()
        .filter_map(|(path, text)| {
            let name = path.strip_prefix("values/values-")?.strip_suffix(".yaml")?;
            Some(Preset {
                name: name.to_owned(),
                path: (*path).to_owned(),
                text: (*text).to_owned(),
            })
        })
        .collect()
}

/// Loads a chart from a directory or a `.tgz` archive.
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    let label = path.display().to_string();
    let read_err = |source| ChartError::Read {
        path: label.clone(),
        source,
    };
    let mut files = Files {
        label: &label,
        list: Vec::new(),
        total: 0,
    };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if meta.is_dir() {
        walk(path, path, &mut files)?;
    } else if meta.is_file() {
        let file = std::fs::File::open(path).map_err(read_err)?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let mut seen = std::collections::BTreeSet::new();
        for entry in archive.entries().map_err(read_err)? {
            let entry = entry.map_err(read_err)?;
            if !entry.header().entry_type().is_file() {
                continue;
            }
            let entry_path = entry.path().map_err(read_err)?.into_owned();
            // Helm archives hold `<chart>/...`: drop that first component; refuse `..`.
            let mut components = entry_path.components();
            components.next();
            let rel = components.as_path();
            if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
                continue;
            }
            let name = rel.to_string_lossy().replace('\\', "/");
            if !seen.insert(name.clone()) {
                return Err(ChartError::Duplicate {
                    path: label.clone(),
                    file: name,
                });
            }
            files.push(name, entry)?;
        }
    } else {
        return Err(ChartError::NotRegular {
            path: label.clone(),
            file: label.clone(),
        });
    }
    let files = files.list;
    let mut text_files = Vec::new();
    for (name, bytes) in files {
        // Only text files matter here; others (icons, ...) are skipped unless they are needed.
        match String::from_utf8(bytes) {
            Ok(text) => text_files.push((name, text)),
            Err(_) if name.starts_with("templates/") || !name.contains('/') => {
                return Err(ChartError::NotUtf8 {
                    path: label,
                    file: name,
                });
            }
            Err(_) => {}
        }
    }
    from_files(&label, text_files.into_iter())
}

/// The files read so far, within Helm's limits.
struct Files<'a> {
    label: &'a str,
    list: Vec<(String, Vec<u8>)>,
    total: u64,
}

impl Files<'_> {
    /// Reads one file, at most up to the limits (a gzip bomb is never inflated further).
    fn push(&mut self, name: String, reader: impl Read) -> Result<(), ChartError> {
        let too_large = |what: String, limit: String| ChartError::TooLarge {
            path: self.label.to_owned(),
            what,
            limit,
        };
        if self.list.len() >= MAX_FILES {
            return Err(too_large(
                "the number of files".to_owned(),
                format!("{MAX_FILES} files"),
            ));
        }
        let mut bytes = Vec::new();
        let limit = MAX_FILE_BYTES.min(MAX_CHART_BYTES - self.total);
        reader
            .take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|source| ChartError::Read {
                path: format!("{}/{name}", self.label),
                source,
            })?;
        let len = bytes.len() as u64;
        if len > MAX_FILE_BYTES {
            return Err(too_large(
                format!("`{name}`"),
                format!("{} MiB per file", MAX_FILE_BYTES >> 20),
            ));
        }
        if len > limit {
            return Err(too_large(
                "the chart's total size".to_owned(),
                format!("{} MiB", MAX_CHART_BYTES >> 20),
            ));
        }
        self.total += len;
        self.list.push((name, bytes));
        Ok(())
    }
}

/// Reads a chart directory: regular files (or links to them) only; a FIFO, a socket or a
/// device is refused before it is opened, and a linked directory is not followed (it could
/// loop).
fn walk(root: &Path, dir: &Path, out: &mut Files<'_>) -> Result<(), ChartError> {
    let read_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| ChartError::Read { path, source }
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(read_err(dir))?;
    entries.sort();
    for path in entries {
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let kind = std::fs::symlink_metadata(&path).map_err(read_err(&path))?;
        if kind.is_dir() {
            walk(root, &path, out)?;
            continue;
        }
        // Follows a link, but only to a regular file.
        let target = std::fs::metadata(&path).map_err(read_err(&path))?;
        if !target.is_file() {
            return Err(ChartError::NotRegular {
                path: out.label.to_owned(),
                file: rel,
            });
        }
        let file = std::fs::File::open(&path).map_err(read_err(&path))?;
        out.push(rel, file)?;
    }
    Ok(())
}

/// Helm's checks of `Chart.yaml` (`chart.Metadata.Validate`): a known `apiVersion`, a name
/// that is one path component with no control character, and a SemVer version.
pub fn validate_metadata(metadata: &ChartMetadata) -> Result<(), String> {
    if !matches!(metadata.api_version.as_str(), "v1" | "v2") {
        return Err(format!(
            "`apiVersion` is `{}`: expected `v2` (or the older `v1`)",
            metadata.api_version.escape_debug()
        ));
    }
    validate_chart_name(&metadata.name)?;
    if !is_semver(&metadata.version) {
        return Err(format!(
            "`version` `{}` is not a SemVer version (like `1.2.3`)",
            metadata.version.escape_debug()
        ));
    }
    Ok(())
}

/// A chart name is used as a directory name by every writer: one path component.
pub fn validate_chart_name(name: &str) -> Result<(), String> {
    let shown = name.escape_debug();
    if name.is_empty() {
        return Err("`name` is empty".to_owned());
    }
    if name == "." || name == ".." || name.contains(['/', '\\']) {
        return Err(format!(
            "`name` `{shown}` is not a valid chart name: it must be one path component"
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(format!(
            "`name` `{shown}` is not a valid chart name: it holds a control character"
        ));
    }
    Ok(())
}

/// Whether `version` is SemVer as Helm reads it (Masterminds `semver.NewVersion`): an
/// optional `v`, one to three numbers, then the optional pre-release and build.
fn is_semver(version: &str) -> bool {
    let v = version.strip_prefix('v').unwrap_or(version);
    let end = v.find(['-', '+']).unwrap_or(v.len());
    let (core, rest) = v.split_at(end);
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() > 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    let mut full = parts.join(".");
    for _ in parts.len()..3 {
        full.push_str(".0");
    }
    full.push_str(rest);
    semver::Version::parse(&full).is_ok()
}

fn from_files(
    label: &str,
    files: impl Iterator<Item = (String, String)>,
) -> Result<Chart, ChartError> {
    let mut metadata = None;
    let mut values = None;
    let mut schema = None;
    let mut templates = Vec::new();
    for (name, text) in files {
        match name.as_str() {
            "Chart.yaml" => metadata = Some(text),
            "values.yaml" => values = Some(text),
            "values.schema.json" => schema = Some(text),
            _ => {
                if let Some(t) = name.strip_prefix("templates/") {
                    templates.push(TemplateFile {
                        name: t.to_owned(),
                        source: text,
                    });
                }
            }
        }
    }
    let metadata_text = metadata.ok_or_else(|| ChartError::Missing {
        path: label.to_owned(),
        file: "Chart.yaml",
    })?;
    let metadata: ChartMetadata =
        serde_saphyr::from_str(&metadata_text).map_err(|e| ChartError::Metadata {
            path: format!("{label}/Chart.yaml"),
            message: e.to_string(),
        })?;
    validate_metadata(&metadata).map_err(|message| ChartError::Metadata {
        path: format!("{label}/Chart.yaml"),
        message,
    })?;
    templates.sort_by(|a, b| a.name.cmp(&b.name));
    let prefix = label.trim_end_matches('/');
    Ok(Chart {
        values_yaml: values.unwrap_or_default(),
        values_path: format!("{prefix}/values.yaml"),
        schema,
        schema_path: format!("{prefix}/values.schema.json"),
        metadata,
        templates,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn semver_as_helm_reads_it() {
        for ok in [
            "1.2.3",
            "v1.2.3",
            "1.2",
            "1",
            "0.1.0-rc.1+build.5",
            "10.20.30",
        ] {
            assert!(is_semver(ok), "{ok}");
        }
        for bad in ["", "x", "1.2.3.4", "1..2", "1.2.3-", "a.b.c", "1.2.3 ", "v"] {
            assert!(!is_semver(bad), "{bad}");
        }
    }

    #[test]
    fn chart_names_are_one_path_component() {
        for ok in ["redis-ha", "my_chart", "a.b"] {
            assert!(validate_chart_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", ".", "..", "../../x", "/abs", "a/b", "a\\b", "a\nb"] {
            assert!(validate_chart_name(bad).is_err(), "{bad:?}");
        }
    }
}
