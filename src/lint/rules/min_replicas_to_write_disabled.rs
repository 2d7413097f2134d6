//! The `min-replicas-to-write-disabled` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that `redis.minReplicasToWrite` is at least 1 when Sentinel fails over between
    /// two or more Redis pods.
    ///
    /// ## Why is this bad?
    /// With `min-replicas-to-write 0` a master cut off from the others by a network partition
    /// keeps accepting writes for as long as the partition lasts. The sentinels on the other
    /// side promote a replica; when the partition heals, the old master becomes its replica and
    /// every write it accepted meanwhile is gone, although its clients were told `OK`. With 1,
    /// it refuses writes (`NOREPLICAS`) once no replica has acknowledged the stream for
    /// `min-replicas-max-lag` seconds. An acknowledged write then also exists on two pods,
    /// which a cold start relies on (see the chart README).
    ///
    /// ## Example
    /// ```yaml
    /// replicas: 3
    /// redis:
    ///   minReplicasToWrite: 0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// replicas: 3
    /// redis:
    ///   minReplicasToWrite: 1
    /// ```
    ///
    /// ## References
    /// - [Redis Sentinel: consistency under partitions](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#consistency-under-partitions)
    pub struct MinReplicasToWriteDisabled {
        id: "min-replicas-to-write-disabled",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for MinReplicasToWriteDisabled {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.uses_sentinel() || cx.topology.redis_pods < 2 {
            return;
        }
        if cx.int("redis.minReplicasToWrite") == Some(0) {
            out.report(
                cx.value_location("redis.minReplicasToWrite"),
                "`redis.minReplicasToWrite` is 0: a master cut off by a network partition accepts writes for the whole partition, and they are lost when it rejoins",
            )
            .hint("set `redis.minReplicasToWrite` to 1");
        }
    }
}
