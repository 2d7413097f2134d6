//! The rule registry: every rule, its ID, severity and documentation, in one `const` slice.
//!
//! A rule is a unit struct declared with [`rule!`], whose doc comment *is* its user
//! documentation: `redis-ha lint --explain ID`, `--list`, the SARIF rule descriptions and the
//! README's rule table are all read from it, so they cannot drift apart. This module owns the
//! registry; the views of it (`--list`, `--explain`, did-you-mean) are the shared
//! [`crate::registry`]'s; the checks live in [`super::rules`], one file each.

use std::fmt::Write as _;

use super::context::Context;
use super::finding::{Finding, Location, Severity};
use super::rules;
use crate::registry::{self, Doc, Entry, UnknownId};

/// When a rule runs: each stage needs the previous one to have succeeded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// The merged values against the chart's schema.
    Schema,
    /// The values, once they are known to have the schema's shape.
    Values,
    /// Rendering the templates.
    Render,
    /// The rendered manifests.
    Manifests,
}

/// What a rule is about; groups rules in `--list`, the README and SARIF tags.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    /// Values, rendering and the manifests' own schemas.
    Validity,
    /// Failover, quorum, disruption and memory: what keeps Redis available.
    Ha,
    Security,
    /// Selectors, ports and names that must agree between objects.
    Wiring,
    Resources,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Validity => "validity",
            Category::Ha => "ha",
            Category::Security => "security",
            Category::Wiring => "wiring",
            Category::Resources => "resources",
        }
    }
}

/// What the registry knows about a rule.
#[derive(Debug)]
pub struct Meta {
    /// Stable kebab-case ID naming the problem.
    pub id: &'static str,
    pub severity: Severity,
    pub category: Category,
    pub stage: Stage,
    /// The rule's doc comment, as the compiler hands it over (one leading space per line).
    pub raw_doc: &'static str,
}

impl Meta {
    /// The documentation as Markdown.
    pub fn doc(&self) -> String {
        Doc(self.raw_doc).markdown()
    }

    /// The Markdown of one `## Title` section, without its title.
    pub fn section(&self, title: &str) -> Option<String> {
        Doc(self.raw_doc).section(title)
    }

    /// The first sentence of "What it does": one line for lists.
    pub fn summary(&self) -> String {
        Doc(self.raw_doc).summary()
    }
}

impl Entry for Meta {
    fn id(&self) -> &'static str {
        self.id
    }

    fn severity(&self) -> Severity {
        self.severity
    }

    fn category(&self) -> Option<&'static str> {
        Some(self.category.as_str())
    }

    fn doc(&self) -> Doc {
        Doc(self.raw_doc)
    }
}

/// Every rule's metadata, as the shared registry functions take them.
pub fn entries() -> impl Iterator<Item = &'static dyn Entry> + Clone {
    RULES.iter().map(|r| r.meta() as &dyn Entry)
}

/// The part of a rule that [`rule!`] writes from its declaration.
pub trait Documented {
    fn meta(&self) -> &'static Meta;
}

/// A lint rule: looks at the [`Context`] and reports findings into the [`Sink`].
pub trait Rule: Documented + Sync {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>);
}

/// Where a rule reports; it stamps each finding with the rule's ID and severity.
pub struct Sink<'a> {
    meta: &'static Meta,
    findings: &'a mut Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(meta: &'static Meta, findings: &'a mut Vec<Finding>) -> Self {
        Sink { meta, findings }
    }

    /// Records a finding; chain [`Finding::hint`] to add how to fix it.
    pub fn report(&mut self, location: Location, message: impl Into<String>) -> &mut Finding {
        self.findings.push(Finding {
            rule: self.meta.id,
            severity: self.meta.severity,
            message: message.into(),
            hint: None,
            location,
        });
        self.findings.last_mut().expect("just pushed")
    }
}

/// Declares a rule: a unit struct whose doc comment is its documentation.
///
/// ```ignore
/// rule! {
///     /// ## What it does
///     /// ...
///     pub struct SentinelCountEven {
///         id: "sentinel-count-even",
///         severity: Error,
///         category: Ha,
///         stage: Values,
///     }
/// }
/// ```
macro_rules! rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $name:ident {
            id: $id:literal,
            severity: $severity:ident,
            category: $category:ident,
            stage: $stage:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $name;

        impl $crate::lint::registry::Documented for $name {
            fn meta(&self) -> &'static $crate::lint::registry::Meta {
                const META: $crate::lint::registry::Meta = $crate::lint::registry::Meta {
                    id: $id,
                    severity: $crate::lint::finding::Severity::$severity,
                    category: $crate::lint::registry::Category::$category,
                    stage: $crate::lint::registry::Stage::$stage,
                    raw_doc: concat!($($doc, "\n"),*),
                };
                &META
            }
        }
    };
}
pub(crate) use rule;

