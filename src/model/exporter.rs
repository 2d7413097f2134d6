//! `exporter`: redis_exporter, as its own Deployment or as a sidecar of every pod.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Image, K8sObject, Resources};

/// The Prometheus exporter (oliver006/redis_exporter) of Redis and Sentinel metrics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Exporter {
    /// Deploy the exporter.
    pub enabled: bool,
    /// `deployment`: one exporter Deployment and Service (port `exporter.port`) scraping every Redis and Sentinel pod through its `/scrape` endpoint; `sidecar`: an exporter container in every Redis and Sentinel pod.
    pub mode: ExporterMode,
    /// Namespace of the exporter Deployment (mode `deployment`); empty is the release namespace. The chart copies its Secret there; with `auth.existingSecret` or `tls.enabled` the same Secrets must exist in that namespace.
    #[schemars(pattern(r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$"), length(max = 63))]
    pub namespace: String,
    /// Exporter image.
    pub image: Image,
    /// Port of the metrics endpoint.
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// Resources of the exporter container.
    pub resources: Resources,
    /// Extra environment variables of the exporter container (Kubernetes `EnvVar` objects), for example `REDIS_EXPORTER_CHECK_KEYS`.
    pub extra_env: Vec<K8sObject>,
}

impl Default for Exporter {
    fn default() -> Self {
        Self {
            enabled: false,
            mode: ExporterMode::Deployment,
            namespace: String::new(),
            image: Image::new("docker.io", "oliver006/redis_exporter", "v1.67.0"),
            port: 9121,
            resources: Resources::new(("50m", "200m"), ("64Mi", "64Mi")),
            extra_env: Vec::new(),
        }
    }
}

/// How the exporter is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExporterMode {
    Deployment,
    Sidecar,
}
