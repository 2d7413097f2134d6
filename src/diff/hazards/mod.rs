//! Hazards: what an upgrade would break, named before it runs.
//!
//! Each hazard is a struct in its own file whose doc comment is its documentation (shown by
//! `redis-ha diff --explain ID`), with the sections "What it does", "Why is this bad?",
//! "Example" and "What to do"; IDs name the problem, never the fix. All are registered in
//! [`HAZARDS`]. Checks see both sides of every resource, normalized but not masked, and must
//! never put a Secret value into a finding.

mod acl_login_changed;
mod auth_secret_changed;
mod claim_retention_deletes_data;
mod cluster_bus_port_changed;
mod cluster_pods_removed;
mod config_command_renamed;
mod deployment_selector_changed;
mod password_changed;
mod pods_restart;
mod redis_port_changed;
mod restore_on_running_release;
mod sentinel_count_changed;
mod sentinel_id_changed;
mod sentinel_master_name_changed;
mod sentinel_quorum_changed;
mod service_cluster_ip_changed;
mod service_selector_changed;
mod service_type_changed;
mod statefulset_immutable_field_changed;
mod statefulset_removed;
mod statefulset_renamed;
mod statefulset_scaled_down;
mod storage_class_changed;
mod tls_enabled;
mod volume_claim_expansion;
mod volume_claim_removed;
mod volume_claim_shrink;

use crate::redis_conf::{self, Directive};
use crate::registry::{self, Entry, UnknownId};
use crate::topology::{Component, SentinelConfig};
use serde::Serialize;
use serde_json::Value;

use super::matching::{Pair, ResourceKey};

pub use acl_login_changed::AclLoginChanged;
pub use auth_secret_changed::AuthSecretChanged;
pub use claim_retention_deletes_data::ClaimRetentionDeletesData;
pub use cluster_bus_port_changed::ClusterBusPortChanged;
pub use cluster_pods_removed::ClusterPodsRemoved;
pub use config_command_renamed::ConfigCommandRenamed;
pub use deployment_selector_changed::DeploymentSelectorChanged;
pub use password_changed::PasswordChanged;
pub use pods_restart::PodsRestart;
pub use redis_port_changed::RedisPortChanged;
pub use restore_on_running_release::RestoreOnRunningRelease;
pub use sentinel_count_changed::SentinelCountChanged;
pub use sentinel_id_changed::SentinelIdChanged;
pub use sentinel_master_name_changed::SentinelMasterNameChanged;
pub use sentinel_quorum_changed::SentinelQuorumChanged;
pub use service_cluster_ip_changed::ServiceClusterIpChanged;
pub use service_selector_changed::ServiceSelectorChanged;
pub use service_type_changed::ServiceTypeChanged;
pub use statefulset_immutable_field_changed::StatefulSetImmutableFieldChanged;
pub use statefulset_removed::StatefulSetRemoved;
pub use statefulset_renamed::StatefulSetRenamed;
pub use statefulset_scaled_down::StatefulSetScaledDown;
pub use storage_class_changed::StorageClassChanged;
pub use tls_enabled::TlsEnabled;
pub use volume_claim_expansion::VolumeClaimExpansion;
pub use volume_claim_removed::VolumeClaimRemoved;
pub use volume_claim_shrink::VolumeClaimShrink;

/// Every hazard, in the order findings are reported.
pub const HAZARDS: &[&dyn Check] = &[
    &StatefulSetImmutableFieldChanged,
    &VolumeClaimShrink,
    &VolumeClaimExpansion,
    &StorageClassChanged,
    &DeploymentSelectorChanged,
    &ServiceClusterIpChanged,
    &ServiceTypeChanged,
    &ServiceSelectorChanged,
    &StatefulSetRemoved,
    &StatefulSetRenamed,
    &StatefulSetScaledDown,
    &ClusterPodsRemoved,
    &ClaimRetentionDeletesData,
    &VolumeClaimRemoved,
    &SentinelMasterNameChanged,
    &SentinelQuorumChanged,
    &SentinelCountChanged,
    &PasswordChanged,
    &AuthSecretChanged,
    &TlsEnabled,
    &AclLoginChanged,
    &RedisPortChanged,
    &ClusterBusPortChanged,
    &RestoreOnRunningRelease,
    &ConfigCommandRenamed,
    &SentinelIdChanged,
    &PodsRestart,
];

