//! The topology of a release: which architecture, which components, how many pods of each, the
//! master name and quorum Sentinel is configured with, the ports, read once and typed.
//!
//! Lint reads it from the values ([`Topology::of_values`]); diff, which also sees objects no
//! values made (a live cluster), classifies objects by [`Component`] and reads Sentinel's
//! settings from a ConfigMap with [`SentinelConfig::read`]. Everything else that needs these
//! facts asks here instead of reading strings: a new architecture or component is a new
//! variant, and the compiler lists the places that must decide about it.

use serde_json::Value;

use crate::model;
pub use crate::model::Architecture;
use crate::values::{self, Node};

impl Architecture {
    /// Whether Sentinel runs (and promotes a replica when the master fails).
    pub fn uses_sentinel(self) -> bool {
        match self {
            Architecture::Sentinel => true,
            Architecture::Standalone | Architecture::Replication | Architecture::Cluster => false,
        }
    }
}

/// What a release deploys.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Topology {
    pub architecture: Architecture,
    /// `replicas` as configured (a standalone release runs one pod whatever it says, a
    /// cluster as many as its shards need).
    pub replicas: i64,
    /// The Redis pods that run.
    pub redis_pods: i64,
    pub redis_port: i64,
    /// `None` unless the architecture runs Sentinel.
    pub sentinel: Option<SentinelTopology>,
    /// `None` unless the architecture is `cluster`.
    pub cluster: Option<ClusterTopology>,
}

/// Redis Cluster's part of the topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterTopology {
    /// Masters holding hash slots.
    pub shards: i64,
    pub replicas_per_shard: i64,
    pub bus_port: i64,
}

impl ClusterTopology {
    /// The pods a cluster runs: every shard's master and its replicas. The chart's
    /// `_helpers.tpl` (`redis_replicas`) says the same for the StatefulSet.
    pub fn pods(&self) -> i64 {
        self.shards * (1 + self.replicas_per_shard)
    }
}

/// Sentinel's part of the topology.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SentinelTopology {
    pub replicas: i64,
    pub quorum: i64,
    pub master_name: String,
    pub port: i64,
}

impl Topology {
    /// The topology the merged values ask for; a key that is unset or not of its type reads
    /// as the chart's default (the schema reports it).
    pub fn of_values(values: &Node) -> Topology {
        let defaults = model::Values::default();
        let int = |key: &str, default: u32| -> i64 {
            match values.get_path(key).map(|n| &n.value) {
                Some(values::Value::Int(i)) => *i,
                #[expect(
                    clippy::cast_possible_truncation,
                    reason = "whole and below 1e15: exact"
                )]
                Some(values::Value::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => *f as i64,
                _ => i64::from(default),
            }
        };
        let architecture = match values.get_path("architecture").map(|n| &n.value) {
            Some(values::Value::Str(text)) => {
                serde_json::from_value(Value::String(text.clone())).unwrap_or(defaults.architecture)
            }
            _ => defaults.architecture,
        };
        let replicas = int("replicas", defaults.replicas);
        let sentinel = architecture.uses_sentinel().then(|| SentinelTopology {
            replicas: int("sentinel.replicas", defaults.sentinel.replicas),
            quorum: int("sentinel.quorum", defaults.sentinel.quorum),
            master_name: match values.get_path("sentinel.masterName").map(|n| &n.value) {
                Some(values::Value::Str(name)) => name.clone(),
                _ => defaults.sentinel.master_name.clone(),
            },
            port: int("sentinel.port", u32::from(defaults.sentinel.port)),
        });
        let cluster = (architecture == Architecture::Cluster).then(|| ClusterTopology {
            shards: int("cluster.shards", defaults.cluster.shards),
            replicas_per_shard: int(
                "cluster.replicasPerShard",
                defaults.cluster.replicas_per_shard,
            ),
            bus_port: int("cluster.busPort", u32::from(defaults.cluster.bus_port)),
        });
        let redis_pods = match (&cluster, architecture) {
            (Some(cluster), _) => cluster.pods(),
            (None, Architecture::Standalone) => 1,
            (None, _) => replicas,
        };
        Topology {
            architecture,
            replicas,
            redis_pods,
            redis_port: int("redis.port", u32::from(defaults.redis.port)),
            sentinel,
            cluster,
        }
    }
}

