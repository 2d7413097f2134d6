//! The `root-filesystem-writable` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every container mounts its root filesystem read-only
    /// (`readOnlyRootFilesystem: true`).
    ///
    /// ## Why is this bad?
    /// A writable root filesystem lets an intruder drop tools or a module into the image's
    /// directories (Redis' `MODULE LOAD` loads any shared object it can read), and lets the
    /// process itself fill the node's disk with files nobody mounts or cleans. Redis and
    /// Sentinel only need to write their data directory and config, which the chart mounts as
    /// volumes.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   readOnlyRootFilesystem: false
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   readOnlyRootFilesystem: true
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: security context](https://kubernetes.io/docs/tasks/configure-pod-container/security-context/)
    pub struct RootFilesystemWritable {
        id: "root-filesystem-writable",
        severity: Warning,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for RootFilesystemWritable {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, _, path, container) in cx.containers() {
            let read_only = container
                .security_context
                .as_ref()
                .and_then(|c| c.read_only_root_filesystem);
            if read_only != Some(true) {
                out.report(
                    cx.object_location(object, Some(&format!("{path}.securityContext"))),
                    format!(
                        "container `{}` can write to its root filesystem",
                        container.name
                    ),
                )
                .hint("set `readOnlyRootFilesystem: true` and mount a volume where it writes");
            }
        }
    }
}
