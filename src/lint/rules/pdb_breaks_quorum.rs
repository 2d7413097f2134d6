//! The `pdb-breaks-quorum` rule.

use crate::lint::context::{Component, Context, pdb_disruptions, pdb_targets};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the pods a PodDisruptionBudget lets a drain evict leave enough behind. For
    /// sentinels, at least the quorum and a majority must remain; for Redis, the master plus
    /// the replicas `redis.minReplicasToWrite` requires.
    ///
    /// ## Why is this bad?
    /// A voluntary disruption (a drain, a cluster upgrade) is exactly when a failover is likely:
    /// the master's node may be the next one drained. If the budget lets so many sentinels go
    /// that fewer than the quorum remain, the master cannot be marked down; fewer than a
    /// majority, and no leader can be elected to fail over. If it lets so many Redis pods go
    /// that fewer than `min-replicas-to-write` replicas remain, the master refuses every write
    /// for the length of the drain.
    ///
    /// ## Example
    /// ```yaml
    /// # 3 sentinels, quorum 2
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// spec:
    ///   maxUnavailable: 2     # leaves 1 sentinel: below the quorum
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   maxUnavailable: 1
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: specifying a disruption budget](https://kubernetes.io/docs/tasks/run-application/configure-pdb/)
    /// - [Redis Sentinel: quorum](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#quorum)
    pub struct PdbBreaksQuorum {
        id: "pdb-breaks-quorum",
        severity: Error,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for PdbBreaksQuorum {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, pdb) in cx.pdbs() {
            let (targets, Some(pods)) = pdb_targets(cx, object, pdb) else {
                continue;
            };
            let Some(disruptions) = pdb_disruptions(pdb, pods) else {
                continue;
            };
            let left = pods - disruptions;
            let field = if pdb
                .spec
                .as_ref()
                .is_some_and(|s| s.max_unavailable.is_some())
            {
                "spec.maxUnavailable"
            } else {
                "spec.minAvailable"
            };
            let components: Vec<Component> = targets.iter().map(|(_, w)| w.component).collect();
            let problem = if !components.is_empty()
                && components.iter().all(|c| *c == Component::Sentinel)
            {
                let majority = pods / 2 + 1;
                let quorum = cx
                    .int("sentinel.quorum")
                    .and_then(|q| i32::try_from(q).ok())
                    .unwrap_or(majority);
                if quorum > pods {
                    // `sentinel-quorum-exceeds-count` reports it: one cause, one finding.
                    None
                } else if left < quorum {
                    Some((
                        format!(
                            "lets {disruptions} of {pods} sentinels be evicted at once, leaving {left}: below the quorum of {quorum}, the master cannot be marked down"
                        ),
                        pods - quorum.max(majority),
                    ))
                } else if left < majority {
                    Some((
                        format!(
                            "lets {disruptions} of {pods} sentinels be evicted at once, leaving {left}: below a majority ({majority}), no failover leader can be elected"
                        ),
                        pods - majority,
                    ))
                } else {
                    None
                }
            } else if !components.is_empty() && components.iter().all(|c| *c == Component::Redis) {
                let wanted = cx
                    .int("redis.minReplicasToWrite")
                    .and_then(|m| i32::try_from(m).ok())
                    .unwrap_or(0);
                let needed = 1 + wanted;
                (left < needed && pods >= needed).then(|| {
                    (
                        if wanted > 0 {
                            format!(
                                "lets {disruptions} of {pods} Redis pods be evicted at once, leaving {left}: with `redis.minReplicasToWrite` {wanted} the master refuses writes"
                            )
                        } else {
                            format!(
                                "lets all {pods} Redis pods be evicted at once: nothing is left to serve"
                            )
                        },
                        pods - needed,
                    )
                })
            } else {
                None
            };
            if let Some((message, allowed)) = problem {
                let hint = if allowed >= 1 {
                    format!("set `maxUnavailable: {allowed}`")
                } else {
                    "run more pods: at this count no eviction keeps enough of them".to_owned()
                };
                out.report(cx.object_location(object, Some(field)), message)
                    .hint(hint);
            }
        }
    }
}
