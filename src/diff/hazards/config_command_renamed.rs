//! `config-command-renamed`.

use super::{Check, Context, Finding, hazard, redis_directives};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds the `CONFIG` command renamed to something else (`rename-command CONFIG NAME` in
    /// the Redis configuration, and the matching `sentinel rename-command`).
    ///
    /// ## Why is this bad?
    ///
    /// Sentinel reconfigures replicas with `CONFIG REWRITE` under the name it is told. During
    /// the rolling restart the sentinels know one name while the Redis pods not yet restarted
    /// answer only to the other: a failover in that window promotes a replica, but the pods
    /// on the other name are never pointed at it and keep replicating from the old master
    /// (or stay masters), and the rewrite of their config fails.
    ///
    /// ## Example
    ///
    /// `redis.renameCommands.CONFIG` goes from `REDIS_HA_CONFIG_6d1f0c` to another name.
    ///
    /// ## What to do
    ///
    /// Upgrade when no failover is likely (no node drains, no maintenance), keep the rollout
    /// short, and after it check on every pod that `INFO replication` names the master the
    /// sentinels report (`SENTINEL get-master-addr-by-name`); `SENTINEL RESET` then
    /// re-discovers the replicas.
    pub struct ConfigCommandRenamed = "config-command-renamed", Warning;
}

/// The name `CONFIG` answers to on a side: `None` when not renamed, `Some("")` when disabled.
fn config_name<'a>(
    cx: &Context<'a>,
    new_side: bool,
) -> Option<(Option<&'a crate::diff::matching::ResourceKey>, String)> {
    let directives = redis_directives(cx, new_side);
    let found = directives.iter().rev().find(|(_, d)| {
        d.name == "rename-command" && d.args.len() >= 2 && d.args[0].eq_ignore_ascii_case("config")
    });
    match found {
        Some((key, d)) => Some((Some(*key), d.args[1].clone())),
        None => directives
            .first()
            .map(|(key, _)| (Some(*key), "CONFIG".to_owned())),
    }
}

impl Check for ConfigCommandRenamed {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let (Some((_, before)), Some((Some(key), after))) =
            (config_name(cx, false), config_name(cx, true))
        else {
            return;
        };
        if before == after {
            return;
        }
        let show = |name: &str| {
            if name.is_empty() {
                "disabled".to_owned()
            } else {
                format!("`{name}`")
            }
        };
        found.push(self.finding(
            key,
            format!(
                "`CONFIG` changes from {} to {}: until every Redis pod has restarted, the sentinels cannot reconfigure the pods on the other name, and a failover in that window leaves them out",
                show(&before),
                show(&after)
            ),
            vec![
                "upgrade when no failover is likely (no node drains), and keep the rollout short".to_owned(),
                "after it, on each pod, check that `INFO replication` names the master `SENTINEL get-master-addr-by-name` reports; then SENTINEL RESET <master> on each sentinel".to_owned(),
            ],
        ));
    }
}
