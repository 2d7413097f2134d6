//! The `stateful-set-service-missing` rule.

use crate::lint::context::{Context, Typed};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that each StatefulSet's `serviceName` names a headless Service
    /// (`clusterIP: None`) of the release, in the StatefulSet's namespace.
    ///
    /// ## Why is this bad?
    /// The pods' DNS names (`redis-0.redis-headless.ns.svc`) exist only through that headless
    /// Service. Sentinel, the replicas and the start-up scripts all find each other by those
    /// names: without the Service nothing resolves, replication never starts and Sentinel
    /// monitors a name that does not exist.
    ///
    /// ## Example
    /// ```yaml
    /// kind: StatefulSet
    /// spec:
    ///   serviceName: redis-headles
    /// ```
    ///
    /// Use instead: the name of the headless Service, spelled as its `metadata.name`.
    ///
    /// ## References
    /// - [Kubernetes: StatefulSet stable network ID](https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#stable-network-id)
    pub struct StatefulSetServiceMissing {
        id: "stateful-set-service-missing",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for StatefulSetServiceMissing {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for object in cx.of_kind("StatefulSet") {
            if !matches!(object.typed, Typed::Workload(_)) {
                continue;
            }
            let Some(name) = object
                .manifest
                .object
                .pointer("/spec/serviceName")
                .and_then(|n| n.as_str())
            else {
                continue;
            };
            let namespace = object.namespace(cx);
            let service = cx
                .services()
                .find(|(o, _)| o.manifest.name() == name && o.namespace(cx) == namespace);
            let problem = match service {
                None => format!(
                    "`serviceName` `{name}` names no Service of the release: its pods get no DNS names"
                ),
                Some((_, s))
                    if s.spec.as_ref().and_then(|s| s.cluster_ip.as_deref()) != Some("None") =>
                {
                    format!(
                        "`serviceName` `{name}` is not a headless Service (`clusterIP: None`): its pods get no DNS names"
                    )
                }
                Some(_) => continue,
            };
            out.report(
                cx.object_location(object, Some("spec.serviceName")),
                problem,
            )
            .hint("name the release's headless Service, with `clusterIP: None`");
        }
    }
}
