//! The `manifest-unknown-field` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::lint::typed::ProblemKind;

rule! {
    /// ## What it does
    /// Reports manifest fields that the object's schema does not have. Built-in kinds are read
    /// into their Kubernetes 1.33 types, PrometheusRule and ServiceMonitor are checked against
    /// prometheus-operator's CRDs.
    ///
    /// ## Why is this bad?
    /// The API server drops unknown fields with at most a warning (`kubectl` prints it, Helm
    /// and Argo CD do not). A misspelled `resorces` leaves the container without limits; a
    /// misplaced `securityContext` leaves it running as root; nothing fails, so nobody notices.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: redis
    ///     resorces:             # unknown: the limits are silently dropped
    ///       limits: {memory: 1Gi}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: redis
    ///     resources:
    ///       limits: {memory: 1Gi}
    /// ```
    pub struct ManifestUnknownField {
        id: "manifest-unknown-field",
        severity: Error,
        category: Validity,
        stage: Manifests,
    }
}

impl Rule for ManifestUnknownField {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for object in cx.objects {
            for problem in &object.problems {
                if problem.kind == ProblemKind::UnknownField {
                    out.report(
                        cx.object_location(object, Some(&problem.path)),
                        format!("{} at `{}`", problem.message, problem.path),
                    );
                }
            }
        }
    }
}
