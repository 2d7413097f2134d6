//! `cluster`: Redis Cluster (architecture `cluster`): how many shards, replicas per shard, the
//! cluster bus and the cluster directives of redis.conf. How the pods form, rejoin and grow the
//! cluster is the chart's `cluster-start.sh`; the pod count derived from these values is
//! `topology`'s.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Redis Cluster: the key space (16384 hash slots) is split over `shards` masters, each with
/// `replicasPerShard` replicas; one StatefulSet of `shards * (1 + replicasPerShard)` pods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    /// Number of shards (masters holding hash slots); Redis Cluster needs at least 3, so a majority of masters survives the loss of one. Raising it adds masters and moves slots to them; lowering it needs the slots moved off first (see the README, "Redis Cluster").
    #[schemars(range(min = 1, max = 100))]
    pub shards: u32,
    /// Replicas of each shard's master; at least 1, or the loss of a master loses its slots.
    #[schemars(range(min = 0, max = 5))]
    pub replicas_per_shard: u32,
    /// `cluster-port`: the cluster bus port, where the nodes gossip and vote (open between the Redis pods only).
    #[schemars(range(min = 1, max = 65535))]
    pub bus_port: u16,
    /// `cluster-node-timeout`, in milliseconds: how long a master may be unreachable before its replica takes over (and a partitioned master stops accepting writes).
    #[schemars(range(min = 1000, max = 600_000))]
    pub node_timeout: u32,
    /// `cluster-require-full-coverage`: the whole cluster refuses queries while any slot has no master (`true`, consistent), or the shards that are up keep serving their slots (`false`, available).
    pub require_full_coverage: bool,
}

impl Default for Cluster {
    fn default() -> Self {
        Self {
            shards: 3,
            replicas_per_shard: 1,
            bus_port: 16379,
            node_timeout: 5000,
            require_full_coverage: true,
        }
    }
}
