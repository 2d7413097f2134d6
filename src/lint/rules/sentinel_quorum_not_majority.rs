//! The `sentinel-quorum-not-majority` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that `sentinel.quorum` is a strict majority of `sentinel.replicas`: more than half.
    ///
    /// ## Why is this bad?
    /// The quorum is how many sentinels must agree that the master is down before a failover
    /// starts. Below a majority, a minority of sentinels cut off from the master (one node with
    /// a flaky network, one zone) declares it down on its own, and keeps starting failovers
    /// while the rest of the cluster still reaches the master: each attempt that finds a
    /// leader demotes a healthy master, and clients connected to it lose their writes. With a
    /// majority, the sentinels that agree the master is down are the same majority that can
    /// elect a leader.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   replicas: 5
    ///   quorum: 2       # two sentinels can declare the master down
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// sentinel:
    ///   replicas: 5
    ///   quorum: 3
    /// ```
    ///
    /// ## References
    /// - [Redis Sentinel: quorum](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#quorum)
    pub struct SentinelQuorumNotMajority {
        id: "sentinel-quorum-not-majority",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for SentinelQuorumNotMajority {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(sentinel) = &cx.topology.sentinel else {
            return;
        };
        let (count, quorum) = (sentinel.replicas, sentinel.quorum);
        let majority = count / 2 + 1;
        if count > 0 && quorum < majority {
            out.report(
                cx.value_location("sentinel.quorum"),
                format!(
                    "`sentinel.quorum` is {quorum}, not a majority of {count} sentinels: a minority can declare the master down"
                ),
            )
            .hint(format!("set `sentinel.quorum` to {majority}"));
        }
    }
}
