//! The `cluster-shards-too-few` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that a Redis Cluster (`architecture: cluster`) has at least 3 shards
    /// (`cluster.shards`, its masters).
    ///
    /// ## Why is this bad?
    /// A cluster promotes a replica only when a majority of the masters agree its master
    /// failed. With 2 masters the loss of one leaves no majority, so nothing is repaired, and
    /// `redis-cli --cluster create` refuses to create a cluster of fewer than 3 masters at all:
    /// the pods would start and never form a cluster.
    ///
    /// ## Example
    /// ```yaml
    /// architecture: cluster
    /// cluster:
    ///   shards: 2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// architecture: cluster
    /// cluster:
    ///   shards: 3
    /// ```
    ///
    /// ## References
    /// - [Scale with Redis Cluster](https://redis.io/docs/latest/operate/oss_and_stack/management/scaling/)
    pub struct ClusterShardsTooFew {
        id: "cluster-shards-too-few",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for ClusterShardsTooFew {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(cluster) = &cx.topology.cluster else {
            return;
        };
        if cluster.shards < 3 {
            out.report(
                cx.value_location("cluster.shards"),
                format!(
                    "`cluster.shards` is {}: Redis Cluster needs at least 3 masters to form, and a majority of them to repair a failure",
                    cluster.shards
                ),
            )
            .hint("set `cluster.shards` to 3 or more, or use `architecture: sentinel` for a data set one master holds");
        }
    }
}
