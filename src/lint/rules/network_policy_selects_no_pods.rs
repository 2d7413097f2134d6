//! The `network-policy-selects-no-pods` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every NetworkPolicy selects pods of the render. Its `podSelector` must match
    /// the pods of a workload in the policy's namespace.
    ///
    /// ## Why is this bad?
    /// A policy that selects no pod isolates nothing: Redis stays open to the whole cluster
    /// while the policy in the release suggests otherwise.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector:
    ///     matchLabels:
    ///       app.kubernetes.io/component: master   # the pods say `redis`
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   podSelector:
    ///     matchLabels:
    ///       app.kubernetes.io/component: redis
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: network policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/)
    pub struct NetworkPolicySelectsNoPods {
        id: "network-policy-selects-no-pods",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for NetworkPolicySelectsNoPods {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.workloads().next().is_none() {
            return;
        }
        for (object, policy) in cx.network_policies() {
            let selector = policy.spec.as_ref().and_then(|s| s.pod_selector.clone());
            let selector = selector.unwrap_or_default();
            if cx.pods_matching(object.namespace(cx), &selector).is_empty() {
                out.report(
                    cx.object_location(object, Some("spec.podSelector")),
                    "its podSelector matches no pod of the release: it isolates nothing",
                )
                .hint("use the labels of the pod templates it should isolate");
            }
        }
    }
}
