//! A release: a chart and the user's values layers, checked and rendered to sorted manifests.
//!
//! This is the only place the pipeline runs (values → schema → render → sort): every command
//! (render, lint, diff, package) asks a [`Pipeline`] for a [`Release`] and decides what its
//! schema violations and render error mean (`render` fails on them, `lint` turns them into
//! findings). A pipeline keeps what is costly to build per chart (the compiled schema and the
//! template engine) so that two releases of one chart (a diff) compile them once. Each step's
//! errors belong to its module; this module only chains them.

use std::path::Path;
use std::sync::OnceLock;

use crate::chart::{self, Chart, ChartError};
use crate::manifest::Manifest;
use crate::render::{Engine, ReleaseOptions, RenderError};
use crate::schema::{Schema, SchemaError, Violation};
use crate::values::{self, Map, Node, ValueSources, ValuesError};

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

/// One chart's pipeline, with its schema and engine compiled on first use and kept.
pub struct Pipeline<'c> {
    chart: &'c Chart,
    validate: bool,
    /// `Ok(None)`: the chart has no schema. Compiling it is a good part of a render's time,
    /// so a second thread waits for the first's rather than compiling it again.
    schema: OnceLock<Result<Option<Schema>, SchemaError>>,
    /// Cheap to build (templates compile on first use, into the engine): not worth waiting for.
    engine: OnceLock<Engine>,
    /// The chart's `values.yaml`, parsed once for all the releases of a batch.
    defaults: OnceLock<Map>,
}

/// What a pipeline made of one set of values layers.
#[derive(Debug)]
pub struct Release {
    /// The merged values, each remembering its origin.
    pub values: Node,
    /// Every schema violation of `values` (none when the chart has no schema, or when the
    /// pipeline skips validation).
    pub violations: Vec<Violation>,
    /// The manifests in `helm template` order, or why the templates did not render.
    pub manifests: Result<Vec<Manifest>, RenderError>,
}

/// A release that passed: values valid, templates rendered.
#[derive(Clone, Debug)]
pub struct Rendered {
    pub values: Node,
    /// In `helm template` order.
    pub manifests: Vec<Manifest>,
}

impl Release {
    /// The release if nothing is wrong with it; schema violations win over the render error
    /// (invalid values often break templates).
    pub fn checked(self) -> Result<Rendered, ReleaseError> {
        if !self.violations.is_empty() {
            return Err(ReleaseError::Violations(self.violations));
        }
        Ok(Rendered {
            values: self.values,
            manifests: self.manifests?,
        })
    }
}

impl<'c> Pipeline<'c> {
    pub fn new(chart: &'c Chart) -> Pipeline<'c> {
        Pipeline {
            chart,
            validate: true,
            schema: OnceLock::new(),
            engine: OnceLock::new(),
            defaults: OnceLock::new(),
        }
    }

    /// A pipeline that does not validate values (`render --skip-schema-validation`): the
    /// schema is not even compiled.
    #[must_use]
    pub fn without_schema(mut self) -> Pipeline<'c> {
        self.validate = false;
        self
    }

