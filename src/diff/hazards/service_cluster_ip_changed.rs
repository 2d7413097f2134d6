//! `service-cluster-ip-changed`.

use super::{Check, Context, Finding, at, hazard};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change to a Service's `spec.clusterIP`, including a Service becoming headless
    /// (`clusterIP: None`) or no longer headless.
    ///
    /// ## Why is this bad?
    ///
    /// `clusterIP` is immutable once set: the API server rejects the update and the upgrade
    /// fails. A headless Service (used for the pods' stable DNS names) and a normal one
    /// resolve differently, so clients that cached the address break too.
    ///
    /// ## Example
    ///
    /// The headless Service of the Redis StatefulSet loses `clusterIP: None`.
    ///
    /// ## What to do
    ///
    /// Delete the Service before upgrading (`kubectl delete service NAME`); the upgrade
    /// recreates it with a new address. Expect a short gap for clients that use it.
    pub struct ServiceClusterIpChanged = "service-cluster-ip-changed", Error;
}

impl Check for ServiceClusterIpChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if !key.is("", "Service") {
                continue;
            }
            let ip = |o| {
                at(o, "/spec/clusterIP")
                    .as_str()
                    .filter(|s| !s.is_empty())
                    .map_or_else(
                        || "an address the cluster assigns".to_owned(),
                        |ip| format!("`{ip}`"),
                    )
            };
            let (before, after) = (ip(old), ip(new));
            if before == after {
                continue;
            }
            found.push(self.finding(
                key,
                format!(
                    "`spec.clusterIP` changes from {before} to {after}, and it is immutable: `helm upgrade` and `kubectl apply` will be rejected"
                ),
                vec![
                    format!(
                        "kubectl delete service {} --namespace {}   # the upgrade recreates it; clients of it see a short gap",
                        key.name, key.namespace
                    ),
                    "then run the upgrade".to_owned(),
                ],
            ));
        }
    }
}
