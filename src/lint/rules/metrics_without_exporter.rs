//! The `metrics-without-exporter` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that `metrics.serviceMonitor.enabled` and `metrics.prometheusRule.enabled` are
    /// only set with `exporter.enabled`.
    ///
    /// ## Why is this bad?
    /// Redis has no Prometheus endpoint of its own: the ServiceMonitor and the alerts read the
    /// exporter's metrics. Without the exporter the chart renders neither, and the values
    /// promise monitoring that does not exist: nobody is paged when the master goes down.
    ///
    /// ## Example
    /// ```yaml
    /// metrics:
    ///   serviceMonitor:
    ///     enabled: true
    /// exporter:
    ///   enabled: false
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// metrics:
    ///   serviceMonitor:
    ///     enabled: true
    /// exporter:
    ///   enabled: true
    /// ```
    ///
    /// ## References
    /// - [redis_exporter](https://github.com/oliver006/redis_exporter)
    pub struct MetricsWithoutExporter {
        id: "metrics-without-exporter",
        severity: Error,
        category: Wiring,
        stage: Values,
    }
}

impl Rule for MetricsWithoutExporter {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("exporter.enabled") != Some(false) {
            return;
        }
        for key in [
            "metrics.serviceMonitor.enabled",
            "metrics.prometheusRule.enabled",
        ] {
            if cx.bool(key) == Some(true) {
                out.report(
                    cx.value_location(key),
                    format!("`{key}` is true but `exporter.enabled` is false: nothing is rendered, nothing is monitored"),
                )
                .hint("set `exporter.enabled: true`");
            }
        }
    }
}
