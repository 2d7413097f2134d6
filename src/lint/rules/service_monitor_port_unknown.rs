//! The `service-monitor-port-unknown` rule.

use super::service_monitor_selects_no_service::selected_services;
use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the `port` of every ServiceMonitor endpoint is the name of a port of a
    /// Service it selects.
    ///
    /// ## Why is this bad?
    /// prometheus-operator matches endpoints by port name. A name the Service does not have
    /// (the Service calls it `metrics`, the ServiceMonitor `http-metrics`) produces no scrape
    /// target at all, with no error anywhere: the metrics and every alert built on them
    /// silently disappear.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ServiceMonitor
    /// spec:
    ///   endpoints:
    ///     - port: http-metrics     # the exporter Service's port is named `metrics`
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   endpoints:
    ///     - port: metrics
    /// ```
    ///
    /// ## References
    /// - [prometheus-operator API: Endpoint](https://prometheus-operator.dev/docs/api-reference/api/#monitoring.coreos.com/v1.Endpoint)
    pub struct ServiceMonitorPortUnknown {
        id: "service-monitor-port-unknown",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for ServiceMonitorPortUnknown {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for monitor in cx.of_kind("ServiceMonitor") {
            let Some(services) = selected_services(cx, monitor) else {
                continue;
            };
            if services.is_empty() {
                continue;
            }
            let names: Vec<&str> = services
                .iter()
                .filter_map(|(_, s)| s.spec.as_ref())
                .flat_map(|s| s.ports.iter().flatten())
                .filter_map(|p| p.name.as_deref())
                .collect();
            let endpoints = monitor
                .manifest
                .object
                .pointer("/spec/endpoints")
                .and_then(|e| e.as_array());
            for (i, endpoint) in endpoints.into_iter().flatten().enumerate() {
                let Some(port) = endpoint.get("port").and_then(|p| p.as_str()) else {
                    continue;
                };
                if !names.contains(&port) {
                    let known = if names.is_empty() {
                        "the selected Services name no port".to_owned()
                    } else {
                        format!(
                            "the selected Services' ports are {}",
                            names
                                .iter()
                                .map(|n| format!("`{n}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    };
                    out.report(
                        cx.object_location(monitor, Some(&format!("spec.endpoints[{i}].port"))),
                        format!("endpoint port `{port}` is not a port of the selected Services: nothing is scraped"),
                    )
                    .hint(known);
                }
            }
        }
    }
}
