//! The `network-policy-blocks-peer` rule.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort};

use crate::lint::context::{
    Component, Context, Direction, Object, Workload, rule_admits, selector_matches,
};
use crate::lint::registry::{Rule, Sink, rule};

/// The connections a Redis HA release needs between its own pods, and why.
const FLOWS: &[(Component, Component, &str)] = &[
    (Component::Redis, Component::Redis, "replication"),
    (
        Component::Sentinel,
        Component::Redis,
        "Sentinel monitors and reconfigures Redis",
    ),
    (
        Component::Redis,
        Component::Sentinel,
        "Redis asks the sentinels for the master at start-up",
    ),
    (
        Component::Sentinel,
        Component::Sentinel,
        "sentinels vote on failovers",
    ),
    (
        Component::Exporter,
        Component::Redis,
        "the exporter scrapes Redis",
    ),
    (
        Component::Exporter,
        Component::Sentinel,
        "the exporter scrapes Sentinel",
    ),
];

rule! {
    /// ## What it does
    /// Checks that the NetworkPolicies let the release's pods reach each other, across
    /// namespaces: Redis to Redis (replication), Sentinel to Redis, Redis to Sentinel (the
    /// start-up scripts), Sentinel to Sentinel, and the exporter to Redis and Sentinel. Both
    /// the sender's egress and the receiver's ingress must allow the receiver's server port.
    ///
    /// ## Why is this bad?
    /// A blocked connection renders and applies cleanly and fails at run time: replicas never
    /// sync, sentinels see the master as down (or never see it), and a failover is voted by
    /// nobody. A peer in another namespace needs a `namespaceSelector`: a rule with a
    /// `podSelector` only matches pods of the policy's own namespace, so an exporter in
    /// `monitoring` whose egress names the Redis pods by labels alone reaches no Redis.
    ///
    /// ## Example
    /// ```yaml
    /// # The exporter's policy, in namespace monitoring:
    /// egress:
    ///   - to:
    ///       - podSelector:
    ///           matchLabels: {app.kubernetes.io/component: redis}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// egress:
    ///   - to:
    ///       - podSelector:
    ///           matchLabels: {app.kubernetes.io/component: redis}
    ///         namespaceSelector:
    ///           matchLabels: {kubernetes.io/metadata.name: redis}
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: NetworkPolicy, behavior of to and from selectors](https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors)
    pub struct NetworkPolicyBlocksPeer {
        id: "network-policy-blocks-peer",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

/// The server port of a Redis or Sentinel pod: its first port not for metrics.
pub fn server_port(workload: &Workload) -> Option<(Option<&str>, i32, &str)> {
    workload
        .ports()
        .into_iter()
        .find(|(name, ..)| name.is_none_or(|n| !n.contains("metrics") && !n.contains("exporter")))
}

/// Whether a policy peer, in a policy of `policy_ns`, matches a pod with `labels` in `pod_ns`.
/// What cannot be known offline counts as a match: an `ipBlock` (pod IPs are not known), a
/// namespace selector on labels other than `kubernetes.io/metadata.name`.
pub fn peer_matches(
    peer: &NetworkPolicyPeer,
    policy_ns: &str,
    pod_ns: &str,
    labels: &BTreeMap<String, String>,
) -> bool {
    if peer.ip_block.is_some() {
        return true;
    }
    let namespace_ok = match &peer.namespace_selector {
        None => pod_ns == policy_ns,
        Some(selector) => {
            const NAME: &str = "kubernetes.io/metadata.name";
            let only_name = selector
                .match_labels
                .iter()
                .flatten()
                .all(|(k, _)| k == NAME)
                && selector
                    .match_expressions
                    .iter()
                    .flatten()
                    .all(|e| e.key == NAME);
            let ns_labels = BTreeMap::from([(NAME.to_owned(), pod_ns.to_owned())]);
            !only_name || selector_matches(selector, &ns_labels)
        }
    };
    namespace_ok
        && peer
            .pod_selector
            .as_ref()
            .is_none_or(|s| selector_matches(s, labels))
}

/// Whether one direction of rules (`peers` with `ports` each) admits the pod on the port.
fn admitted<'p>(
    mut rules: impl Iterator<
        Item = (
            Option<&'p Vec<NetworkPolicyPeer>>,
            Option<&'p Vec<NetworkPolicyPort>>,
        ),
    >,
    policy_ns: &str,
    pod_ns: &str,
    labels: &BTreeMap<String, String>,
    port: (Option<&str>, i32, &str),
) -> bool {
    rules.any(|(peers, ports)| {
        rule_admits(ports, port.1, port.0, port.2)
            && peers.filter(|p| !p.is_empty()).is_none_or(|peers| {
                peers
                    .iter()
                    .any(|p| peer_matches(p, policy_ns, pod_ns, labels))
            })
    })
}

