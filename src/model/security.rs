//! Security contexts (restricted Pod Security by default) and the ServiceAccount.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::common::StringMap;

/// Pod `securityContext` of every pod of the chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct PodSecurityContext {
    /// User of the containers (999 is `redis` in the official image).
    #[schemars(range(min = 1))]
    pub run_as_user: u32,
    /// Primary group of the containers.
    #[schemars(range(min = 1))]
    pub run_as_group: u32,
    /// Refuse to start a container as root.
    pub run_as_non_root: bool,
    /// Group owning the mounted volumes, so the data directory is writable.
    #[schemars(range(min = 1))]
    pub fs_group: u32,
    /// `OnRootMismatch` skips the recursive chown of a large volume at every start.
    pub fs_group_change_policy: FsGroupChangePolicy,
    /// Seccomp profile.
    pub seccomp_profile: SeccompProfile,
}

impl Default for PodSecurityContext {
    fn default() -> Self {
        Self {
            run_as_user: 999,
            run_as_group: 999,
            run_as_non_root: true,
            fs_group: 999,
            fs_group_change_policy: FsGroupChangePolicy::OnRootMismatch,
            seccomp_profile: SeccompProfile::default(),
        }
    }
}

/// `fsGroupChangePolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FsGroupChangePolicy {
    OnRootMismatch,
    Always,
}

/// A seccomp profile.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct SeccompProfile {
    /// Profile type; the restricted Pod Security level needs `RuntimeDefault` or `Localhost`.
    #[serde(rename = "type")]
    pub kind: SeccompProfileType,
}

impl Default for SeccompProfile {
    fn default() -> Self {
        Self {
            kind: SeccompProfileType::RuntimeDefault,
        }
    }
}

/// Seccomp profile type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SeccompProfileType {
    RuntimeDefault,
    Localhost,
    Unconfined,
}

/// Container `securityContext` of every container of the chart.
#[expect(
    clippy::struct_excessive_bools,
    reason = "mirrors the Kubernetes SecurityContext"
)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ContainerSecurityContext {
    /// User of the container.
    #[schemars(range(min = 1))]
    pub run_as_user: u32,
    /// Primary group of the container.
    #[schemars(range(min = 1))]
    pub run_as_group: u32,
    /// Refuse to start as root.
    pub run_as_non_root: bool,
    /// Forbid gaining privileges (setuid binaries).
    pub allow_privilege_escalation: bool,
    /// Privileged container.
    pub privileged: bool,
    /// Mount the root filesystem read-only; the chart mounts writable emptyDirs where Redis and Sentinel write.
    pub read_only_root_filesystem: bool,
    /// Linux capabilities.
    pub capabilities: Capabilities,
    /// Seccomp profile.
    pub seccomp_profile: SeccompProfile,
}

impl Default for ContainerSecurityContext {
    fn default() -> Self {
        Self {
            run_as_user: 999,
            run_as_group: 999,
            run_as_non_root: true,
            allow_privilege_escalation: false,
            privileged: false,
            read_only_root_filesystem: true,
            capabilities: Capabilities::default(),
            seccomp_profile: SeccompProfile::default(),
        }
    }
}

/// Linux capabilities of a container.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Capabilities {
    /// Capabilities removed; `ALL` for the restricted Pod Security level.
    pub drop: Vec<String>,
    /// Capabilities added; the restricted level allows only `NET_BIND_SERVICE`.
    pub add: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Self {
            drop: vec!["ALL".to_owned()],
            add: Vec::new(),
        }
    }
}

/// The ServiceAccount of the pods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct ServiceAccount {
    /// Create the ServiceAccount (also in `exporter.namespace` when the exporter runs there).
    pub create: bool,
    /// Name of the ServiceAccount; empty is the release name (or `fullnameOverride`) when created, `default` otherwise.
    pub name: String,
    /// Annotations of the ServiceAccount.
    pub annotations: StringMap,
    /// Mount an API token into the pods; nothing in the chart talks to the Kubernetes API.
    pub automount_service_account_token: bool,
}

impl Default for ServiceAccount {
    fn default() -> Self {
        Self {
            create: true,
            name: String::new(),
            annotations: StringMap::new(),
            automount_service_account_token: false,
        }
    }
}
