//! The `image-tag-not-pinned` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::values::Value;

rule! {
    /// ## What it does
    /// Checks that every container image names an exact version tag, or a digest: not `latest`,
    /// not a floating `7`, `7.4` or `alpine`. When a
    /// values key (`image.tag`, `sentinel.image.tag`, ...) set the tag, the finding points at
    /// its line.
    ///
    /// ## Why is this bad?
    /// `redis` and `redis:latest` are whatever was pushed last: a pod rescheduled tomorrow can
    /// run a new major version next to replicas on the old one, with a different RDB format or
    /// changed defaults, and a rollback has nothing to roll back to. With a missing tag and
    /// `imagePullPolicy` defaulting to `Always`, every restart also depends on the registry
    /// being up.
    ///
    /// ## Example
    /// ```yaml
    /// image:
    ///   repository: redis
    ///   tag: latest
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// image:
    ///   repository: redis
    ///   tag: 7.4.2
    ///   digest: sha256:...   # optional, pins the exact build
    /// ```
    pub struct ImageTagNotPinned {
        id: "image-tag-not-pinned",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

/// The tag of an image reference, if any (`redis:7.4` → `7.4`; a registry port is not a tag).
fn tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, tag)| tag)
}

/// Whether a tag names a moving target: a version with fewer than three numbers (`7`,
/// `7.4-alpine`) or only words (`alpine`, `stable`); dates and digests-like tags are pinned.
fn is_floating(tag: &str) -> bool {
    let version = tag.strip_prefix('v').unwrap_or(tag);
    let numbers = version.split(['-', '_']).next().unwrap_or("");
    let parts: Vec<&str> = numbers.split('.').collect();
    let numeric = !numbers.is_empty()
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if numeric {
        // A long single number is a build or a date (`20240101`), not a major version.
        return parts.len() < 3 && parts[0].len() <= 3;
    }
    tag.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-')
}

/// The values key that set this image's tag: a `...tag` leaf whose sibling `repository` is in
/// the image reference and whose value is the offending tag.
fn tag_key(cx: &Context<'_>, image: &str, tag: Option<&str>) -> Option<String> {
    cx.values
        .leaves()
        .into_iter()
        .filter(|(path, node)| {
            let Some(prefix) = path.strip_suffix("tag") else {
                return false;
            };
            if !(prefix.is_empty() || prefix.ends_with('.')) {
                return false;
            }
            let value_matches = match (&node.value, tag) {
                (Value::Str(s), Some(t)) => s == t,
                (Value::Str(s), None) => s.is_empty(),
                (Value::Null, None) => true,
                _ => false,
            };
            let repository = cx.str(&format!("{prefix}repository"));
            value_matches && repository.is_some_and(|r| !r.is_empty() && image.contains(r))
        })
        .map(|(path, _)| path)
        .next()
}

impl Rule for ImageTagNotPinned {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, _, path, container) in cx.containers() {
            let Some(image) = container.image.as_deref() else {
                continue;
            };
            if image.contains('@') {
                continue;
            }
            let tag = tag(image);
            let problem = match tag {
                None => "has no tag: it runs whatever `latest` is when the pod starts".to_owned(),
                Some("latest") => {
                    "uses the tag `latest`: it changes under the deployment".to_owned()
                }
                Some(t) if is_floating(t) => format!(
                    "uses the floating tag `{t}`: it moves to each new release, so pods restarted on different days run different versions"
                ),
                Some(_) => continue,
            };
            let message = format!("container `{}` image `{image}` {problem}", container.name);
            let location = match tag_key(cx, image, tag) {
                Some(key) => {
                    let mut location = cx.value_location(&key);
                    location.object = Some(object.manifest.display_name());
                    location
                }
                None => cx.object_location(object, Some(&format!("{path}.image"))),
            };
            out.report(location, message)
                .hint("pin an exact version tag (`7.4.2`), optionally with a digest");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_floating, tag};

    #[test]
    fn floating_tags() {
        for t in ["7", "7.4", "v7", "7.4-alpine", "alpine", "stable"] {
            assert!(is_floating(t), "{t}");
        }
        for t in ["7.4.2", "v1.67.0", "7.4.2-alpine", "20240101", "sha-1a2b3c"] {
            assert!(!is_floating(t), "{t}");
        }
    }

    #[test]
    fn tags() {
        assert_eq!(tag("redis"), None);
        assert_eq!(tag("redis:7.4"), Some("7.4"));
        assert_eq!(tag("registry:5000/redis"), None);
        assert_eq!(tag("registry:5000/redis:latest"), Some("latest"));
        assert_eq!(tag("redis:7@sha256:abc"), Some("7"));
    }
}
