//! The `service-account-token-mounted` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the Redis, Sentinel and exporter pods do not mount a Kubernetes API token.
    /// The pod's `automountServiceAccountToken` must be `false`, or unset with its
    /// ServiceAccount's `false`.
    ///
    /// ## Why is this bad?
    /// None of the three talks to the Kubernetes API; a mounted token only serves an attacker
    /// who gets code execution in the pod (a Lua script, a module), who can then act with the
    /// ServiceAccount's rights. kube-linter, Polaris (`automountServiceAccountToken`) and
    /// checkov (CKV_K8S_38) flag it.
    ///
    /// ## Example
    /// ```yaml
    /// serviceAccount:
    ///   automountServiceAccountToken: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// serviceAccount:
    ///   automountServiceAccountToken: false
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: opt out of API credential automounting](https://kubernetes.io/docs/tasks/configure-pod-container/configure-service-account/#opt-out-of-api-credential-automounting)
    pub struct ServiceAccountTokenMounted {
        id: "service-account-token-mounted",
        severity: Warning,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for ServiceAccountTokenMounted {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.workloads() {
            if workload.component == crate::lint::context::Component::Other {
                continue;
            }
            let Some(spec) = workload.spec() else {
                continue;
            };
            let account = spec.service_account_name.as_deref().unwrap_or("default");
            let namespace = object.namespace(cx);
            let by_account = cx
                .of_kind("ServiceAccount")
                .find(|o| o.manifest.name() == account && o.namespace(cx) == namespace)
                .and_then(|o| o.manifest.object.get("automountServiceAccountToken"))
                .and_then(serde_json::Value::as_bool);
            let mounts = spec.automount_service_account_token.or(by_account) != Some(false);
            if mounts {
                out.report(
                    cx.traced_location(
                        "serviceAccount.automountServiceAccountToken",
                        object,
                        Some("spec.template.spec.automountServiceAccountToken"),
                    ),
                    "its pods mount a Kubernetes API token they never use",
                )
                .hint("set `automountServiceAccountToken: false`");
            }
        }
    }
}
