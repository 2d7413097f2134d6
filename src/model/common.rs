//! Shapes shared by several sections: images, resources, quantities, probes, services and the
//! free-form Kubernetes objects a user may add (env vars, volumes, sidecars).

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

/// A Kubernetes object passed through to the manifests as written (an `EnvVar`, a `Volume`, a
/// `Container`, a `Toleration`...): the Kubernetes schema, not this one, checks its fields.
pub type K8sObject = serde_json::Map<String, serde_json::Value>;

/// Labels or annotations: string keys, string values.
pub type StringMap = BTreeMap<String, String>;

/// A container image, pinned by tag (and optionally by digest).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Image {
    /// Registry host, without a trailing slash.
    pub registry: String,
    /// Repository within the registry.
    pub repository: String,
    /// Tag; pinned to an exact version by default, never `latest`.
    #[schemars(length(min = 1), pattern(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$"))]
    pub tag: String,
    /// Optional digest (`sha256:...`); when set the image is pulled by tag and digest.
    #[schemars(pattern(r"^(|sha256:[a-f0-9]{64})$"))]
    pub digest: String,
    /// Kubernetes `imagePullPolicy`.
    pub pull_policy: PullPolicy,
}

impl Image {
    pub(crate) fn new(registry: &str, repository: &str, tag: &str) -> Self {
        Self {
            registry: registry.to_owned(),
            repository: repository.to_owned(),
            tag: tag.to_owned(),
            digest: String::new(),
            pull_policy: PullPolicy::IfNotPresent,
        }
    }
}

impl Default for Image {
    fn default() -> Self {
        Self::new("docker.io", "redis", super::REDIS_VERSION)
    }
}

/// Kubernetes `imagePullPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum PullPolicy {
    Always,
    IfNotPresent,
    Never,
}

/// A Kubernetes resource quantity such as `250m`, `1`, `512Mi` or `10Gi`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Quantity {
    Text(String),
    Number(serde_json::Number),
}

impl Quantity {
    pub(crate) fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl JsonSchema for Quantity {
    fn schema_name() -> Cow<'static, str> {
        "Quantity".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // The pattern is Kubernetes' own (apimachinery resource.Quantity); it only applies to
        // strings, numbers are always quantities.
        json_schema!({
            "type": ["string", "number"],
            "pattern": r"^[+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
        })
    }

    fn inline_schema() -> bool {
        true
    }
}

/// A Prometheus duration such as `30s`, `5m` or `1h30m`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Duration(pub String);

impl Duration {
    pub(crate) fn from(text: &str) -> Self {
        Self(text.to_owned())
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^([0-9]+(ms|s|m|h|d|w|y))+$"
        })
    }

    fn inline_schema() -> bool {
        true
    }
}

/// CPU and memory of one container: requests and limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Resources {
    /// What the scheduler reserves for the container.
    pub requests: ResourceList,
    /// What the container may use at most; memory above it gets the container OOM-killed.
    pub limits: ResourceList,
}

impl Resources {
    pub(crate) fn new(cpu: (&str, &str), memory: (&str, &str)) -> Self {
        Self {
            requests: ResourceList {
                cpu: Quantity::from(cpu.0),
                memory: Quantity::from(memory.0),
            },
            limits: ResourceList {
                cpu: Quantity::from(cpu.1),
                memory: Quantity::from(memory.1),
            },
        }
    }
}

impl Default for Resources {
    fn default() -> Self {
        Self::new(("100m", "500m"), ("128Mi", "128Mi"))
    }
}

/// An amount of CPU and memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceList {
    /// CPU, in cores (`1`) or millicores (`250m`).
    pub cpu: Quantity,
    /// Memory, in bytes with a suffix (`512Mi`, `4Gi`).
    pub memory: Quantity,
}

impl Default for ResourceList {
    fn default() -> Self {
        Self {
            cpu: Quantity::from("100m"),
            memory: Quantity::from("128Mi"),
        }
    }
}

/// One Kubernetes probe's timing; the command is the chart's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Probe {
    /// Whether the probe is rendered.
    pub enabled: bool,
    /// Seconds after the container starts before the first probe.
    #[schemars(range(min = 0))]
    pub initial_delay_seconds: u32,
    /// Seconds between probes.
    #[schemars(range(min = 1))]
    pub period_seconds: u32,
    /// Seconds after which one probe counts as failed.
    #[schemars(range(min = 1))]
    pub timeout_seconds: u32,
    /// Consecutive failures before Kubernetes acts (restart, or remove from endpoints).
    #[schemars(range(min = 1))]
    pub failure_threshold: u32,
    /// Consecutive successes before the probe counts as passing again (1 for liveness and startup).
    #[schemars(range(min = 1))]
    pub success_threshold: u32,
}

impl Probe {
    pub(crate) fn new(
        initial_delay_seconds: u32,
        period_seconds: u32,
        timeout_seconds: u32,
        failure_threshold: u32,
    ) -> Self {
        Self {
            enabled: true,
            initial_delay_seconds,
            period_seconds,
            timeout_seconds,
            failure_threshold,
            success_threshold: 1,
        }
    }
}

impl Default for Probe {
    fn default() -> Self {
        Self::new(0, 10, 5, 3)
    }
}

/// The three probes of a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Probes {
    /// Startup probe: PING answers `PONG`; a long load of the data set is tolerated for periodSeconds × failureThreshold before liveness starts.
    pub startup: Probe,
    /// Liveness probe: the server answers PING (`LOADING` and `MASTERDOWN` count as alive).
    pub liveness: Probe,
    /// Readiness probe: PING answers `PONG`, and a Redis replica has `master_link_status:up`, a sentinel knows the master.
    pub readiness: Probe,
}

impl Default for Probes {
    fn default() -> Self {
        Self {
            startup: Probe::new(0, 10, 5, 60),
            liveness: Probe::new(0, 10, 5, 5),
            readiness: Probe::new(0, 5, 5, 3),
        }
    }
}

/// A client Service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Service {
    /// Service type.
    #[serde(rename = "type")]
    pub kind: ServiceType,
    /// Annotations of the Service (load balancer settings, for example).
    pub annotations: StringMap,
}

impl Default for Service {
    fn default() -> Self {
        Self {
            kind: ServiceType::ClusterIP,
            annotations: StringMap::new(),
        }
    }
}

/// Kubernetes Service type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ServiceType {
    ClusterIP,
    NodePort,
    LoadBalancer,
}
