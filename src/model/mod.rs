//! The typed values model of the bundled chart: the single source of its values schema
//! (`values.schema.json`, printed by `redis-ha schema`) and of the values reference in the README.
//!
//! One file per section of `values.yaml`. Every key has a default (`Values::default()` *is*
//! the chart's `values.yaml`) and a description (its doc comment); unknown keys are schema
//! errors, so a typo never passes silently. Merging and validating user values is the job of
//! `values` and `schema`; this module only describes them.

// Doc comments here are the schema's descriptions, written for users of the chart: Kubernetes
// kinds appear as words (ServiceMonitor), not as code (`doc_markdown` is allowed crate-wide).

mod acl;
mod auth;
mod backup;
mod cluster;
mod common;
mod exporter;
mod haproxy;
mod metrics;
mod network_policy;
mod persistence;
mod redis;
mod reference;
mod scheduling;
mod security;
mod sentinel;
mod tls;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use auth::{Acl, AclLogin, AclUser, Auth};
pub use backup::{Backup, BackupPersistence, Restore, RestoreSource, Upload};
pub use cluster::Cluster;
pub use common::{
    Duration, Image, K8sObject, Probe, Probes, PullPolicy, Quantity, ResourceList, Resources,
    Service, ServiceType, StringMap,
};
pub use exporter::{Exporter, ExporterMode};
pub use haproxy::Haproxy;
pub use metrics::{AlertThresholds, Metrics, PrometheusRule, ServiceMonitor};
pub use network_policy::NetworkPolicy;
pub use persistence::{AccessMode, Persistence, Retention, RetentionPolicy};
pub use redis::{Appendfsync, CommandName, MaxmemoryPolicy, RedisConfig};
pub use reference::{values_reference_markdown, values_yaml};
pub use scheduling::{AntiAffinity, Pdb, TopologySpreadConstraint, WhenUnsatisfiable};
pub use security::{
    Capabilities, ContainerSecurityContext, FsGroupChangePolicy, PodSecurityContext,
    SeccompProfile, SeccompProfileType, ServiceAccount,
};
pub use sentinel::Sentinel;
pub use tls::Tls;

/// The Redis version the chart pins (image tag and `appVersion`).
pub const REDIS_VERSION: &str = "7.4.2";

