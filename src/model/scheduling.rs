//! Where pods run and how they are disrupted: anti-affinity, topology spread, PDBs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Pod anti-affinity between the pods of one component (Redis, or Sentinel).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum AntiAffinity {
    Soft,
    Hard,
}

/// A topology spread constraint; the chart adds the label selector of the component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct TopologySpreadConstraint {
    /// Node label whose values are the domains to spread over.
    #[schemars(length(min = 1))]
    pub topology_key: String,
    /// Largest allowed difference of pod counts between two domains.
    #[schemars(range(min = 1))]
    pub max_skew: u32,
    /// What the scheduler does when the constraint cannot be met.
    pub when_unsatisfiable: WhenUnsatisfiable,
}

impl Default for TopologySpreadConstraint {
    fn default() -> Self {
        Self {
            topology_key: "topology.kubernetes.io/zone".to_owned(),
            max_skew: 1,
            when_unsatisfiable: WhenUnsatisfiable::ScheduleAnyway,
        }
    }
}

/// `whenUnsatisfiable` of a topology spread constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum WhenUnsatisfiable {
    DoNotSchedule,
    ScheduleAnyway,
}

/// PodDisruptionBudgets of Redis and Sentinel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Pdb {
    /// Render the PodDisruptionBudgets.
    pub enabled: bool,
    /// `maxUnavailable` of the Redis pods during a voluntary disruption (a node drain).
    #[schemars(range(min = 1))]
    pub redis_max_unavailable: u32,
    /// `maxUnavailable` of the Sentinel pods; keep `sentinel.replicas` minus this at or above `sentinel.quorum`.
    #[schemars(range(min = 1))]
    pub sentinel_max_unavailable: u32,
}

impl Default for Pdb {
    fn default() -> Self {
        Self {
            enabled: true,
            redis_max_unavailable: 1,
            sentinel_max_unavailable: 1,
        }
    }
}
