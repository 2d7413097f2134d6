//! The `manifest-invalid-field` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::lint::typed::ProblemKind;

rule! {
    /// ## What it does
    /// Reports manifest fields of the wrong type or with an invalid value, and missing required
    /// fields. Built-in kinds are read into their Kubernetes 1.33 types, PrometheusRule and
    /// ServiceMonitor checked against prometheus-operator's CRDs; each problem comes with its
    /// path.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object, and with it the whole Helm release: the upgrade fails
    /// halfway, in the middle of a deploy, instead of in CI.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - containerPort: "6379"   # a string: Kubernetes wants an integer
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// ports:
    ///   - containerPort: 6379
    /// ```
    pub struct ManifestInvalidField {
        id: "manifest-invalid-field",
        severity: Error,
        category: Validity,
        stage: Manifests,
    }
}

impl Rule for ManifestInvalidField {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for object in cx.objects {
            for problem in &object.problems {
                if problem.kind == ProblemKind::InvalidField {
                    let message = if problem.path.is_empty() {
                        problem.message.clone()
                    } else {
                        format!("`{}`: {}", problem.path, problem.message)
                    };
                    out.report(cx.object_location(object, Some(&problem.path)), message);
                }
            }
        }
    }
}
