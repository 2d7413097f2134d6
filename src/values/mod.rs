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
    let defaults = chart_defaults(chart)?;
    let user = user_layers(sources, &crate::chart::bundled_presets())?;
    Ok(above_defaults(defaults, user))
}

/// The chart's own `values.yaml`, the lowest layer.
pub fn chart_defaults(chart: &Chart) -> Result<Map, ValuesError> {
    read_layer(&chart.values_yaml, &chart.values_path, FileLayer::Chart)
}

/// The user's merged layers over the chart's defaults: the effective values.
pub fn above_defaults(defaults: Map, user: Map) -> Node {
    Node::new(
        Value::Map(merge::coalesce(defaults, user)),
        Origin::Computed,
    )
}

/// Merges the user's layers (everything above the chart defaults), nulls kept.
pub fn user_layers(sources: &ValueSources, presets: &[Preset]) -> Result<Map, ValuesError> {
    let mut user = file_layers(sources, presets)?;
    apply_flags(sources, &mut user)?;
    Ok(user)
}

/// The preset and the `-f` files merged, without the `--set` flags that go above them: a batch
/// render (`render --values-dir`) reads these once and adds each release's file on top.
pub fn file_layers(sources: &ValueSources, presets: &[Preset]) -> Result<Map, ValuesError> {
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
        merge_file(&mut user, &text, label)?;
    }
    Ok(user)
}

/// Merges one more values file, `label` naming it in locations, above the layers in `user`.
pub fn merge_file(user: &mut Map, text: &str, label: &str) -> Result<(), ValuesError> {
    merge::merge_maps(user, read_layer(text, label, FileLayer::User)?);
    Ok(())
}

/// Applies the `--set*` flags, in their kinds' order of precedence, above the files in `user`.
pub fn apply_flags(sources: &ValueSources, user: &mut Map) -> Result<(), ValuesError> {
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
            strvals::apply_within(arg, kind, user, &mut read_file, &mut budget)?;
        }
    }
    Ok(())
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
