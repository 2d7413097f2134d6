//! `storage-class-changed`.

use super::{Check, Context, Finding, at, hazard, matched_claims, show};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change of `storageClassName` on a PersistentVolumeClaim or in a StatefulSet's
    /// `volumeClaimTemplates`.
    ///
    /// ## Why is this bad?
    ///
    /// A bound PVC's class cannot change: the API server rejects it. A StatefulSet's claim
    /// templates cannot change either, and replacing the StatefulSet does not move any data:
    /// the existing PVCs stay on the old class, and only replicas added later get the new one.
    ///
    /// ## Example
    ///
    /// `persistence.storageClass` goes from `standard` to `fast-ssd`.
    ///
    /// ## What to do
    ///
    /// Keep the old class for existing data. To move to the new class, migrate: add replicas
    /// on the new class, let them sync, fail over, then remove the old replicas and PVCs (or
    /// restore a backup into new PVCs).
    pub struct StorageClassChanged = "storage-class-changed", Error;
}

impl Check for StorageClassChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            for (label, o, n) in matched_claims(key, old, new) {
                let (before, after) = (at(o, "/storageClassName"), at(n, "/storageClassName"));
                if before == after {
                    continue;
                }
                found.push(self.finding(
                    key,
                    format!(
                        "`{label}.storageClassName` changes from {} to {}: existing volumes cannot change class and their data does not move",
                        show(before),
                        show(after)
                    ),
                    vec![
                        format!("keep `storageClassName` at {} for the existing data", show(before)),
                        "to change class, migrate the data: new replicas on the new class, sync, fail over, then remove the old replicas and PVCs".to_owned(),
                    ],
                ));
            }
        }
    }
}
