//! The `pods-not-spread` rule.

use crate::lint::context::{Context, selector_matches};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the pods of each Redis and Sentinel workload are spread across nodes. It
    /// looks for a pod anti-affinity term (required or preferred) or a topology spread
    /// constraint that selects the workload's own pods, on `kubernetes.io/hostname` or a
    /// coarser node label (pods in different zones are on different nodes).
    ///
    /// ## Why is this bad?
    /// Nothing stops the scheduler from placing all three Redis pods, or all three sentinels,
    /// on one node. Replication and a quorum then protect against a crashed process but not
    /// against the failure they exist for: when that node goes, the master, its replicas and
    /// the sentinels that should promote one go with it.
    ///
    /// ## Example
    /// ```yaml
    /// antiAffinity: ""          # no anti-affinity rendered
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// antiAffinity: hard        # or soft, where there are fewer nodes than pods
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: inter-pod affinity and anti-affinity](https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity)
    /// - [Kubernetes: pod topology spread constraints](https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/)
    pub struct PodsNotSpread {
        id: "pods-not-spread",
        severity: Warning,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for PodsNotSpread {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.redis_and_sentinel() {
            if workload.replicas.is_none_or(|r| r < 2) {
                continue;
            }
            let Some(spec) = workload.spec() else {
                continue;
            };
            let own = |selector: Option<
                &k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector,
            >| {
                selector.is_some_and(|s| selector_matches(s, workload.labels()))
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
                .flatten();
            let preferred = anti
                .and_then(|a| {
                    a.preferred_during_scheduling_ignored_during_execution
                        .as_ref()
                })
                .into_iter()
                .flatten()
                .map(|w| &w.pod_affinity_term);
            let by_affinity = required
                .chain(preferred)
                .any(|t| !t.topology_key.is_empty() && own(t.label_selector.as_ref()));
            let by_spread = spec
                .topology_spread_constraints
                .iter()
                .flatten()
                .any(|c| !c.topology_key.is_empty() && own(c.label_selector.as_ref()));
            if !(by_affinity || by_spread) {
                let replicas = workload.replicas.unwrap_or(0);
                out.report(
                    cx.object_location(object, Some("spec.template.spec.affinity")),
                    format!(
                        "nothing keeps its {replicas} pods on different nodes: one node failure can take them all"
                    ),
                )
                .hint("add pod anti-affinity on `kubernetes.io/hostname` (the chart's `antiAffinity: soft` or `hard`)");
            }
        }
    }
}
