//! The `pdb-blocks-drain` rule.

use crate::lint::context::{Context, pdb_disruptions, pdb_targets};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every PodDisruptionBudget lets at least one pod be evicted.
    ///
    /// ## Why is this bad?
    /// A budget with `maxUnavailable: 0`, or a `minAvailable` equal to the number of pods,
    /// allows no voluntary disruption at all: `kubectl drain` retries forever, cluster upgrades
    /// and node autoscaling stall on the node, and someone ends up deleting the budget by hand
    /// in the middle of an upgrade. The budget should protect the quorum, not freeze the pods.
    ///
    /// ## Example
    /// ```yaml
    /// # 3 Redis pods
    /// spec:
    ///   minAvailable: 3
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   maxUnavailable: 1
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: specifying a disruption budget](https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions)
    pub struct PdbBlocksDrain {
        id: "pdb-blocks-drain",
        severity: Error,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for PdbBlocksDrain {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, pdb) in cx.pdbs() {
            let (targets, Some(pods)) = pdb_targets(cx, object, pdb) else {
                continue;
            };
            if targets.is_empty() {
                continue;
            }
            if pdb_disruptions(pdb, pods) == Some(0) {
                let field = if pdb
                    .spec
                    .as_ref()
                    .is_some_and(|s| s.max_unavailable.is_some())
                {
                    "spec.maxUnavailable"
                } else {
                    "spec.minAvailable"
                };
                out.report(
                    cx.object_location(object, Some(field)),
                    format!(
                        "allows no eviction of its {pods} pod{}: a node drain never completes",
                        if pods == 1 { "" } else { "s" }
                    ),
                )
                .hint("set `maxUnavailable: 1`");
            }
        }
    }
}
