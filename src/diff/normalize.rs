//! Normalization: making an old and a new object comparable so that only real changes show.
//!
//! - Server-populated fields go (`status`; metadata `uid`, `resourceVersion`, `generation`,
//!   `creationTimestamp`, `managedFields`, …; the `last-applied-configuration` annotation).
//! - A Secret's `stringData` is folded into `data`, as the API server stores it.
//! - Quantities compare by value (`1Gi` is `1024Mi`), ports as int-or-string (`"6379"` is
//!   `6379`): when equal, the old side takes the new side's spelling.
//! - On a live object (one with server fields), fields only the live side has are dropped as
//!   server defaults or other managers' fields, unless the release set them: they are in the
//!   object's `last-applied-configuration`, or `managedFields` gives them to the release's
//!   managers and they do not hold a server default ([`super::ownership`],
//!   [`super::defaults`]). Then their removal is a real change. `--show-defaults` keeps them
//!   all.
//! - Zero values the API server omits (`initialDelaySeconds: 0`, `value: ""`, `false`, `{}`)
//!   count as absent when the live object lacks them.
//! - Nulls go; keys are sorted.
//!
//! This module owns those rules; it leaves hiding Secret values to [`super::secret`].

use base64::Engine as _;
use serde_json::{Map, Value};

use super::defaults::is_default;
use super::ownership::{self, Owned};
use crate::quantity::Quantity;

pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Metadata fields only the API server writes.
const SERVER_METADATA: &[&str] = &[
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Parents of fields that hold resource quantities (`resources.requests.memory`).
const QUANTITY_PARENTS: &[&str] = &[
    "requests",
    "limits",
    "capacity",
    "allocatable",
    "hard",
    "overhead",
];

/// Quantity fields named on their own.
const QUANTITY_FIELDS: &[&str] = &["sizeLimit"];

/// Maps whose keys are the user's: the server keeps their empty values (`label: ""`).
const FREE_FORM_MAPS: &[&str] = &[
    "labels",
    "annotations",
    "matchLabels",
    "nodeSelector",
    "data",
    "binaryData",
];

/// Int-or-string port fields.
const PORT_FIELDS: &[&str] = &[
    "port",
    "targetPort",
    "containerPort",
    "nodePort",
    "hostPort",
    "endPort",
];

/// Both sides of one resource, normalized.
pub fn normalize_pair(
    old: Option<Value>,
    new: Option<Value>,
    show_defaults: bool,
) -> (Option<Value>, Option<Value>) {
    let prepare = |object: Option<Value>| {
        object.map(|mut object| {
            let live = is_live(&object);
            let fields = ownership::release_fields(&object);
            let written = ownership::written_fields(&object);
            let mut applied = strip_server_fields(&mut object);
            fold_string_data(&mut object);
            drop_nulls(&mut object);
            if let Some(applied) = &mut applied {
                fold_string_data(applied);
                drop_nulls(applied);
            }
            (object, live, applied, fields, written)
        })
    };
    let old = prepare(old);
    let new = prepare(new);
    let (old, new) = match (old, new) {
        (
            Some((mut old, old_live, old_applied, old_fields, _)),
            Some((mut new, new_live, new_applied, _, new_written)),
        ) => {
            harmonize(&mut old, &new, None, None);
            harmonize(&mut new, &old, None, None);
            if !show_defaults {
                let config = is_config_data(&old);
                if old_live {
                    let fields = old_fields.as_ref().and_then(Value::as_object);
                    let owned = fields.map_or(Owned::Nothing, Owned::Fields);
                    prune(
                        &mut old,
                        &mut new,
                        old_applied.as_ref(),
                        owned,
                        false,
                        config,
                        false,
                    );
                } else if new_live {
                    // A live object as the new side (drift: the last release against it):
                    // what anyone but a controller wrote there counts.
                    let fields = new_written.as_ref().and_then(Value::as_object);
                    let owned = fields.map_or(Owned::Nothing, Owned::Fields);
                    prune(
                        &mut new,
                        &mut old,
                        new_applied.as_ref(),
                        owned,
                        false,
                        config,
                        false,
                    );
                }
            }
            (Some(old), Some(new))
        }
        (old, new) => (old.map(|o| o.0), new.map(|n| n.0)),
    };
    let finish = |mut object: Value| {
        sort_keys(&mut object);
        object
    };
    (old.map(finish), new.map(finish))
}

/// Whether the object came from the API server rather than from a chart.
pub fn is_live(object: &Value) -> bool {
    let Some(metadata) = object.get("metadata").and_then(Value::as_object) else {
        return false;
    };
    [
        "uid",
        "resourceVersion",
        "creationTimestamp",
        "managedFields",
    ]
    .iter()
    .any(|field| metadata.get(*field).is_some_and(|v| !v.is_null()))
        || object.get("status").is_some_and(|s| !s.is_null())
}

/// Removes server-populated fields; returns the parsed last-applied configuration, if any.
fn strip_server_fields(object: &mut Value) -> Option<Value> {
    let Value::Object(map) = object else {
        return None;
    };
    map.remove("status");
    let metadata = map.get_mut("metadata").and_then(Value::as_object_mut)?;
    for field in SERVER_METADATA {
        metadata.remove(*field);
    }
    let annotations = metadata
        .get_mut("annotations")
        .and_then(Value::as_object_mut)?;
    let applied = annotations.remove(LAST_APPLIED);
    if annotations.is_empty() {
        metadata.remove("annotations");
    }
    let mut applied: Value = serde_json::from_str(applied?.as_str()?).ok()?;
    strip_server_fields(&mut applied);
    Some(applied)
}

/// Whether an object is a core Secret.
pub fn is_secret(object: &Value) -> bool {
    object.get("apiVersion").and_then(Value::as_str) == Some("v1")
        && object.get("kind").and_then(Value::as_str) == Some("Secret")
}

/// ConfigMaps and Secrets: their `data` never holds server defaults.
fn is_config_data(object: &Value) -> bool {
    object.get("apiVersion").and_then(Value::as_str) == Some("v1")
        && matches!(
            object.get("kind").and_then(Value::as_str),
            Some("Secret" | "ConfigMap")
        )
}

/// Folds a Secret's `stringData` into `data`, base64-encoded, as the API server does.
fn fold_string_data(object: &mut Value) {
    if !is_secret(object) {
        return;
    }
    let Some(map) = object.as_object_mut() else {
        return;
    };
    let Some(Value::Object(string_data)) = map.remove("stringData") else {
        return;
    };
    let data = map
        .entry("data")
        .or_insert_with(|| Value::Object(Map::new()));
    if !data.is_object() {
        *data = Value::Object(Map::new());
    }
    if let Value::Object(data) = data {
        for (key, value) in string_data {
            let text = match value {
                Value::String(s) => s,
                Value::Null => continue,
                other => other.to_string(),
            };
            data.insert(
                key,
                Value::String(base64::engine::general_purpose::STANDARD.encode(text)),
            );
        }
    }
}

fn drop_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// Recursively sorts map keys so the YAML of equal objects is equal text.
pub fn sort_keys(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.sort_keys();
            map.values_mut().for_each(sort_keys);
        }
        Value::Array(items) => items.iter_mut().for_each(sort_keys),
        _ => {}
    }
}

