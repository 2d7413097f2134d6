//! `volume-claim-shrink`.

use super::{Check, Context, Finding, at, hazard, matched_claims, plain};
use crate::diff::hazards::Documented as _;
use crate::quantity::Quantity;

hazard! {
    /// ## What it does
    ///
    /// Finds a PersistentVolumeClaim, or a StatefulSet's `volumeClaimTemplates`, whose storage
    /// request gets smaller.
    ///
    /// ## Why is this bad?
    ///
    /// Kubernetes never shrinks a volume: the API server rejects a smaller request on a PVC
    /// (`field can not be less than previous value`), and a StatefulSet's claim templates
    /// cannot change at all. The upgrade fails.
    ///
    /// ## Example
    ///
    /// `persistence.size` goes from `100Gi` to `50Gi`.
    ///
    /// ## What to do
    ///
    /// Keep the old size. To really use less storage, create new, smaller volumes and move
    /// the data: add replicas with the new size, let them sync, fail over to them, then
    /// remove the old ones and their PVCs.
    pub struct VolumeClaimShrink = "volume-claim-shrink", Error;
}

impl Check for VolumeClaimShrink {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            for (label, o, n) in matched_claims(key, old, new) {
                let pointer = "/resources/requests/storage";
                let (before, after) = (at(o, pointer), at(n, pointer));
                let (Some(b), Some(a)) = (Quantity::from_json(before), Quantity::from_json(after))
                else {
                    continue;
                };
                if a < b {
                    found.push(self.finding(
                        key,
                        format!(
                            "`{label}.resources.requests.storage` shrinks from {} to {}: volumes cannot shrink, the API server rejects it",
                            plain(before),
                            plain(after),
                        ),
                        vec![
                            format!(
                                "keep the storage request at {} or more",
                                plain(before)
                            ),
                            "to use less storage, migrate the data to new, smaller volumes (new replicas, sync, fail over, remove the old ones)".to_owned(),
                        ],
                    ));
                }
            }
        }
    }
}
