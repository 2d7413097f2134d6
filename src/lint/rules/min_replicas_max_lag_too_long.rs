//! The `min-replicas-max-lag-too-long` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

/// How long after a replica's last ACK a master may still count it: Redis measures the lag in
/// whole seconds and refreshes the count of good replicas once a second.
pub const COUNT_DELAY_S: i64 = 2;

rule! {
    /// ## What it does
    /// Checks that a master cut off from its replicas stops accepting writes before the
    /// sentinels can promote one of them: `redis.minReplicasMaxLag` + 2 s must not exceed
    /// `sentinel.downAfterMilliseconds`. Left at 0, the chart derives the lag that way.
    ///
    /// ## Why is this bad?
    /// A partitioned master keeps accepting writes while it still counts
    /// `min-replicas-to-write` replicas with a lag of at most `min-replicas-max-lag` seconds,
    /// and it counts a replica for up to 2 s more than that (whole seconds, refreshed once a
    /// second). The sentinels on the majority side promote a replica as soon as
    /// `down-after-milliseconds` has passed. If the lag is longer, both masters accept writes
    /// for a while, and every write the old one acknowledged in that window is thrown away when
    /// it rejoins as a replica.
    ///
    /// ## Example
    /// ```yaml
    /// redis:
    ///   minReplicasToWrite: 1
    ///   minReplicasMaxLag: 10
    /// sentinel:
    ///   downAfterMilliseconds: 5000
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// redis:
    ///   minReplicasToWrite: 1
    ///   minReplicasMaxLag: 0   # derived: 3 s
    /// sentinel:
    ///   downAfterMilliseconds: 5000
    /// ```
    ///
    /// ## References
    /// - [Redis replication: allow writes only with N attached replicas](https://redis.io/docs/latest/operate/oss_and_stack/management/replication/#allow-writes-only-with-n-attached-replicas)
    /// - [Redis Sentinel: consistency under partitions](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#consistency-under-partitions)
    pub struct MinReplicasMaxLagTooLong {
        id: "min-replicas-max-lag-too-long",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for MinReplicasMaxLagTooLong {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.uses_sentinel() || cx.int("redis.minReplicasToWrite").unwrap_or(0) == 0 {
            return;
        }
        let (Some(lag), Some(down_after)) = (
            cx.int("redis.minReplicasMaxLag"),
            cx.int("sentinel.downAfterMilliseconds"),
        ) else {
            return;
        };
        let longest = down_after / 1000 - COUNT_DELAY_S;
        if lag == 0 && longest >= 1 || (1..=longest).contains(&lag) {
            return;
        }
        let (key, problem) = if lag == 0 {
            (
                "sentinel.downAfterMilliseconds",
                format!(
                    "`sentinel.downAfterMilliseconds` is {down_after} ms: no `min-replicas-max-lag` (at least 1 s, counted up to {COUNT_DELAY_S} s late) ends before a replica can be promoted"
                ),
            )
        } else {
            (
                "redis.minReplicasMaxLag",
                format!(
                    "`redis.minReplicasMaxLag` is {lag} s: a partitioned master accepts writes for up to {} s, but the sentinels promote a replica after {down_after} ms; the old master's writes in between are lost",
                    lag + COUNT_DELAY_S
                ),
            )
        };
        let hint = if longest >= 1 {
            format!(
                "set `redis.minReplicasMaxLag` to 0 (derived: {longest} s) or at most {longest}"
            )
        } else {
            format!(
                "set `sentinel.downAfterMilliseconds` to at least {} ms",
                (COUNT_DELAY_S + 1) * 1000
            )
        };
        out.report(cx.value_location(key), problem).hint(hint);
    }
}
