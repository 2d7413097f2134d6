//! `Capabilities`: the Kubernetes version and API versions a render targets.
//!
//! The tool never talks to a cluster, so these come from flags (`--kube-version`,
//! `--api-versions`) with the defaults of the Kubernetes version redis-ha is built against.

use std::sync::Arc;

use minijinja::value::{Object, Value, from_args};
use minijinja::{Error, State, context};

/// A Kubernetes version (`v1.33.0`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KubeVersion {
    pub major: u64,
    pub minor: u64,
    pub patch: u64,
}

impl Default for KubeVersion {
    fn default() -> Self {
        KubeVersion {
            major: 1,
            minor: 33,
            patch: 0,
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("invalid Kubernetes version `{0}`: expected `MAJOR.MINOR[.PATCH]`, for example `v1.33.0`")]
pub struct KubeVersionError(pub String);

impl std::str::FromStr for KubeVersion {
    type Err = KubeVersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || KubeVersionError(text.to_owned());
        let trimmed = text.strip_prefix('v').unwrap_or(text);
        let mut parts = trimmed.split('.');
        let mut number = |required: bool| -> Result<u64, KubeVersionError> {
            match parts.next() {
                Some(p) => p.parse().map_err(|_| err()),
                None if required => Err(err()),
                None => Ok(0),
            }
        };
        let version = KubeVersion {
            major: number(true)?,
            minor: number(true)?,
            patch: number(false)?,
        };
        if parts.next().is_some() {
            return Err(err());
        }
        Ok(version)
    }
}

/// The API group versions every cluster of the supported versions serves.
pub const BUILTIN_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// Whether `actual` satisfies a Helm (Masterminds) constraint such as `>=1.27.0-0`;
/// `None` when the constraint uses syntax this check does not read (`||`).
pub fn satisfies(actual: &KubeVersion, constraint: &str) -> Option<bool> {
    if constraint.contains("||") {
        return None;
    }
    let normalized = if constraint.contains(',') {
        constraint.to_owned()
    } else {
        constraint.split_whitespace().collect::<Vec<_>>().join(", ")
    };
    let req = semver::VersionReq::parse(&normalized).ok()?;
    // A `-0` pre-release in the constraint lets pre-release builds through, as in Helm;
    // compare the release itself as a pre-release of the lowest order.
    let version = semver::Version {
        major: actual.major,
        minor: actual.minor,
        patch: actual.patch,
        pre: semver::Prerelease::EMPTY,
        build: semver::BuildMetadata::EMPTY,
    };
    Some(req.matches(&version))
}

#[derive(Debug)]
struct ApiVersions(Vec<String>);

impl Object for ApiVersions {
    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        if method != "has" {
            return Err(Error::from(minijinja::ErrorKind::UnknownMethod));
        }
        let (wanted,): (&str,) = from_args(args)?;
        Ok(Value::from(self.0.iter().any(|v| v == wanted)))
    }
}

/// The `Capabilities` object templates see.
pub fn object(version: &KubeVersion, extra: &[String]) -> Value {
    let mut all: Vec<String> = BUILTIN_API_VERSIONS
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    all.extend(extra.iter().cloned());
    context! {
        KubeVersion => context! {
            Version => version.to_string(),
            GitVersion => version.to_string(),
            Major => version.major.to_string(),
            Minor => version.minor.to_string(),
        },
        APIVersions => Value::from_object(ApiVersions(all)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_versions() {
        let v = |s: &str| s.parse::<KubeVersion>().map(|v| v.to_string());
        assert_eq!(v("v1.33.2"), Ok("v1.33.2".to_owned()));
        assert_eq!(v("1.30"), Ok("v1.30.0".to_owned()));
        assert!(v("1").is_err());
        assert!(v("v1.x").is_err());
        assert!(v("1.2.3.4").is_err());
    }

    #[test]
    fn constraints() {
        let v = |s: &str| s.parse::<KubeVersion>().unwrap();
        assert_eq!(satisfies(&v("1.33"), ">=1.27.0-0"), Some(true));
        assert_eq!(satisfies(&v("1.26"), ">=1.27.0-0"), Some(false));
        assert_eq!(satisfies(&v("1.29"), ">=1.20 <1.30"), Some(true));
        assert_eq!(satisfies(&v("1.30"), ">=1.20 <1.30"), Some(false));
        assert_eq!(satisfies(&v("1.30"), ">=1.20 || <1.0"), None);
    }

    #[test]
    fn api_versions_has() {
        let mut env = minijinja::Environment::new();
        crate::render::filters::add_to_environment(&mut env);
        let caps = object(
            &KubeVersion::default(),
            &["monitoring.coreos.com/v1".to_owned()],
        );
        let out = env
            .render_str(
                "{{ c.APIVersions.has('apps/v1') }} {{ c.APIVersions.has('x/v1') }} {{ c.APIVersions.has('monitoring.coreos.com/v1') }} {{ c.KubeVersion.Minor }}",
                context! { c => caps },
            )
            .unwrap();
        assert_eq!(out, "true false true 33");
    }
}
