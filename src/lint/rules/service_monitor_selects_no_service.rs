//! The `service-monitor-selects-no-service` rule.

use k8s_openapi::api::core::v1::Service;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::lint::context::{Context, Object, selector_matches};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every ServiceMonitor selects a Service of the render. Its `selector` must
    /// match the Service's labels, in a namespace its `namespaceSelector` allows (by default
    /// the ServiceMonitor's own).
    ///
    /// ## Why is this bad?
    /// A ServiceMonitor that selects nothing makes Prometheus scrape nothing, silently: no
    /// target, no error, and every alert built on the exporter's metrics, Redis down included,
    /// can never fire. The usual causes are a label missing on the exporter Service, or a
    /// ServiceMonitor placed in the monitoring namespace without a `namespaceSelector`.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ServiceMonitor
    /// metadata:
    ///   namespace: monitoring
    /// spec:
    ///   selector:
    ///     matchLabels: {app.kubernetes.io/component: exporter}
    ///   # no namespaceSelector: only Services in `monitoring` are considered
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   namespaceSelector:
    ///     matchNames: [redis]
    ///   selector:
    ///     matchLabels: {app.kubernetes.io/component: exporter}
    /// ```
    ///
    /// ## References
    /// - [prometheus-operator: ServiceMonitor](https://prometheus-operator.dev/docs/developer/getting-started/#using-servicemonitors)
    pub struct ServiceMonitorSelectsNoService {
        id: "service-monitor-selects-no-service",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

/// The Services a ServiceMonitor selects; `None` when its selector cannot be read (the
/// schema rules report that).
pub fn selected_services<'c, 'a>(
    cx: &'c Context<'a>,
    monitor: &Object<'_>,
) -> Option<Vec<(&'c Object<'a>, &'c Service)>> {
    let spec = monitor.manifest.object.get("spec")?;
    let selector: LabelSelector =
        serde_json::from_value(spec.get("selector").cloned().unwrap_or_default()).ok()?;
    let namespaces = spec.get("namespaceSelector");
    let any = namespaces
        .and_then(|n| n.get("any"))
        .and_then(serde_json::Value::as_bool)
        == Some(true);
    let names: Option<Vec<&str>> = namespaces
        .and_then(|n| n.get("matchNames"))
        .and_then(|n| n.as_array())
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect());
    let own = monitor.namespace(cx);
    Some(
        cx.services()
            .filter(|(o, s)| {
                let namespace = o.namespace(cx);
                let in_namespace = any
                    || names
                        .as_ref()
                        .map_or(namespace == own, |names| names.contains(&namespace));
                let labels = s.metadata.labels.clone().unwrap_or_default();
                in_namespace && selector_matches(&selector, &labels)
            })
            .collect(),
    )
}

impl Rule for ServiceMonitorSelectsNoService {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for monitor in cx.of_kind("ServiceMonitor") {
            if selected_services(cx, monitor).is_some_and(|s| s.is_empty()) {
                out.report(
                    cx.object_location(monitor, Some("spec.selector")),
                    format!(
                        "selects no Service of the release (looking in namespace{}): Prometheus scrapes nothing",
                        describe_namespaces(cx, monitor)
                    ),
                )
                .hint("match the exporter Service's labels, and set `namespaceSelector.matchNames` when the ServiceMonitor lives in another namespace");
            }
        }
    }
}

fn describe_namespaces(cx: &Context<'_>, monitor: &Object<'_>) -> String {
    let namespaces = monitor.manifest.object.pointer("/spec/namespaceSelector");
    if namespaces.and_then(|n| n.get("any")) == Some(&serde_json::Value::Bool(true)) {
        return "s: any".to_owned();
    }
    if let Some(names) = namespaces
        .and_then(|n| n.get("matchNames"))
        .and_then(|n| n.as_array())
    {
        let names: Vec<String> = names
            .iter()
            .filter_map(|v| v.as_str())
            .map(|n| format!("`{n}`"))
            .collect();
        return format!("s {}", names.join(", "));
    }
    format!(" `{}`", monitor.namespace(cx))
}
