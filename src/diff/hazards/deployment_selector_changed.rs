//! `deployment-selector-changed`.

use super::{Check, Context, Finding, at, hazard};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change to `spec.selector` of a Deployment, DaemonSet or ReplicaSet (the
    /// exporter runs as a Deployment). StatefulSet selectors are covered by
    /// `statefulset-immutable-field-changed`.
    ///
    /// ## Why is this bad?
    ///
    /// In `apps/v1` a workload's selector is immutable: the API server rejects the update and
    /// the upgrade fails. Forcing it (delete and recreate) leaves the old pods orphaned if
    /// the new selector does not match them.
    ///
    /// ## Example
    ///
    /// A chart upgrade adds `app.kubernetes.io/component: exporter` to the exporter's
    /// `matchLabels`.
    ///
    /// ## What to do
    ///
    /// Delete the Deployment before upgrading (`kubectl delete deployment NAME`); the
    /// upgrade recreates it. For a Deployment that serves traffic, expect a short gap, or
    /// create the new one under another name first.
    pub struct DeploymentSelectorChanged = "deployment-selector-changed", Error;
}

impl Check for DeploymentSelectorChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if key.group != "apps"
                || !matches!(&*key.kind, "Deployment" | "DaemonSet" | "ReplicaSet")
            {
                continue;
            }
            if at(old, "/spec/selector") == at(new, "/spec/selector") {
                continue;
            }
            let kind = key.kind.to_lowercase();
            found.push(self.finding(
                key,
                format!(
                    "`spec.selector` changes, and a {}'s selector is immutable: `helm upgrade` and `kubectl apply` will be rejected",
                    key.kind
                ),
                vec![
                    format!(
                        "kubectl delete {kind} {} --namespace {}   # the upgrade recreates it; its pods stop meanwhile",
                        key.name, key.namespace
                    ),
                    "then run the upgrade".to_owned(),
                ],
            ));
        }
    }
}