/// Values of the redis-ha chart: Redis with replicas, Sentinel and the Prometheus exporter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "redis-ha values")]
pub struct Values {
    /// `standalone`: one Redis pod; `replication`: a master (ordinal 0) and replicas, no automatic failover; `sentinel`: master, replicas and Sentinel, which promotes a replica when the master fails; `cluster`: Redis Cluster, the data sharded over `cluster.shards` masters with their replicas (cluster-aware clients only).
    pub architecture: Architecture,
    /// Number of Redis pods (`replication` and `sentinel`; `standalone` always runs one, `cluster` runs `cluster.shards * (1 + cluster.replicasPerShard)`).
    #[schemars(range(min = 1, max = 15))]
    pub replicas: u32,
    /// Redis image.
    pub image: Image,
    /// Names of Secrets used to pull the images.
    pub image_pull_secrets: Vec<String>,
    /// Replaces the chart name in the `app.kubernetes.io/name` label.
    pub name_override: String,
    /// Replaces the release name as the prefix of every object name.
    #[schemars(pattern(r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?)$"), length(max = 40))]
    pub fullname_override: String,
    /// DNS domain of the cluster, used in the pods' DNS names (`<pod>.<service>.<namespace>.svc.<clusterDomain>`).
    #[schemars(pattern(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"))]
    pub cluster_domain: String,
    /// Labels added to every object.
    pub common_labels: StringMap,
    /// Annotations added to every object.
    pub common_annotations: StringMap,
    /// Password authentication.
    pub auth: Auth,
    /// TLS.
    pub tls: Tls,
    /// Storage of the Redis pods.
    pub persistence: Persistence,
    /// redis.conf.
    pub redis: RedisConfig,
    /// Sentinel (architecture `sentinel`).
    pub sentinel: Sentinel,
    /// Redis Cluster (architecture `cluster`).
    pub cluster: Cluster,
    /// Resources of the Redis container.
    pub resources: Resources,
    /// Client Service of Redis (`<release>-redis`, every ready Redis pod).
    pub service: Service,
    /// Probes of the Redis container.
    pub probes: Probes,
    /// Grace period of a Redis pod; the preStop hook (failover of a master) must finish within it.
    #[schemars(range(min = 10, max = 3600))]
    pub termination_grace_period_seconds: u32,
    /// Labels added to every pod.
    pub pod_labels: StringMap,
    /// Annotations added to every pod.
    pub pod_annotations: StringMap,
    /// Pod security context of every pod.
    pub pod_security_context: PodSecurityContext,
    /// Security context of every container of the chart.
    pub container_security_context: ContainerSecurityContext,
    /// `soft` prefers, `hard` requires Redis pods (and Sentinel pods) on different `antiAffinityTopologyKey` domains.
    pub anti_affinity: AntiAffinity,
    /// Node label of the anti-affinity domains.
    #[schemars(length(min = 1))]
    pub anti_affinity_topology_key: String,
    /// Topology spread constraints of the Redis and Sentinel pods (for example across zones).
    pub topology_spread_constraints: Vec<TopologySpreadConstraint>,
    /// Node selector of every pod.
    pub node_selector: StringMap,
    /// Tolerations of every pod (Kubernetes `Toleration` objects).
    pub tolerations: Vec<K8sObject>,
    /// PriorityClass of the Redis and Sentinel pods; empty is none.
    pub priority_class_name: String,
    /// PodDisruptionBudgets.
    pub pdb: Pdb,
    /// NetworkPolicies.
    pub network_policy: NetworkPolicy,
    /// ServiceAccount.
    pub service_account: ServiceAccount,
    /// Prometheus exporter.
    pub exporter: Exporter,
    /// Master endpoint (HAProxy) for clients that do not speak Sentinel.
    pub haproxy: Haproxy,
    /// ServiceMonitor and PrometheusRule.
    pub metrics: Metrics,
    /// Scheduled backups (a CronJob copying the RDB off the pods).
    pub backup: Backup,
    /// Restore of a backup into a fresh release.
    pub restore: Restore,
    /// Extra environment variables of the Redis container (Kubernetes `EnvVar` objects).
    pub extra_env: Vec<K8sObject>,
    /// Extra volumes of the Redis pods (Kubernetes `Volume` objects).
    pub extra_volumes: Vec<K8sObject>,
    /// Extra volume mounts of the Redis container (Kubernetes `VolumeMount` objects).
    pub extra_volume_mounts: Vec<K8sObject>,
    /// Extra containers of the Redis pods (Kubernetes `Container` objects).
    pub sidecars: Vec<K8sObject>,
    /// Init containers of the Redis pods (Kubernetes `Container` objects).
    pub init_containers: Vec<K8sObject>,
}

impl Default for Values {
    fn default() -> Self {
        Self {
            architecture: Architecture::Sentinel,
            replicas: 3,
            image: Image::default(),
            image_pull_secrets: Vec::new(),
            name_override: String::new(),
            fullname_override: String::new(),
            cluster_domain: "cluster.local".to_owned(),
            common_labels: StringMap::new(),
            common_annotations: StringMap::new(),
            auth: Auth::default(),
            tls: Tls::default(),
            persistence: Persistence::default(),
            redis: RedisConfig::default(),
            sentinel: Sentinel::default(),
            cluster: Cluster::default(),
            resources: Resources::new(("250m", "1"), ("512Mi", "512Mi")),
            service: Service::default(),
            probes: Probes::default(),
            termination_grace_period_seconds: 60,
            pod_labels: StringMap::new(),
            pod_annotations: StringMap::new(),
            pod_security_context: PodSecurityContext::default(),
            container_security_context: ContainerSecurityContext::default(),
            anti_affinity: AntiAffinity::Soft,
            anti_affinity_topology_key: "kubernetes.io/hostname".to_owned(),
            topology_spread_constraints: Vec::new(),
            node_selector: StringMap::new(),
            tolerations: Vec::new(),
            priority_class_name: String::new(),
            pdb: Pdb::default(),
            network_policy: NetworkPolicy::default(),
            service_account: ServiceAccount::default(),
            exporter: Exporter::default(),
            haproxy: Haproxy::default(),
            metrics: Metrics::default(),
            backup: Backup::default(),
            restore: Restore::default(),
            extra_env: Vec::new(),
            extra_volumes: Vec::new(),
            extra_volume_mounts: Vec::new(),
            sidecars: Vec::new(),
            init_containers: Vec::new(),
        }
    }
}

