//! The `container-runs-as-root` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every container runs as a non-root user. That is `runAsNonRoot: true` on
    /// the container or the pod, and no `runAsUser: 0`.
    ///
    /// ## Why is this bad?
    /// A process running as root in a container is one kernel or runtime bug away from root
    /// on the node, and a Redis compromised through a leaked password (`CONFIG SET dir`,
    /// `MODULE LOAD`) then owns everything the container can see. Namespaces enforcing the
    /// `restricted` Pod Security Standard refuse such pods outright. The official Redis image
    /// runs as user 999.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 999
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Pod Security Standards, restricted](https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)
    pub struct ContainerRunsAsRoot {
        id: "container-runs-as-root",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for ContainerRunsAsRoot {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload, path, container) in cx.containers() {
            let pod = workload.spec().and_then(|s| s.security_context.as_ref());
            let own = container.security_context.as_ref();
            let user = own
                .and_then(|c| c.run_as_user)
                .or_else(|| pod.and_then(|p| p.run_as_user));
            let non_root = own
                .and_then(|c| c.run_as_non_root)
                .or_else(|| pod.and_then(|p| p.run_as_non_root));
            let problem = if user == Some(0) {
                "runs as user 0 (root)"
            } else if non_root != Some(true) {
                "does not set `runAsNonRoot: true`: it runs as the image's user, root for most images"
            } else {
                continue;
            };
            out.report(
                cx.object_location(object, Some(&format!("{path}.securityContext"))),
                format!("container `{}` {problem}", container.name),
            )
            .hint("set `runAsNonRoot: true` and a non-zero `runAsUser` in the security context");
        }
    }
}
