//! `statefulset-removed`.

use super::{Check, Context, Finding, at, hazard, replicas};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a StatefulSet that the old state has and the new one does not: the upgrade
    /// deletes it.
    ///
    /// ## Why is this bad?
    ///
    /// Its pods are deleted, so that part of the deployment stops. Its PVCs stay (their data
    /// too) unless `persistentVolumeClaimRetentionPolicy.whenDeleted` is `Delete`, in which
    /// case the data is deleted with it.
    ///
    /// ## Example
    ///
    /// `architecture` goes from `sentinel` to `standalone`: the Sentinel StatefulSet goes,
    /// and the Redis one may be renamed.
    ///
    /// ## What to do
    ///
    /// Make sure this is intended. Back up the data first (`redis-cli --rdb`, or a volume
    /// snapshot of each PVC), and if the data must survive, set the retention policy to
    /// `Retain` before upgrading.
    pub struct StatefulSetRemoved = "statefulset-removed", Warning;
}

impl Check for StatefulSetRemoved {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old) in cx.removed() {
            if !key.is("apps", "StatefulSet") {
                continue;
            }
            let claims: Vec<&str> = at(old, "/spec/volumeClaimTemplates")
                .as_array()
                .map(Vec::as_slice)
                .unwrap_or_default()
                .iter()
                .filter_map(|t| at(t, "/metadata/name").as_str())
                .collect();
            let deletes_data = at(
                old,
                "/spec/persistentVolumeClaimRetentionPolicy/whenDeleted",
            )
            .as_str()
                == Some("Delete");
            let pods = replicas(old);
            let data = if claims.is_empty() {
                "it has no volume claim templates".to_owned()
            } else if deletes_data {
                format!(
                    "its PVCs ({}) are DELETED with it (`whenDeleted: Delete`): their data is lost",
                    claims.join(", ")
                )
            } else {
                format!(
                    "its PVCs ({}) stay, with their data, until deleted by hand",
                    claims.join(", ")
                )
            };
            let mut fix = vec!["make sure removing it is intended".to_owned()];
            if !claims.is_empty() {
                fix.push(
                    "back up the data first (`redis-cli --rdb`, or a snapshot of each PVC)"
                        .to_owned(),
                );
            }
            if deletes_data {
                fix.push(format!(
                    "to keep the data, first: kubectl patch statefulset {} --namespace {} -p '{{\"spec\":{{\"persistentVolumeClaimRetentionPolicy\":{{\"whenDeleted\":\"Retain\"}}}}}}'",
                    key.name, key.namespace
                ));
            }
            found.push(self.finding(
                key,
                format!("the StatefulSet is deleted with its {pods} pod(s); {data}"),
                fix,
            ));
        }
    }
}
