//! The `resources-request-exceeds-limit` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::quantity::Quantity;

rule! {
    /// ## What it does
    /// Checks that no container requests more of a resource than its limit. Each of
    /// `resources.requests` is compared with the same resource in `resources.limits`, by value
    /// (`2Gi` is more than `512Mi`, `1500m` more than `1`).
    ///
    /// ## Why is this bad?
    /// The API server rejects a pod whose request is above its limit, so the StatefulSet
    /// creates no pod at all: the chart renders and validates, and the rollout hangs. With a
    /// Redis pod gone and none coming back, the deployment runs one failure away from losing
    /// its master.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 2Gi
    ///   limits:
    ///     memory: 512Mi
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// resources:
    ///   requests:
    ///     memory: 2Gi
    ///   limits:
    ///     memory: 2Gi
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: requests and limits](https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#requests-and-limits)
    pub struct ResourcesRequestExceedsLimit {
        id: "resources-request-exceeds-limit",
        severity: Error,
        category: Resources,
        stage: Manifests,
    }
}

impl Rule for ResourcesRequestExceedsLimit {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload, path, container) in cx.containers() {
            let Some(resources) = &container.resources else {
                continue;
            };
            let (Some(requests), Some(limits)) = (&resources.requests, &resources.limits) else {
                continue;
            };
            for (name, request) in requests {
                let Some(limit) = limits.get(name) else {
                    continue;
                };
                let (Some(r), Some(l)) = (Quantity::parse(&request.0), Quantity::parse(&limit.0))
                else {
                    continue;
                };
                if r <= l {
                    continue;
                }
                let key = workload
                    .component
                    .values_prefix()
                    .map(|p| format!("{p}resources.requests.{name}"));
                let field = format!("{path}.resources.requests.{name}");
                let location = match &key {
                    Some(key) => cx.traced_location(key, object, Some(&field)),
                    None => cx.object_location(object, Some(&field)),
                };
                out.report(
                    location,
                    format!(
                        "container `{}` requests {name} {} above its limit {}: the API server rejects the pod",
                        container.name, request.0, limit.0
                    ),
                )
                .hint(format!(
                    "raise the {name} limit to at least {}, or lower the request",
                    request.0
                ));
            }
        }
    }
}
