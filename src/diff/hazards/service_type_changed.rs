//! `service-type-changed`.

use super::{Check, Context, Finding, at, hazard};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change to a Service's `spec.type` (`ClusterIP`, `NodePort`, `LoadBalancer`,
    /// `ExternalName`).
    ///
    /// ## Why is this bad?
    ///
    /// Switching type changes how clients reach Redis: a `LoadBalancer` gets a new external
    /// address (and going back releases it for good), node ports are allocated or freed, and
    /// an `ExternalName` Service has no endpoints at all. Clients and firewall rules that use
    /// the old address break.
    ///
    /// ## Example
    ///
    /// `service.type` goes from `LoadBalancer` to `ClusterIP`.
    ///
    /// ## What to do
    ///
    /// Update clients, DNS and firewall rules to the new address before or right after the
    /// upgrade; to keep a load balancer's address, reserve it with your cloud provider.
    pub struct ServiceTypeChanged = "service-type-changed", Warning;
}

impl Check for ServiceTypeChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if !key.is("", "Service") {
                continue;
            }
            let kind = |o| {
                at(o, "/spec/type")
                    .as_str()
                    .unwrap_or("ClusterIP")
                    .to_owned()
            };
            let (before, after) = (kind(old), kind(new));
            if before == after {
                continue;
            }
            found.push(self.finding(
                key,
                format!("`spec.type` changes from `{before}` to `{after}`: the address clients use changes"),
                vec![
                    "update clients, DNS and firewall rules to the new address".to_owned(),
                    format!(
                        "after the upgrade: kubectl get service {} --namespace {} -o wide",
                        key.name, key.namespace
                    ),
                ],
            ));
        }
    }
}
