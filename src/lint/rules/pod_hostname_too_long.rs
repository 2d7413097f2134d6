//! The `pod-hostname-too-long` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

/// `controller-revision-hash` label values are `<statefulset>-<hash>`, the hash up to 10
/// characters; label values are at most 63.
const MAX_STATEFULSET_NAME: usize = 63 - 11;

rule! {
    /// ## What it does
    /// Checks that the pods of every StatefulSet get valid hostnames and labels. The hostname
    /// `<statefulset>-<ordinal>` must fit in 63 characters for the highest ordinal, and the
    /// StatefulSet name in 52: its pods carry a `controller-revision-hash` label of the name
    /// plus an 11-character suffix, and label values stop at 63.
    ///
    /// ## Why is this bad?
    /// The StatefulSet is accepted, then its controller fails to create any pod, with the error
    /// only in the StatefulSet's events. Redis and Sentinel announce these hostnames to each
    /// other (`<pod>.<headless service>`), so they have to be valid DNS labels. The name comes
    /// from the release name: a long release name is enough.
    ///
    /// ## Example
    /// ```text
    /// redis-ha lint orders-production-europe-west1-primary-cache-cluster
    /// ```
    ///
    /// Use instead:
    /// ```text
    /// redis-ha lint orders-cache
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: StatefulSet pod identity](https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#pod-identity)
    pub struct PodHostnameTooLong {
        id: "pod-hostname-too-long",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for PodHostnameTooLong {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.workloads() {
            if object.manifest.kind() != "StatefulSet" {
                continue;
            }
            let name = object.manifest.name();
            let last = workload.replicas.unwrap_or(1).max(1) - 1;
            let hostname = format!("{name}-{last}");
            let message = if hostname.len() > 63 {
                format!(
                    "pod hostname `{hostname}` has {} characters, more than 63",
                    hostname.len()
                )
            } else if name.len() > MAX_STATEFULSET_NAME {
                format!(
                    "name has {} characters: its pods' `controller-revision-hash` label would exceed 63, and no pod is created",
                    name.len()
                )
            } else {
                continue;
            };
            out.report(cx.object_location(object, Some("metadata.name")), message)
                .hint("use a shorter release name");
        }
    }
}
