//! The `pdb-selects-no-pods` rule.

use crate::lint::context::{Context, pdb_targets};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the selector of every PodDisruptionBudget matches the pods of a workload in
    /// the render.
    ///
    /// ## Why is this bad?
    /// A budget that selects nothing protects nothing: drains evict the pods it was meant to
    /// keep, and since the budget exists, everyone believes they are protected.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PodDisruptionBudget
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app: redis           # the pods have app.kubernetes.io/name
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   selector:
    ///     matchLabels:
    ///       app.kubernetes.io/name: redis-ha
    ///       app.kubernetes.io/component: redis
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: specifying a disruption budget](https://kubernetes.io/docs/tasks/run-application/configure-pdb/)
    pub struct PdbSelectsNoPods {
        id: "pdb-selects-no-pods",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for PdbSelectsNoPods {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, pdb) in cx.pdbs() {
            let has_selector = pdb.spec.as_ref().is_some_and(|s| s.selector.is_some());
            let (targets, _) = pdb_targets(cx, object, pdb);
            if !targets.is_empty() {
                continue;
            }
            let message = if has_selector {
                "its selector matches no pod of the release: it protects nothing"
            } else {
                "has no selector: it protects nothing"
            };
            out.report(cx.object_location(object, Some("spec.selector")), message)
                .hint("use the labels of the pod template it should protect");
        }
    }
}
