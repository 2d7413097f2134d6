//! Charts: the bundled one (embedded at build time), a directory, or a `.tgz` archive.
//!
//! A chart has Helm's layout (`Chart.yaml`, `values.yaml`, `values.schema.json`,
//! `templates/`), with Jinja templates. This module only loads files; it leaves parsing values
//! to [`crate::values`] and templates to [`crate::render`].

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

#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    #[error("cannot read chart `{path}`: {source}")]
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
    let mut files = Vec::new();
    if path.is_dir() {
        walk(path, path, &mut files).map_err(read_err)?;
    } else {
        let file = std::fs::File::open(path).map_err(read_err)?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        for entry in archive.entries().map_err(read_err)? {
            let mut entry = entry.map_err(read_err)?;
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
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).map_err(read_err)?;
            files.push((rel.to_string_lossy().replace('\\', "/"), bytes));
        }
    }
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

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(root, &path, out)?;
        } else if let Ok(rel) = path.strip_prefix(root) {
            out.push((
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read(&path)?,
            ));
        }
    }
    Ok(())
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
