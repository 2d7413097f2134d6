//! The `host-namespace-shared` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that no pod shares the node's network, process or IPC namespace. That is
    /// `hostNetwork`, `hostPID` and `hostIPC`, each unset or `false`.
    ///
    /// ## Why is this bad?
    /// A Redis pod on the host network listens on the node's interfaces, outside every
    /// NetworkPolicy, and two of them cannot share a node (port 6379 is taken); with the host's
    /// PID or IPC namespace a compromised Redis sees and signals every process of the node. The
    /// `baseline` Pod Security Standard forbids all three (kube-linter `host-network`,
    /// `host-pid`, `host-ipc`; Polaris `hostNetworkSet`, `hostPIDSet`, `hostIPCSet`).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// spec:
    ///   hostNetwork: false
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Pod Security Standards, baseline](https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline)
    pub struct HostNamespaceShared {
        id: "host-namespace-shared",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for HostNamespaceShared {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.workloads() {
            let Some(spec) = workload.spec() else {
                continue;
            };
            for (field, set) in [
                ("hostNetwork", spec.host_network),
                ("hostPID", spec.host_pid),
                ("hostIPC", spec.host_ipc),
            ] {
                if set == Some(true) {
                    out.report(
                        cx.object_location(object, Some(&format!("spec.template.spec.{field}"))),
                        format!("its pods share the node's namespace: `{field}: true`"),
                    )
                    .hint(format!("remove `{field}` (or set it to `false`)"));
                }
            }
        }
    }
}
