//! `redis-ha lint`: the checks that catch a broken HA deployment before it ships.
//!
//! The pipeline, each stage only when the previous one succeeded:
//!
//! 1. the merged values against the chart's schema (`values-schema-violation`);
//! 2. the values rules: quorum, sentinel count, memory, auth... ([`registry::Stage::Values`]);
//! 3. rendering (`template-render-failed`);
//! 4. the manifests, typed ([`typed`]: `k8s-openapi` types, CRD schemas, PromQL), then the
//!    manifest rules: wiring, security contexts, disruption budgets...
//!
//! Rules live in [`rules`], one file each, registered in [`registry::RULES`]; a finding points
//! at the line that set the value behind it, or at the template and object ([`finding`]).
//! This module owns running them; printing is [`output`]'s.

pub mod config;
pub mod context;
pub mod finding;
pub mod output;
pub mod registry;
pub mod rules;
pub mod templates;
pub mod typed;

use std::collections::BTreeSet;

pub use context::{Conf, Context, Environment, Templates};
pub use finding::{FilePos, Finding, Location, Severity};
pub use registry::{RULES, Rule, Stage};

use crate::chart::{Chart, TemplateFile};
use crate::manifest::Manifest;
use crate::registry::UnknownId;
use crate::release::{Pipeline, Release, ReleaseError};
use crate::render::{ReleaseOptions, RenderError};
use crate::topology::Topology;
use crate::values::{Node, ValueSources};

/// Something that stops the lint itself (not a finding): exit 2.
#[derive(Debug, thiserror::Error)]
pub enum LintError {
    #[error(transparent)]
    Release(#[from] ReleaseError),
    #[error("{unknown}\n  hint: {}", unknown.hint())]
    UnknownRule { unknown: UnknownId },
}

/// Which rules run: all but the skipped ones.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    skipped: BTreeSet<&'static str>,
}

impl Selection {
    /// Every rule.
    pub fn all() -> Selection {
        Selection::default()
    }

    /// Every rule but these; an unknown ID is an error (a typo would silently skip nothing).
    pub fn skipping(ids: &[String]) -> Result<Selection, LintError> {
        let mut skipped = BTreeSet::new();
        for id in ids.iter().flat_map(|i| i.split(',')).map(str::trim) {
            let rule = registry::find(id).ok_or_else(|| LintError::UnknownRule {
                unknown: registry::unknown(id),
            })?;
            skipped.insert(rule.meta().id);
        }
        Ok(Selection { skipped })
    }

    pub fn runs(&self, id: &str) -> bool {
        !self.skipped.contains(id)
    }
}

/// What a lint found.
#[derive(Debug, Default)]
pub struct Report {
    /// Sorted (see [`Finding::order`]).
    pub findings: Vec<Finding>,
    /// Rules that ran, in registry order.
    pub ran: Vec<&'static str>,
    /// Rules skipped with `--skip`.
    pub skipped: Vec<&'static str>,
    /// Why the later stages did not run, if they did not.
    pub stopped: Option<&'static str>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether the lint fails: any error, or any warning with `strict`.
    pub fn fails(&self, strict: bool) -> bool {
        self.count(Severity::Error) > 0 || (strict && self.count(Severity::Warning) > 0)
    }
}

/// Runs the rules of each stage in turn.
struct Runner<'s> {
    selection: &'s Selection,
    findings: Vec<Finding>,
    ran: Vec<&'static str>,
}

impl Runner<'_> {
    fn stage(&mut self, stage: Stage, cx: &Context<'_>) {
        for rule in RULES {
            let meta = rule.meta();
            if meta.stage != stage || !self.selection.runs(meta.id) {
                continue;
            }
            self.ran.push(meta.id);
            rule.check(cx, &mut registry::Sink::new(meta, &mut self.findings));
        }
    }

    fn finish(mut self, stopped: Option<&'static str>) -> Report {
        self.findings.sort_by(Finding::order);
        self.findings.dedup();
        let skipped = RULES
            .iter()
            .map(|r| r.meta().id)
            .filter(|id| !self.selection.runs(id))
            .collect();
        Report {
            findings: self.findings,
            ran: self.ran,
            skipped,
            stopped,
        }
    }
}

