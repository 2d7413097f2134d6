//! `redis`: the directives of redis.conf. Paths, addresses and secrets are not here: the
//! start-up script appends them at start (see `scripts` in the chart).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::StringMap;

/// Settings written to redis.conf.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct RedisConfig {
    /// Port of Redis (the TLS port when `tls.enabled`, the plain-text port then being closed).
    #[schemars(range(min = 1, max = 65535))]
    pub port: u16,
    /// `maxmemory`, in Redis units (`256mb`, `3gb`); empty leaves memory unbounded. Keep it well below the memory limit: replication buffers and the fork of a background save need room.
    #[schemars(pattern(r"^(|[0-9]+([kKmMgG][bB]?)?)$"))]
    pub maxmemory: String,
    /// `maxmemory-policy`: what Redis does when maxmemory is reached.
    pub maxmemory_policy: MaxmemoryPolicy,
    /// `appendonly`: keep an append-only file (AOF) so a restart loses at most `appendfsync` worth of writes.
    pub appendonly: bool,
    /// `appendfsync`: how often the AOF is flushed to disk.
    pub appendfsync: Appendfsync,
    /// `save`: RDB snapshot points as `<seconds> <changes>` pairs; empty disables snapshots.
    #[schemars(pattern(r"^(|[0-9]+ [0-9]+( [0-9]+ [0-9]+)*)$"))]
    pub save: String,
    /// `min-replicas-to-write`: the master refuses writes unless this many replicas are connected with a lag of at most `minReplicasMaxLag` (0 disables: a partitioned master then accepts writes for the whole partition, and loses them). Ignored by `architecture: standalone`, which has no replica.
    #[schemars(range(min = 0, max = 15))]
    pub min_replicas_to_write: u32,
    /// `min-replicas-max-lag`, in seconds; 0 derives it from `sentinel.downAfterMilliseconds` (architecture `cluster`: `cluster.nodeTimeout`), 2 s less, at least 1, so a partitioned master stops accepting writes before a replica can be promoted.
    #[schemars(range(min = 0))]
    pub min_replicas_max_lag: u32,
    /// Commands disabled with `rename-command <CMD> ""` (for example `FLUSHALL`, `FLUSHDB`, `DEBUG`). Do not disable `CONFIG` with Sentinel: rename it in `redis.renameCommands` instead (Sentinel needs it for a failover).
    pub disable_commands: Vec<CommandName>,
    /// Commands renamed with `rename-command <CMD> <NEW>`; Sentinel and the exporter are told the new names.
    #[schemars(extend("propertyNames" = { "pattern": "^[A-Za-z][A-Za-z_-]*$" }))]
    pub rename_commands: StringMap,
    /// Extra redis.conf directives, appended verbatim after the chart's.
    pub extra_config: String,
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self {
            port: 6379,
            maxmemory: "256mb".to_owned(),
            maxmemory_policy: MaxmemoryPolicy::Noeviction,
            appendonly: true,
            appendfsync: Appendfsync::Everysec,
            save: "3600 1 300 100 60 10000".to_owned(),
            min_replicas_to_write: 1,
            min_replicas_max_lag: 0,
            disable_commands: Vec::new(),
            rename_commands: StringMap::new(),
            extra_config: String::new(),
        }
    }
}

/// A Redis command name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CommandName(pub String);

impl JsonSchema for CommandName {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "CommandName".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "pattern": "^[A-Za-z][A-Za-z_-]*$" })
    }

    fn inline_schema() -> bool {
        true
    }
}

/// `maxmemory-policy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum MaxmemoryPolicy {
    Noeviction,
    AllkeysLru,
    AllkeysLfu,
    AllkeysRandom,
    VolatileLru,
    VolatileLfu,
    VolatileRandom,
    VolatileTtl,
}

/// `appendfsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Appendfsync {
    Always,
    Everysec,
    No,
}
