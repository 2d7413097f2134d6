//! The `service-monitor-timeout-exceeds-interval` rule.

use std::time::Duration;

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that each ServiceMonitor endpoint's `scrapeTimeout` is no longer than its
    /// `interval` (Prometheus' default interval is `30s`, the default timeout `10s`).
    ///
    /// ## Why is this bad?
    /// Prometheus refuses a scrape configuration whose timeout is longer than its interval: the
    /// Prometheus Operator drops it, with a line in its own log only, and Redis is silently not
    /// monitored: no alert fires when the master goes down.
    ///
    /// ## Example
    /// ```yaml
    /// metrics:
    ///   serviceMonitor:
    ///     interval: 10s
    ///     scrapeTimeout: 30s
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// metrics:
    ///   serviceMonitor:
    ///     interval: 30s
    ///     scrapeTimeout: 10s
    /// ```
    ///
    /// ## References
    /// - [Prometheus: scrape_config](https://prometheus.io/docs/prometheus/latest/configuration/configuration/#scrape_config)
    pub struct ServiceMonitorTimeoutExceedsInterval {
        id: "service-monitor-timeout-exceeds-interval",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

fn duration(value: Option<&serde_json::Value>, default: Duration) -> Option<Duration> {
    match value.and_then(serde_json::Value::as_str) {
        None => Some(default),
        Some(text) => promql_parser::util::parse_duration(text).ok(),
    }
}

impl Rule for ServiceMonitorTimeoutExceedsInterval {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for object in cx.of_kind("ServiceMonitor") {
            let endpoints = object
                .manifest
                .object
                .pointer("/spec/endpoints")
                .and_then(|e| e.as_array());
            for (i, endpoint) in endpoints.into_iter().flatten().enumerate() {
                let interval = duration(endpoint.get("interval"), Duration::from_secs(30));
                let timeout = duration(endpoint.get("scrapeTimeout"), Duration::from_secs(10));
                let (Some(interval), Some(timeout)) = (interval, timeout) else {
                    continue;
                };
                if timeout <= interval {
                    continue;
                }
                out.report(
                    cx.traced_location(
                        "metrics.serviceMonitor.scrapeTimeout",
                        object,
                        Some(&format!("spec.endpoints[{i}].scrapeTimeout")),
                    ),
                    format!(
                        "scrape timeout {}s is longer than the scrape interval {}s: Prometheus refuses the scrape configuration",
                        timeout.as_secs_f64(),
                        interval.as_secs_f64()
                    ),
                )
                .hint("set `scrapeTimeout` at most the `interval`");
            }
        }
    }
}
