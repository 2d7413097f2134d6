//! The `anti-affinity-selects-no-pods` rule.

use crate::lint::context::{Context, selector_matches};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that each pod anti-affinity term and topology spread constraint of the Redis and
    /// Sentinel workloads selects the workload's own pods. Its `labelSelector` must match the
    /// pod template's labels.
    ///
    /// ## Why is this bad?
    /// Anti-affinity keeps a pod away from the pods its selector matches. A selector with a
    /// typo, or labels of another release, matches none of the replicas: the scheduler happily
    /// puts them all on one node, and the spreading the manifest promises does not happen.
    ///
    /// ## Example
    /// ```yaml
    /// affinity:
    ///   podAntiAffinity:
    ///     requiredDuringSchedulingIgnoredDuringExecution:
    ///       - topologyKey: kubernetes.io/hostname
    ///         labelSelector:
    ///           matchLabels: {app: redsi}
    /// ```
    ///
    /// Use instead: the labels the pods carry (`app.kubernetes.io/name`,
    /// `app.kubernetes.io/instance`, `app.kubernetes.io/component`).
    ///
    /// ## References
    /// - [Kubernetes: inter-pod affinity and anti-affinity](https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity)
    pub struct AntiAffinitySelectsNoPods {
        id: "anti-affinity-selects-no-pods",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for AntiAffinitySelectsNoPods {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.redis_and_sentinel() {
            let Some(spec) = workload.spec() else {
                continue;
            };
            let anti = spec
                .affinity
                .as_ref()
                .and_then(|a| a.pod_anti_affinity.as_ref());
            let required = anti
                .and_then(|a| {
                    a.required_during_scheduling_ignored_during_execution
                        .as_ref()
                })
                .into_iter()
                .flatten()
                .map(|t| (t.label_selector.as_ref(), "spec.template.spec.affinity"));
            let preferred = anti
                .and_then(|a| {
                    a.preferred_during_scheduling_ignored_during_execution
                        .as_ref()
                })
                .into_iter()
                .flatten()
                .map(|w| {
                    (
                        w.pod_affinity_term.label_selector.as_ref(),
                        "spec.template.spec.affinity",
                    )
                });
            let spread = spec.topology_spread_constraints.iter().flatten().map(|c| {
                (
                    c.label_selector.as_ref(),
                    "spec.template.spec.topologySpreadConstraints",
                )
            });
            for (selector, path) in required.chain(preferred).chain(spread) {
                // No selector selects nothing: Kubernetes treats it as matching no pod.
                let matches = selector.is_some_and(|s| selector_matches(s, workload.labels()));
                if !matches {
                    let key = if path.ends_with("topologySpreadConstraints") {
                        "topologySpreadConstraints"
                    } else {
                        "affinity"
                    };
                    out.report(
                        cx.traced_location(key, object, Some(path)),
                        "a spreading rule's label selector matches none of its own pods: it spreads nothing",
                    )
                    .hint("select the pods by the labels of the pod template (`app.kubernetes.io/instance`, `app.kubernetes.io/component`)");
                    break;
                }
            }
        }
    }
}
