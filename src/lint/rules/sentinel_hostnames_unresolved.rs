//! The `sentinel-hostnames-unresolved` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::redis_conf::text_sets;

rule! {
    /// ## What it does
    /// Checks that the effective `sentinel.conf` has `sentinel resolve-hostnames yes` and
    /// `sentinel announce-hostnames yes`. The file is read as rendered, so a line of
    /// `sentinel.extraConfig` that turns either off is caught.
    ///
    /// ## Why is this bad?
    /// The chart names the master and the sentinels by their pods' DNS names. Without
    /// `resolve-hostnames` Sentinel refuses the `sentinel monitor` line with a hostname and
    /// monitors nothing; without `announce-hostnames` it hands clients and replicas the pods'
    /// IPs, which change on every restart, so after the first rescheduling replicas follow a
    /// master that is gone.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   extraConfig: |
    ///     sentinel resolve-hostnames no
    /// ```
    ///
    /// Use instead: leave both to the chart.
    ///
    /// ## References
    /// - [Redis: Sentinel, IP addresses and DNS names](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#ip-addresses-and-dns-names)
    pub struct SentinelHostnamesUnresolved {
        id: "sentinel-hostnames-unresolved",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for SentinelHostnamesUnresolved {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.uses_sentinel() || cx.sentinel_conf.is_empty() {
            return;
        }
        for directive in ["sentinel resolve-hostnames", "sentinel announce-hostnames"] {
            let value = cx.sentinel_conf.value(directive);
            if value.is_some_and(|v| v.eq_ignore_ascii_case("yes")) {
                continue;
            }
            let from_extra = cx
                .str("sentinel.extraConfig")
                .is_some_and(|text| text_sets(text, directive));
            let location = if from_extra {
                cx.value_location("sentinel.extraConfig")
            } else {
                cx.value_location("sentinel")
            };
            let shown = value.map_or_else(|| "is not set".to_owned(), |v| format!("is `{v}`"));
            out.report(
                location,
                format!("`{directive}` {shown} in the effective sentinel.conf: Sentinel cannot follow pods by their DNS names"),
            )
            .hint(format!("set `{directive} yes` (remove the line from `sentinel.extraConfig`)"));
        }
    }
}