/// Which part of the deployment an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Component {
    Redis,
    Sentinel,
    Exporter,
    Other,
}

impl Component {
    /// The `app.kubernetes.io/component` label the chart gives this component's objects.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Component::Redis => Some("redis"),
            Component::Sentinel => Some("sentinel"),
            Component::Exporter => Some("exporter"),
            Component::Other => None,
        }
    }

    /// From a component label or a name (of a container, of an object): the words other
    /// charts use too (`master`, `metrics`).
    pub fn from_word(text: &str) -> Component {
        let text = text.to_ascii_lowercase();
        if text.contains("sentinel") {
            Component::Sentinel
        } else if text.contains("exporter") || text.contains("metrics") {
            Component::Exporter
        } else if ["redis", "server", "master", "replica", "node"]
            .iter()
            .any(|w| text.contains(w))
        {
            Component::Redis
        } else {
            Component::Other
        }
    }

    /// An object's component: its `app.kubernetes.io/component` label, else (for a workload)
    /// its first container's name, else the end of its name (`<release>-sentinel`).
    pub fn of_object(object: &Value) -> Component {
        const LABEL: &str = "/metadata/labels/app.kubernetes.io~1component";
        let text = |pointer: &str| object.pointer(pointer).and_then(Value::as_str);
        let from = |t: Option<&str>| t.map_or(Component::Other, Component::from_word);
        for candidate in [
            from(text(LABEL)),
            from(text(&format!("/spec/template{LABEL}"))),
            from(text("/spec/template/spec/containers/0/name")),
        ] {
            if candidate != Component::Other {
                return candidate;
            }
        }
        let name = text("/metadata/name").unwrap_or("");
        if name.ends_with("-sentinel") || name.contains("-sentinel-") {
            Component::Sentinel
        } else {
            Component::Other
        }
    }

    /// The values key a component's settings sit under (`sentinel.resources`): `""` for
    /// Redis, whose settings are at the top level.
    pub fn values_prefix(self) -> Option<&'static str> {
        match self {
            Component::Redis => Some(""),
            Component::Sentinel => Some("sentinel."),
            Component::Exporter => Some("exporter."),
            Component::Other => None,
        }
    }

    pub fn is_redis_or_sentinel(self) -> bool {
        matches!(self, Component::Redis | Component::Sentinel)
    }
}

/// What a ConfigMap says about the master Sentinel monitors: its name and the quorum.
///
/// Read from, in order: literal `sentinel monitor NAME HOST PORT QUORUM` lines; shell
/// assignments a start script uses to write that line (`MASTER_NAME=mymaster`,
/// `QUORUM=2`); per-master directives (`sentinel down-after-milliseconds NAME ...`). This is
/// how objects no values describe (a live cluster, another chart's render) say it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SentinelConfig {
    pub master_name: Option<String>,
    pub quorum: Option<u64>,
}

