//! `sentinel`: the Sentinel StatefulSet and sentinel.conf (architecture `sentinel` only).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Image, K8sObject, Probes, Resources, Service};

/// Redis Sentinel: monitors the master and promotes a replica when it fails.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Sentinel {
    /// Number of Sentinel pods; use an odd number, at least 3, so a majority survives the loss of one.
    #[schemars(range(min = 1, max = 9))]
    pub replicas: u32,
    /// Sentinels that must agree the master is down before a failover (a strict majority of `sentinel.replicas`).
    #[schemars(range(min = 1, max = 9))]
    pub quorum: u32,
    /// Name of the monitored master, as clients ask Sentinel for it.
    #[schemars(pattern(r"^[A-Za-z0-9][A-Za-z0-9._-]*$"))]
    pub master_name: String,
    /// Port of Sentinel (the TLS port when `tls.enabled`).
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// `sentinel down-after-milliseconds`: how long the master may be unreachable before a sentinel considers it down.
    #[schemars(range(min = 1000, max = 600_000))]
    pub down_after_milliseconds: u32,
    /// `sentinel failover-timeout`, in milliseconds: bounds a failover and spaces retries (a retry waits twice this).
    #[schemars(range(min = 1000))]
    pub failover_timeout: u32,
    /// `sentinel parallel-syncs`: replicas reconfigured to the new master at the same time after a failover.
    #[schemars(range(min = 1))]
    pub parallel_syncs: u32,
    /// Extra sentinel.conf directives that do not name the master, appended after the chart's global ones.
    pub extra_config: String,
    /// Sentinel image (Sentinel is `redis-sentinel` from the Redis image).
    pub image: Image,
    /// Resources of the Sentinel container.
    pub resources: Resources,
    /// Client Service of Sentinel (`<release>-sentinel`, port `sentinel.port`).
    pub service: Service,
    /// Probes of the Sentinel container.
    pub probes: Probes,
    /// Extra environment variables of the Sentinel container (Kubernetes `EnvVar` objects).
    pub extra_env: Vec<K8sObject>,
    /// Extra volumes of the Sentinel pods (Kubernetes `Volume` objects).
    pub extra_volumes: Vec<K8sObject>,
    /// Extra volume mounts of the Sentinel container (Kubernetes `VolumeMount` objects).
    pub extra_volume_mounts: Vec<K8sObject>,
    /// Extra containers of the Sentinel pods (Kubernetes `Container` objects).
    pub sidecars: Vec<K8sObject>,
    /// Init containers of the Sentinel pods (Kubernetes `Container` objects).
    pub init_containers: Vec<K8sObject>,
}

impl Default for Sentinel {
    fn default() -> Self {
        Self {
            replicas: 3,
            quorum: 2,
            master_name: "mymaster".to_owned(),
            port: 26379,
            down_after_milliseconds: 10_000,
            failover_timeout: 60_000,
            parallel_syncs: 1,
            extra_config: String::new(),
            image: Image::default(),
            resources: Resources::new(("50m", "250m"), ("64Mi", "64Mi")),
            service: Service::default(),
            probes: Probes {
                startup: super::common::Probe::new(0, 5, 5, 24),
                ..Probes::default()
            },
            extra_env: Vec::new(),
            extra_volumes: Vec::new(),
            extra_volume_mounts: Vec::new(),
            sidecars: Vec::new(),
            init_containers: Vec::new(),
        }
    }
}
