//! The `network-policy-blocks-dns` rule.

use crate::lint::context::{Context, Direction, rule_admits};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that NetworkPolicies isolating a pod's egress admit DNS. One of their egress
    /// rules must admit port 53 over UDP.
    ///
    /// ## Why is this bad?
    /// The chart's pods find each other by name: Sentinel resolves the Redis pods' hostnames
    /// (`resolve-hostnames yes`), replicas resolve the master, the exporter resolves its
    /// targets. An egress policy without DNS makes every lookup time out: sentinels lose the
    /// master, replicas cannot reconnect after a failover, and the logs speak of timeouts, not
    /// of policies. Allow TCP 53 as well for large answers.
    ///
    /// ## Example
    /// ```yaml
    /// kind: NetworkPolicy
    /// spec:
    ///   policyTypes: [Egress]
    ///   egress:
    ///     - ports: [{port: 6379}, {port: 26379}]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    ///   egress:
    ///     - ports: [{port: 6379}, {port: 26379}]
    ///     - ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: network policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/)
    pub struct NetworkPolicyBlocksDns {
        id: "network-policy-blocks-dns",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for NetworkPolicyBlocksDns {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.workloads() {
            let policies = cx.isolating_policies(object, workload, Direction::Egress);
            let Some((first, _)) = policies.first() else {
                continue;
            };
            let admitted = policies.iter().any(|(_, policy)| {
                policy
                    .spec
                    .as_ref()
                    .and_then(|s| s.egress.as_ref())
                    .into_iter()
                    .flatten()
                    .any(|rule| rule_admits(rule.ports.as_ref(), 53, None, "UDP"))
            });
            if !admitted {
                out.report(
                    cx.object_location(first, Some("spec.egress")),
                    format!(
                        "isolates the egress of `{}` without admitting DNS (UDP 53): its pods cannot resolve any name",
                        object.manifest.display_name()
                    ),
                )
                .hint("add an egress rule with `ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]`");
            }
        }
    }
}