/// How Redis is deployed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Architecture {
    Standalone,
    Replication,
    Sentinel,
    Cluster,
}

/// The chart's values schema (JSON Schema draft-07, the dialect every Helm version reads).
///
/// Subschemas are inlined so the file reads top to bottom like `values.yaml`; every leaf
/// carries its default, taken from `Values::default()` (so nested defaults are the real ones,
/// not those of the nested type alone).
///
/// # Panics
///
/// Never: the defaults always serialize.
#[must_use]
pub fn values_schema() -> Value {
    let generator = schemars::generate::SchemaSettings::draft07()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    let mut schema = generator.into_root_schema_for::<Values>().to_value();
    let defaults = serde_json::to_value(Values::default()).expect("the defaults serialize");
    normalize(&mut schema, Some(&defaults));
    schema
}

/// Drops what draft-07 validators do not know (schemars' integer `format`s) and sets every
/// property's `default` from the defaults tree: leaves keep theirs, objects described by their
/// properties lose theirs (their leaves say it).
fn normalize(schema: &mut Value, defaults: Option<&Value>) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if object
        .get("format")
        .and_then(Value::as_str)
        .is_some_and(|format| format.starts_with("int") || format.starts_with("uint"))
    {
        object.remove("format");
    }
    if let Some(Value::Object(properties)) = object.get_mut("properties") {
        for (key, property) in properties.iter_mut() {
            let default = defaults.and_then(|d| d.get(key));
            normalize(property, default);
            if let Some(property) = property.as_object_mut() {
                if property.contains_key("properties") {
                    property.remove("default");
                } else if let Some(default) = default {
                    property.insert("default".to_owned(), default.clone());
                }
            }
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(sub) = object.get_mut(key) {
            normalize(sub, None);
        }
    }
    // A fixed key order so the file reads like documentation: what it is, then its rules,
    // then its default, then what it contains.
    let mut entries: Vec<(String, Value)> = std::mem::take(object).into_iter().collect();
    entries.sort_by_key(|(key, _)| key_rank(key));
    object.extend(entries);
}

fn key_rank(key: &str) -> usize {
    const ORDER: &[&str] = &[
        "$schema",
        "title",
        "description",
        "type",
        "enum",
        "pattern",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
        "minItems",
        "default",
        "propertyNames",
        "items",
        "additionalProperties",
        "properties",
    ];
    ORDER.iter().position(|k| *k == key).unwrap_or(ORDER.len())
}

#[cfg(test)]
mod tests {
    //! The files derived from the model must be up to date. `REDIS_HA_BLESS=1 cargo test model`
    //! rewrites them instead of failing (the README only between its markers).

    use std::path::Path;

    use serde_json::Map;

    use super::*;

    const README_START: &str = "<!-- values-reference:start -->";
    const README_END: &str = "<!-- values-reference:end -->";
    const HINT: &str = "hint: regenerate with `cargo run -- schema > charts/redis-ha/values.schema.json && cp charts/redis-ha/values.schema.json schemas/`, or every derived file with `REDIS_HA_BLESS=1 cargo test model`";

    fn path(relative: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
    }

    fn read(relative: &str) -> String {
        std::fs::read_to_string(path(relative))
            .unwrap_or_else(|e| panic!("cannot read `{relative}`: {e}"))
    }

    fn bless() -> bool {
        std::env::var_os("REDIS_HA_BLESS").is_some_and(|v| v == "1")
    }

