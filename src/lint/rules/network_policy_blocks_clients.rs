//! The `network-policy-blocks-clients` rule.

use k8s_openapi::api::networking::v1::NetworkPolicyPeer;

use super::network_policy_blocks_peer::{peer_matches, server_port};
use crate::lint::context::{Component, Context, Direction, rule_admits};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the NetworkPolicies isolating the Redis pods (and the Sentinel pods, with
    /// Sentinel) let some client in on the server port. A client is any peer that is not one
    /// of the release's own pods: a namespace, an IP block, or pods the release does not run.
    ///
    /// ## Why is this bad?
    /// With only the release's own pods allowed in, the deployment is healthy and useless:
    /// every application gets connection timeouts. With the chart, this is
    /// `networkPolicy.allowSameNamespace: false` with no `networkPolicy.clientNamespaces`.
    ///
    /// ## Example
    /// ```yaml
    /// networkPolicy:
    ///   enabled: true
    ///   allowSameNamespace: false
    ///   clientNamespaces: []
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// networkPolicy:
    ///   enabled: true
    ///   allowSameNamespace: false
    ///   clientNamespaces: [shop]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: NetworkPolicy](https://kubernetes.io/docs/concepts/services-networking/network-policies/)
    pub struct NetworkPolicyBlocksClients {
        id: "network-policy-blocks-clients",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for NetworkPolicyBlocksClients {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.redis_and_sentinel() {
            let Some(port) = server_port(workload) else {
                continue;
            };
            let policies = cx.isolating_policies(object, workload, Direction::Ingress);
            let Some((first, _)) = policies.first() else {
                continue;
            };
            // A peer that matches one of the rendered pods is the release itself; any other
            // (or none at all) may be a client.
            let is_client = |policy_ns: &str, peer: &NetworkPolicyPeer| {
                peer.ip_block.is_some()
                    || peer.namespace_selector.is_some()
                    || peer.pod_selector.as_ref().is_none_or(|s| {
                        s.match_labels
                            .as_ref()
                            .is_none_or(std::collections::BTreeMap::is_empty)
                            && s.match_expressions.as_ref().is_none_or(Vec::is_empty)
                    })
                    || !cx
                        .workloads()
                        .any(|(o, w)| peer_matches(peer, policy_ns, o.namespace(cx), w.labels()))
            };
            let open = policies.iter().any(|(o, policy)| {
                let ns = o.namespace(cx);
                policy
                    .spec
                    .iter()
                    .flat_map(|s| s.ingress.iter().flatten())
                    .any(|r| {
                        rule_admits(r.ports.as_ref(), port.1, port.0, port.2)
                            && r.from
                                .as_ref()
                                .filter(|f| !f.is_empty())
                                .is_none_or(|f| f.iter().any(|p| is_client(ns, p)))
                    })
            });
            if open {
                continue;
            }
            let what = if workload.component == Component::Sentinel {
                "Sentinel"
            } else {
                "Redis"
            };
            // With the chart, the cause is `networkPolicy.allowSameNamespace: false` without
            // client namespaces: one value, one finding for Redis and Sentinel.
            let location = cx.traced_location(
                "networkPolicy.allowSameNamespace",
                first,
                Some("spec.ingress"),
            );
            let message = if location.object.is_some() {
                format!(
                    "lets only the release's own pods reach the {what} port {}: no client can connect",
                    port.1
                )
            } else {
                "the NetworkPolicies let only the release's own pods reach Redis and Sentinel: no client can connect".to_owned()
            };
            out.report(location, message)
                .hint("allow the clients' namespaces or pods (`networkPolicy.allowSameNamespace`, `networkPolicy.clientNamespaces`)");
        }
    }
}
