//! `service-selector-changed`.

use super::{Check, Context, Finding, at, hazard};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change to a Service's `spec.selector`.
    ///
    /// ## Why is this bad?
    ///
    /// The Service immediately sends traffic to whatever pods match the new selector. If the
    /// pods do not carry the new labels yet (they get them only when they restart), the
    /// Service has no endpoints and clients fail until the rollout is done; if it matches
    /// other pods, clients reach the wrong Redis.
    ///
    /// ## Example
    ///
    /// The client Service's selector gains `app.kubernetes.io/component: redis` while the
    /// running pods do not have that label yet.
    ///
    /// ## What to do
    ///
    /// Roll out the new pod labels first (an upgrade that only adds labels), then change the
    /// selector; or check with `kubectl get endpoints NAME` right after the upgrade.
    pub struct ServiceSelectorChanged = "service-selector-changed", Warning;
}

impl Check for ServiceSelectorChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if !key.is("", "Service") {
                continue;
            }
            let (before, after) = (at(old, "/spec/selector"), at(new, "/spec/selector"));
            if before == after {
                continue;
            }
            found.push(self.finding(
                key,
                "`spec.selector` changes: traffic moves to the pods matching the new selector at once, and there may be none until the pods are relabeled".to_owned(),
                vec![
                    "roll out the new pod labels first, then change the selector".to_owned(),
                    format!(
                        "after the upgrade, check that the Service has endpoints: kubectl get endpoints {} --namespace {}",
                        key.name, key.namespace
                    ),
                ],
            ));
        }
    }
}