impl SentinelConfig {
    pub fn read(object: &Value) -> SentinelConfig {
        let mut monitor = SentinelConfig::default();
        let mut assigned = SentinelConfig::default();
        let mut directive_name = None;
        let Some(data) = object.get("data").and_then(Value::as_object) else {
            return monitor;
        };
        let literal = |word: &str| !word.is_empty() && !word.contains(['$', '%', '{', '<']);
        for text in data.values().filter_map(Value::as_str) {
            for line in text.lines() {
                if !line.contains("sentinel") && !line.contains('=') {
                    continue;
                }
                let words: Vec<&str> = line
                    .split_whitespace()
                    .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
                    .collect();
                if let Some(at) = words
                    .windows(2)
                    .position(|w| w[0] == "sentinel" && w[1] == "monitor")
                {
                    let name = words.get(at + 2).copied().filter(|n| literal(n));
                    monitor.master_name = monitor.master_name.or(name.map(str::to_owned));
                    let quorum = words.get(at + 5).and_then(|q| q.parse().ok());
                    monitor.quorum = monitor.quorum.or(quorum);
                } else if let Some(at) = words.windows(2).position(|w| {
                    w[0] == "sentinel"
                        && matches!(
                            w[1],
                            "down-after-milliseconds" | "failover-timeout" | "parallel-syncs"
                        )
                }) {
                    let name = words.get(at + 2).copied().filter(|n| literal(n));
                    directive_name = directive_name.or(name.map(str::to_owned));
                }
                if let Some((key, value)) = line.trim().split_once('=') {
                    let value = value.trim().trim_matches(|c| c == '"' || c == '\'');
                    match key.trim() {
                        "MASTER_NAME" | "SENTINEL_MASTER_NAME" | "REDIS_MASTER_NAME"
                            if literal(value) =>
                        {
                            assigned.master_name =
                                assigned.master_name.take().or(Some(value.to_owned()));
                        }
                        "QUORUM" | "SENTINEL_QUORUM" => {
                            assigned.quorum = assigned.quorum.or(value.parse().ok());
                        }
                        _ => {}
                    }
                }
            }
        }
        SentinelConfig {
            master_name: monitor
                .master_name
                .or(assigned.master_name)
                .or(directive_name),
            quorum: monitor.quorum.or(assigned.quorum),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(yaml: &str) -> Node {
        let chart = crate::chart::bundled();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v.yaml");
        std::fs::write(&path, yaml).unwrap();
        let sources = values::ValueSources {
            files: vec![path.to_string_lossy().into_owned()],
            ..values::ValueSources::default()
        };
        values::resolve(&chart, &sources).unwrap()
    }

    #[test]
    fn of_values() {
        let table = [
            ("{}", Architecture::Sentinel, 3, Some((3, 2))),
            (
                "architecture: standalone\nreplicas: 3\n",
                Architecture::Standalone,
                1,
                None,
            ),
            (
                "architecture: replication\nreplicas: 4\n",
                Architecture::Replication,
                4,
                None,
            ),
            (
                "sentinel: {replicas: 5, quorum: 3}\n",
                Architecture::Sentinel,
                3,
                Some((5, 3)),
            ),
            (
                "architecture: cluster\ncluster: {shards: 4, replicasPerShard: 2}\n",
                Architecture::Cluster,
                12,
                None,
            ),
        ];
        for (yaml, architecture, pods, sentinel) in table {
            let topology = Topology::of_values(&values(yaml));
            assert_eq!(topology.architecture, architecture, "{yaml}");
            assert_eq!(topology.redis_pods, pods, "{yaml}");
            assert_eq!(
                topology.sentinel.map(|s| (s.replicas, s.quorum)),
                sentinel,
                "{yaml}"
            );
        }
    }

    #[test]
    fn components() {
        let table = [
            (
                r#"{"metadata": {"name": "x", "labels": {"app.kubernetes.io/component": "sentinel"}}}"#,
                Component::Sentinel,
            ),
            (
                r#"{"metadata": {"name": "r-sentinel"}}"#,
                Component::Sentinel,
            ),
            (
                r#"{"metadata": {"name": "r"}, "spec": {"template": {"spec": {"containers": [{"name": "metrics"}]}}}}"#,
                Component::Exporter,
            ),
            (r#"{"metadata": {"name": "r-config"}}"#, Component::Other),
        ];
        for (json, expected) in table {
            let object: Value = serde_json::from_str(json).unwrap();
            assert_eq!(Component::of_object(&object), expected, "{json}");
        }
    }

    #[test]
    fn sentinel_config_table() {
        let table = [
            (
                "sentinel monitor mymaster redis-0.redis 6379 2\n",
                Some("mymaster"),
                Some(2),
            ),
            (
                "echo \"sentinel monitor cache $HOST 6379 3\" >> conf\n",
                Some("cache"),
                Some(3),
            ),
            // A start script that writes the line from variables.
            (
                "MASTER_NAME=mymaster\nQUORUM=2\nprintf 'sentinel monitor %s %s %s %s' \"$MASTER_NAME\" h 6379 \"$QUORUM\"\n",
                Some("mymaster"),
                Some(2),
            ),
            (
                "sentinel down-after-milliseconds mymaster 5000\n",
                Some("mymaster"),
                None,
            ),
            ("port 26379\n", None, None),
        ];
        for (text, name, quorum) in table {
            let cm: Value = serde_json::json!({"data": {"file": text}});
            let found = SentinelConfig::read(&cm);
            assert_eq!(found.master_name.as_deref(), name, "{text}");
            assert_eq!(found.quorum, quorum, "{text}");
        }
    }
}