pub use crate::registry::Severity;

/// One hazard found in a diff.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub id: &'static str,
    pub severity: Severity,
    pub resource: ResourceKey,
    /// What will happen, one sentence or two.
    pub message: String,
    /// What to do about it, one step per line.
    pub fix: Vec<String>,
}

/// A hazard's findings, stamped with its ID and severity ([`Entry`] comes from [`hazard!`]).
pub trait Documented: Entry {
    fn finding(&self, resource: &ResourceKey, message: String, fix: Vec<String>) -> Finding {
        Finding {
            id: self.id(),
            severity: self.severity(),
            resource: resource.clone(),
            message,
            fix,
        }
    }
}

impl<T: Entry + ?Sized> Documented for T {}

/// A hazard check.
pub trait Check: Entry {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>);
}

/// Declares a hazard: its doc comment becomes its documentation.
macro_rules! hazard {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident = $id:literal, $severity:ident;
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $crate::registry::Entry for $name {
            fn id(&self) -> &'static str {
                $id
            }
            fn severity(&self) -> $crate::registry::Severity {
                $crate::registry::Severity::$severity
            }
            fn category(&self) -> Option<&'static str> {
                None
            }
            fn doc(&self) -> $crate::registry::Doc {
                $crate::registry::Doc(concat!($($doc, "\n"),*))
            }
        }
    };
}
use hazard;

/// What checks see: every resource, both sides normalized.
pub struct Context<'a> {
    pub pairs: &'a [Pair],
    /// Which pairs differ, compared once for all checks.
    differs: Vec<bool>,
    /// Each side's Sentinel settings, read once for all checks.
    sentinel: [std::cell::OnceCell<SentinelSide<'a>>; 2],
}

impl<'a> Context<'a> {
    pub fn new(pairs: &'a [Pair]) -> Context<'a> {
        Context {
            pairs,
            differs: pairs.iter().map(|p| p.old != p.new).collect(),
            sentinel: Default::default(),
        }
    }

    /// Resources on both sides that differ.
    pub fn changed(&self) -> impl Iterator<Item = (&'a ResourceKey, &'a Value, &'a Value)> {
        self.pairs
            .iter()
            .zip(&self.differs)
            .filter_map(|(p, differs)| match (&p.old, &p.new) {
                (Some(old), Some(new)) if *differs => Some((&p.key, old, new)),
                _ => None,
            })
    }

    /// Resources only the old side has.
    pub fn removed(&self) -> impl Iterator<Item = (&'a ResourceKey, &'a Value)> {
        self.pairs.iter().filter_map(|p| match (&p.old, &p.new) {
            (Some(old), None) => Some((&p.key, old)),
            _ => None,
        })
    }

    /// Both sides of every resource (either may be missing).
    pub fn all(
        &self,
    ) -> impl Iterator<Item = (&'a ResourceKey, Option<&'a Value>, Option<&'a Value>)> {
        self.pairs
            .iter()
            .map(|p| (&p.key, p.old.as_ref(), p.new.as_ref()))
    }
}

/// Runs every hazard check.
pub fn check_all(pairs: &[Pair]) -> Vec<Finding> {
    let cx = Context::new(pairs);
    let mut found = Vec::new();
    for hazard in HAZARDS {
        hazard.check(&cx, &mut found);
    }
    found
}

/// Every hazard, as the shared registry functions take them.
pub fn entries() -> impl Iterator<Item = &'static dyn Entry> + Clone {
    HAZARDS.iter().map(|h| *h as &dyn Entry)
}

/// The hazard with this ID, or the error naming the closest one.
pub fn find(id: &str) -> Result<&'static dyn Entry, UnknownId> {
    registry::find(id, entries())
        .ok_or_else(|| UnknownId::new("hazard", "redis-ha diff --list-hazards", id, entries()))
}

// Helpers shared by several checks.

/// `value` at a JSON pointer, or `Null`.
fn at<'v>(value: &'v Value, pointer: &str) -> &'v Value {
    value.pointer(pointer).unwrap_or(&Value::Null)
}

