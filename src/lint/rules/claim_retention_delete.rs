//! The `claim-retention-delete` rule.

use crate::lint::context::{Component, Context, Environment};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks, in production, that the Redis StatefulSet keeps its volumes. Its
    /// `persistentVolumeClaimRetentionPolicy` must not `Delete` them `whenDeleted` or
    /// `whenScaled`. Dev and staging may delete them.
    ///
    /// ## Why is this bad?
    /// With `whenDeleted: Delete`, an `helm uninstall` (or a StatefulSet deleted to change an
    /// immutable field, a routine upgrade step) deletes every copy of the data at once; with
    /// `whenScaled: Delete`, scaling down and back up loses the data of the removed replicas,
    /// and a scale-down during an incident can delete the only up-to-date copy.
    ///
    /// ## Example
    /// ```yaml
    /// persistence:
    ///   retentionPolicy:
    ///     whenDeleted: Delete
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// persistence:
    ///   retentionPolicy:
    ///     whenDeleted: Retain
    ///     whenScaled: Retain
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: PersistentVolumeClaim retention](https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#persistentvolumeclaim-retention)
    pub struct ClaimRetentionDelete {
        id: "claim-retention-delete",
        severity: Error,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for ClaimRetentionDelete {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.environment != Environment::Production {
            return;
        }
        for (object, workload) in cx.workloads() {
            if workload.component != Component::Redis || object.manifest.kind() != "StatefulSet" {
                continue;
            }
            for (field, key) in [
                ("whenDeleted", "persistence.retentionPolicy.whenDeleted"),
                ("whenScaled", "persistence.retentionPolicy.whenScaled"),
            ] {
                let value = object
                    .manifest
                    .object
                    .pointer(&format!(
                        "/spec/persistentVolumeClaimRetentionPolicy/{field}"
                    ))
                    .and_then(|v| v.as_str());
                if value != Some("Delete") {
                    continue;
                }
                out.report(
                    cx.traced_location(
                        key,
                        object,
                        Some(&format!(
                            "spec.persistentVolumeClaimRetentionPolicy.{field}"
                        )),
                    ),
                    format!(
                        "production volumes are deleted `{field}`: the data goes with the pods"
                    ),
                )
                .hint(format!("set `{field}: Retain`"));
            }
        }
    }
}
