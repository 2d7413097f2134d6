//! `statefulset-immutable-field-changed`.

use serde_json::Value;

use super::{Check, Context, Finding, at, hazard, replicas};
use crate::diff::hazards::Documented as _;
use crate::diff::matching::ResourceKey;

/// The StatefulSet spec fields Kubernetes lets an update change.
const MUTABLE: &[&str] = &[
    "replicas",
    "template",
    "updateStrategy",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
    "ordinals",
];

hazard! {
    /// ## What it does
    ///
    /// Finds a change to a StatefulSet field that Kubernetes forbids changing on an existing
    /// StatefulSet: `volumeClaimTemplates`, `selector`, `serviceName`, `podManagementPolicy`,
    /// `revisionHistoryLimit`: anything but `replicas`, `template`, `updateStrategy`,
    /// `persistentVolumeClaimRetentionPolicy`, `minReadySeconds` and `ordinals`.
    ///
    /// ## Why is this bad?
    ///
    /// The API server rejects the update (`spec: Forbidden: updates to statefulset spec for
    /// fields other than ... are forbidden`), so `helm upgrade` and `kubectl apply` fail,
    /// often half-way through a release.
    ///
    /// ## Example
    ///
    /// Raising `persistence.size` from `10Gi` to `20Gi` changes the StatefulSet's
    /// `volumeClaimTemplates`.
    ///
    /// ## What to do
    ///
    /// Replace the StatefulSet without touching its pods or volumes: delete it with
    /// `kubectl delete statefulset NAME --cascade=orphan` (the pods and PVCs stay and keep
    /// serving), apply the new version (it adopts the running pods), then, for a size change,
    /// resize each existing PVC with `kubectl patch pvc` (the new template only applies to
    /// PVCs created later).
    pub struct StatefulSetImmutableFieldChanged = "statefulset-immutable-field-changed", Error;
}

impl Check for StatefulSetImmutableFieldChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if !key.is("apps", "StatefulSet") {
                continue;
            }
            let spec = |o: &Value| {
                o.get("spec")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default()
            };
            let (old_spec, new_spec) = (spec(old), spec(new));
            let mut fields: Vec<&str> = old_spec
                .keys()
                .chain(new_spec.keys())
                .map(String::as_str)
                .filter(|f| !MUTABLE.contains(f))
                .filter(|f| old_spec.get(*f) != new_spec.get(*f))
                .collect();
            fields.sort_unstable();
            fields.dedup();
            if fields.is_empty() {
                continue;
            }
            let list = fields
                .iter()
                .map(|f| format!("`spec.{f}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let ns = &key.namespace;
            let name = &key.name;
            let mut fix = vec![
                format!(
                    "kubectl delete statefulset {name} --namespace {ns} --cascade=orphan   # pods and PVCs keep running"
                ),
                "run the upgrade (`helm upgrade` or `kubectl apply`): the new StatefulSet adopts the running pods".to_owned(),
            ];
            if fields.contains(&"volumeClaimTemplates") {
                fix.extend(resize_commands(key, old, new));
            }
            if fields.contains(&"selector") {
                fix.push("a new selector does not match the old pods: they are orphaned; delete them one by one after the new ones are ready".to_owned());
            }
            found.push(self.finding(
                key,
                format!(
                    "{list} cannot change on an existing StatefulSet: `helm upgrade` and `kubectl apply` will be rejected"
                ),
                fix,
            ));
        }
    }
}

/// Existing PVCs keep the spec they were created with: for each claim template whose size
/// changed, one command that patches every replica's claim to the new size.
fn resize_commands(key: &ResourceKey, old: &Value, new: &Value) -> Vec<String> {
    let count = replicas(new);
    let ordinals = if count <= 6 {
        (0..count)
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        format!("$(seq 0 {})", count - 1)
    };
    let templates = at(new, "/spec/volumeClaimTemplates")
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    templates
        .iter()
        .filter_map(|t| {
            let claim = at(t, "/metadata/name").as_str()?;
            let size = at(t, "/spec/resources/requests/storage").as_str()?;
            let before = claim_size(old, claim)?;
            if before == size {
                return None;
            }
            Some(format!(
                "existing PVCs keep their old size; resize them: for i in {ordinals}; do kubectl patch pvc {claim}-{name}-$i --namespace {ns} -p '{{\"spec\":{{\"resources\":{{\"requests\":{{\"storage\":\"{size}\"}}}}}}}}'; done",
                name = key.name,
                ns = key.namespace,
            ))
        })
        .collect()
}

fn claim_size<'v>(sts: &'v Value, claim: &str) -> Option<&'v str> {
    at(sts, "/spec/volumeClaimTemplates")
        .as_array()?
        .iter()
        .find(|t| at(t, "/metadata/name").as_str() == Some(claim))
        .and_then(|t| at(t, "/spec/resources/requests/storage").as_str())
}
