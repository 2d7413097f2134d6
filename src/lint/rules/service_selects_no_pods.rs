//! The `service-selects-no-pods` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every Service selects pods of the render. Its selector must match the pod
    /// labels of a workload in the Service's namespace.
    ///
    /// ## Why is this bad?
    /// A Service whose selector matches no pod has no endpoints: clients resolve its name and
    /// then time out. Kubernetes accepts it without a word, and a label renamed in one template
    /// but not in the other is enough to get there.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector:
    ///     app.kubernetes.io/component: sentinels   # the pods say `sentinel`
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   selector:
    ///     app.kubernetes.io/component: sentinel
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Service](https://kubernetes.io/docs/concepts/services-networking/service/)
    pub struct ServiceSelectsNoPods {
        id: "service-selects-no-pods",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for ServiceSelectsNoPods {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, service) in cx.services() {
            let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
                continue;
            };
            if selector.is_empty()
                || !cx
                    .pods_matching_map(object.namespace(cx), selector)
                    .is_empty()
            {
                continue;
            }
            let shown = selector
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",");
            out.report(
                cx.object_location(object, Some("spec.selector")),
                format!(
                    "selector `{shown}` matches no pod of the release: the Service has no endpoints"
                ),
            )
            .hint("use the labels of the pod template it should route to");
        }
    }
}
