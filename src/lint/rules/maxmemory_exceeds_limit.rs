//! The `maxmemory-exceeds-limit` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::quantity::{Quantity, human};
use crate::redis_conf::text_sets;
use crate::values::Value;

rule! {
    /// ## What it does
    /// Checks that the effective `maxmemory` is below the Redis container's memory limit. The
    /// limit is `resources.limits.memory`; `maxmemory` is read from the rendered `redis.conf`,
    /// where a line of `redis.extraConfig` overrides `redis.maxmemory`.
    ///
    /// ## Why is this bad?
    /// `maxmemory` is where Redis starts evicting keys or refusing writes; the container limit
    /// is where the kernel kills it. With `maxmemory` at or above the limit, Redis never gets to
    /// protect itself: it grows until it is OOM-killed, loses everything since the last save,
    /// and with Sentinel triggers a failover, after which the new master fills up the same
    /// way. Note the units differ: Redis' `1gb` is 1 GiB, Kubernetes' `1G` is 10^9 bytes.
    ///
    /// ## Example
    /// ```yaml
    /// redis:
    ///   maxmemory: 4gb
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
    /// - [Redis: key eviction (`maxmemory`)](https://redis.io/docs/latest/develop/reference/eviction/)
    pub struct MaxmemoryExceedsLimit {
        id: "maxmemory-exceeds-limit",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

/// The effective `maxmemory` (from the rendered `redis.conf`, where `redis.extraConfig` may
/// override `redis.maxmemory`) and `resources.limits.memory` in bytes, when readable; with the
/// values key that set `maxmemory`.
pub fn sizes(cx: &Context<'_>) -> Option<(Option<f64>, f64, &'static str)> {
    let limit = match &cx.value("resources.limits.memory")?.value {
        Value::Str(s) => Quantity::bytes(s)?,
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        _ => return None,
    };
    let from_extra = cx
        .str("redis.extraConfig")
        .is_some_and(|text| text_sets(text, "maxmemory"));
    let key = if from_extra {
        "redis.extraConfig"
    } else {
        "redis.maxmemory"
    };
    let maxmemory = if cx.redis_conf.is_empty() {
        match cx.value("redis.maxmemory").map(|n| &n.value) {
            Some(Value::Str(s)) if s.trim().is_empty() => None,
            Some(Value::Str(s)) => Some(Quantity::redis_memory(s)?.to_f64()),
            Some(Value::Int(i)) => Some(*i as f64),
            _ => None,
        }
    } else {
        match cx.redis_conf.value("maxmemory") {
            Some(text) => Some(Quantity::redis_memory(text)?.to_f64()),
            None => None,
        }
    };
    Some((maxmemory.filter(|m| *m > 0.0), limit, key))
}

impl Rule for MaxmemoryExceedsLimit {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some((Some(maxmemory), limit, key)) = sizes(cx) else {
            return;
        };
        if maxmemory >= limit {
            out.report(
                cx.value_location(key),
                format!(
                    "`maxmemory` ({}) is not below the memory limit ({}): Redis is OOM-killed before it evicts",
                    human(maxmemory),
                    human(limit)
                ),
            )
            .hint(format!(
                "set `maxmemory` to at most {} (80% of the limit)",
                redis_size(limit * 0.8)
            ));
        }
    }
}

/// A byte count as a Redis size, rounded down to whole MiB.
pub fn redis_size(bytes: f64) -> String {
    format!("{}mb", (bytes / (1024.0 * 1024.0)).floor())
}