/// Gives `target` the spelling of `other` wherever the two say the same quantity or port.
fn harmonize(target: &mut Value, other: &Value, key: Option<&str>, parent: Option<&str>) {
    match (target, other) {
        (Value::Object(t), Value::Object(o)) => {
            for (k, tv) in t.iter_mut() {
                if let Some(ov) = o.get(k) {
                    harmonize(tv, ov, Some(k), key);
                }
            }
        }
        (Value::Array(t), Value::Array(o)) => {
            for (ti, oi) in list_pairs(t, o) {
                if let (Some(ti), Some(oi)) = (ti, oi) {
                    harmonize(&mut t[ti], &o[oi], key, parent);
                }
            }
        }
        (target, other) if target != other => {
            let is_quantity = parent.is_some_and(|p| QUANTITY_PARENTS.contains(&p))
                || key.is_some_and(|k| QUANTITY_FIELDS.contains(&k));
            let is_port = key.is_some_and(|k| PORT_FIELDS.contains(&k));
            let same = (is_quantity
                && Quantity::from_json(target).is_some()
                && Quantity::from_json(target) == Quantity::from_json(other))
                || (is_port
                    && int_or_string(target).is_some()
                    && int_or_string(target) == int_or_string(other));
            if same {
                *target = other.clone();
            }
        }
        _ => {}
    }
}