    /// Compares a derived file with what the model gives, or rewrites it when blessing.
    fn check_file(relative: &str, expected: &str) {
        if bless() {
            std::fs::write(path(relative), expected).expect("the file is writable");
            return;
        }
        assert!(
            read(relative) == expected,
            "`{relative}` is not what the values model generates\n{HINT}"
        );
    }

    #[test]
    fn schema_files_match_the_model() {
        let expected = serde_json::to_string_pretty(&values_schema()).unwrap() + "\n";
        check_file("charts/redis-ha/values.schema.json", &expected);
        check_file("schemas/values.schema.json", &expected);
    }

    #[test]
    fn schema_is_draft07_and_closed() {
        let schema = values_schema();
        assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["auth"]["additionalProperties"], false);
        assert_eq!(
            schema["properties"]["exporter"]["properties"]["mode"]["enum"],
            serde_json::json!(["deployment", "sidecar"])
        );
        assert_eq!(
            schema["properties"]["sentinel"]["properties"]["quorum"]["minimum"],
            1
        );
    }

    #[test]
    fn every_key_has_a_description_and_every_leaf_a_default() {
        fn walk(properties: &Map<String, Value>, prefix: &str) {
            for (key, property) in properties {
                let path = format!("{prefix}{key}");
                assert!(
                    property.get("description").is_some(),
                    "`{path}` has no description"
                );
                match property.get("properties").and_then(Value::as_object) {
                    Some(nested) => walk(nested, &format!("{path}.")),
                    None => assert!(property.get("default").is_some(), "`{path}` has no default"),
                }
            }
        }
        walk(values_schema()["properties"].as_object().unwrap(), "");
    }

    #[test]
    fn chart_values_yaml_is_the_model_default() {
        check_file("charts/redis-ha/values.yaml", &values_yaml());
        let parsed: Value = serde_saphyr::from_str(&read("charts/redis-ha/values.yaml"))
            .expect("values.yaml parses");
        let expected = serde_json::to_value(Values::default()).unwrap();
        if let Some(difference) = first_difference(&parsed, &expected, "") {
            panic!(
                "charts/redis-ha/values.yaml differs from `Values::default()` at {difference}\n{HINT}"
            );
        }
    }

    /// Where two JSON trees first differ, for a readable failure.
    fn first_difference(actual: &Value, expected: &Value, path: &str) -> Option<String> {
        match (actual, expected) {
            (Value::Object(a), Value::Object(e)) => e.keys().chain(a.keys()).find_map(|key| {
                let sub = format!("{path}.{key}");
                match (a.get(key), e.get(key)) {
                    (Some(x), Some(y)) => first_difference(x, y, &sub),
                    (x, y) => Some(format!("`{sub}`: values.yaml {x:?}, model {y:?}")),
                }
            }),
            _ if actual == expected => None,
            _ => Some(format!("`{path}`: values.yaml {actual}, model {expected}")),
        }
    }

    #[test]
    fn presets_deserialize_into_the_model() {
        for preset in ["dev", "staging", "production"] {
            let relative = format!("values/values-{preset}.yaml");
            if let Err(e) = serde_saphyr::from_str::<Values>(&read(&relative)) {
                panic!("`{relative}` does not fit the values model: {e}");
            }
        }
    }

    #[test]
    fn a_typo_is_rejected() {
        let error = serde_saphyr::from_str::<Values>("sentinel:\n  quorom: 2\n").unwrap_err();
        assert!(error.to_string().contains("quorom"), "{error}");
    }

    #[test]
    fn readme_has_the_values_reference() {
        let readme = read("README.md");
        let section = format!(
            "{README_START}\n{}{README_END}",
            values_reference_markdown()
        );
        let updated = match (readme.find(README_START), readme.find(README_END)) {
            (Some(start), Some(end)) if start < end => {
                format!(
                    "{}{section}{}",
                    &readme[..start],
                    &readme[end + README_END.len()..]
                )
            }
            _ => format!("{}\n## Values reference\n\n{section}\n", readme.trim_end()),
        };
        if bless() {
            std::fs::write(path("README.md"), updated).expect("README.md is writable");
            return;
        }
        assert!(
            readme == updated,
            "the values reference in README.md is stale or missing\n{HINT}"
        );
    }
}
