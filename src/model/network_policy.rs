//! `networkPolicy`: who may talk to the Redis, Sentinel and exporter pods.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{K8sObject, StringMap};

/// NetworkPolicies: clients reach Redis and Sentinel, Redis and Sentinel pods reach each other, the monitoring namespace scrapes the exporter, and every pod may resolve DNS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkPolicy {
    /// Render the NetworkPolicies.
    pub enabled: bool,
    /// Let pods of the release namespace (those with `networkPolicy.clientPodLabels`) connect to Redis and Sentinel.
    pub allow_same_namespace: bool,
    /// Other namespaces whose pods (those with `networkPolicy.clientPodLabels`) may connect to Redis and Sentinel.
    pub client_namespaces: Vec<String>,
    /// Labels a client pod must carry; empty admits every pod of the allowed namespaces.
    pub client_pod_labels: StringMap,
    /// Namespace of Prometheus, allowed to scrape the exporter.
    pub monitoring_namespace: String,
    /// Labels of the Prometheus pods; empty admits every pod of the monitoring namespace.
    pub monitoring_pod_labels: StringMap,
    /// Extra ingress rules (Kubernetes `NetworkPolicyIngressRule` objects) for the Redis and Sentinel pods.
    pub extra_ingress: Vec<K8sObject>,
    /// Extra egress rules (Kubernetes `NetworkPolicyEgressRule` objects) for the Redis and Sentinel pods.
    pub extra_egress: Vec<K8sObject>,
}

impl Default for NetworkPolicy {
    fn default() -> Self {
        Self {
            enabled: false,
            allow_same_namespace: true,
            client_namespaces: Vec::new(),
            client_pod_labels: StringMap::new(),
            monitoring_namespace: "monitoring".to_owned(),
            monitoring_pod_labels: StringMap::new(),
            extra_ingress: Vec::new(),
            extra_egress: Vec::new(),
        }
    }
}
