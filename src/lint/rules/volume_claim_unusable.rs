//! The `volume-claim-unusable` rule.

use crate::lint::context::{Component, Context};
use crate::lint::registry::{Rule, Sink, rule};
use crate::quantity::Quantity;

/// Access modes a pod can write through.
const WRITABLE: &[&str] = &["ReadWriteOnce", "ReadWriteOncePod", "ReadWriteMany"];

rule! {
    /// ## What it does
    /// Checks that each volume claim template of the Redis StatefulSet can hold data: it
    /// requests `storage`, the size is above zero, and an access mode is writable
    /// (`ReadWriteOnce`, `ReadWriteOncePod` or `ReadWriteMany`; not only `ReadOnlyMany`).
    ///
    /// ## Why is this bad?
    /// The API server refuses a claim without a storage request or of size zero, and the
    /// StatefulSet creates no pod; a read-only volume mounts, and Redis fails its first
    /// `BGSAVE` or AOF write with `MISCONF`, then refuses every write.
    ///
    /// ## Example
    /// ```yaml
    /// persistence:
    ///   size: "0"
    ///   accessModes: [ReadOnlyMany]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// persistence:
    ///   size: 8Gi
    ///   accessModes: [ReadWriteOnce]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: access modes](https://kubernetes.io/docs/concepts/storage/persistent-volumes/#access-modes)
    pub struct VolumeClaimUnusable {
        id: "volume-claim-unusable",
        severity: Error,
        category: Resources,
        stage: Manifests,
    }
}

impl Rule for VolumeClaimUnusable {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.workloads() {
            if workload.component != Component::Redis || object.manifest.kind() != "StatefulSet" {
                continue;
            }
            let claims = object
                .manifest
                .object
                .pointer("/spec/volumeClaimTemplates")
                .and_then(|c| c.as_array());
            for (i, claim) in claims.into_iter().flatten().enumerate() {
                let name = claim
                    .pointer("/metadata/name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("?");
                let path = format!("spec.volumeClaimTemplates[{i}].spec");
                let storage = claim.pointer("/spec/resources/requests/storage");
                let size_problem = match storage.map(Quantity::from_json) {
                    None => Some("requests no storage"),
                    Some(Some(q)) if q <= Quantity::parse("0").expect("zero parses") => {
                        Some("requests a size of zero")
                    }
                    _ => None,
                };
                if let Some(problem) = size_problem {
                    out.report(
                        cx.traced_location("persistence.size", object, Some(&format!("{path}.resources"))),
                        format!("volume claim `{name}` {problem}: the API server refuses it and no pod starts"),
                    )
                    .hint("set `persistence.size` to room for the data set (`8Gi`)");
                }
                let modes: Vec<&str> = claim
                    .pointer("/spec/accessModes")
                    .and_then(|m| m.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.as_str())
                    .collect();
                if !modes.is_empty() && !modes.iter().any(|m| WRITABLE.contains(m)) {
                    out.report(
                        cx.traced_location(
                            "persistence.accessModes",
                            object,
                            Some(&format!("{path}.accessModes")),
                        ),
                        format!(
                            "volume claim `{name}` is read-only ({}): Redis cannot save",
                            modes.join(", ")
                        ),
                    )
                    .hint("use `accessModes: [ReadWriteOnce]`");
                }
            }
        }
    }
}
