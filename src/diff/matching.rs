//! Matching old and new objects: by API group (not version, so `policy/v1beta1` and
//! `policy/v1` are one PodDisruptionBudget), kind, namespace and name.
//!
//! This module owns the identity of a resource and the order resources are reported in
//! (Helm's install order); it leaves comparing the matched objects to the rest of [`super`].

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use super::load::Located;
use crate::manifest::INSTALL_ORDER;

/// What makes two objects the same resource.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ResourceKey {
    /// The API group, empty for the core group.
    pub group: String,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

impl ResourceKey {
    /// The key of an object; objects without a namespace get the release's.
    pub fn of(object: &Value, default_namespace: &str) -> ResourceKey {
        let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
        let api_version = text("/apiVersion").unwrap_or("");
        let group = api_version
            .rsplit_once('/')
            .map_or("", |(group, _)| group)
            .to_owned();
        ResourceKey {
            group,
            kind: text("/kind").unwrap_or("").to_owned(),
            namespace: text("/metadata/namespace")
                .filter(|ns| !ns.is_empty())
                .unwrap_or(default_namespace)
                .to_owned(),
            name: text("/metadata/name").unwrap_or("").to_owned(),
        }
    }

    /// Whether this is `kind` in the API `group` (`""` for core).
    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.group == group && self.kind == kind
    }

    fn rank(&self) -> usize {
        INSTALL_ORDER
            .iter()
            .position(|k| *k == self.kind)
            .unwrap_or(INSTALL_ORDER.len())
    }
}

/// `StatefulSet default/redis-ha-node`.
impl fmt::Display for ResourceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}/{}", self.kind, self.namespace, self.name)
    }
}

/// One resource on either or both sides.
#[derive(Clone, Debug, PartialEq)]
pub struct Pair {
    pub key: ResourceKey,
    pub old: Option<Value>,
    pub new: Option<Value>,
}

/// The same resource twice on one side.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "{side} state has `{key}` twice: at {first} and at {second}\n  hint: each resource may appear once; remove the duplicate"
)]
pub struct DuplicateError {
    pub side: &'static str,
    pub key: String,
    pub first: String,
    pub second: String,
}

/// Pairs the two sides; resources come back in Helm's install order, then by kind, namespace
/// and name.
pub fn pair(
    old: Vec<Located>,
    new: Vec<Located>,
    default_namespace: &str,
) -> Result<Vec<Pair>, DuplicateError> {
    let mut map: BTreeMap<(usize, ResourceKey), Pair> = BTreeMap::new();
    let mut seen: BTreeMap<(bool, ResourceKey), String> = BTreeMap::new();
    for (is_new, side) in [(false, old), (true, new)] {
        for Located { object, location } in side {
            let key = ResourceKey::of(&object, default_namespace);
            if let Some(first) = seen.insert((is_new, key.clone()), location.clone()) {
                return Err(DuplicateError {
                    side: if is_new { "the new" } else { "the old" },
                    key: key.to_string(),
                    first,
                    second: location,
                });
            }
            let entry = map.entry((key.rank(), key.clone())).or_insert(Pair {
                key,
                old: None,
                new: None,
            });
            if is_new {
                entry.new = Some(object);
            } else {
                entry.old = Some(object);
            }
        }
    }
    Ok(map.into_values().collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn located(object: Value, location: &str) -> Located {
        Located {
            object,
            location: location.to_owned(),
        }
    }

    #[test]
    fn keys() {
        let table = [
            (
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "a"}}),
                ("apps", "StatefulSet", "default", "a"),
            ),
            (
                json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "b", "namespace": "data"}}),
                ("", "Service", "data", "b"),
            ),
            (
                json!({"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "metadata": {"name": "c", "namespace": ""}}),
                ("policy", "PodDisruptionBudget", "default", "c"),
            ),
        ];
        for (object, (group, kind, namespace, name)) in table {
            let key = ResourceKey::of(&object, "default");
            assert_eq!(
                (&*key.group, &*key.kind, &*key.namespace, &*key.name),
                (group, kind, namespace, name)
            );
        }
    }

    #[test]
    fn pairs_by_group_not_version_and_sorts_in_install_order() {
        let old = vec![
            located(
                json!({"apiVersion": "policy/v1beta1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"}}),
                "old:1",
            ),
            located(
                json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "gone"}}),
                "old:5",
            ),
        ];
        let new = vec![
            located(
                json!({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"}}),
                "new:1",
            ),
            located(
                json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p", "namespace": "default"}}),
                "new:2",
            ),
        ];
        let pairs = pair(old, new, "default").unwrap();
        let got: Vec<_> = pairs
            .iter()
            .map(|p| (p.key.to_string(), p.old.is_some(), p.new.is_some()))
            .collect();
        assert_eq!(
            got,
            [
                ("PodDisruptionBudget default/p".to_owned(), true, true),
                ("ConfigMap default/gone".to_owned(), true, false),
                ("StatefulSet default/s".to_owned(), false, true),
            ]
        );
    }

    #[test]
    fn duplicates_are_errors() {
        let object = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}});
        let err = pair(
            vec![
                located(object.clone(), "live.yaml:1"),
                located(object, "live.yaml:9"),
            ],
            vec![],
            "default",
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the old state has `ConfigMap default/a` twice: at live.yaml:1 and at live.yaml:9\n  hint: each resource may appear once; remove the duplicate"
        );
    }
}
