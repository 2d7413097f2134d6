//! The `privilege-escalation-allowed` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every container sets `allowPrivilegeEscalation: false` and is not
    /// `privileged`.
    ///
    /// ## Why is this bad?
    /// Unless escalation is forbidden, a setuid binary in the image lets a compromised process
    /// gain privileges its user does not have; a privileged container has every capability and
    /// every device of the node. Redis, Sentinel and the exporter need neither, and the
    /// `restricted` Pod Security Standard refuses pods that leave escalation open.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   privileged: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Pod Security Standards, restricted](https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)
    pub struct PrivilegeEscalationAllowed {
        id: "privilege-escalation-allowed",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for PrivilegeEscalationAllowed {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, _, path, container) in cx.containers() {
            let own = container.security_context.as_ref();
            let problem = if own.and_then(|c| c.privileged) == Some(true) {
                "is privileged"
            } else if own.and_then(|c| c.allow_privilege_escalation) != Some(false) {
                "does not set `allowPrivilegeEscalation: false`"
            } else {
                continue;
            };
            out.report(
                cx.object_location(object, Some(&format!("{path}.securityContext"))),
                format!("container `{}` {problem}", container.name),
            )
            .hint("set `allowPrivilegeEscalation: false` (and no `privileged`) in its security context");
        }
    }
}
