//! Who set a live object's fields: `metadata.managedFields`, as the API server records it.
//!
//! Every write to an object records, per field manager, the fields that write set (the
//! server-side-apply `FieldsV1` format: `f:name` for a map key, `k:{"name":"redis"}` for a
//! list item by its merge key, `v:"x"` for an item of a set, `.` for the node itself). Helm
//! writes as the manager `helm` (Flux as `helm-controller`), `kubectl apply` as `kubectl-client-side-apply` (or `kubectl`
//! for server-side apply), controllers and `kubectl edit`/`patch`/`scale` under their own
//! names. The fields the release's managers own are the release's: one it no longer sets is a
//! removal. A field only other managers own is not the release's to remove.
//!
//! This module owns reading that record; it leaves deciding what is a server default to
//! [`super::defaults`] and the comparison to [`super::normalize`].

use serde_json::{Map, Value};

/// Field managers that write what a release or `kubectl apply` asks for. A manager not listed
/// writes for someone else (a controller, `kubectl edit`, an operator).
const RELEASE_MANAGERS: &[&str] = &[
    "helm",
    "helm-controller",
    "kubectl-client-side-apply",
    "kubectl",
];

/// What the release's managers own at one point of an object.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Owned<'a> {
    /// Nothing here is known to be the release's.
    Nothing,
    /// This node and everything below it (an atomic map or list, or a leaf).
    All,
    /// Some fields below: the `FieldsV1` subtree.
    Fields(&'a Map<String, Value>),
}

impl<'a> Owned<'a> {
    /// What is owned of the map key `key` below this node.
    #[must_use]
    pub fn key(self, key: &str) -> Owned<'a> {
        match self {
            Owned::Nothing => Owned::Nothing,
            Owned::All => Owned::All,
            Owned::Fields(fields) => node(fields.get(&format!("f:{key}"))),
        }
    }

    /// Whether the map key `key` below this node is the release's.
    pub fn has_key(self, key: &str) -> bool {
        self.key(key) != Owned::Nothing
    }

    /// What is owned of the list item `item` below this node: by merge key (`k:{...}`) or, in
    /// a set, by value (`v:...`).
    #[must_use]
    pub fn item(self, item: &Value) -> Owned<'a> {
        let Owned::Fields(fields) = self else {
            return self;
        };
        for (name, sub) in fields {
            let hit = if let Some(key) = name.strip_prefix("k:") {
                serde_json::from_str::<Map<String, Value>>(key)
                    .is_ok_and(|key| key.iter().all(|(k, v)| same_scalar(item.get(k), v)))
            } else if let Some(value) = name.strip_prefix("v:") {
                serde_json::from_str::<Value>(value).is_ok_and(|v| same_scalar(Some(item), &v))
            } else {
                false
            };
            if hit {
                return node(Some(sub));
            }
        }
        Owned::Nothing
    }
}

/// A `FieldsV1` node: `{}` owns the whole node (a leaf or an atomic map or list); `.` among
/// children owns the node's existence, not what is in it.
fn node(sub: Option<&Value>) -> Owned<'_> {
    match sub {
        None => Owned::Nothing,
        Some(Value::Object(map)) if !map.is_empty() => Owned::Fields(map),
        Some(_) => Owned::All,
    }
}

/// Merge-key values compare as written by the server (`6379` and `"6379"` are one port).
fn same_scalar(item: Option<&Value>, key: &Value) -> bool {
    match (item, key) {
        (Some(a), b) if a == b => true,
        (Some(Value::String(a)), Value::Number(b)) | (Some(Value::Number(b)), Value::String(a)) => {
            a.trim() == b.to_string()
        }
        _ => false,
    }
}

/// Managers that keep objects running rather than say what they should be: what they write
/// is no one's drift.
const CONTROLLERS: &[&str] = &["kube-controller-manager", "kube-scheduler", "kubelet"];

/// The fields the release's managers own on a live object, merged; `None` when the object
/// records no such manager (then ownership is unknown).
pub fn release_fields(object: &Value) -> Option<Value> {
    fields_by(object, |manager| RELEASE_MANAGERS.contains(&manager))
}

/// The fields people and tools wrote on a live object (the release, `kubectl edit`, `patch`,
/// `annotate`, other deploy tools), not the controllers: what drift is made of.
pub fn written_fields(object: &Value) -> Option<Value> {
    fields_by(object, |manager| !CONTROLLERS.contains(&manager))
}

fn fields_by(object: &Value, wanted: impl Fn(&str) -> bool) -> Option<Value> {
    let entries = object.pointer("/metadata/managedFields")?.as_array()?;
    let mut merged: Option<Value> = None;
    for entry in entries {
        let manager = entry.get("manager").and_then(Value::as_str).unwrap_or("");
        let subresource = entry.get("subresource").and_then(Value::as_str);
        if !wanted(manager) || subresource.is_some_and(|s| !s.is_empty()) {
            continue;
        }
        let Some(fields) = entry.get("fieldsV1") else {
            continue;
        };
        match &mut merged {
            None => merged = Some(fields.clone()),
            Some(into) => union(into, fields),
        }
    }
    merged
}

fn union(into: &mut Value, from: &Value) {
    if let (Value::Object(into), Value::Object(from)) = (into, from) {
        for (k, v) in from {
            match into.get_mut(k) {
                Some(existing) => union(existing, v),
                None => {
                    into.insert(k.clone(), v.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn release_managers_only() {
        let object = json!({"metadata": {"managedFields": [
            {"manager": "helm", "operation": "Update", "fieldsV1": {"f:spec": {"f:replicas": {}}}},
            {"manager": "kube-controller-manager", "operation": "Update",
             "fieldsV1": {"f:spec": {"f:paused": {}}}},
            {"manager": "kubectl-client-side-apply", "operation": "Update",
             "fieldsV1": {"f:spec": {"f:template": {}}}},
            {"manager": "helm", "operation": "Update", "subresource": "status",
             "fieldsV1": {"f:status": {}}},
        ]}});
        let fields = release_fields(&object).unwrap();
        assert_eq!(
            fields,
            json!({"f:spec": {"f:replicas": {}, "f:template": {}}})
        );
        assert_eq!(release_fields(&json!({"metadata": {}})), None);
    }

    #[test]
    fn keys_items_and_atomic_nodes() {
        let fields = json!({
            "f:spec": {
                "f:selector": {},
                "f:containers": {
                    "k:{\"name\":\"redis\"}": {".": {}, "f:image": {}},
                    "k:{\"containerPort\":6379,\"protocol\":\"TCP\"}": {".": {}},
                },
                "f:finalizers": {"v:\"kubernetes.io/pvc-protection\"": {}},
            }
        });
        let Value::Object(root) = &fields else {
            unreachable!()
        };
        let spec = Owned::Fields(root).key("spec");
        assert_eq!(spec.key("selector"), Owned::All);
        assert_eq!(spec.key("selector").key("matchLabels"), Owned::All);
        assert_eq!(spec.key("replicas"), Owned::Nothing);
        let containers = spec.key("containers");
        let redis = containers.item(&json!({"name": "redis", "image": "r"}));
        assert!(redis.has_key("image"));
        assert!(!redis.has_key("command"));
        let port = containers.item(&json!({"containerPort": "6379", "protocol": "TCP"}));
        assert_ne!(port, Owned::Nothing);
        // `.` owns the item, not its fields.
        assert!(!port.has_key("name"));
        assert_eq!(containers.item(&json!({"name": "other"})), Owned::Nothing);
        assert_eq!(
            spec.key("finalizers")
                .item(&json!("kubernetes.io/pvc-protection")),
            Owned::All
        );
    }
}
