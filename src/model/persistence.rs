//! `persistence`: the PersistentVolumeClaim template of the Redis StatefulSet.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Quantity, StringMap};

/// Storage of the Redis data directory (RDB snapshots and the AOF).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Persistence {
    /// Give each Redis pod a PersistentVolumeClaim; when false the data lives in an emptyDir and is lost with the pod.
    pub enabled: bool,
    /// Size of each claim.
    pub size: Quantity,
    /// StorageClass of the claims; empty uses the cluster's default class, `-` sets `storageClassName: ""` (no class, static provisioning).
    pub storage_class: String,
    /// Access modes of the claims.
    #[schemars(length(min = 1))]
    pub access_modes: Vec<AccessMode>,
    /// Annotations of the claims.
    pub annotations: StringMap,
    /// What happens to the claims when the StatefulSet is deleted or scaled down (`persistentVolumeClaimRetentionPolicy`).
    pub retention_policy: RetentionPolicy,
}

impl Default for Persistence {
    fn default() -> Self {
        Self {
            enabled: true,
            size: Quantity::from("8Gi"),
            storage_class: String::new(),
            access_modes: vec![AccessMode::ReadWriteOnce],
            annotations: StringMap::new(),
            retention_policy: RetentionPolicy::default(),
        }
    }
}

/// PersistentVolumeClaim access mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum AccessMode {
    ReadWriteOnce,
    ReadWriteOncePod,
    ReadWriteMany,
    ReadOnlyMany,
}

/// `persistentVolumeClaimRetentionPolicy` of the Redis StatefulSet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct RetentionPolicy {
    /// Keep (`Retain`) or delete (`Delete`) the claims when the StatefulSet is deleted.
    pub when_deleted: Retention,
    /// Keep (`Retain`) or delete (`Delete`) the claims of pods removed by a scale-down.
    pub when_scaled: Retention,
}

impl Default for RetentionPolicy {
    fn default() -> Self {
        Self {
            when_deleted: Retention::Retain,
            when_scaled: Retention::Retain,
        }
    }
}

/// Whether a claim outlives its pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum Retention {
    Retain,
    Delete,
}
