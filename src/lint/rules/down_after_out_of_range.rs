//! The `down-after-out-of-range` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

/// Below this, a pause of a few seconds (a fork, a slow disk, a GC of the node) looks like a
/// dead master.
pub const MIN_MS: i64 = 5_000;
/// Above this, clients wait more than a minute for a failover after a real crash.
pub const MAX_MS: i64 = 60_000;

rule! {
    /// ## What it does
    /// Checks that `sentinel.downAfterMilliseconds` (`down-after-milliseconds`) is between
    /// 5 000 and 60 000 ms.
    ///
    /// ## Why is this bad?
    /// It is how long the master may fail to answer before a sentinel considers it down. Too
    /// short, and an ordinary pause (the fork of a background save on a large data set, a
    /// congested node, a slow `KEYS`) triggers a failover that drops connections and can lose
    /// the last writes. Too long, and after a real crash clients get errors for that long before
    /// a replica is promoted. The Redis documentation uses 5 000 ms in its examples; its default
    /// is 30 000 ms.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   downAfterMilliseconds: 1000
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// sentinel:
    ///   downAfterMilliseconds: 10000
    /// ```
    ///
    /// ## References
    /// - [Redis Sentinel: configuring Sentinel (`down-after-milliseconds`)](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#configuring-sentinel)
    pub struct DownAfterOutOfRange {
        id: "down-after-out-of-range",
        severity: Warning,
        category: Ha,
        stage: Values,
    }
}

impl Rule for DownAfterOutOfRange {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.uses_sentinel() {
            return;
        }
        let Some(ms) = cx.int("sentinel.downAfterMilliseconds") else {
            return;
        };
        let problem = if ms < MIN_MS {
            "a pause of a few seconds triggers a failover"
        } else if ms > MAX_MS {
            "clients wait that long for a failover after a crash"
        } else {
            return;
        };
        out.report(
            cx.value_location("sentinel.downAfterMilliseconds"),
            format!("`sentinel.downAfterMilliseconds` is {ms} ms: {problem}"),
        )
        .hint(format!("keep it between {MIN_MS} and {MAX_MS} ms"));
    }
}
