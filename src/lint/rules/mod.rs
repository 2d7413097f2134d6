//! The rules, one file each; [`super::registry::RULES`] lists them in order.
//!
//! Each file holds one rule: its struct, whose doc comment is the documentation
//! `redis-ha lint --explain` prints, and its check.

pub mod alert_expr_invalid;
pub mod alert_for_invalid;
pub mod auth_disabled;
pub mod capabilities_not_dropped;
pub mod container_resources_missing;
pub mod container_runs_as_root;
pub mod dangerous_commands_enabled;
pub mod down_after_out_of_range;
pub mod failover_timeout_out_of_range;
pub mod image_tag_not_pinned;
pub mod manifest_invalid_field;
pub mod manifest_unknown_field;
pub mod manifest_unknown_kind;
pub mod maxmemory_exceeds_limit;
pub mod maxmemory_headroom_too_small;
pub mod min_replicas_max_lag_too_long;
pub mod min_replicas_to_write_disabled;
pub mod min_replicas_to_write_too_high;
pub mod name_invalid;
pub mod network_policy_blocks_dns;
pub mod network_policy_blocks_service_port;
pub mod network_policy_missing;
pub mod network_policy_selects_no_pods;
pub mod password_in_values_file;
pub mod pdb_blocks_drain;
pub mod pdb_breaks_quorum;
pub mod pdb_missing;
pub mod pdb_selects_no_pods;
pub mod pod_hostname_too_long;
pub mod pods_not_spread;
pub mod privilege_escalation_allowed;
pub mod redis_replicas_too_few;
pub mod root_filesystem_writable;
pub mod sentinel_count_even;
pub mod sentinel_count_too_low;
pub mod sentinel_quorum_exceeds_count;
pub mod sentinel_quorum_not_majority;
pub mod service_monitor_port_unknown;
pub mod service_monitor_selects_no_service;
pub mod service_selects_no_pods;
pub mod service_target_port_unknown;
pub mod snapshots_without_persistence;
pub mod template_render_failed;
pub mod values_schema_violation;
