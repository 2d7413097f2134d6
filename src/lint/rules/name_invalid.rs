//! The `name-invalid` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that object names are valid DNS names. Most kinds need a DNS-1123 subdomain
    /// (lowercase letters, digits, `-` and `.`, at most 253 characters), Services a DNS-1035
    /// label (at most 63 characters, starting with a letter), namespaces a DNS-1123 label.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object, and the whole Helm release with it. Names are built
    /// from the release name, so a long or capitalised release name (`Redis-Orders-Production`)
    /// breaks only some objects, typically the Services, whose names become DNS labels of the
    /// cluster domain.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// metadata:
    ///   name: Redis_HA-sentinel
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// kind: Service
    /// metadata:
    ///   name: redis-ha-sentinel
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: object names and IDs](https://kubernetes.io/docs/concepts/overview/working-with-objects/names/)
    pub struct NameInvalid {
        id: "name-invalid",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?`, at most 63 characters.
pub fn is_dns1123_label(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// Labels joined by `.`, at most 253 characters.
pub fn is_dns1123_subdomain(name: &str) -> bool {
    name.len() <= 253 && name.split('.').all(is_dns1123_label)
}

/// A DNS-1123 label that starts with a letter.
pub fn is_dns1035_label(name: &str) -> bool {
    is_dns1123_label(name) && name.as_bytes()[0].is_ascii_lowercase()
}

impl Rule for NameInvalid {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for object in cx.objects {
            let m = object.manifest;
            if !m.object.is_object() || m.kind().is_empty() {
                continue;
            }
            let name = m.name();
            let (valid, rule) = match m.kind() {
                "Service" => (
                    is_dns1035_label(name),
                    "a DNS-1035 label (lowercase letters, digits and `-`, starting with a letter, at most 63 characters)",
                ),
                "Namespace" => (
                    is_dns1123_label(name),
                    "a DNS-1123 label (lowercase letters, digits and `-`, at most 63 characters)",
                ),
                _ => (
                    is_dns1123_subdomain(name),
                    "a DNS-1123 subdomain (lowercase letters, digits, `-` and `.`, at most 253 characters)",
                ),
            };
            if !valid {
                out.report(
                    cx.object_location(object, Some("metadata.name")),
                    format!("name `{name}` is not {rule}"),
                )
                .hint("use a shorter, lowercase release name");
            }
            if let Some(namespace) = m.namespace()
                && !is_dns1123_label(namespace)
            {
                out.report(
                    cx.object_location(object, Some("metadata.namespace")),
                    format!("namespace `{namespace}` is not a DNS-1123 label"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dns_names() {
        assert!(is_dns1123_label("redis-ha-0"));
        assert!(!is_dns1123_label("Redis"));
        assert!(!is_dns1123_label("-a"));
        assert!(!is_dns1123_label(&"a".repeat(64)));
        assert!(is_dns1123_subdomain("a.b-c"));
        assert!(!is_dns1123_subdomain("a..b"));
        assert!(is_dns1035_label("a1"));
        assert!(!is_dns1035_label("1a"));
    }
}
