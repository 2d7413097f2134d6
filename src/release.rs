//! A release: a chart and the user's values layers, checked and rendered to sorted manifests.
//!
//! This is the pipeline every command shares (render, lint, diff, package): load the chart,
//! merge the values, validate them against the chart's schema, render, sort. Each step's errors
//! belong to its module; this module only chains them.

use std::path::Path;

use crate::chart::{self, Chart, ChartError};
use crate::manifest::{Manifest, sort_by_install_order};
use crate::render::{Engine, ReleaseOptions, RenderError};
use crate::schema::{Schema, SchemaError, Violation};
use crate::values::{self, Node, ValueSources, ValuesError};

/// Something that stops a render.
#[derive(Debug, thiserror::Error)]
pub enum ReleaseError {
    #[error(transparent)]
    Chart(#[from] ChartError),
    #[error(transparent)]
    Values(#[from] ValuesError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\nerror: "))]
    Violations(Vec<Violation>),
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// The bundled chart, or the one at `path` (a directory or a `.tgz`).
pub fn load_chart(path: Option<&Path>) -> Result<Chart, ChartError> {
    path.map_or_else(|| Ok(chart::bundled()), chart::load)
}

/// The effective values, before schema validation.
pub fn merged_values(chart: &Chart, sources: &ValueSources) -> Result<Node, ReleaseError> {
    Ok(values::resolve(chart, sources)?)
}

/// Every schema violation of `values` (none when the chart has no schema).
pub fn violations(chart: &Chart, values: &Node) -> Result<Vec<Violation>, ReleaseError> {
    let Some(text) = &chart.schema else {
        return Ok(Vec::new());
    };
    Ok(Schema::compile(text, &chart.schema_path)?.validate(values))
}

/// The effective values, validated against the chart's schema.
pub fn checked_values(chart: &Chart, sources: &ValueSources) -> Result<Node, ReleaseError> {
    let values = merged_values(chart, sources)?;
    let violations = violations(chart, &values)?;
    if violations.is_empty() {
        Ok(values)
    } else {
        Err(ReleaseError::Violations(violations))
    }
}

/// Merges, validates and renders in one go: the schema is checked on its own thread while the
/// templates compile and render, since the two are independent; schema violations win over
/// render errors (invalid values often break templates).
pub fn render_checked(
    chart: &Chart,
    sources: &ValueSources,
    options: &ReleaseOptions,
) -> Result<(Node, Vec<Manifest>), ReleaseError> {
    let values = merged_values(chart, sources)?;
    let (violations, rendered) = std::thread::scope(|scope| {
        let schema = scope.spawn(|| violations(chart, &values));
        let rendered = render(chart, &values, options);
        (schema.join(), rendered)
    });
    let violations = violations.unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
    if !violations.is_empty() {
        return Err(ReleaseError::Violations(violations));
    }
    Ok((values, rendered?))
}

/// Renders validated values; manifests come back in `helm template` order.
pub fn render(
    chart: &Chart,
    values: &Node,
    options: &ReleaseOptions,
) -> Result<Vec<Manifest>, ReleaseError> {
    let engine = Engine::new(chart)?;
    let mut manifests = engine.render(values, options)?;
    sort_by_install_order(&mut manifests);
    Ok(manifests)
}
