//! The `service-target-port-unknown` rule.

use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every Service `targetPort` names or numbers a port of the selected pods. An
    /// unset `targetPort` is the `port`; every workload the Service selects must declare it.
    ///
    /// ## Why is this bad?
    /// A named `targetPort` that no container declares leaves the Service without endpoints;
    /// a number nobody listens on routes clients to a closed port. Both look like an outage of
    /// Redis, not like a typo in a Service.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports:
    ///     - port: 6379
    ///       targetPort: redis-port     # the container port is named `redis`
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   ports:
    ///     - port: 6379
    ///       targetPort: redis
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Service, port definitions](https://kubernetes.io/docs/concepts/services-networking/service/#field-spec-ports)
    pub struct ServiceTargetPortUnknown {
        id: "service-target-port-unknown",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for ServiceTargetPortUnknown {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, service) in cx.services() {
            let Some(spec) = &service.spec else {
                continue;
            };
            let Some(selector) = spec.selector.as_ref().filter(|s| !s.is_empty()) else {
                continue;
            };
            let pods = cx.pods_matching_map(object.namespace(cx), selector);
            for (i, port) in spec.ports.iter().flatten().enumerate() {
                let target = port
                    .target_port
                    .clone()
                    .unwrap_or(IntOrString::Int(port.port));
                for (pod_object, workload) in &pods {
                    let ports = workload.ports();
                    let found = match &target {
                        IntOrString::Int(n) => ports.iter().any(|(_, number, _)| number == n),
                        IntOrString::String(name) => {
                            ports.iter().any(|(n, _, _)| *n == Some(name.as_str()))
                        }
                    };
                    if !found {
                        let shown = match &target {
                            IntOrString::Int(n) => n.to_string(),
                            IntOrString::String(s) => format!("`{s}`"),
                        };
                        out.report(
                            cx.object_location(
                                object,
                                Some(&format!("spec.ports[{i}].targetPort")),
                            ),
                            format!(
                                "port {} targets {shown}, which no container of `{}` declares",
                                port.port,
                                pod_object.manifest.display_name()
                            ),
                        )
                        .hint("use the name or number of a `containerPort` of the selected pods");
                    }
                }
            }
        }
    }
}
