//! The `sentinel-quorum-exceeds-count` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that `sentinel.quorum` is no more than the number of sentinels
    /// (`sentinel.replicas`).
    ///
    /// ## Why is this bad?
    /// The quorum counts sentinels that agree the master is down. If it is higher than the
    /// number of sentinels, that agreement can never be reached: the master is never marked
    /// down and no failover ever happens. Sentinel accepts the setting without a warning, and
    /// `SENTINEL CKQUORUM` only says so when someone thinks of asking.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   replicas: 3
    ///   quorum: 4
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// sentinel:
    ///   replicas: 3
    ///   quorum: 2
    /// ```
    ///
    /// ## References
    /// - [Redis Sentinel: configuring Sentinel](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#configuring-sentinel)
    pub struct SentinelQuorumExceedsCount {
        id: "sentinel-quorum-exceeds-count",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for SentinelQuorumExceedsCount {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(sentinel) = &cx.topology.sentinel else {
            return;
        };
        let (count, quorum) = (sentinel.replicas, sentinel.quorum);
        if quorum > count {
            out.report(
                cx.value_location("sentinel.quorum"),
                format!(
                    "`sentinel.quorum` is {quorum} but there are only {count} sentinels: the master can never be marked down"
                ),
            )
            .hint(format!("set `sentinel.quorum` to {}", count / 2 + 1));
        }
    }
}
