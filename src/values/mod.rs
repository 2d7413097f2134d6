//! Values: the layers a user gives, merged in Helm's order, every value with its origin.
//!
//! Order (lowest first): the chart's `values.yaml` < `--env` preset < `-f` files in order <
//! `--set-json` < `--set` < `--set-string` < `--set-file` < `--set-literal`, whatever order
//! the flags were typed in. This module owns reading and merging; it leaves checking the result
//! to [`crate::schema`].

pub mod merge;
pub mod node;
pub mod scalar;
pub mod show;
pub mod strvals;
pub mod yaml;

use std::io::Write as _;

pub use node::{FileLayer, Map, Node, Origin, Value};
use strvals::{SetError, SetKind};
use yaml::YamlError;

use crate::chart::{Chart, Preset};

/// What the user asked for, flag by flag (no clap types: see `cli.rs`).
#[derive(Clone, Debug, Default)]
pub struct ValueSources {
    /// A bundled preset name (`--env`).
    pub env: Option<String>,
    /// `-f/--values` files in the order given; `-` is standard input.
    pub files: Vec<String>,
    pub set_json: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub set_literal: Vec<String>,
}

/// A layer that cannot be read.
#[derive(Debug, thiserror::Error)]
pub enum ValuesError {
    #[error("cannot read values file `{path}`")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Yaml(#[from] YamlError),
    #[error(transparent)]
    Set(#[from] SetError),
    #[error("unknown environment `{name}`\n  hint: the bundled presets are: {}", available.join(", "))]
    UnknownEnv {
        name: String,
        available: Vec<String>,
    },
}

/// Reads and merges every layer; returns the effective values as a map node.
pub fn resolve(chart: &Chart, sources: &ValueSources) -> Result<Node, ValuesError> {
    let defaults = read_layer(&chart.values_yaml, &chart.values_path, FileLayer::Chart)?;
    let user = user_layers(sources, &crate::chart::bundled_presets())?;
    let merged = merge::coalesce(defaults, user);
    Ok(Node::new(Value::Map(merged), Origin::Computed))
}

/// Merges the user's layers (everything above the chart defaults), nulls kept.
pub fn user_layers(sources: &ValueSources, presets: &[Preset]) -> Result<Map, ValuesError> {
    let mut user = Map::new();
    if let Some(name) = &sources.env {
        let preset =
            presets
                .iter()
                .find(|p| p.name == *name)
                .ok_or_else(|| ValuesError::UnknownEnv {
                    name: name.clone(),
                    available: presets.iter().map(|p| p.name.clone()).collect(),
                })?;
        let layer = read_layer(&preset.text, &preset.path, FileLayer::Preset)?;
        merge::merge_maps(&mut user, layer);
    }
    for path in sources.files.iter().flat_map(|f| f.split(',')) {
        let text = read_source(path)?;
        let label = if path == "-" { "<stdin>" } else { path };
        merge::merge_maps(&mut user, read_layer(&text, label, FileLayer::User)?);
    }
    let mut read_file = |path: &str| crate::input::read_text(path).map_err(|e| e.to_string());
    let flags = [
        (SetKind::Json, &sources.set_json),
        (SetKind::Set, &sources.set),
        (SetKind::String, &sources.set_string),
        (SetKind::File, &sources.set_file),
        (SetKind::Literal, &sources.set_literal),
    ];
    let mut budget = strvals::Budget::default();
    for (kind, args) in flags {
        for arg in args {
            strvals::apply_within(arg, kind, &mut user, &mut read_file, &mut budget)?;
        }
    }
    Ok(user)
}

/// Parses one values file; what Helm accepts silently (duplicate keys) is a warning on stderr.
fn read_layer(text: &str, label: &str, layer: FileLayer) -> Result<Map, ValuesError> {
    let (map, warnings) = yaml::parse_values_with_warnings(text, label, layer)?;
    let mut stderr = std::io::stderr().lock();
    for warning in warnings {
        let _ = writeln!(stderr, "warning: {warning}");
    }
    Ok(map)
}

/// A values file's text; `-` is standard input.
pub fn read_source(path: &str) -> Result<String, ValuesError> {
    crate::input::read_text(path).map_err(|source| ValuesError::Read {
        path: path.to_owned(),
        source,
    })
}
