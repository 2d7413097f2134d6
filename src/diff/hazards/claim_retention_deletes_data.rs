//! `claim-retention-deletes-data`.

use super::{Check, Context, Finding, at, hazard};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a StatefulSet whose `persistentVolumeClaimRetentionPolicy` switches
    /// `whenDeleted` or `whenScaled` to `Delete` (unset is `Retain`).
    ///
    /// ## Why is this bad?
    ///
    /// With `whenScaled: Delete`, a scale-down deletes the PVCs of the removed pods and, with
    /// the usual `Delete` reclaim policy, their volumes. With `whenDeleted: Delete`, deleting
    /// the StatefulSet (`helm uninstall`, a rename, the orphan-and-recreate recipe for an
    /// immutable field done with the wrong flag) deletes every PVC: all the data.
    ///
    /// ## Example
    ///
    /// `persistence.retention.whenDeleted: Delete` on a release that kept its volumes until now.
    ///
    /// ## What to do
    ///
    /// Keep `Retain` unless the data is disposable. If `Delete` is intended, back the data up
    /// first and make sure every later `helm uninstall` is meant to lose it.
    pub struct ClaimRetentionDeletesData = "claim-retention-deletes-data", Warning;
}

impl Check for ClaimRetentionDeletesData {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.all() {
            let Some(new) = new else { continue };
            if !key.is("apps", "StatefulSet") {
                continue;
            }
            let policy = |o: Option<&serde_json::Value>, field: &str| {
                o.map(|o| {
                    at(
                        o,
                        &format!("/spec/persistentVolumeClaimRetentionPolicy/{field}"),
                    )
                })
                .and_then(serde_json::Value::as_str)
                .unwrap_or("Retain")
                .to_owned()
            };
            let mut what = Vec::new();
            for (field, consequence) in [
                (
                    "whenScaled",
                    "a scale-down deletes the PVCs of the removed pods",
                ),
                (
                    "whenDeleted",
                    "deleting the StatefulSet (`helm uninstall`, a rename) deletes every PVC",
                ),
            ] {
                // A new StatefulSet is no switch: only an old one that retained its claims.
                if old.is_some()
                    && policy(old, field) != "Delete"
                    && policy(Some(new), field) == "Delete"
                {
                    what.push(format!("`{field}` becomes `Delete`: {consequence}"));
                }
            }
            if what.is_empty() {
                continue;
            }
            found.push(self.finding(
                key,
                format!("{}, and with them the data", what.join("; ")),
                vec![
                    "keep `Retain` unless the data is disposable".to_owned(),
                    "if `Delete` is intended, back up the data first (`redis-cli --rdb`, or a snapshot of each PVC)".to_owned(),
                ],
            ));
        }
    }
}
