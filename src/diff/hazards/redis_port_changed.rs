//! `redis-port-changed`.

use super::{Check, Context, Finding, hazard, redis_directive};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds the port Redis listens on changing (the `port`, or with TLS the `tls-port`, of
    /// the Redis configuration).
    ///
    /// ## Why is this bad?
    ///
    /// Every client, Service, NetworkPolicy and monitoring target pointing at the old port
    /// stops reaching the pods as they restart. During the rolling restart, replicas on the
    /// new port replicate from a master still on the old one only if its address is
    /// announced with the right port, and Sentinel monitors the master at the port it was
    /// told: a failover in that window can promote a pod nobody reaches.
    ///
    /// ## Example
    ///
    /// `redis.port` goes from `6379` to `6380`.
    ///
    /// ## What to do
    ///
    /// Avoid it on a running release if you can: the port inside the cluster is rarely worth
    /// changing (change the Service port instead). Otherwise plan a maintenance window:
    /// update the clients with the upgrade, and after the rollout run `SENTINEL RESET
    /// <master>` on each sentinel and check `SENTINEL get-master-addr-by-name`.
    pub struct RedisPortChanged = "redis-port-changed", Warning;
}

/// The port Redis serves on: `tls-port` when set, else `port`.
fn serving_port(cx: &Context<'_>, new_side: bool) -> Option<String> {
    let tls = redis_directive(cx, new_side, "tls-port").and_then(|(_, w)| w.into_iter().next());
    tls.or_else(|| redis_directive(cx, new_side, "port").and_then(|(_, w)| w.into_iter().next()))
        .filter(|p| p != "0")
}

impl Check for RedisPortChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let (Some(before), Some(after)) = (serving_port(cx, false), serving_port(cx, true)) else {
            return;
        };
        if before == after {
            return;
        }
        let Some((key, _)) =
            redis_directive(cx, true, "port").or_else(|| redis_directive(cx, true, "tls-port"))
        else {
            return;
        };
        found.push(self.finding(
            key,
            format!(
                "Redis moves from port {before} to {after}: clients, Services, NetworkPolicies and monitoring on {before} lose each pod as it restarts, and Sentinel may promote a pod at a port nobody reaches"
            ),
            vec![
                "prefer changing the Service port and keeping the pods' port".to_owned(),
                "otherwise: a maintenance window, clients updated with the upgrade".to_owned(),
                "after the rollout, on each sentinel, one at a time: redis-cli -p 26379 SENTINEL RESET <master>".to_owned(),
            ],
        ));
    }
}
