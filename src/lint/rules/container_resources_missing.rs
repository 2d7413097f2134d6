//! The `container-resources-missing` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every container sets CPU and memory requests and limits. Init containers
    /// and sidecars included.
    ///
    /// ## Why is this bad?
    /// Without requests the scheduler packs pods onto nodes that cannot hold them, and they
    /// are the first evicted under memory pressure: the master included. Without a memory
    /// limit, Redis' growth is bounded only by the node, and `maxmemory` has nothing to be
    /// checked against; without a CPU limit a busy pod starves its neighbours. With requests
    /// equal to limits the pod gets the `Guaranteed` QoS class and is evicted last.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: redis
    ///     resources: {}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// containers:
    ///   - name: redis
    ///     resources:
    ///       requests: {cpu: 500m, memory: 4Gi}
    ///       limits: {cpu: "1", memory: 4Gi}
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: resource management for pods and containers](https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/)
    pub struct ContainerResourcesMissing {
        id: "container-resources-missing",
        severity: Warning,
        category: Resources,
        stage: Manifests,
    }
}

impl Rule for ContainerResourcesMissing {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, _, path, container) in cx.containers() {
            let resources = container.resources.as_ref();
            let requests = resources.and_then(|r| r.requests.as_ref());
            let limits = resources.and_then(|r| r.limits.as_ref());
            let mut missing = Vec::new();
            for (kind, list) in [("requests", requests), ("limits", limits)] {
                for resource in ["cpu", "memory"] {
                    if !list.is_some_and(|l| l.contains_key(resource)) {
                        missing.push(format!("`{kind}.{resource}`"));
                    }
                }
            }
            if missing.is_empty() {
                continue;
            }
            out.report(
                cx.object_location(object, Some(&format!("{path}.resources"))),
                format!(
                    "container `{}` has no {}",
                    container.name,
                    missing.join(", ")
                ),
            )
            .hint("set CPU and memory requests and limits for it in the values");
        }
    }
}
