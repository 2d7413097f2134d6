//! The `network-policy-missing` rule.

use crate::lint::context::{Context, Direction};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that a NetworkPolicy isolates the Redis and Sentinel pods (selects them, for
    /// ingress).
    ///
    /// ## Why is this bad?
    /// Without one, every pod of the cluster, in every namespace, can connect to Redis and to
    /// Sentinel. The password is then the only barrier, and Sentinel, which can reconfigure the
    /// whole deployment (`SENTINEL SET`, `SENTINEL FAILOVER`), often has none. A policy that
    /// admits the application's namespaces, the monitoring namespace and the pods of the
    /// deployment itself closes it to everything else.
    ///
    /// ## Example
    /// ```yaml
    /// networkPolicy:
    ///   enabled: false
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// networkPolicy:
    ///   enabled: true
    ///   clientNamespaces: [shop]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: network policies](https://kubernetes.io/docs/concepts/services-networking/network-policies/)
    pub struct NetworkPolicyMissing {
        id: "network-policy-missing",
        severity: Warning,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for NetworkPolicyMissing {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let open: Vec<String> = cx
            .redis_and_sentinel()
            .filter(|(o, w)| cx.isolating_policies(o, w, Direction::Ingress).is_empty())
            .map(|(o, _)| o.manifest.display_name())
            .collect();
        let Some(first) = cx
            .redis_and_sentinel()
            .find(|(o, _)| open.contains(&o.manifest.display_name()))
        else {
            return;
        };
        let location = if cx.value("networkPolicy.enabled").is_some() {
            cx.value_location("networkPolicy.enabled")
        } else {
            cx.object_location(first.0, None)
        };
        let names = open
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.report(
            location,
            format!(
                "no NetworkPolicy isolates the pods of {names}: any pod of the cluster can connect"
            ),
        )
        .hint("enable `networkPolicy.enabled` and list the client namespaces");
    }
}
