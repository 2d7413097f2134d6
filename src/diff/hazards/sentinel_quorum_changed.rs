//! `sentinel-quorum-changed`.

use std::fmt::Write as _;

use super::{Check, Context, Finding, hazard, is_sentinel, replicas, sentinel_side};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change of the Sentinel quorum (the last number of `sentinel monitor NAME HOST
    /// PORT QUORUM` in the rendered Sentinel configuration; `sentinel.quorum` in the values).
    ///
    /// ## Why is this bad?
    ///
    /// The quorum is how many sentinels must agree that the master is down. Sentinels only
    /// read it at start, so during the rollout they disagree; a quorum above the number of
    /// sentinels means no failover ever happens, and one at or below half of them lets a
    /// minority partition declare the master down.
    ///
    /// ## Example
    ///
    /// `sentinel.quorum` goes from `2` to `3` with 3 sentinels: one sentinel restarting is
    /// enough to block every failover.
    ///
    /// ## What to do
    ///
    /// Keep the quorum a majority of the sentinels (`replicas / 2 + 1`). To apply it without
    /// waiting for restarts, run `SENTINEL SET <master> quorum N` on each sentinel.
    pub struct SentinelQuorumChanged = "sentinel-quorum-changed", Warning;
}

impl Check for SentinelQuorumChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let new_side = sentinel_side(cx, true);
        let (Some((_, before)), Some((key, after))) =
            (sentinel_side(cx, false).quorum, new_side.quorum)
        else {
            return;
        };
        let master = new_side
            .master_name
            .as_ref()
            .map_or("<master>", |(_, name)| name.as_str());
        if before == after {
            return;
        }
        let sentinels = cx
            .all()
            .filter_map(|(k, _, new)| Some((k, new?)))
            .find(|(k, new)| super::is_workload(k) && is_sentinel(k, new))
            .map(|(_, new)| replicas(new));
        let mut message = format!(
            "the Sentinel quorum changes from {before} to {after}; sentinels disagree until all have restarted"
        );
        if let Some(count) = sentinels {
            if after > count {
                let _ = write!(
                    message,
                    ", and {after} is more than the {count} sentinels: no failover can ever happen"
                );
            } else if after <= count / 2 {
                let _ = write!(
                    message,
                    ", and {after} is not a majority of the {count} sentinels: a minority can declare the master down"
                );
            }
        }
        found.push(self.finding(
            key,
            message,
            vec![
                "keep the quorum a majority of the sentinels: replicas / 2 + 1".to_owned(),
                format!(
                    "to apply it at once: redis-cli -p 26379 SENTINEL SET {master} quorum {after}   # on each sentinel"
                ),
            ],
        ));
    }
}
