//! The `seccomp-unconfined` rule.

use crate::lint::context::{Component, Context};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that no pod or container runs with the seccomp profile `Unconfined`, and that each
    /// pod has a profile (`RuntimeDefault` or `Localhost`) from its own or its pod's security
    /// context.
    ///
    /// ## Why is this bad?
    /// Without a seccomp profile every system call of the kernel is open to a compromised Redis,
    /// the ones behind most container escapes included. The `restricted` Pod Security Standard
    /// requires a profile; kube-score (`pod-seccomp`), Polaris and checkov (CKV_K8S_31) check it.
    ///
    /// ## Example
    /// ```yaml
    /// podSecurityContext:
    ///   seccompProfile:
    ///     type: Unconfined
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// podSecurityContext:
    ///   seccompProfile:
    ///     type: RuntimeDefault
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: seccomp](https://kubernetes.io/docs/tutorials/security/seccomp/)
    pub struct SeccompUnconfined {
        id: "seccomp-unconfined",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for SeccompUnconfined {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.workloads() {
            let Some(spec) = workload.spec() else {
                continue;
            };
            let pod = spec
                .security_context
                .as_ref()
                .and_then(|s| s.seccomp_profile.as_ref())
                .map(|p| p.type_.as_str());
            let own_key = workload.component != Component::Other;
            if pod == Some("Unconfined") {
                let field = "spec.template.spec.securityContext.seccompProfile";
                let location = if own_key {
                    cx.traced_location(
                        "podSecurityContext.seccompProfile.type",
                        object,
                        Some(field),
                    )
                } else {
                    cx.object_location(object, Some(field))
                };
                out.report(
                    location,
                    "its pods run with the seccomp profile `Unconfined`",
                )
                .hint("set `seccompProfile: {type: RuntimeDefault}`");
                continue;
            }
            for (path, container) in workload.containers(object) {
                let own = container
                    .security_context
                    .as_ref()
                    .and_then(|s| s.seccomp_profile.as_ref())
                    .map(|p| p.type_.as_str());
                let problem = match (own, pod) {
                    (Some("Unconfined"), _) => "runs with the seccomp profile `Unconfined`",
                    (None, None) => {
                        "has no seccomp profile, in its own or its pod's security context"
                    }
                    _ => continue,
                };
                let field = format!("{path}.securityContext");
                let location = if own_key && own.is_some() {
                    cx.traced_location(
                        "containerSecurityContext.seccompProfile.type",
                        object,
                        Some(&field),
                    )
                } else {
                    cx.object_location(object, Some(&field))
                };
                // Traced to the value, the finding is the value's, whichever containers use it.
                let message = if location.object.is_some() {
                    format!("container `{}` {problem}", container.name)
                } else {
                    format!("the containers' security context {problem}")
                };
                out.report(location, message)
                    .hint("set `seccompProfile: {type: RuntimeDefault}`");
            }
        }
    }
}
