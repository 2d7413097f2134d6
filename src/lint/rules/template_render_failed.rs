//! The `template-render-failed` rule.

use crate::lint::context::Context;
use crate::lint::finding::{FilePos, Location};
use crate::lint::registry::{Rule, Sink, rule};
use crate::render::RenderError;

rule! {
    /// ## What it does
    /// Reports a template that fails to render, or renders a document that is not YAML, at the
    /// template's line.
    ///
    /// ## Why is this bad?
    /// Nothing can be deployed from a chart that does not render. The chart also fails on
    /// purpose when values contradict each other (`tls.enabled` without `tls.existingSecret`):
    /// the message says which values to set. The manifest checks do not run when rendering
    /// fails.
    ///
    /// ## Example
    /// ```yaml
    /// tls:
    ///   enabled: true
    ///   existingSecret: ""   # the chart cannot make a certificate from nothing
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// tls:
    ///   enabled: true
    ///   existingSecret: redis-tls
    /// ```
    pub struct TemplateRenderFailed {
        id: "template-render-failed",
        severity: Error,
        category: Validity,
        stage: Render,
    }
}

impl Rule for TemplateRenderFailed {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(error) = cx.render_error else {
            return;
        };
        let at = |template: &str, line: usize| Location {
            file: Some(FilePos {
                path: format!("{}/{template}", cx.templates.dir),
                line: u32::try_from(line).unwrap_or(1).max(1),
                col: 1,
            }),
            ..Location::default()
        };
        match error {
            RenderError::Template(_, err) => {
                let message = match err.detail() {
                    Some(detail) => format!("{}: {detail}", err.kind()),
                    None => err.kind().to_string(),
                };
                let location = match err.name() {
                    Some(name) => at(name, err.line().unwrap_or(1)),
                    None => Location::default(),
                };
                out.report(location, message);
            }
            RenderError::InvalidYaml {
                template,
                document,
                line,
                message,
                ..
            } => {
                out.report(
                    at(template, 1),
                    format!(
                        "rendered document {document}, line {line}, is not valid YAML: {message}"
                    ),
                );
            }
            _ => {}
        }
    }
}