/// Every rule, in the order `--list` and the README show them: by stage, then by topic.
pub const RULES: &[&dyn Rule] = &[
    // Values and rendering.
    &rules::values_schema_violation::ValuesSchemaViolation,
    &rules::template_render_failed::TemplateRenderFailed,
    // The manifests' own schemas.
    &rules::manifest_unknown_kind::ManifestUnknownKind,
    &rules::manifest_unknown_field::ManifestUnknownField,
    &rules::manifest_invalid_field::ManifestInvalidField,
    &rules::alert_expr_invalid::AlertExprInvalid,
    &rules::alert_for_invalid::AlertForInvalid,
    // High availability.
    &rules::sentinel_count_too_low::SentinelCountTooLow,
    &rules::sentinel_count_even::SentinelCountEven,
    &rules::sentinel_quorum_not_majority::SentinelQuorumNotMajority,
    &rules::sentinel_quorum_exceeds_count::SentinelQuorumExceedsCount,
    &rules::redis_replicas_too_few::RedisReplicasTooFew,
    &rules::cluster_shards_too_few::ClusterShardsTooFew,
    &rules::cluster_shard_may_share_node::ClusterShardMayShareNode,
    &rules::min_replicas_to_write_too_high::MinReplicasToWriteTooHigh,
    &rules::min_replicas_to_write_disabled::MinReplicasToWriteDisabled,
    &rules::min_replicas_max_lag_too_long::MinReplicasMaxLagTooLong,
    &rules::down_after_out_of_range::DownAfterOutOfRange,
    &rules::failover_timeout_out_of_range::FailoverTimeoutOutOfRange,
    &rules::maxmemory_exceeds_limit::MaxmemoryExceedsLimit,
    &rules::maxmemory_headroom_too_small::MaxmemoryHeadroomTooSmall,
    &rules::snapshots_without_persistence::SnapshotsWithoutPersistence,
    &rules::pdb_missing::PdbMissing,
    &rules::pdb_breaks_quorum::PdbBreaksQuorum,
    &rules::pdb_blocks_drain::PdbBlocksDrain,
    &rules::pods_not_spread::PodsNotSpread,
    &rules::sentinel_hostnames_unresolved::SentinelHostnamesUnresolved,
    &rules::image_too_old::ImageTooOld,
    &rules::startup_probe_too_short::StartupProbeTooShort,
    &rules::grace_period_too_short::GracePeriodTooShort,
    &rules::claim_retention_delete::ClaimRetentionDelete,
    &rules::backup_without_target::BackupWithoutTarget,
    &rules::backup_schedule_invalid::BackupScheduleInvalid,
    &rules::backup_on_data_volume::BackupOnDataVolume,
    &rules::pods_in_one_failure_domain::PodsInOneFailureDomain,
    // Security.
    &rules::acl_replication_user_locked_out::AclReplicationUserLockedOut,
    &rules::acl_sentinel_user_locked_out::AclSentinelUserLockedOut,
    &rules::acl_chart_user_locked_out::AclChartUserLockedOut,
    &rules::auth_disabled::AuthDisabled,
    &rules::acl_user_allows_dangerous_commands::AclUserAllowsDangerousCommands,
    &rules::acl_user_rules_invalid::AclUserRulesInvalid,
    &rules::password_in_values_file::PasswordInValuesFile,
    &rules::dangerous_commands_enabled::DangerousCommandsEnabled,
    &rules::container_runs_as_root::ContainerRunsAsRoot,
    &rules::privilege_escalation_allowed::PrivilegeEscalationAllowed,
    &rules::capabilities_not_dropped::CapabilitiesNotDropped,
    &rules::root_filesystem_writable::RootFilesystemWritable,
    &rules::image_tag_not_pinned::ImageTagNotPinned,
    &rules::network_policy_missing::NetworkPolicyMissing,
    &rules::host_namespace_shared::HostNamespaceShared,
    &rules::host_path_mounted::HostPathMounted,
    &rules::seccomp_unconfined::SeccompUnconfined,
    &rules::service_account_token_mounted::ServiceAccountTokenMounted,
    &rules::service_exposed_externally::ServiceExposedExternally,
    &rules::password_in_extra_env::PasswordInExtraEnv,
    // Wiring.
    &rules::service_selects_no_pods::ServiceSelectsNoPods,
    &rules::master_endpoint_check_unauthenticated::MasterEndpointCheckUnauthenticated,
    &rules::service_target_port_unknown::ServiceTargetPortUnknown,
    &rules::pdb_selects_no_pods::PdbSelectsNoPods,
    &rules::network_policy_selects_no_pods::NetworkPolicySelectsNoPods,
    &rules::service_monitor_selects_no_service::ServiceMonitorSelectsNoService,
    &rules::service_monitor_port_unknown::ServiceMonitorPortUnknown,
    &rules::network_policy_blocks_service_port::NetworkPolicyBlocksServicePort,
    &rules::network_policy_blocks_dns::NetworkPolicyBlocksDns,
    &rules::name_invalid::NameInvalid,
    &rules::pod_hostname_too_long::PodHostnameTooLong,
    &rules::network_policy_blocks_peer::NetworkPolicyBlocksPeer,
    &rules::network_policy_blocks_clients::NetworkPolicyBlocksClients,
    &rules::stateful_set_service_missing::StatefulSetServiceMissing,
    &rules::service_monitor_timeout_exceeds_interval::ServiceMonitorTimeoutExceedsInterval,
    &rules::metrics_without_exporter::MetricsWithoutExporter,
    &rules::anti_affinity_selects_no_pods::AntiAffinitySelectsNoPods,
    // Resources.
    &rules::container_resources_missing::ContainerResourcesMissing,
    &rules::resources_request_exceeds_limit::ResourcesRequestExceedsLimit,
    &rules::volume_claim_unusable::VolumeClaimUnusable,
    &rules::volume_too_small::VolumeTooSmall,
];

