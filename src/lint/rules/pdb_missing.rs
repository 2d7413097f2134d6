//! The `pdb-missing` rule.

use crate::lint::context::{Context, selector_matches};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every Redis and Sentinel workload with more than one pod is covered by a
    /// PodDisruptionBudget.
    ///
    /// ## Why is this bad?
    /// Without a budget, a node drain (a cluster upgrade, the autoscaler removing a node)
    /// evicts pods with no regard for the deployment: two Redis pods or two sentinels on nodes
    /// drained together go down at once, and a drain can take the master and the sentinels
    /// that should promote its replica in the same minute. A budget makes the drain wait
    /// until the evicted pod is back.
    ///
    /// ## Example
    /// ```yaml
    /// pdb:
    ///   enabled: false
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// pdb:
    ///   enabled: true
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: specifying a disruption budget](https://kubernetes.io/docs/tasks/run-application/configure-pdb/)
    pub struct PdbMissing {
        id: "pdb-missing",
        severity: Warning,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for PdbMissing {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.redis_and_sentinel() {
            if workload.replicas.is_none_or(|r| r < 2) {
                continue;
            }
            let covered = cx.pdbs().any(|(pdb_object, pdb)| {
                pdb_object.namespace(cx) == object.namespace(cx)
                    && pdb
                        .spec
                        .as_ref()
                        .and_then(|s| s.selector.as_ref())
                        .is_some_and(|s| selector_matches(s, workload.labels()))
            });
            if covered {
                continue;
            }
            let location = if cx.bool("pdb.enabled") == Some(false) {
                let mut location = cx.value_location("pdb.enabled");
                location.object = Some(object.manifest.display_name());
                location
            } else {
                cx.object_location(object, None)
            };
            out.report(
                location,
                "no PodDisruptionBudget covers these pods: a node drain can evict several at once",
            )
            .hint("enable `pdb.enabled`, or add a PodDisruptionBudget with `maxUnavailable: 1`");
        }
    }
}
