//! `statefulset-scaled-down`.

use super::{Check, Context, Finding, at, hazard, is_sentinel, ordinals_down, replicas};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a StatefulSet whose `replicas` goes down, and names the pods that go (the highest
    /// ordinals), their PVCs, and whether the PVCs stay (`whenScaled: Retain`, the default)
    /// or are deleted with their data (`whenScaled: Delete`).
    ///
    /// ## Why is this bad?
    ///
    /// If the master is one of the pods that go, Sentinel fails over (writes fail for a few
    /// seconds). The sentinels keep counting the removed replicas (or removed sentinels)
    /// until reset, so a removed sentinel still counts towards the majority a failover
    /// needs. Retained PVCs keep their data and their cost; a later scale-up reuses them
    /// with stale data.
    ///
    /// ## Example
    ///
    /// `replicas` goes from 5 to 3: `redis-ha-redis-4` and `redis-ha-redis-3` are deleted;
    /// `data-redis-ha-redis-4` and `data-redis-ha-redis-3` stay.
    ///
    /// ## What to do
    ///
    /// Before upgrading, make sure the master is not one of the pods that go (`SENTINEL
    /// get-master-addr-by-name`; if it is, `SENTINEL FAILOVER`). After the upgrade, run
    /// `SENTINEL RESET <master>` on each remaining sentinel, one at a time. Delete the
    /// retained PVCs once their data is no longer needed.
    pub struct StatefulSetScaledDown = "statefulset-scaled-down", Warning;
}

impl Check for StatefulSetScaledDown {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        // A Redis Cluster's pods hold slots, not Sentinel's view: `cluster-pods-removed`.
        if super::is_cluster(cx, true) {
            return;
        }
        let master = super::sentinel_side(cx, true)
            .master_name
            .as_ref()
            .map_or_else(|| "<master>".to_owned(), |(_, name)| name.clone());
        for (key, old, new) in cx.changed() {
            if !key.is("apps", "StatefulSet") {
                continue;
            }
            let (before, after) = (replicas(old), replicas(new));
            if after >= before {
                continue;
            }
            let pods = ordinals_down(&key.name, before - 1, after);
            let claims: Vec<String> = super::claims(key, old)
                .iter()
                .filter_map(|(label, _)| {
                    let name = label
                        .strip_prefix("volumeClaimTemplates[")?
                        .strip_suffix(']')?;
                    Some(ordinals_down(
                        &format!("{name}-{}", key.name),
                        before - 1,
                        after,
                    ))
                })
                .collect();
            let deletes = at(new, "/spec/persistentVolumeClaimRetentionPolicy/whenScaled").as_str()
                == Some("Delete");
            let data = match (claims.is_empty(), deletes) {
                (true, _) => String::new(),
                (false, true) => format!(
                    "; their PVCs ({}) are DELETED with their data (`whenScaled: Delete`)",
                    claims.join("; ")
                ),
                (false, false) => format!(
                    "; their PVCs ({}) stay, with their data (`whenScaled: Retain`)",
                    claims.join("; ")
                ),
            };
            let ns = &key.namespace;
            let mut fix = Vec::new();
            if !is_sentinel(key, new) {
                fix.push(format!(
                    "make sure the master is not one of them: redis-cli -p 26379 SENTINEL get-master-addr-by-name {master}; if it is: redis-cli -p 26379 SENTINEL FAILOVER {master}"
                ));
            }
            fix.push(format!(
                "after the upgrade, on each remaining sentinel, one at a time: redis-cli -p 26379 SENTINEL RESET {master}"
            ));
            if !claims.is_empty() && !deletes {
                fix.push(format!(
                    "once their data is no longer needed: kubectl delete pvc <name> --namespace {ns}"
                ));
            }
            found.push(self.finding(
                key,
                format!("scales from {before} to {after}: {pods} are deleted{data}"),
                fix,
            ));
        }
    }
}
