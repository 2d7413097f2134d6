//! The `sentinel-count-too-low` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that a Sentinel deployment runs at least 3 sentinels (`sentinel.replicas`).
    ///
    /// ## Why is this bad?
    /// A failover needs the votes of a majority of all sentinels. With 1 sentinel, its pod is a
    /// single point of failure: while it restarts, nothing watches the master. With 2, the
    /// majority is 2: losing either sentinel, or the node it runs on, blocks every failover.
    /// The Redis documentation asks for at least three Sentinel instances on independent
    /// machines.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   replicas: 2
    ///   quorum: 2
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
    /// - [High availability with Redis Sentinel: fundamental things to know](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#fundamental-things-to-know-about-sentinel-before-deploying)
    pub struct SentinelCountTooLow {
        id: "sentinel-count-too-low",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for SentinelCountTooLow {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(sentinel) = &cx.topology.sentinel else {
            return;
        };
        let count = sentinel.replicas;
        if count < 3 {
            out.report(
                cx.value_location("sentinel.replicas"),
                format!(
                    "`sentinel.replicas` is {count}: fewer than 3 sentinels cannot fail over once one is lost"
                ),
            )
            .hint("run 3 sentinels (5 to survive two failures)");
        }
    }
}
