//! The `manifest-unknown-kind` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::lint::typed::ProblemKind;

rule! {
    /// ## What it does
    /// Reports rendered objects whose `apiVersion` and `kind` have no known schema. That is a
    /// built-in kind Kubernetes 1.33 does not serve (`policy/v1beta1` PodDisruptionBudget), or
    /// a custom resource other than prometheus-operator's PrometheusRule and ServiceMonitor.
    ///
    /// ## Why is this bad?
    /// An API version removed from Kubernetes fails the whole install (`no matches for kind`).
    /// A custom resource the lint does not know is not checked at all: its typos go through.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: policy/v1beta1     # removed in Kubernetes 1.25
    /// kind: PodDisruptionBudget
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// ```
    pub struct ManifestUnknownKind {
        id: "manifest-unknown-kind",
        severity: Warning,
        category: Validity,
        stage: Manifests,
    }
}

impl Rule for ManifestUnknownKind {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for object in cx.objects {
            for problem in &object.problems {
                if problem.kind == ProblemKind::UnknownKind {
                    out.report(cx.object_location(object, None), problem.message.clone());
                }
            }
        }
    }
}
