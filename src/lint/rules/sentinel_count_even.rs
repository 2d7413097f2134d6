//! The `sentinel-count-even` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the number of sentinels (`sentinel.replicas`) is odd.
    ///
    /// ## Why is this bad?
    /// A failover needs a majority of all sentinels, and an even count buys nothing over the
    /// odd count below it: 4 sentinels need 3 votes, so they survive the loss of one, exactly
    /// like 3. But a network partition can now split them 2 and 2, with no majority on either
    /// side: no failover at all while the master is unreachable. The extra pod only adds a way
    /// to lose the vote.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   replicas: 4
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// sentinel:
    ///   replicas: 5     # or 3
    /// ```
    ///
    /// ## References
    /// - [Redis Sentinel: example deployments](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#example-sentinel-deployments)
    pub struct SentinelCountEven {
        id: "sentinel-count-even",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for SentinelCountEven {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(sentinel) = &cx.topology.sentinel else {
            return;
        };
        let count = sentinel.replicas;
        if count > 0 && count % 2 == 0 {
            out.report(
                cx.value_location("sentinel.replicas"),
                format!(
                    "`sentinel.replicas` is {count}: an even number of sentinels can split {} and {} with no majority on either side",
                    count / 2,
                    count / 2
                ),
            )
            .hint(format!("run {} or {} sentinels", count - 1, count + 1));
        }
    }
}
