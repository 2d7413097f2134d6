//! The `failover-timeout-out-of-range` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

/// Shorter, and a failover is abandoned before the promoted replica answers.
pub const MIN_MS: i64 = 10_000;
/// Longer, and a failed failover is retried only after twice this: more than half an hour.
pub const MAX_MS: i64 = 900_000;

rule! {
    /// ## What it does
    /// Checks that `sentinel.failoverTimeout` is between 10 s and 15 min. It must also be
    /// longer than `sentinel.downAfterMilliseconds`.
    ///
    /// ## Why is this bad?
    /// Sentinel uses this timeout for several things: a failover that made no progress within
    /// it is abandoned; a sentinel waits twice the timeout before trying to fail over the same
    /// master again; replicas pointing at the wrong master are corrected after it. Too short,
    /// and failovers are abandoned while the promoted replica is still answering `REPLICAOF
    /// NO ONE` on a busy node, then retried, with several masters in between. Too long, and
    /// after a failed attempt the deployment waits more than half an hour for the next one.
    /// Redis' default is 3 minutes.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   downAfterMilliseconds: 10000
    ///   failoverTimeout: 5000
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// sentinel:
    ///   downAfterMilliseconds: 10000
    ///   failoverTimeout: 60000
    /// ```
    ///
    /// ## References
    /// - [Redis Sentinel: configuring Sentinel (`failover-timeout`)](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#configuring-sentinel)
    /// - [The self-documented sentinel.conf](https://raw.githubusercontent.com/redis/redis/7.4/sentinel.conf)
    pub struct FailoverTimeoutOutOfRange {
        id: "failover-timeout-out-of-range",
        severity: Warning,
        category: Ha,
        stage: Values,
    }
}

impl Rule for FailoverTimeoutOutOfRange {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.uses_sentinel() {
            return;
        }
        let Some(ms) = cx.int("sentinel.failoverTimeout") else {
            return;
        };
        let down_after = cx.int("sentinel.downAfterMilliseconds").unwrap_or(0);
        let problem = if ms < MIN_MS {
            "failovers are abandoned before the promoted replica answers".to_owned()
        } else if ms <= down_after {
            format!(
                "it is not longer than `sentinel.downAfterMilliseconds` ({down_after} ms): failovers are abandoned as fast as failures are detected"
            )
        } else if ms > MAX_MS {
            format!(
                "after a failed failover the next attempt waits {} minutes",
                ms.saturating_mul(2) / 60_000
            )
        } else {
            return;
        };
        out.report(
            cx.value_location("sentinel.failoverTimeout"),
            format!("`sentinel.failoverTimeout` is {ms} ms: {problem}"),
        )
        .hint(format!(
            "keep it between {} and {MAX_MS} ms",
            MIN_MS.max(down_after.saturating_add(1))
        ));
    }
}