fn name(component: Component) -> &'static str {
    match component {
        Component::Redis => "Redis",
        Component::Sentinel => "Sentinel",
        Component::Exporter => "exporter",
        Component::Other => "other",
    }
}

impl NetworkPolicyBlocksPeer {
    /// The first policy of `from` (egress) or `to` (ingress) that isolates it and admits none
    /// of the connection, if all of them block it.
    fn blocking<'c, 'a>(
        cx: &'c Context<'a>,
        (sender, from): (&Object<'_>, &Workload),
        (receiver, to): (&Object<'_>, &Workload),
        port: (Option<&str>, i32, &str),
        direction: Direction,
    ) -> Option<(&'c Object<'a>, &'c NetworkPolicy)> {
        let (isolated, peer_obj, peer) = match direction {
            Direction::Egress => ((sender, from), receiver, to),
            Direction::Ingress => ((receiver, to), sender, from),
        };
        let policies = cx.isolating_policies(isolated.0, isolated.1, direction);
        let peer_ns = peer_obj.namespace(cx);
        let open = policies.iter().any(|(o, policy)| {
            let Some(spec) = &policy.spec else {
                return false;
            };
            let ns = o.namespace(cx);
            match direction {
                Direction::Egress => admitted(
                    spec.egress
                        .iter()
                        .flatten()
                        .map(|r| (r.to.as_ref(), r.ports.as_ref())),
                    ns,
                    peer_ns,
                    peer.labels(),
                    port,
                ),
                Direction::Ingress => admitted(
                    spec.ingress
                        .iter()
                        .flatten()
                        .map(|r| (r.from.as_ref(), r.ports.as_ref())),
                    ns,
                    peer_ns,
                    peer.labels(),
                    port,
                ),
            }
        });
        if open {
            None
        } else {
            policies.into_iter().next()
        }
    }
}

impl Rule for NetworkPolicyBlocksPeer {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for &(from_c, to_c, why) in FLOWS {
            for (sender, from) in cx.workloads().filter(|(_, w)| w.component == from_c) {
                for (receiver, to) in cx.workloads().filter(|(_, w)| w.component == to_c) {
                    let Some(port) = server_port(to) else {
                        continue;
                    };
                    for direction in [Direction::Egress, Direction::Ingress] {
                        let Some((policy_obj, _)) =
                            Self::blocking(cx, (sender, from), (receiver, to), port, direction)
                        else {
                            continue;
                        };
                        let (from_ns, to_ns) = (sender.namespace(cx), receiver.namespace(cx));
                        let (field, hint) = match direction {
                            Direction::Egress => (
                                "spec.egress",
                                if from_ns == to_ns {
                                    format!(
                                        "allow egress to the {} pods on port {}",
                                        name(to_c),
                                        port.1
                                    )
                                } else {
                                    format!(
                                        "the egress peer needs a `namespaceSelector` for namespace `{to_ns}`"
                                    )
                                },
                            ),
                            Direction::Ingress => (
                                "spec.ingress",
                                if from_ns == to_ns {
                                    format!(
                                        "allow ingress from the {} pods on port {}",
                                        name(from_c),
                                        port.1
                                    )
                                } else {
                                    format!(
                                        "the ingress peer needs a `namespaceSelector` for namespace `{from_ns}`"
                                    )
                                },
                            ),
                        };
                        out.report(
                            cx.object_location(policy_obj, Some(field)),
                            format!(
                                "blocks the {} pods (namespace `{from_ns}`) from the {} pods' port {} (namespace `{to_ns}`): {why}",
                                name(from_c),
                                name(to_c),
                                port.1
                            ),
                        )
                        .hint(hint);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(json: serde_json::Value) -> NetworkPolicyPeer {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn peers_across_namespaces() {
        let labels = BTreeMap::from([("app".to_owned(), "redis".to_owned())]);
        let by_pods = peer(serde_json::json!({"podSelector": {"matchLabels": {"app": "redis"}}}));
        // A pod selector alone matches the policy's own namespace only.
        assert!(peer_matches(&by_pods, "default", "default", &labels));
        assert!(!peer_matches(&by_pods, "monitoring", "default", &labels));
        let named = peer(serde_json::json!({
            "podSelector": {"matchLabels": {"app": "redis"}},
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "default"}}
        }));
        assert!(peer_matches(&named, "monitoring", "default", &labels));
        assert!(!peer_matches(&named, "monitoring", "other", &labels));
        // Namespace labels other than the name cannot be known offline: a match.
        let team = peer(serde_json::json!({"namespaceSelector": {"matchLabels": {"team": "x"}}}));
        assert!(peer_matches(&team, "monitoring", "default", &labels));
        let block = peer(serde_json::json!({"ipBlock": {"cidr": "10.0.0.0/8"}}));
        assert!(peer_matches(&block, "monitoring", "default", &labels));
    }
}
