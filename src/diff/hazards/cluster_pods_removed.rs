//! `cluster-pods-removed`.

use super::{Check, Context, Finding, hazard, is_cluster, ordinals_down, replicas};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds the Redis StatefulSet of a Redis Cluster (`cluster-enabled yes`) whose
    /// `replicas` goes down: fewer `cluster.shards`, or fewer `cluster.replicasPerShard`.
    ///
    /// ## Why is this bad?
    ///
    /// Kubernetes deletes the highest ordinals, whatever they hold. In a cluster any pod may
    /// be a master that owns hash slots (masters move in every failover): deleting it loses
    /// the keys of its slots, and with `cluster-require-full-coverage yes` the whole cluster
    /// refuses commands until the slots are covered again. The remaining nodes also keep the
    /// deleted ones in their node tables, failing, until they are forgotten.
    ///
    /// ## Example
    ///
    /// `cluster.shards` goes from 4 to 3 with one replica each: `redis-ha-redis-7` and
    /// `redis-ha-redis-6` are deleted.
    ///
    /// ## What to do
    ///
    /// Before upgrading, move every slot off the nodes that go and make them replicas or
    /// empty: for each master among them, `redis-cli --cluster rebalance <pod-0>:6379
    /// --cluster-weight <node-id>=0`; then `redis-cli --cluster del-node <pod-0>:6379
    /// <node-id>` for each node that goes. Check with `redis-cli --cluster check` that no
    /// slot is served by them, then lower the values.
    pub struct ClusterPodsRemoved = "cluster-pods-removed", Error;
}

impl Check for ClusterPodsRemoved {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        if !is_cluster(cx, false) || !is_cluster(cx, true) {
            return;
        }
        for (key, old, new) in cx.changed() {
            if !key.is("apps", "StatefulSet") || super::is_sentinel(key, new) {
                continue;
            }
            let (before, after) = (replicas(old), replicas(new));
            if after >= before {
                continue;
            }
            let pods = ordinals_down(&key.name, before - 1, after);
            found.push(self.finding(
                key,
                format!(
                    "the cluster goes from {before} to {after} pods: {pods} are deleted, and any of them may be a master holding hash slots (masters move in failovers): their keys are lost and the cluster may stop serving"
                ),
                vec![
                    "first move the slots off them: redis-cli --cluster rebalance <pod-0>:6379 --cluster-weight <node-id>=0 for each master that goes".to_owned(),
                    "then redis-cli --cluster del-node <pod-0>:6379 <node-id> for each node that goes, check with redis-cli --cluster check, and upgrade".to_owned(),
                ],
            ));
        }
    }
}
