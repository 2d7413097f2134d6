//! The `service-exposed-externally` rule.

use k8s_openapi::api::core::v1::Service;

use crate::lint::context::{Component, Context};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that no `LoadBalancer` or `NodePort` Service exposes the Redis or Sentinel pods.
    ///
    /// ## Why is this bad?
    /// Redis speaks a plain-text protocol built for a trusted network: a `LoadBalancer` puts it
    /// on an address outside the cluster (often the internet), a `NodePort` on every node's
    /// interfaces, and neither is covered by the release's NetworkPolicies. Sentinel exposed
    /// this way also hands out the pods' internal addresses, which outside clients cannot
    /// reach. kube-score (`service-type`) and checkov flag both types.
    ///
    /// ## Example
    /// ```yaml
    /// service:
    ///   type: LoadBalancer
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// service:
    ///   type: ClusterIP
    /// ```
    ///
    /// ## References
    /// - [Redis: security](https://redis.io/docs/latest/operate/oss_and_stack/management/security/)
    pub struct ServiceExposedExternally {
        id: "service-exposed-externally",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

fn service_type(service: &Service) -> &str {
    service
        .spec
        .as_ref()
        .and_then(|s| s.type_.as_deref())
        .unwrap_or("ClusterIP")
}

impl Rule for ServiceExposedExternally {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, service) in cx.services() {
            let kind = service_type(service);
            if !matches!(kind, "LoadBalancer" | "NodePort") {
                continue;
            }
            let Some(selector) = service.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
                continue;
            };
            let Some((_, target)) = cx
                .pods_matching_map(object.namespace(cx), selector)
                .into_iter()
                .find(|(_, w)| w.component.is_redis_or_sentinel())
            else {
                continue;
            };
            let key = target
                .component
                .values_prefix()
                .map(|p| format!("{p}service.type"))
                .unwrap_or_default();
            out.report(
                cx.traced_location(&key, object, Some("spec.type")),
                format!(
                    "a `{kind}` Service exposes the {} pods outside the cluster network",
                    if target.component == Component::Sentinel { "Sentinel" } else { "Redis" }
                ),
            )
            .hint("use `type: ClusterIP`; reach Redis from outside through a VPN, a proxy with TLS and authentication, or a tunnel");
        }
    }
}
