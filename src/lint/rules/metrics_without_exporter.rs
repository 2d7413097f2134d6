//! The `metrics-without-exporter` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::values::{FileLayer, Origin};

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
        let enabled: Vec<&str> = [
            "metrics.serviceMonitor.enabled",
            "metrics.prometheusRule.enabled",
        ]
        .into_iter()
        .filter(|key| cx.bool(key) == Some(true))
        .collect();
        let Some(first) = enabled.first() else {
            return;
        };
        // One cause, one finding: the exporter's switch when the user turned it off (a file or
        // a flag over the chart's default), else the first metrics key.
        let by_user = cx.value("exporter.enabled").is_some_and(|n| {
            !matches!(
                n.origin,
                Origin::File {
                    layer: FileLayer::Chart,
                    ..
                } | Origin::Computed
            )
        });
        let key = if by_user { "exporter.enabled" } else { first };
        out.report(
            cx.value_location(key),
            format!(
                "{} but `exporter.enabled` is false: nothing is rendered, nothing is monitored",
                enabled
                    .iter()
                    .map(|k| format!("`{k}` is true"))
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
        )
        .hint("set `exporter.enabled: true`");
    }
}