/// A port as a number when it is one, written either way.
fn int_or_string(value: &Value) -> Option<i64> {
    match value {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Drops what only the live side has unless the release set it (it is in the
/// `last-applied-configuration`, or the release's field managers own it and it is not a
/// server default), and what only the desired side has when it is a zero value (the server
/// omits empty fields: `initialDelaySeconds: 0`, `value: ""`, `{}`). `keep_live_keys` keeps
/// this level's live-only keys; `config` says this is the top of a ConfigMap or Secret, whose
/// `data` keys are all the user's.
fn prune(
    live: &mut Value,
    desired: &mut Value,
    applied: Option<&Value>,
    owned: Owned<'_>,
    keep_live_keys: bool,
    config: bool,
    free_form: bool,
) {
    match (live, desired) {
        (Value::Object(l), Value::Object(d)) => {
            if !keep_live_keys {
                let live_only: Vec<String> = l
                    .keys()
                    .filter(|k| !d.contains_key(*k) && applied.and_then(|a| a.get(*k)).is_none())
                    .cloned()
                    .collect();
                for k in live_only {
                    match release_part(&k, &l[&k], l, owned.key(&k)) {
                        Some(kept) => l.insert(k, kept),
                        None => l.remove(&k),
                    };
                }
            }
            if !free_form {
                d.retain(|k, v| l.contains_key(k) || !is_zero(v));
            }
            for (k, lv) in l.iter_mut() {
                if let Some(dv) = d.get_mut(k) {
                    let keep = config && (k == "data" || k == "binaryData");
                    let applied = applied.and_then(|a| a.get(k));
                    let free_form = FREE_FORM_MAPS.contains(&k.as_str());
                    prune(lv, dv, applied, owned.key(k), keep, false, free_form);
                }
            }
        }
        (Value::Array(l), Value::Array(d)) => {
            let applied_items = applied.and_then(Value::as_array);
            for (li, di) in list_pairs(l, d) {
                if let (Some(li), Some(di)) = (li, di) {
                    let applied_item = applied_items.and_then(|a| matching_item(a, &l[li], li));
                    let owned = owned.item(&l[li]);
                    prune(
                        &mut l[li],
                        &mut d[di],
                        applied_item,
                        owned,
                        false,
                        false,
                        false,
                    );
                }
            }
        }
        _ => {}
    }
}

/// What of a live-only field the release set: its parts the release's managers own that do
/// not hold server defaults; `None` when nothing is left.
fn release_part(
    key: &str,
    value: &Value,
    parent: &Map<String, Value>,
    owned: Owned<'_>,
) -> Option<Value> {
    if owned == Owned::Nothing || is_default(key, value, parent) {
        return None;
    }
    match (value, owned) {
        (Value::Object(map), Owned::Fields(_)) => {
            let kept: Map<String, Value> = map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), release_part(k, v, map, owned.key(k))?)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        (Value::Array(items), Owned::Fields(_)) => {
            let kept: Vec<Value> = items
                .iter()
                .filter(|item| owned.item(item) != Owned::Nothing)
                .cloned()
                .collect();
            (!kept.is_empty()).then_some(Value::Array(kept))
        }
        (value, _) => Some(value.clone()),
    }
}

/// A value the API server does not store: empty, zero, `""` or `false` (`omitempty`).
fn is_zero(value: &Value) -> bool {
    match value {
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
    }
}

/// The element of `list` that corresponds to `item` (by name, else by position).
fn matching_item<'a>(list: &'a [Value], item: &Value, index: usize) -> Option<&'a Value> {
    match item.get("name").and_then(Value::as_str) {
        Some(name) => list
            .iter()
            .find(|v| v.get("name").and_then(Value::as_str) == Some(name)),
        None => list.get(index),
    }
}

/// Pairs the elements of two lists: by `name` when every element has a unique one, else by
/// position. Unpaired elements come with `None` on the other side.
pub fn list_pairs(a: &[Value], b: &[Value]) -> Vec<(Option<usize>, Option<usize>)> {
    match (names(a), names(b)) {
        (Some(na), Some(nb)) => {
            let mut pairs: Vec<_> = na
                .iter()
                .enumerate()
                .map(|(i, name)| (Some(i), nb.iter().position(|n| n == name)))
                .collect();
            pairs.extend(
                nb.iter()
                    .enumerate()
                    .filter(|(_, name)| !na.contains(name))
                    .map(|(j, _)| (None, Some(j))),
            );
            pairs
        }
        _ => (0..a.len().max(b.len()))
            .map(|i| ((i < a.len()).then_some(i), (i < b.len()).then_some(i)))
            .collect(),
    }
}