    pub fn chart(&self) -> &'c Chart {
        self.chart
    }

    /// The effective values, before schema validation.
    pub fn values(&self, sources: &ValueSources) -> Result<Node, ReleaseError> {
        let defaults = self.defaults()?;
        let user = values::user_layers(sources, &crate::chart::bundled_presets())?;
        Ok(values::above_defaults(defaults, user))
    }

    /// The effective values of the user's merged layers (see [`values::file_layers`]), before
    /// schema validation.
    pub fn values_above(&self, user: Map) -> Result<Node, ReleaseError> {
        Ok(values::above_defaults(self.defaults()?, user))
    }

    fn defaults(&self) -> Result<Map, ValuesError> {
        if let Some(defaults) = self.defaults.get() {
            return Ok(defaults.clone());
        }
        let defaults = values::chart_defaults(self.chart)?;
        Ok(self.defaults.get_or_init(|| defaults).clone())
    }

    /// Merges, validates and renders one set of layers.
    pub fn release(
        &self,
        sources: &ValueSources,
        options: &ReleaseOptions,
    ) -> Result<Release, ReleaseError> {
        self.release_alongside(sources, options, || {})
    }

    /// [`Pipeline::release`], with `beside` run on the schema's thread once the values are
    /// checked: validation and rendering are independent and run side by side (they are most
    /// of a command's wall time); the schema check is the shorter, so its thread has room for
    /// other work (lint compiles its CRD schemas there; a third thread was measured slower on
    /// two cores).
    pub fn release_alongside(
        &self,
        sources: &ValueSources,
        options: &ReleaseOptions,
        beside: impl FnOnce() + Send,
    ) -> Result<Release, ReleaseError> {
        let values = self.values(sources)?;
        self.release_of(values, options, beside)
    }

    /// Validates and renders merged values (see [`Pipeline::release_alongside`]).
    pub fn release_of(
        &self,
        values: Node,
        options: &ReleaseOptions,
        beside: impl FnOnce() + Send,
    ) -> Result<Release, ReleaseError> {
        let (violations, manifests) = std::thread::scope(|scope| {
            let schema = scope.spawn(|| {
                let violations = self.violations(&values);
                beside();
                violations
            });
            let manifests = self.render(&values, options);
            let violations = schema
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (violations, manifests)
        });
        Ok(Release {
            values,
            violations: violations?,
            manifests,
        })
    }

    /// Every schema violation of `values` (none when the chart has no schema or the pipeline
    /// does not validate).
    pub fn violations(&self, values: &Node) -> Result<Vec<Violation>, SchemaError> {
        if !self.validate {
            return Ok(Vec::new());
        }
        Ok(self
            .schema()?
            .map(|schema| schema.validate(values))
            .unwrap_or_default())
    }

    /// Renders values as they are; manifests in `helm template` order.
    pub fn render(
        &self,
        values: &Node,
        options: &ReleaseOptions,
    ) -> Result<Vec<Manifest>, RenderError> {
        self.engine()?.render(values, options)
    }

    fn schema(&self) -> Result<Option<&Schema>, SchemaError> {
        let compiled = self.schema.get_or_init(|| match &self.chart.schema {
            Some(text) => Schema::compile(text, &self.chart.schema_path).map(Some),
            None => Ok(None),
        });
        compiled.as_ref().map(Option::as_ref).map_err(Clone::clone)
    }

    fn engine(&self) -> Result<&Engine, RenderError> {
        if let Some(engine) = self.engine.get() {
            return Ok(engine);
        }
        let engine = Engine::new(self.chart)?;
        Ok(self.engine.get_or_init(|| engine))
    }
}

/// The effective values, before schema validation.
pub fn merged_values(chart: &Chart, sources: &ValueSources) -> Result<Node, ReleaseError> {
    Pipeline::new(chart).values(sources)
}

/// Every schema violation of `values` (none when the chart has no schema).
pub fn violations(chart: &Chart, values: &Node) -> Result<Vec<Violation>, ReleaseError> {
    Ok(Pipeline::new(chart).violations(values)?)
}

/// The effective values, validated against the chart's schema.
pub fn checked_values(chart: &Chart, sources: &ValueSources) -> Result<Node, ReleaseError> {
    let pipeline = Pipeline::new(chart);
    let values = pipeline.values(sources)?;
    let violations = pipeline.violations(&values)?;
    if violations.is_empty() {
        Ok(values)
    } else {
        Err(ReleaseError::Violations(violations))
    }
}

/// Renders values as they are; manifests come back in `helm template` order.
pub fn render(
    chart: &Chart,
    values: &Node,
    options: &ReleaseOptions,
) -> Result<Vec<Manifest>, ReleaseError> {
    Ok(Pipeline::new(chart).render(values, options)?)
}
