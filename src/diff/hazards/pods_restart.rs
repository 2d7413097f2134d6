//! `pods-restart`.

use std::fmt::Write as _;

use serde_json::Value;

use super::{Check, Context, Finding, at, hazard, is_sentinel, ordinals_down, replicas};
use crate::diff::changes::field_changes;
use crate::diff::hazards::Documented as _;
use crate::diff::matching::ResourceKey;

/// How many changed fields a finding names before "and N more".
const SHOWN_FIELDS: usize = 3;

hazard! {
    /// ## What it does
    ///
    /// For every StatefulSet, Deployment and DaemonSet whose pod template changes, says that
    /// its pods restart, how many, and in which order: a StatefulSet's rolling update
    /// replaces pods one at a time from the highest ordinal down (only ordinals at or above
    /// `partition`); `OnDelete` replaces none until you delete them; a Deployment surges new
    /// pods before removing old ones, or with `Recreate` stops them all first.
    ///
    /// ## Why is this bad?
    ///
    /// Every restart of a Redis pod drops its connections and, for the master, triggers a
    /// Sentinel failover: a few seconds in which writes fail. A change that looks harmless
    /// (a label, an annotation, a config checksum) restarts every pod.
    ///
    /// ## Example
    ///
    /// A new `redis.maxmemory` changes the `checksum/config` annotation of the Redis pods: all
    /// three restart, `redis-ha-node-2`, then `-1`, then `-0`.
    ///
    /// ## What to do
    ///
    /// Upgrade in a quiet period and watch the rollout (`kubectl rollout status`). Make sure
    /// clients reconnect through Sentinel and retry writes. To roll out step by step, set
    /// `updateStrategy.rollingUpdate.partition` and lower it one ordinal at a time.
    pub struct PodsRestart = "pods-restart", Note;
}

impl Check for PodsRestart {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if key.group != "apps"
                || !matches!(&*key.kind, "StatefulSet" | "Deployment" | "DaemonSet")
            {
                continue;
            }
            let (before, after) = (at(old, "/spec/template"), at(new, "/spec/template"));
            if before == after {
                continue;
            }
            let why = changed_fields(before, after);
            let (message, fix) = match &*key.kind {
                "StatefulSet" => statefulset(key, old, new),
                "Deployment" => deployment(key, old, new),
                _ => daemonset(key, new),
            };
            let Some(message) = message else { continue };
            found.push(self.finding(
                key,
                format!("{message} (the pod template changes: {why})"),
                fix,
            ));
        }
    }
}

/// The changed fields of the pod template, a few of them.
fn changed_fields(before: &Value, after: &Value) -> String {
    let changes = field_changes(before, after);
    let mut shown: Vec<String> = changes
        .iter()
        .take(SHOWN_FIELDS)
        .map(|c| format!("`{}`", c.path))
        .collect();
    if changes.len() > SHOWN_FIELDS {
        shown.push(format!("and {} more", changes.len() - SHOWN_FIELDS));
    }
    shown.join(", ")
}

fn rollout(key: &ResourceKey) -> String {
    format!(
        "watch it: kubectl rollout status {} {} --namespace {}",
        key.kind.to_lowercase(),
        key.name,
        key.namespace
    )
}

fn statefulset(key: &ResourceKey, old: &Value, new: &Value) -> (Option<String>, Vec<String>) {
    let running = replicas(old).min(replicas(new));
    if running == 0 {
        return (None, Vec::new());
    }
    let strategy = at(new, "/spec/updateStrategy/type")
        .as_str()
        .unwrap_or("RollingUpdate");
    if strategy == "OnDelete" {
        return (
            Some(format!(
                "{running} pod(s) keep the old template until each is deleted (`updateStrategy: OnDelete`)"
            )),
            vec![format!(
                "delete the pods one at a time, highest ordinal first, waiting for each to be ready: kubectl delete pod {}-<i> --namespace {}",
                key.name, key.namespace
            )],
        );
    }
    let partition = at(new, "/spec/updateStrategy/rollingUpdate/partition")
        .as_u64()
        .unwrap_or(0);
    if partition >= running {
        return (
            Some(format!(
                "no pod restarts yet: `partition` is {partition} and there are {running} pod(s); they move to the new template as the partition is lowered"
            )),
            vec!["lower `updateStrategy.rollingUpdate.partition` one ordinal at a time".to_owned()],
        );
    }
    let pace = match at(new, "/spec/updateStrategy/rollingUpdate/maxUnavailable") {
        Value::Null => "one at a time".to_owned(),
        n => format!("up to {} at a time", super::show(n)),
    };
    let mut message = format!(
        "{} of {running} pod(s) restart, {pace}, highest ordinal first: {}",
        running - partition,
        ordinals_down(&key.name, running - 1, partition)
    );
    if partition > 0 {
        let _ = write!(
            message,
            "; ordinals below the partition ({partition}) keep the old template"
        );
    }
    let mut fix = vec![rollout(key)];
    if !is_sentinel(key, new) && serves_redis(new) {
        message.push_str("; when the master's pod restarts, Sentinel fails over and writes fail for a few seconds");
        fix.push(
            "make sure clients find the master through Sentinel and retry failed writes".to_owned(),
        );
    }
    (Some(message), fix)
}

