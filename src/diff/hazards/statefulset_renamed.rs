//! `statefulset-renamed`.

use serde_json::Value;

use super::{Check, Context, Finding, at, hazard, replicas};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a StatefulSet that goes while another of the same component (the
    /// `app.kubernetes.io/component` label) arrives: the release is renamed, or
    /// `fullnameOverride`/`nameOverride` changes.
    ///
    /// ## Why is this bad?
    ///
    /// A StatefulSet's PVCs are named after it (`data-<statefulset>-<ordinal>`). The new one
    /// starts on new, empty volumes: the data does not follow. Its pods come up as a fresh,
    /// empty Redis while the old pods are deleted; the old PVCs stay (or are deleted, with
    /// `whenDeleted: Delete`).
    ///
    /// ## Example
    ///
    /// `fullnameOverride` goes from unset to `cache`: `redis-ha-redis` goes, `cache-redis`
    /// arrives with `data-cache-redis-0`, ...
    ///
    /// ## What to do
    ///
    /// Keep the old name (set `fullnameOverride` to it). To move for real, back up the data
    /// (`redis-cli --rdb`) and restore it into the new StatefulSet, or hand the old volumes
    /// to the new names: set each PersistentVolume's reclaim policy to `Retain`, delete the
    /// old PVC, clear the PV's `claimRef`, and create the new PVC with `volumeName` set to
    /// it, before the upgrade.
    pub struct StatefulSetRenamed = "statefulset-renamed", Warning;
}

fn component(object: &Value) -> Option<&str> {
    at(object, "/metadata/labels/app.kubernetes.io~1component").as_str()
}

impl Check for StatefulSetRenamed {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let added: Vec<_> = cx
            .all()
            .filter_map(|(key, old, new)| match (old, new) {
                (None, Some(new)) if key.is("apps", "StatefulSet") => Some((key, new)),
                _ => None,
            })
            .collect();
        for (key, old) in cx.removed() {
            if !key.is("apps", "StatefulSet") {
                continue;
            }
            let Some((new_key, new)) = added.iter().find(|(k, new)| {
                k.namespace == key.namespace
                    && component(new).is_some()
                    && component(new) == component(old)
            }) else {
                continue;
            };
            let claims: Vec<String> = super::claims(key, old)
                .iter()
                .filter_map(|(label, _)| {
                    let name = label
                        .strip_prefix("volumeClaimTemplates[")?
                        .strip_suffix(']')?;
                    Some(name.to_owned())
                })
                .collect();
            let data = match claims.first() {
                Some(claim) => format!(
                    ": its pods start on new, empty volumes (`{claim}-{}-0`, ...), not on `{claim}-{}-0`, ...: the data does not follow",
                    new_key.name, key.name
                ),
                None => ": its pods start empty".to_owned(),
            };
            found.push(self.finding(
                key,
                format!(
                    "replaced by StatefulSet `{}` ({} pod(s)){data}",
                    new_key.name,
                    replicas(new)
                ),
                vec![
                    format!("keep the name: set `fullnameOverride` so the StatefulSet stays `{}`", key.name),
                    "or back up (`redis-cli --rdb`) and restore into the new StatefulSet".to_owned(),
                    "or hand over the volumes before the upgrade: PV reclaim policy `Retain`, delete the old PVC, clear the PV's `claimRef`, create the new PVC with `volumeName`".to_owned(),
                ],
            ));
        }
    }
}
