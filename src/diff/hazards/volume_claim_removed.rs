//! `volume-claim-removed`.

use super::{Check, Context, Finding, at, hazard};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a PersistentVolumeClaim that the old state has and the new one does not, unless
    /// it carries `helm.sh/resource-policy: keep`.
    ///
    /// ## Why is this bad?
    ///
    /// The upgrade deletes the PVC, and with the usual `Delete` reclaim policy its volume and
    /// all the data on it.
    ///
    /// ## Example
    ///
    /// `persistence.enabled` goes from `true` to `false` on a chart that renders its PVC
    /// itself (standalone mode).
    ///
    /// ## What to do
    ///
    /// Back the data up first. To keep the volume, set its PersistentVolume's reclaim policy
    /// to `Retain` before upgrading; in the chart, `helm.sh/resource-policy: keep` on the PVC
    /// makes Helm leave it in place.
    pub struct VolumeClaimRemoved = "volume-claim-removed", Warning;
}

impl Check for VolumeClaimRemoved {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old) in cx.removed() {
            if !key.is("", "PersistentVolumeClaim") {
                continue;
            }
            if at(old, "/metadata/annotations/helm.sh~1resource-policy").as_str() == Some("keep") {
                continue;
            }
            found.push(self.finding(
                key,
                "the PVC is deleted, and with it (under the usual `Delete` reclaim policy) its volume and data".to_owned(),
                vec![
                    "back up the data first".to_owned(),
                    format!(
                        "to keep the volume, make its PersistentVolume outlive the claim: kubectl patch pv \"$(kubectl get pvc {} --namespace {} -o jsonpath='{{.spec.volumeName}}')\" -p '{{\"spec\":{{\"persistentVolumeReclaimPolicy\":\"Retain\"}}}}'",
                        key.name, key.namespace
                    ),
                ],
            ));
        }
    }
}
