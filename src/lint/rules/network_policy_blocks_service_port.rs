//! The `network-policy-blocks-service-port` rule.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::lint::context::{Context, Direction, rule_admits};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that NetworkPolicies admit every port a Service exposes on the pods they isolate.
    /// When policies select a pod for ingress, one of their rules must admit each such port
    /// (Redis 6379, Sentinel 26379, the exporter's 9121, ...).
    ///
    /// ## Why is this bad?
    /// Once any policy selects a pod for ingress, everything not explicitly admitted is
    /// dropped. A policy that forgets the Sentinel port blocks failover (sentinels stop seeing
    /// each other and clients cannot ask for the master); one that forgets the metrics port
    /// makes every Redis look down to Prometheus. Connections time out rather than being
    /// refused, which makes the cause hard to find.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   podSelector: {matchLabels: {app.kubernetes.io/component: sentinel}}
    ///   ingress:
    ///     - ports: [{port: 6379}]      # the Sentinel Service exposes 26379
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///   ingress:
    ///     - ports: [{port: 26379}]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: network policies, isolated and non-isolated pods](https://kubernetes.io/docs/concepts/services-networking/network-policies/#the-two-sorts-of-pod-isolation)
    pub struct NetworkPolicyBlocksServicePort {
        id: "network-policy-blocks-service-port",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for NetworkPolicyBlocksServicePort {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (service_object, service) in cx.services() {
            let Some(spec) = &service.spec else {
                continue;
            };
            let Some(selector) = spec.selector.as_ref().filter(|s| !s.is_empty()) else {
                continue;
            };
            for (object, workload) in cx.pods_matching_map(service_object.namespace(cx), selector) {
                let policies = cx.isolating_policies(object, workload, Direction::Ingress);
                let Some((first, _)) = policies.first() else {
                    continue;
                };
                let declared = workload.ports();
                for port in spec.ports.iter().flatten() {
                    let protocol = port.protocol.as_deref().unwrap_or("TCP");
                    let target = port
                        .target_port
                        .clone()
                        .unwrap_or(IntOrString::Int(port.port));
                    // The container port behind the Service port: its number and its name.
                    let resolved = declared.iter().find(|(name, number, _)| match &target {
                        IntOrString::Int(n) => number == n,
                        IntOrString::String(s) => *name == Some(s.as_str()),
                    });
                    let (number, name) = match (resolved, &target) {
                        (Some((name, number, _)), _) => (*number, *name),
                        (None, IntOrString::Int(n)) => (*n, None),
                        // An unknown port name is `service-target-port-unknown`'s finding.
                        (None, IntOrString::String(_)) => continue,
                    };
                    let admitted = policies.iter().any(|(_, policy)| {
                        policy
                            .spec
                            .as_ref()
                            .and_then(|s| s.ingress.as_ref())
                            .into_iter()
                            .flatten()
                            .any(|rule| rule_admits(rule.ports.as_ref(), number, name, protocol))
                    });
                    if !admitted {
                        out.report(
                            cx.object_location(first, Some("spec.ingress")),
                            format!(
                                "isolates the pods of `{}` but admits no traffic to port {number}{}, which `{}` exposes",
                                object.manifest.display_name(),
                                name.map(|n| format!(" (`{n}`)")).unwrap_or_default(),
                                service_object.manifest.display_name()
                            ),
                        )
                        .hint(format!("add an ingress rule with `ports: [{{port: {number}}}]` for the clients of that Service"));
                    }
                }
            }
        }
    }
}
