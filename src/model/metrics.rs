//! `metrics`: the prometheus-operator objects (ServiceMonitor, PrometheusRule) built on the
//! exporter's metrics.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Duration, K8sObject, StringMap};

/// Prometheus-operator integration; both objects need `exporter.enabled`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Metrics {
    /// ServiceMonitor that makes Prometheus scrape the exporter.
    pub service_monitor: ServiceMonitor,
    /// PrometheusRule with the chart's alerts.
    pub prometheus_rule: PrometheusRule,
}

/// A `monitoring.coreos.com/v1` ServiceMonitor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceMonitor {
    /// Render the ServiceMonitor.
    pub enabled: bool,
    /// Namespace of the ServiceMonitor; empty is the release namespace.
    #[schemars(pattern(r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$"), length(max = 63))]
    pub namespace: String,
    /// Extra labels, for the Prometheus `serviceMonitorSelector` (for example `release: kube-prometheus-stack`).
    pub labels: StringMap,
    /// Scrape interval.
    pub interval: Duration,
    /// Scrape timeout; shorter than the interval.
    pub scrape_timeout: Duration,
}

impl Default for ServiceMonitor {
    fn default() -> Self {
        Self {
            enabled: false,
            namespace: String::new(),
            labels: StringMap::new(),
            interval: Duration::from("30s"),
            scrape_timeout: Duration::from("10s"),
        }
    }
}

/// A `monitoring.coreos.com/v1` PrometheusRule.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct PrometheusRule {
    /// Render the PrometheusRule.
    pub enabled: bool,
    /// Namespace of the PrometheusRule; empty is the release namespace.
    #[schemars(pattern(r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$"), length(max = 63))]
    pub namespace: String,
    /// Extra labels, for the Prometheus `ruleSelector`.
    pub labels: StringMap,
    /// Alert names of the chart to leave out (for example `RedisLowHitRate`).
    pub disabled_alerts: Vec<String>,
    /// Thresholds of the chart's alerts.
    pub thresholds: AlertThresholds,
    /// Extra rules (Prometheus rule objects with `alert` or `record`, `expr`...) appended to the group.
    pub additional_rules: Vec<K8sObject>,
}

/// Alert thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct AlertThresholds {
    /// `RedisHighMemory` fires above this percentage of `maxmemory` used.
    #[schemars(range(min = 1, max = 100))]
    pub memory_used_percent: u32,
    /// `RedisReplicationLag` fires when a replica is this many bytes behind its master.
    #[schemars(range(min = 1))]
    pub replication_lag_bytes: u64,
    /// `RedisTooManyConnections` fires above this many connected clients.
    #[schemars(range(min = 1))]
    pub connected_clients: u32,
    /// `RedisLowHitRate` fires below this keyspace hit rate, in percent.
    #[schemars(range(min = 1, max = 100))]
    pub hit_rate_percent: u32,
    /// `RedisSlowCommands` fires when more commands than this entered the slow log in 5 minutes.
    #[schemars(range(min = 0))]
    pub slow_commands_per5m: u32,
    /// `RedisEvictedKeys` fires when more keys than this were evicted in 5 minutes.
    #[schemars(range(min = 0))]
    pub evicted_keys_per5m: u32,
    /// `RedisFrequentFailovers` fires when more failovers than this happened in an hour.
    #[schemars(range(min = 0))]
    pub failovers_per_hour: u32,
}

impl Default for AlertThresholds {
    fn default() -> Self {
        Self {
            memory_used_percent: 90,
            replication_lag_bytes: 10_485_760,
            connected_clients: 5000,
            hit_rate_percent: 80,
            slow_commands_per5m: 50,
            evicted_keys_per5m: 100,
            failovers_per_hour: 2,
        }
    }
}
