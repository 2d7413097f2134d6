//! The `min-replicas-to-write-too-high` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::topology::Architecture;
use crate::values::{FileLayer, Origin};

rule! {
    /// ## What it does
    /// Checks that `redis.minReplicasToWrite` is no higher than the number of replicas. That
    /// is `min-replicas-to-write` against the Redis pods (`replicas`) minus the master.
    ///
    /// ## Why is this bad?
    /// With `min-replicas-to-write N` the master refuses writes unless N replicas are connected
    /// and caught up. It limits what a master cut off from its replicas can accept, which is
    /// why production sets it; but if N is more than the replicas that exist, the condition is
    /// never met and every write fails with `NOREPLICAS`, from the first minute.
    ///
    /// ## Example
    /// ```yaml
    /// replicas: 2           # one master, one replica
    /// redis:
    ///   minReplicasToWrite: 2
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
    /// - [Redis replication: allow writes only with N attached replicas](https://redis.io/docs/latest/operate/oss_and_stack/management/replication/#allow-writes-only-with-n-attached-replicas)
    pub struct MinReplicasToWriteTooHigh {
        id: "min-replicas-to-write-too-high",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for MinReplicasToWriteTooHigh {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(wanted) = cx.int("redis.minReplicasToWrite") else {
            return;
        };
        let pods = if cx.topology.architecture == Architecture::Standalone {
            // The chart's own default (1) is dropped from a standalone render; only a value
            // the user set is a mistake there.
            let set_by_chart = cx.value("redis.minReplicasToWrite").is_some_and(|node| {
                matches!(
                    node.origin,
                    Origin::File {
                        layer: FileLayer::Chart,
                        ..
                    }
                )
            });
            if set_by_chart {
                return;
            }
            1
        } else {
            cx.topology.redis_pods
        };
        let available = pods.saturating_sub(1).max(0);
        if wanted > available {
            out.report(
                cx.value_location("redis.minReplicasToWrite"),
                format!(
                    "`redis.minReplicasToWrite` is {wanted} but there {} only {available} replica{}: every write is refused",
                    if available == 1 { "is" } else { "are" },
                    if available == 1 { "" } else { "s" }
                ),
            )
            .hint(format!(
                "set `redis.minReplicasToWrite` to at most {available}{}",
                if available > 1 {
                    format!(" ({} keeps writes going with one replica down)", available - 1)
                } else {
                    String::new()
                }
            ));
        }
    }
}
