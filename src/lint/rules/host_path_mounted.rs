//! The `host-path-mounted` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that no pod mounts a directory of the node (`hostPath` volume), nor exposes a
    /// container port on the node (`hostPort`).
    ///
    /// ## Why is this bad?
    /// A `hostPath` volume ties the data to one node (a rescheduled pod starts empty and
    /// replicates everything again, or worse, finds another release's files) and gives the
    /// container the node's file system; a `hostPort` bypasses NetworkPolicies and keeps two
    /// pods off the same node. kube-linter (`host-mounts`, `host-port`), Polaris
    /// (`hostPathSet`, `hostPortSet`) and checkov (CKV_K8S_26) refuse both.
    ///
    /// ## Example
    /// ```yaml
    /// extraVolumes:
    ///   - name: data
    ///     hostPath: {path: /var/lib/redis}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// persistence:
    ///   enabled: true
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: hostPath](https://kubernetes.io/docs/concepts/storage/volumes/#hostpath)
    pub struct HostPathMounted {
        id: "host-path-mounted",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for HostPathMounted {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.workloads() {
            let Some(spec) = workload.spec() else {
                continue;
            };
            for (i, volume) in spec.volumes.iter().flatten().enumerate() {
                if let Some(host) = &volume.host_path {
                    let key = workload
                        .component
                        .values_prefix()
                        .map_or_else(String::new, |p| format!("{p}extraVolumes"));
                    out.report(
                        cx.traced_location(
                            &key,
                            object,
                            Some(&format!("spec.template.spec.volumes[{i}]")),
                        ),
                        format!("volume `{}` mounts the node's `{}`", volume.name, host.path),
                    )
                    .hint("use a PersistentVolumeClaim (`persistence`) or an `emptyDir`");
                }
            }
        }
        for (object, _, path, container) in cx.containers() {
            for port in container.ports.iter().flatten() {
                if let Some(host_port) = port.host_port.filter(|p| *p != 0) {
                    out.report(
                        cx.object_location(object, Some(&format!("{path}.ports"))),
                        format!(
                            "container `{}` exposes port {} on the node's port {host_port}",
                            container.name, port.container_port
                        ),
                    )
                    .hint("remove `hostPort`: clients reach Redis through its Services");
                }
            }
        }
    }
}
