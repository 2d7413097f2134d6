//! The `maxmemory-headroom-too-small` rule.

use super::maxmemory_exceeds_limit::{redis_size, sizes};
use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::quantity::human;

/// The share of the memory limit `maxmemory` may take.
pub const MAX_SHARE: f64 = 0.8;

rule! {
    /// ## What it does
    /// Checks that `redis.maxmemory` leaves 20% of the Redis container's memory limit free. It
    /// also reports a `maxmemory` left unset when the container has a limit.
    ///
    /// ## Why is this bad?
    /// `maxmemory` counts the data set, not everything Redis allocates. Replication needs the
    /// backlog and an output buffer per replica (up to 256 MB each by default while a replica
    /// resynchronises); a background save or AOF rewrite forks the process, and every page
    /// written during the fork is copied. Without headroom for those, the container is
    /// OOM-killed exactly when it is busiest: during a resync or a save. With no `maxmemory`
    /// at all, Redis grows until the kernel kills it.
    ///
    /// ## Example
    /// ```yaml
    /// redis:
    ///   maxmemory: 3900mb
    /// resources:
    ///   limits:
    ///     memory: 4Gi
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// redis:
    ///   maxmemory: 3gb
    /// resources:
    ///   limits:
    ///     memory: 4Gi
    /// ```
    ///
    /// ## References
    /// - [Redis replication: `maxmemory` on masters with replicas](https://redis.io/docs/latest/operate/oss_and_stack/management/replication/)
    /// - [Redis persistence: fork and copy-on-write](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/)
    pub struct MaxmemoryHeadroomTooSmall {
        id: "maxmemory-headroom-too-small",
        severity: Warning,
        category: Ha,
        stage: Values,
    }
}

impl Rule for MaxmemoryHeadroomTooSmall {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some((maxmemory, limit, key)) = sizes(cx) else {
            return;
        };
        let suggestion = format!(
            "set `maxmemory` to at most {} (80% of the limit)",
            redis_size(limit * MAX_SHARE)
        );
        match maxmemory {
            None => {
                let key = if cx.value("redis.maxmemory").is_some() {
                    "redis.maxmemory"
                } else {
                    "resources.limits.memory"
                };
                out.report(
                    cx.value_location(key),
                    format!(
                        "`maxmemory` is not set: Redis grows until the {} limit kills it",
                        human(limit)
                    ),
                )
                .hint(suggestion);
            }
            // At or above the limit is `maxmemory-exceeds-limit`'s finding.
            Some(maxmemory) if maxmemory > limit * MAX_SHARE && maxmemory < limit => {
                out.report(
                    cx.value_location(key),
                    format!(
                        "`maxmemory` ({}) leaves {} of the {} limit for replication buffers and the fork of a save",
                        human(maxmemory),
                        human(limit - maxmemory),
                        human(limit)
                    ),
                )
                .hint(suggestion);
            }
            Some(_) => {}
        }
    }
}