/// The `name` of every element, when all have one and none repeats.
pub fn names(list: &[Value]) -> Option<Vec<&str>> {
    let names: Vec<&str> = list
        .iter()
        .map(|v| v.get("name").and_then(Value::as_str))
        .collect::<Option<_>>()?;
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    (sorted.len() == names.len() && !names.is_empty()).then_some(names)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn normalized(old: Value, new: Value, show_defaults: bool) -> (Value, Value) {
        let (old, new) = normalize_pair(Some(old), Some(new), show_defaults);
        (old.unwrap(), new.unwrap())
    }

    #[test]
    fn server_fields_go() {
        let live = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {
                "name": "a", "uid": "u", "resourceVersion": "1", "generation": 2,
                "creationTimestamp": "2024-01-01T00:00:00Z", "managedFields": [],
                "annotations": {LAST_APPLIED: "{}"},
            },
            "data": {"k": "v"},
            "status": {},
        });
        let desired = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"k": "v"}});
        let (old, new) = normalized(live, desired.clone(), true);
        assert_eq!(old, new);
        assert_eq!(new, desired);
    }

    #[test]
    fn quantities_and_ports_by_value() {
        let table = [
            (
                json!({"limits": {"memory": "1024Mi"}}),
                json!({"limits": {"memory": "1Gi"}}),
                true,
            ),
            (
                json!({"requests": {"cpu": "500m"}}),
                json!({"requests": {"cpu": 0.5}}),
                true,
            ),
            (
                json!({"requests": {"cpu": "1"}}),
                json!({"requests": {"cpu": 1}}),
                true,
            ),
            (
                json!({"requests": {"cpu": "2"}}),
                json!({"requests": {"cpu": 1}}),
                false,
            ),
            (
                json!({"emptyDir": {"sizeLimit": "1Gi"}}),
                json!({"emptyDir": {"sizeLimit": "1073741824"}}),
                true,
            ),
            (
                json!({"ports": [{"port": "6379"}]}),
                json!({"ports": [{"port": 6379}]}),
                true,
            ),
            (
                json!({"ports": [{"targetPort": "redis"}]}),
                json!({"ports": [{"targetPort": 6379}]}),
                false,
            ),
            // Not a quantity field: compared as written.
            (
                json!({"data": {"size": "1Gi"}}),
                json!({"data": {"size": "1024Mi"}}),
                false,
            ),
            (json!({"image": "1"}), json!({"image": 1}), false),
        ];
        for (old, new, equal) in table {
            let (o, n) = normalized(old.clone(), new.clone(), false);
            assert_eq!(o == n, equal, "{old} vs {new}");
            // The new side's spelling wins.
            if equal {
                assert_eq!(n, new);
            }
        }
    }

    #[test]
    fn live_only_fields_are_defaults() {
        let live = json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "s", "uid": "u"},
            "spec": {
                "revisionHistoryLimit": 10,
                "template": {"spec": {
                    "dnsPolicy": "ClusterFirst",
                    "containers": [{"name": "redis", "image": "r:1", "imagePullPolicy": "IfNotPresent",
                                    "terminationMessagePath": "/dev/termination-log"}],
                }},
            },
        });
        let desired = json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "s", "annotations": {}},
            "spec": {"template": {"spec": {"containers": [{"name": "redis", "image": "r:1"}]}}},
        });
        let (old, new) = normalized(live.clone(), desired.clone(), false);
        assert_eq!(old, new);
        let (old, new) = normalized(live, desired, true);
        assert_ne!(old, new);
        assert_eq!(old["spec"]["revisionHistoryLimit"], 10);
    }

    #[test]
    fn applied_fields_that_go_are_removals() {
        let applied = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {"x": "1"}}});
        let live = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "uid": "u", "labels": {"x": "1", "added-by-server": "y"},
                         "annotations": {LAST_APPLIED: applied.to_string()}},
        });
        let desired = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a", "labels": {}}});
        let (old, new) = normalized(live, desired, false);
        assert_eq!(old["metadata"]["labels"], json!({"x": "1"}));
        assert_eq!(new["metadata"]["labels"], json!({}));
    }

    /// Helm writes no `last-applied-configuration`: `managedFields` says what it set.
    #[test]
    fn release_owned_fields_that_go_are_removals() {
        let live = json!({
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": "s", "uid": "u", "managedFields": [
                {"manager": "helm", "operation": "Update", "fieldsV1": {"f:spec": {
                    "f:revisionHistoryLimit": {},
                    "f:topologySpreadConstraints": {".": {},
                        "k:{\"topologyKey\":\"zone\",\"whenUnsatisfiable\":\"DoNotSchedule\"}": {".": {}}},
                    "f:persistentVolumeClaimRetentionPolicy": {".": {}, "f:whenDeleted": {}, "f:whenScaled": {}},
                    "f:updateStrategy": {".": {}, "f:type": {}, "f:rollingUpdate": {".": {}, "f:partition": {}}},
                }}},
                {"manager": "kubectl-edit", "operation": "Update", "fieldsV1": {"f:spec": {"f:minReadySeconds": {}}}},
            ]},
            "spec": {
                "revisionHistoryLimit": 10,
                "minReadySeconds": 5,
                "topologySpreadConstraints": [{"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 1}],
                "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Delete"},
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
            },
        });
        let desired = json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}, "spec": {}});
        let (old, _) = normalized(live, desired, false);
        // Defaults and another manager's field go; what the release set and no longer sets stays.
        assert_eq!(
            old["spec"],
            json!({
                "topologySpreadConstraints": [{"topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", "maxSkew": 1}],
                "persistentVolumeClaimRetentionPolicy": {"whenScaled": "Delete"},
            })
        );
    }

    #[test]
    fn omitted_zero_values_are_absent() {
        let live = json!({"metadata": {"uid": "u"}, "spec": {"probe": {"periodSeconds": 5},
                          "env": [{"name": "A"}], "flag": true}});
        let desired = json!({"metadata": {}, "spec": {"probe": {"periodSeconds": 5, "initialDelaySeconds": 0},
                             "env": [{"name": "A", "value": ""}], "flag": true, "off": false}});
        let (old, new) = normalized(live, desired, false);
        assert_eq!(old, new);
        // The server keeps empty values of the user's own maps.
        let live = json!({"metadata": {"uid": "u", "labels": {}}, "data": {}});
        let desired = json!({"metadata": {"labels": {"tier": ""}}, "data": {"empty": ""}});
        let (old, new) = normalized(live, desired, false);
        assert_ne!(old, new);
        assert_eq!(new["metadata"]["labels"], json!({"tier": ""}));
        // A real value is a change.
        let live = json!({"metadata": {"uid": "u"}, "spec": {}});
        let desired = json!({"metadata": {}, "spec": {"initialDelaySeconds": 5}});
        let (old, new) = normalized(live, desired, false);
        assert_ne!(old, new);
    }

    #[test]
    fn config_data_keys_are_never_defaults() {
        let live = json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "uid": "u"},
            "data": {"kept": "1", "gone": "2"},
        });
        let desired = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"kept": "1"}});
        let (old, new) = normalized(live, desired, false);
        assert_eq!(old["data"], json!({"gone": "2", "kept": "1"}));
        assert_eq!(new["data"], json!({"kept": "1"}));
    }

    #[test]
    fn string_data_folds_into_data() {
        let old = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"password": "c2VjcmV0"}});
        let new = json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "stringData": {"password": "secret"}});
        let (old, new) = normalized(old, new, false);
        assert_eq!(old, new);
    }

    #[test]
    fn nulls_go_and_keys_sort() {
        let (old, new) = normalized(
            json!({"b": 1, "a": null, "c": {"z": 1, "y": null}}),
            json!({"c": {"z": 1}, "b": 1}),
            false,
        );
        assert_eq!(old, new);
        assert_eq!(
            serde_json::to_string(&old).unwrap(),
            r#"{"b":1,"c":{"z":1}}"#
        );
    }

    #[test]
    fn list_pairing() {
        let named =
            |names: &[&str]| -> Vec<Value> { names.iter().map(|n| json!({"name": n})).collect() };
        assert_eq!(
            list_pairs(&named(&["a", "b"]), &named(&["b", "c"])),
            [(Some(0), None), (Some(1), Some(0)), (None, Some(1))]
        );
        // Repeated names: by position.
        assert_eq!(
            list_pairs(&named(&["a", "a"]), &named(&["a"])),
            [(Some(0), Some(0)), (Some(1), None)]
        );
        assert_eq!(list_pairs(&[json!(1)], &[]), [(Some(0), None)]);
    }
}
