//! `haproxy`: the master endpoint for clients that do not speak Sentinel.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Image, Resources, Service};

/// HAProxy in front of the Redis pods: the Service `<release>-master` always reaches the
/// current master (a `role:master` health check on every Redis pod, authenticated with the
/// password from the Secret), `<release>-replicas` the replicas.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Haproxy {
    /// Deploy HAProxy and the Services `<release>-master` and `<release>-replicas`.
    pub enabled: bool,
    /// Number of HAProxy pods (a Deployment; each checks every Redis pod on its own).
    #[schemars(range(min = 1, max = 10))]
    pub replicas: u32,
    /// HAProxy image (the official image; its `/bin/sh` runs the start-up script).
    pub image: Image,
    /// Port of the master endpoint inside the HAProxy pods.
    #[schemars(range(min = 1024, max = 65535))]
    pub master_port: u16,
    /// Port of the read-only endpoint (replicas) inside the HAProxy pods.
    #[schemars(range(min = 1024, max = 65535))]
    pub replicas_port: u16,
    /// Render the read-only Service `<release>-replicas` (round robin over the replicas that pass the `role:slave` check).
    pub read_only_service: bool,
    /// Milliseconds between two health checks of a Redis pod. A pod changes state after 2 checks in a row: a new master is reached at most about 2 intervals after its promotion.
    #[schemars(range(min = 100, max = 60000))]
    pub check_interval_milliseconds: u32,
    /// Milliseconds a health check may take.
    #[schemars(range(min = 100, max = 60000))]
    pub check_timeout_milliseconds: u32,
    /// Milliseconds a connection to a Redis pod may take to open.
    #[schemars(range(min = 100, max = 60000))]
    pub connect_timeout_milliseconds: u32,
    /// Seconds a client connection may stay idle before HAProxy closes it (`timeout client` and `timeout server`); blocking commands and subscribers need more than their longest wait.
    #[schemars(range(min = 1, max = 86400))]
    pub idle_timeout_seconds: u32,
    /// Most client connections one HAProxy pod accepts (`maxconn`).
    #[schemars(range(min = 1, max = 1_000_000))]
    pub max_connections: u32,
    /// Service type and annotations of `<release>-master` and `<release>-replicas`.
    pub service: Service,
    /// Resources of the HAProxy container.
    pub resources: Resources,
}

impl Default for Haproxy {
    fn default() -> Self {
        Self {
            enabled: false,
            replicas: 2,
            image: Image::new("docker.io", "haproxy", "2.6.12"),
            master_port: 6379,
            replicas_port: 6380,
            read_only_service: true,
            check_interval_milliseconds: 1000,
            check_timeout_milliseconds: 1000,
            connect_timeout_milliseconds: 1000,
            idle_timeout_seconds: 3600,
            max_connections: 1000,
            service: Service::default(),
            resources: Resources::new(("100m", "1"), ("128Mi", "128Mi")),
        }
    }
}