/// A scalar as short text for messages (`"3"`, `"ClusterIP"`, `"(unset)"`).
fn show(value: &Value) -> String {
    match value {
        Value::Null => "(unset)".to_owned(),
        Value::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

/// A scalar as plain text (`25%`, `1`).
fn plain(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "(unset)".to_owned(),
        other => other.to_string(),
    }
}

/// Whether a workload kind runs pods from `spec.template`.
fn is_workload(key: &ResourceKey) -> bool {
    key.group == "apps"
        && matches!(
            &*key.kind,
            "StatefulSet" | "Deployment" | "DaemonSet" | "ReplicaSet"
        )
}

/// `spec.replicas`, defaulting to 1 as the API server does (an int32 there).
fn replicas(object: &Value) -> u64 {
    match at(object, "/spec/replicas") {
        Value::Null => 1,
        n => n.as_u64().unwrap_or(0).min(i32::MAX.unsigned_abs().into()),
    }
}

/// Names `first..=last` counting down (`redis-2, redis-1, redis-0`), eliding the middle of a
/// long run.
fn ordinals_down(name: &str, first: u64, last: u64) -> String {
    let shown = |i: u64| format!("{name}-{i}");
    if first.saturating_sub(last) < 6 {
        (last..=first)
            .rev()
            .map(shown)
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        format!(
            "{}, {}, ..., {}, {}",
            shown(first),
            shown(first - 1),
            shown(last + 1),
            shown(last)
        )
    }
}

/// Whether a workload or ConfigMap belongs to Sentinel.
fn is_sentinel(_key: &ResourceKey, object: &Value) -> bool {
    Component::of_object(object) == Component::Sentinel
}

/// One side's Sentinel master name and quorum, each with the ConfigMap that says it.
#[derive(Default)]
struct SentinelSide<'a> {
    master_name: Option<(&'a ResourceKey, String)>,
    quorum: Option<(&'a ResourceKey, u64)>,
}

fn sentinel_side<'c, 'a>(cx: &'c Context<'a>, new_side: bool) -> &'c SentinelSide<'a> {
    cx.sentinel[usize::from(new_side)].get_or_init(|| read_sentinel_side(cx, new_side))
}

fn read_sentinel_side<'a>(cx: &Context<'a>, new_side: bool) -> SentinelSide<'a> {
    let mut side = SentinelSide::default();
    for (key, old, new) in cx.all() {
        let Some(object) = (if new_side { new } else { old }) else {
            continue;
        };
        if !key.is("", "ConfigMap") {
            continue;
        }
        let found = SentinelConfig::read(object);
        if side.master_name.is_none() {
            side.master_name = found.master_name.map(|n| (key, n));
        }
        if side.quorum.is_none() {
            side.quorum = found.quorum.map(|q| (key, q));
        }
    }
    side
}

/// Every directive of a side's Redis configuration files (the `*.conf` keys of ConfigMaps
/// that are not Sentinel's), read by the one redis.conf reader, with the ConfigMap that
/// holds them.
fn redis_directives<'a>(cx: &Context<'a>, new_side: bool) -> Vec<(&'a ResourceKey, Directive)> {
    let mut out = Vec::new();
    for (key, old, new) in cx.all() {
        let Some(object) = (if new_side { new } else { old }) else {
            continue;
        };
        if !key.is("", "ConfigMap") || is_sentinel(key, object) {
            continue;
        }
        let Some(data) = object.get("data").and_then(Value::as_object) else {
            continue;
        };
        for (file, text) in data {
            let Some(text) = text.as_str().filter(|_| file.ends_with(".conf")) else {
                continue;
            };
            out.extend(redis_conf::parse(text).into_iter().map(|d| (key, d)));
        }
    }
    out
}

/// The arguments of Redis directive `name` on a side (`port` gives `["6379"]`): the last one,
/// which Redis keeps.
fn redis_directive<'a>(
    cx: &Context<'a>,
    new_side: bool,
    name: &str,
) -> Option<(&'a ResourceKey, Vec<String>)> {
    redis_directives(cx, new_side)
        .into_iter()
        .rev()
        .find(|(_, d)| d.name == name)
        .map(|(key, d)| (key, d.args))
}

