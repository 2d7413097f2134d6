//! `backup` and `restore`: scheduled RDB copies off the pods, and seeding a fresh release from
//! one. The scripts (`_backup.sh`, `_redis-restore.sh`, the restore step of `_redis-start.sh`)
//! do the work; this module only describes the values.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::{Image, Quantity, Resources};

/// A CronJob that copies the data set off the pods: `redis-cli --rdb` from a replica (the
/// master only when no replica is in sync), written as `dump-<UTC time>.rdb` under a temporary
/// name, checked with `redis-check-rdb`, then renamed; the oldest copies past `keep` are pruned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Backup {
    /// Render the backup CronJob `<release>-backup`.
    pub enabled: bool,
    /// When the backup runs: a cron schedule of 5 fields (minute hour day-of-month month day-of-week), in the time zone of `timeZone`.
    #[schemars(length(min = 1))]
    pub schedule: String,
    /// Time zone of the schedule (an IANA name such as `Europe/Paris`); empty is the controller's (usually UTC).
    pub time_zone: String,
    /// Number of copies kept on the backup claim; older ones are deleted after each successful backup.
    #[schemars(range(min = 1, max = 1000))]
    pub keep: u32,
    /// Seconds the copy (`redis-cli --rdb`) may take; also the Job's `activeDeadlineSeconds` (twice it, to leave time for the upload).
    #[schemars(range(min = 10, max = 86400))]
    pub timeout_seconds: u32,
    /// Where the copies are written: a PersistentVolumeClaim other than the Redis data volumes.
    pub persistence: BackupPersistence,
    /// A command of your own that ships each copy elsewhere (an object store), in an image of your own.
    pub upload: Upload,
    /// Resources of the backup containers.
    pub resources: Resources,
}

impl Default for Backup {
    fn default() -> Self {
        Self {
            enabled: false,
            schedule: "0 3 * * *".to_owned(),
            time_zone: String::new(),
            keep: 7,
            timeout_seconds: 600,
            persistence: BackupPersistence::default(),
            upload: Upload::default(),
            resources: Resources::new(("100m", "500m"), ("128Mi", "256Mi")),
        }
    }
}

/// The claim the backup writes to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct BackupPersistence {
    /// Write the copies to a claim: `existingClaim`, or else `<release>-backup`, created by the chart.
    pub enabled: bool,
    /// Name of a PersistentVolumeClaim of yours to write to; empty creates `<release>-backup`.
    pub existing_claim: String,
    /// Size of the created claim (room for `keep` copies of the data set).
    pub size: Quantity,
    /// StorageClass of the created claim; empty uses the cluster's default class, `-` sets `storageClassName: ""`.
    pub storage_class: String,
}

impl Default for BackupPersistence {
    fn default() -> Self {
        Self {
            enabled: false,
            existing_claim: String::new(),
            size: Quantity::from("16Gi"),
            storage_class: String::new(),
        }
    }
}

/// A command run after each copy with `BACKUP_FILE` set to its path (for example `aws s3 cp "$BACKUP_FILE" s3://bucket/` or `rclone copy "$BACKUP_FILE" remote:redis`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Upload {
    /// Image holding the client; its `/bin/sh` runs `command`.
    pub image: Image,
    /// Shell command (run by `/bin/sh -c`); empty uploads nothing.
    pub command: String,
    /// Secret whose keys become environment variables of the upload container (the client's credentials); empty is none.
    pub env_from_secret: String,
}

impl Default for Upload {
    fn default() -> Self {
        Self {
            image: Image::new("docker.io", "rclone/rclone", "1.68.2"),
            command: String::new(),
            env_from_secret: String::new(),
        }
    }
}

/// Seeds a fresh release from a backup. On a cold start in which every Redis pod reports an
/// empty volume, pod 0 loads the copy and starts as master, the others replicate it; a pod
/// that holds data is never overwritten, and a release with a master ignores the copy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Restore {
    /// Add the restore step to the Redis pods.
    pub enabled: bool,
    /// Where the copy comes from.
    pub source: RestoreSource,
}

/// A file on a claim, or a command of your own that fetches it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct RestoreSource {
    /// PersistentVolumeClaim holding the copy (mounted read-only in pod 0's restore step); empty when `command` fetches it.
    pub existing_claim: String,
    /// Path of the copy inside the claim; empty takes the newest `dump-*.rdb`.
    pub path: String,
    /// Shell command (run by `/bin/sh -c`) that writes the copy to `$RESTORE_FILE` (for example `aws s3 cp s3://bucket/dump.rdb "$RESTORE_FILE"`); empty reads `existingClaim`.
    pub command: String,
    /// Image of the restore step: holds the client `command` runs.
    pub image: Image,
    /// Secret whose keys become environment variables of the restore step (the client's credentials); empty is none.
    pub env_from_secret: String,
}
