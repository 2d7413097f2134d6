//! The `pods-in-one-failure-domain` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

/// Node labels naming one node or one zone: pinning to one value puts every pod there.
const DOMAIN_KEYS: &[&str] = &[
    "kubernetes.io/hostname",
    "topology.kubernetes.io/zone",
    "failure-domain.beta.kubernetes.io/zone",
];

rule! {
    /// ## What it does
    /// Checks that no `nodeSelector` or required node affinity pins the Redis or Sentinel pods
    /// of a workload with several replicas to one node or one zone. A single value of
    /// `kubernetes.io/hostname` or `topology.kubernetes.io/zone` does.
    ///
    /// ## Why is this bad?
    /// Anti-affinity cannot spread pods that may only run in one place: the node's or the
    /// zone's failure takes every replica and every sentinel at once, and the data with them
    /// when the volumes are local. Pin to a node pool (`node.kubernetes.io/instance-type`,
    /// a team label) instead, and spread across zones.
    ///
    /// ## Example
    /// ```yaml
    /// nodeSelector:
    ///   topology.kubernetes.io/zone: eu-west-1a
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// nodeSelector:
    ///   pool: redis
    /// topologySpreadConstraints:
    ///   - maxSkew: 1
    ///     topologyKey: topology.kubernetes.io/zone
    ///     whenUnsatisfiable: ScheduleAnyway
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: assigning pods to nodes](https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/)
    pub struct PodsInOneFailureDomain {
        id: "pods-in-one-failure-domain",
        severity: Error,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for PodsInOneFailureDomain {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.redis_and_sentinel() {
            if workload.replicas.is_none_or(|r| r < 2) {
                continue;
            }
            let Some(spec) = workload.spec() else {
                continue;
            };
            let by_selector = spec.node_selector.iter().flatten().find_map(|(k, v)| {
                DOMAIN_KEYS
                    .contains(&k.as_str())
                    .then(|| (format!("nodeSelector `{k}: {v}`"), "nodeSelector"))
            });
            let terms = spec
                .affinity
                .as_ref()
                .and_then(|a| a.node_affinity.as_ref())
                .and_then(|n| {
                    n.required_during_scheduling_ignored_during_execution
                        .as_ref()
                })
                .map(|r| r.node_selector_terms.as_slice())
                .unwrap_or_default();
            // Every term (they are ORed) must pin the same key to one value.
            let pinned = |term: &k8s_openapi::api::core::v1::NodeSelectorTerm| {
                term.match_expressions.iter().flatten().find_map(|e| {
                    let values = e.values.as_deref().unwrap_or_default();
                    (DOMAIN_KEYS.contains(&e.key.as_str())
                        && e.operator == "In"
                        && values.len() == 1)
                        .then(|| format!("`{} In [{}]`", e.key, values[0]))
                })
            };
            let by_affinity = (!terms.is_empty() && terms.iter().all(|t| pinned(t).is_some()))
                .then(|| pinned(&terms[0]))
                .flatten()
                .map(|p| (format!("required node affinity {p}"), "affinity"));
            let Some((what, key)) = by_selector.or(by_affinity) else {
                continue;
            };
            out.report(
                cx.traced_location(key, object, Some(&format!("spec.template.spec.{key}"))),
                format!("{what} puts every replica in one failure domain"),
            )
            .hint("select a pool of nodes by a label they share, and spread the pods across zones");
        }
    }
}