/// Whether a side's Redis runs as a Redis Cluster (`cluster-enabled yes`).
fn is_cluster(cx: &Context<'_>, new_side: bool) -> bool {
    redis_directive(cx, new_side, "cluster-enabled")
        .is_some_and(|(_, w)| w.first().is_some_and(|v| v.eq_ignore_ascii_case("yes")))
}

/// The volume claims a resource asks for: a PVC's spec, or each of a StatefulSet's
/// `volumeClaimTemplates` (by name); (where, claim spec).
fn claims<'v>(key: &ResourceKey, object: &'v Value) -> Vec<(String, &'v Value)> {
    if key.is("", "PersistentVolumeClaim") {
        return vec![("spec".to_owned(), at(object, "/spec"))];
    }
    if !key.is("apps", "StatefulSet") {
        return Vec::new();
    }
    let templates = at(object, "/spec/volumeClaimTemplates")
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    templates
        .iter()
        .filter_map(|t| {
            let name = at(t, "/metadata/name").as_str()?;
            Some((format!("volumeClaimTemplates[{name}]"), at(t, "/spec")))
        })
        .collect()
}

/// Both sides' claims that exist on both: (where, old claim spec, new claim spec).
fn matched_claims<'v>(
    key: &ResourceKey,
    old: &'v Value,
    new: &'v Value,
) -> Vec<(String, &'v Value, &'v Value)> {
    let new_claims = claims(key, new);
    claims(key, old)
        .into_iter()
        .filter_map(|(label, o)| {
            let (_, n) = new_claims.iter().find(|(l, _)| *l == label)?;
            Some((label, o, *n))
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {

    use super::*;
    use crate::diff::load::Located;
    use crate::diff::{matching, normalize};

    /// Findings of one check on two sides given as YAML documents.
    pub fn run(check: &dyn Check, old: &str, new: &str) -> Vec<Finding> {
        let side = |text: &str| -> Vec<Located> {
            crate::diff::load::parse(text, "test.yaml").expect("fixture parses")
        };
        let mut pairs = matching::pair(side(old), side(new), "default").expect("no duplicates");
        for pair in &mut pairs {
            let (o, n) = normalize::normalize_pair(pair.old.take(), pair.new.take(), false);
            pair.old = o;
            pair.new = n;
        }
        let mut found = Vec::new();
        check.check(&Context::new(&pairs), &mut found);
        found
    }

    #[test]
    fn ordinals_counting_down() {
        assert_eq!(ordinals_down("r", 2, 0), "r-2, r-1, r-0");
        assert_eq!(ordinals_down("r", 4, 4), "r-4");
        assert_eq!(ordinals_down("r", 99, 0), "r-99, r-98, ..., r-1, r-0");
    }

    #[test]
    fn registry_ids_are_unique_kebab_case() {
        let mut ids: Vec<_> = HAZARDS.iter().map(|h| h.id()).collect();
        for id in &ids {
            assert!(
                id.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{id} is not kebab-case"
            );
        }
        ids.sort_unstable();
        let len = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), len, "duplicate hazard IDs");
    }

    #[test]
    fn unknown_ids_suggest_the_closest() {
        let err = find("statefulset-scaled-dwn")
            .err()
            .expect("no such hazard");
        assert_eq!(err.suggestion, Some("statefulset-scaled-down"));
        assert!(
            find("zzzzzzzzzzzzzzz")
                .err()
                .expect("none")
                .suggestion
                .is_none()
        );
    }

    /// The first sentence of "What it does" is what `--list` shows.
    #[test]
    fn every_hazard_has_a_summary() {
        for hazard in HAZARDS {
            let summary = hazard.doc().summary();
            assert!(
                !summary.is_empty() && !summary.contains('\n'),
                "`{}`: no one-line summary: {summary:?}",
                hazard.id()
            );
        }
    }

    #[test]
    fn every_hazard_is_documented() {
        for hazard in HAZARDS {
            let doc = hazard.doc().markdown();
            for section in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## What to do",
            ] {
                assert!(doc.contains(section), "{} lacks `{section}`", hazard.id());
            }
        }
    }
}
