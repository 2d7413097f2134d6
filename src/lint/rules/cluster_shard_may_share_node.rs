//! The `cluster-shard-may-share-node` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that a Redis Cluster with replicas requires its pods on different nodes
    /// (`antiAffinity: hard`), so a shard's master and its replicas never share one.
    ///
    /// ## Why is this bad?
    /// The chart places each replica on another pod than its master, but only anti-affinity
    /// decides on which Kubernetes node a pod runs. With `soft` anti-affinity the scheduler may
    /// put a master and its only replica on the same node when nodes are short: that node's
    /// failure takes the whole shard, and its slots, with it. `hard` needs as many nodes (in
    /// `antiAffinityTopologyKey` domains) as pods: `shards * (1 + replicasPerShard)`.
    ///
    /// ## Example
    /// ```yaml
    /// architecture: cluster
    /// antiAffinity: soft
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// architecture: cluster
    /// antiAffinity: hard
    /// ```
    ///
    /// ## References
    /// - [Assigning Pods to Nodes: inter-pod affinity and anti-affinity](https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#inter-pod-affinity-and-anti-affinity)
    pub struct ClusterShardMayShareNode {
        id: "cluster-shard-may-share-node",
        severity: Warning,
        category: Ha,
        stage: Values,
    }
}

impl Rule for ClusterShardMayShareNode {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(cluster) = &cx.topology.cluster else {
            return;
        };
        if cluster.replicas_per_shard == 0 || cx.str("antiAffinity") == Some("hard") {
            return;
        }
        out.report(
            cx.value_location("antiAffinity"),
            format!(
                "`antiAffinity` is not `hard`: a shard's master and its replica may run on the same node, and that node's failure loses {} slots",
                16384 / cluster.shards.max(1)
            ),
        )
        .hint(format!(
            "set `antiAffinity: hard` (it needs {} nodes, one per pod)",
            cluster.pods()
        ));
    }
}
