//! `volume-claim-expansion`.

use super::{Check, Context, Finding, at, hazard, matched_claims, plain};
use crate::diff::hazards::Documented as _;
use crate::quantity::Quantity;

hazard! {
    /// ## What it does
    ///
    /// Finds a PersistentVolumeClaim, or a StatefulSet's `volumeClaimTemplates`, whose storage
    /// request grows.
    ///
    /// ## Why is this bad?
    ///
    /// A PVC can only grow when its StorageClass has `allowVolumeExpansion: true`; otherwise
    /// the API server rejects the change. For a StatefulSet the claim templates cannot change
    /// at all (see `statefulset-immutable-field-changed`), and even once replaced, the
    /// existing PVCs keep their old size until each is resized by hand. Some storage drivers
    /// only finish the resize when the pod restarts.
    ///
    /// ## Example
    ///
    /// `persistence.size` goes from `10Gi` to `20Gi`.
    ///
    /// ## What to do
    ///
    /// Check `kubectl get storageclass CLASS -o jsonpath='{.allowVolumeExpansion}'`. Then
    /// resize every existing PVC with `kubectl patch pvc`, and for a StatefulSet replace the
    /// object with `kubectl delete statefulset --cascade=orphan` before upgrading.
    pub struct VolumeClaimExpansion = "volume-claim-expansion", Warning;
}

impl Check for VolumeClaimExpansion {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            for (label, o, n) in matched_claims(key, old, new) {
                let pointer = "/resources/requests/storage";
                let (before, after) = (at(o, pointer), at(n, pointer));
                let (Some(b), Some(a)) = (Quantity::from_json(before), Quantity::from_json(after))
                else {
                    continue;
                };
                if a <= b {
                    continue;
                }
                let class = at(n, "/storageClassName")
                    .as_str()
                    .unwrap_or("<the default class>");
                let size = plain(after);
                let mut fix = vec![format!(
                    "check that the StorageClass allows expansion: kubectl get storageclass {class} -o jsonpath='{{.allowVolumeExpansion}}'"
                )];
                if key.is("", "PersistentVolumeClaim") {
                    fix.push("the upgrade resizes this PVC; watch `kubectl get pvc` until its capacity shows the new size".to_owned());
                } else {
                    fix.push(format!(
                        "replace the StatefulSet (kubectl delete statefulset {} --namespace {} --cascade=orphan), upgrade, then resize each existing PVC to {size}",
                        key.name, key.namespace
                    ));
                }
                found.push(self.finding(
                    key,
                    format!(
                        "`{label}.resources.requests.storage` grows from {} to {size}: this needs a StorageClass with `allowVolumeExpansion`",
                        plain(before),
                    ),
                    fix,
                ));
            }
        }
    }
}
