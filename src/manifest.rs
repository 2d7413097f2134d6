//! Rendered manifests: one YAML document each, with what lint, diff and package need to know
//! about it (kind, name, the template it came from) and its content parsed as JSON.
//!
//! This module owns splitting a template's output into documents as Helm does and Helm's
//! install order of kinds; it leaves rendering to [`crate::render`].

use std::fmt::Write as _;

/// One rendered document.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The template file, relative to `templates/` (`redis-statefulset.yaml`).
    pub template: String,
    /// The document as rendered, trimmed.
    pub content: String,
    /// The document parsed.
    pub object: serde_json::Value,
}

impl Manifest {
    fn field(&self, pointer: &str) -> &str {
        self.object
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .unwrap_or("")
    }

    pub fn kind(&self) -> &str {
        self.field("/kind")
    }

    pub fn api_version(&self) -> &str {
        self.field("/apiVersion")
    }

    pub fn name(&self) -> &str {
        self.field("/metadata/name")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.object
            .pointer("/metadata/namespace")
            .and_then(|v| v.as_str())
    }

    /// `Kind/name`, the way people name an object in messages.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }
}

/// Helm's install order (`releaseutil.InstallOrder`).
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Sorts manifests as `helm template` prints them: known kinds in install order, then unknown
/// kinds alphabetically; the sort is stable, so template path and document order are kept.
pub fn sort_by_install_order(manifests: &mut [Manifest]) {
    manifests.sort_by(|a, b| {
        let rank = |m: &Manifest| {
            INSTALL_ORDER
                .iter()
                .position(|k| *k == m.kind())
                .unwrap_or(INSTALL_ORDER.len())
        };
        rank(a).cmp(&rank(b)).then_with(|| {
            if rank(a) == INSTALL_ORDER.len() {
                a.kind().cmp(b.kind())
            } else {
                std::cmp::Ordering::Equal
            }
        })
    });
}

/// Splits a template's output into trimmed, non-empty documents, as Helm's
/// `releaseutil.SplitManifests` does (a line starting with `---` separates documents).
pub fn split_documents(text: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end();
        if body == "---" || (body.starts_with("--- ") && body[4..].trim().is_empty()) {
            docs.push(&text[start..offset]);
            start = offset + line.len();
        }
        offset += line.len();
    }
    docs.push(&text[start..]);
    docs.into_iter()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect()
}

/// Manifests as `helm template` prints them.
pub fn to_helm_text(chart_name: &str, manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for m in manifests {
        let _ = writeln!(
            out,
            "---\n# Source: {chart_name}/templates/{}\n{}",
            m.template, m.content
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_table() {
        let table: &[(&str, &[&str])] = &[
            ("a: 1", &["a: 1"]),
            ("---\na: 1\n---\nb: 2\n", &["a: 1", "b: 2"]),
            ("\n\n---\n   \n---\na: 1\n", &["a: 1"]),
            ("a: |\n  ---x\n", &["a: |\n  ---x"]),
            ("--- \na: 1", &["a: 1"]),
            ("", &[]),
        ];
        for (input, expected) in table {
            assert_eq!(split_documents(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn install_order() {
        let m = |kind: &str, template: &str| Manifest {
            template: template.to_owned(),
            content: String::new(),
            object: serde_json::json!({ "kind": kind }),
        };
        let mut list = vec![
            m("StatefulSet", "a.yaml"),
            m("Zeta", "a.yaml"),
            m("Alpha", "b.yaml"),
            m("Service", "b.yaml"),
            m("Service", "a.yaml"),
            m("NetworkPolicy", "z.yaml"),
        ];
        sort_by_install_order(&mut list);
        let got: Vec<_> = list
            .iter()
            .map(|m| format!("{}@{}", m.kind(), m.template))
            .collect();
        assert_eq!(
            got,
            [
                "NetworkPolicy@z.yaml",
                "Service@b.yaml",
                "Service@a.yaml",
                "StatefulSet@a.yaml",
                "Alpha@b.yaml",
                "Zeta@a.yaml"
            ]
        );
    }
}
