//! The `redis-replicas-too-few` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that a Sentinel deployment runs at least 2 Redis pods. That is a master and a
    /// replica to promote (`replicas`).
    ///
    /// ## Why is this bad?
    /// Sentinel fails over by promoting a replica. With one Redis pod there is none: the
    /// sentinels notice the master is down and can do nothing about it, so the deployment has
    /// all the moving parts of high availability and none of the availability.
    ///
    /// ## Example
    /// ```yaml
    /// architecture: sentinel
    /// replicas: 1
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// architecture: sentinel
    /// replicas: 3
    /// ```
    ///
    /// ## References
    /// - [Redis Sentinel](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/)
    pub struct RedisReplicasTooFew {
        id: "redis-replicas-too-few",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for RedisReplicasTooFew {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.uses_sentinel() {
            return;
        }
        let replicas = cx.topology.replicas;
        if replicas < 2 {
            out.report(
                cx.value_location("replicas"),
                format!(
                    "`replicas` is {replicas}: with Sentinel there is no replica to promote when the master fails"
                ),
            )
            .hint("run 3 Redis pods, or use `architecture: standalone` if failover is not wanted");
        }
    }
}