/// The rule with this ID.
pub fn find(id: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|r| r.meta().id == id)
}

/// `ID` is no rule: the error, with the closest ID as a hint.
pub fn unknown(id: &str) -> UnknownId {
    UnknownId::new("rule", "redis-ha lint --list", id, entries())
}

/// `redis-ha lint --list`: one rule a line.
pub fn list_text() -> String {
    registry::list_text(entries())
}

/// `redis-ha lint --list --format json`.
pub fn list_json() -> serde_json::Value {
    registry::list_json(entries())
}

/// `redis-ha lint --explain ID`.
pub fn explain(meta: &Meta) -> String {
    registry::explain(meta)
}

pub const README_START: &str = "<!-- lint-rules:start -->";
pub const README_END: &str = "<!-- lint-rules:end -->";

/// The README's `## Lint rules` section, markers included; a test keeps README.md in sync.
pub fn readme_section() -> String {
    let mut out = String::new();
    out.push_str(README_START);
    out.push('\n');
    out.push_str(README_INTRO);
    out.push_str("| Rule | Severity | Category | What it checks |\n|---|---|---|---|\n");
    for rule in RULES {
        let meta = rule.meta();
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            meta.id,
            meta.severity.as_str(),
            meta.category.as_str(),
            meta.summary().replace('|', "\\|")
        );
    }
    out.push('\n');
    out.push_str(README_END);
    out.push('\n');
    out
}

const README_INTRO: &str = include_str!("readme_intro.md");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = std::collections::BTreeSet::new();
        for rule in RULES {
            let id = rule.meta().id;
            assert!(seen.insert(id), "duplicate rule ID `{id}`");
            assert!(
                !id.is_empty()
                    && id.split('-').all(|w| !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())),
                "`{id}` is not kebab-case"
            );
        }
    }

    #[test]
    fn every_rule_is_documented() {
        for rule in RULES {
            let meta = rule.meta();
            for section in ["What it does", "Why is this bad?", "Example"] {
                let body = meta.section(section).unwrap_or_default();
                assert!(
                    body.len() > 20,
                    "`{}`: section `## {section}` is missing or empty",
                    meta.id
                );
            }
            let summary = meta.summary();
            assert!(
                summary.ends_with('.') && !summary.contains('\n'),
                "`{}`: the first sentence of `What it does` must be one sentence: {summary:?}",
                meta.id
            );
        }
    }

    #[test]
    fn closest_id() {
        let closest = |id| unknown(id).suggestion;
        assert_eq!(closest("sentinel-count-evn"), Some("sentinel-count-even"));
        assert_eq!(closest("zzzzzzzzzzzz"), None);
    }
}