/// Lints a release: the chart with these values layers, rendered with these options, as
/// `profile` (`None`: from the names of the preset and files, [`Environment::of_sources`]).
///
/// Errors are what keeps the lint from running (an unreadable values file, a broken chart);
/// everything the lint is meant to catch is a finding.
pub fn lint(
    chart: &Chart,
    sources: &ValueSources,
    options: &ReleaseOptions,
    selection: &Selection,
    profile: Option<Environment>,
) -> Result<Report, LintError> {
    // The CRD schemas the manifest checks need compile beside the values' check.
    let release = Pipeline::new(chart).release_alongside(sources, options, typed::prepare)?;
    let environment = profile.unwrap_or_else(|| Environment::of_sources(sources));
    lint_release(chart, release, environment, &options.namespace, selection)
}

/// Lints a release made of `chart`: its schema violations and render error are findings.
pub fn lint_release(
    chart: &Chart,
    release: Release,
    environment: Environment,
    namespace: &str,
    selection: &Selection,
) -> Result<Report, LintError> {
    let Release {
        values,
        violations,
        manifests,
    } = release;
    let dir = Templates::dir_of(chart);
    // The effective server configurations are known once rendered: the values rules read
    // them too (a `maxmemory` in `redis.extraConfig` wins over `redis.maxmemory`).
    let (redis_conf, sentinel_conf) = match &manifests {
        Ok(manifests) => (Conf::redis(manifests), Conf::sentinel(manifests)),
        Err(_) => (Conf::default(), Conf::default()),
    };
    let topology = Topology::of_values(&values);
    let mut cx = Context {
        values: &values,
        topology: &topology,
        objects: &[],
        violations: &violations,
        render_error: None,
        environment,
        namespace,
        templates: Templates::of_chart(chart, &dir),
        redis_conf: &redis_conf,
        sentinel_conf: &sentinel_conf,
    };
    let mut runner = Runner {
        selection,
        findings: Vec::new(),
        ran: Vec::new(),
    };
    runner.stage(Stage::Schema, &cx);
    if !runner.findings.is_empty() {
        return Ok(runner.finish(Some("the values do not match the chart's schema")));
    }
    runner.stage(Stage::Values, &cx);
    let manifests = match manifests {
        Ok(manifests) => manifests,
        Err(err @ (RenderError::Template(..) | RenderError::InvalidYaml { .. })) => {
            cx.render_error = Some(&err);
            runner.stage(Stage::Render, &cx);
            return Ok(runner.finish(Some("the templates did not render")));
        }
        Err(err) => return Err(ReleaseError::Render(err).into()),
    };
    runner.stage(Stage::Render, &cx);
    let objects = typed::parse(&manifests);
    cx.objects = &objects;
    runner.stage(Stage::Manifests, &cx);
    Ok(runner.finish(None))
}

/// What [`check`] lints: values and manifests given directly, without a chart to render.
pub struct Input<'a> {
    pub values: &'a Node,
    pub manifests: &'a [Manifest],
    pub environment: Environment,
    pub namespace: &'a str,
    /// How template paths are shown, and the sources to find lines in.
    pub template_dir: &'a str,
    pub templates: &'a [TemplateFile],
}

/// Runs the values and manifest rules on given values and manifests (the test fixtures'
/// entry point, and a library user's with manifests from elsewhere).
pub fn check(input: &Input<'_>, selection: &Selection) -> Report {
    let objects = typed::parse(input.manifests);
    let redis_conf = Conf::redis(input.manifests);
    let sentinel_conf = Conf::sentinel(input.manifests);
    let topology = Topology::of_values(input.values);
    let cx = Context {
        values: input.values,
        topology: &topology,
        objects: &objects,
        violations: &[],
        render_error: None,
        environment: input.environment,
        namespace: input.namespace,
        templates: Templates {
            dir: input.template_dir,
            files: input.templates,
        },
        redis_conf: &redis_conf,
        sentinel_conf: &sentinel_conf,
    };
    let mut runner = Runner {
        selection,
        findings: Vec::new(),
        ran: Vec::new(),
    };
    runner.stage(Stage::Values, &cx);
    runner.stage(Stage::Manifests, &cx);
    runner.finish(None)
}