fn deployment(key: &ResourceKey, old: &Value, new: &Value) -> (Option<String>, Vec<String>) {
    let running = replicas(old).min(replicas(new));
    if running == 0 {
        return (None, Vec::new());
    }
    let strategy = at(new, "/spec/strategy/type")
        .as_str()
        .unwrap_or("RollingUpdate");
    let message = if strategy == "Recreate" {
        format!(
            "all {running} pod(s) stop, then new ones start (`strategy: Recreate`): a gap in service"
        )
    } else {
        let surge = at(new, "/spec/strategy/rollingUpdate/maxSurge");
        let unavailable = at(new, "/spec/strategy/rollingUpdate/maxUnavailable");
        let or = |v: &Value, d: &str| {
            if v.is_null() {
                d.to_owned()
            } else {
                super::plain(v)
            }
        };
        format!(
            "{running} pod(s) are replaced by a rolling update (maxSurge {}, maxUnavailable {})",
            or(surge, "25%"),
            or(unavailable, "25%")
        )
    };
    (Some(message), vec![rollout(key)])
}

fn daemonset(key: &ResourceKey, new: &Value) -> (Option<String>, Vec<String>) {
    let strategy = at(new, "/spec/updateStrategy/type")
        .as_str()
        .unwrap_or("RollingUpdate");
    let message = if strategy == "OnDelete" {
        "its pods keep the old template until each is deleted (`updateStrategy: OnDelete`)"
            .to_owned()
    } else {
        "its pod on every node restarts, one node at a time".to_owned()
    };
    (Some(message), vec![rollout(key)])
}

/// Whether a pod template runs Redis (a container port 6379).
fn serves_redis(workload: &Value) -> bool {
    at(workload, "/spec/template/spec/containers")
        .as_array()
        .is_some_and(|containers| {
            containers.iter().any(|c| {
                at(c, "/ports").as_array().is_some_and(|ports| {
                    ports
                        .iter()
                        .any(|p| p.get("containerPort").and_then(Value::as_u64) == Some(6379))
                })
            })
        })
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;
    use super::*;

    fn sts(replicas: u64, image: &str, strategy: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: redis}}\nspec:\n  replicas: {replicas}\n{strategy}  template:\n    spec:\n      containers:\n      - name: redis\n        image: {image}\n        ports: [{{containerPort: 6379}}]\n"
        )
    }

    #[test]
    fn statefulset_order_and_partition() {
        let table = [
            (
                "",
                3,
                3,
                "3 of 3 pod(s) restart, one at a time, highest ordinal first: redis-2, redis-1, redis-0; when the master",
            ),
            ("", 2, 4, "2 of 2 pod(s) restart"),
            (
                "  updateStrategy: {rollingUpdate: {partition: 1}}\n",
                3,
                3,
                "2 of 3 pod(s) restart, one at a time, highest ordinal first: redis-2, redis-1; ordinals below the partition (1) keep the old template",
            ),
            (
                "  updateStrategy: {rollingUpdate: {partition: 5}}\n",
                3,
                3,
                "no pod restarts yet",
            ),
            (
                "  updateStrategy: {type: OnDelete}\n",
                3,
                3,
                "3 pod(s) keep the old template until each is deleted",
            ),
        ];
        for (strategy, old_replicas, new_replicas, expected) in table {
            let found = run(
                &PodsRestart,
                &sts(old_replicas, "redis:7", strategy),
                &sts(new_replicas, "redis:8", strategy),
            );
            assert_eq!(found.len(), 1, "{strategy}");
            assert!(found[0].message.contains(expected), "{}", found[0].message);
            assert!(
                found[0]
                    .message
                    .contains("`spec.containers[name=redis].image`"),
                "{}",
                found[0].message
            );
        }
    }

    #[test]
    fn scaling_alone_restarts_nothing() {
        let found = run(&PodsRestart, &sts(3, "redis:7", ""), &sts(5, "redis:7", ""));
        assert_eq!(found, []);
    }
}
