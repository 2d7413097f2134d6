//! The `image-too-old` rule.

use crate::lint::context::{Component, Context};
use crate::lint::registry::{Rule, Sink, rule};

/// The oldest Redis each component of the chart works with, and what needs it.
const MINIMUM: &[(Component, (u32, u32), &str)] = &[
    (
        Component::Sentinel,
        (6, 2),
        "Sentinel before 6.2 has no `resolve-hostnames`: it cannot follow pods by their DNS names",
    ),
    (
        Component::Redis,
        (6, 0),
        "Redis before 6.0 has no TLS, no ACLs and no `replica-announce-ip` by hostname",
    ),
];

rule! {
    /// ## What it does
    /// Checks that the Redis and Sentinel images are recent enough for what the chart relies on:
    /// Sentinel 6.2 (`resolve-hostnames`, `announce-hostnames`) and Redis 6.0. The version is
    /// read from the image tag (`6.0.20`, `6.2-alpine`); a tag without a version is not judged.
    ///
    /// ## Why is this bad?
    /// The chart names pods by their DNS names, since their IPs change on every restart. A
    /// Sentinel older than 6.2 rejects `sentinel resolve-hostnames yes` and exits at start, or
    /// with the line removed, tracks IPs that go stale after the first rescheduling: failover
    /// then promotes nothing, or a pod that is gone.
    ///
    /// ## Example
    /// ```yaml
    /// sentinel:
    ///   image:
    ///     tag: "6.0.20"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// sentinel:
    ///   image:
    ///     tag: "7.4.2"
    /// ```
    ///
    /// ## References
    /// - [Redis: Sentinel, IP addresses and DNS names](https://redis.io/docs/latest/operate/oss_and_stack/management/sentinel/#ip-addresses-and-dns-names)
    pub struct ImageTooOld {
        id: "image-too-old",
        severity: Error,
        category: Ha,
        stage: Manifests,
    }
}

/// The `(major, minor)` at the start of a tag (`v6.2.14-alpine` → `(6, 2)`).
fn version(tag: &str) -> Option<(u32, u32)> {
    let tag = tag.strip_prefix('v').unwrap_or(tag);
    let numbers = tag.split(['-', '_']).next()?;
    let mut parts = numbers.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    (major < 1000).then_some((major, minor))
}

impl Rule for ImageTooOld {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload, path, container) in cx.containers() {
            let Some(&(_, minimum, why)) = MINIMUM.iter().find(|(c, ..)| *c == workload.component)
            else {
                continue;
            };
            let Some(image) = container.image.as_deref() else {
                continue;
            };
            let name = image.split('@').next().unwrap_or(image);
            let last = name.rsplit('/').next().unwrap_or(name);
            // Only the Redis image itself: a sidecar's version means something else.
            let Some(("redis", tag)) = last.split_once(':') else {
                continue;
            };
            let Some(found) = version(tag) else {
                continue;
            };
            if found >= minimum {
                continue;
            }
            let key = format!(
                "{}image.tag",
                workload.component.values_prefix().unwrap_or("")
            );
            out.report(
                cx.traced_location(&key, object, Some(&format!("{path}.image"))),
                format!("container `{}` runs `{image}`: {why}", container.name),
            )
            .hint(format!(
                "use Redis {}.{} or newer (the chart's default is {})",
                minimum.0,
                minimum.1,
                crate::model::REDIS_VERSION
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::version;

    #[test]
    fn versions() {
        assert_eq!(version("6.2.14"), Some((6, 2)));
        assert_eq!(version("v6.0-alpine"), Some((6, 0)));
        assert_eq!(version("7"), Some((7, 0)));
        assert_eq!(version("alpine"), None);
        assert_eq!(version("20240101"), None);
    }
}
