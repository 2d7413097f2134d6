//! `sentinel-count-changed`.

use std::fmt::Write as _;

use super::{Check, Context, Finding, hazard, is_sentinel, is_workload, replicas, sentinel_side};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change in the number of Sentinel pods (the Sentinel workload's `replicas`;
    /// `sentinel.replicas` in the values).
    ///
    /// ## Why is this bad?
    ///
    /// Sentinels remember every sentinel they have seen. After a scale-down the remaining
    /// ones still count the removed ("ghost") sentinels, so a failover needs votes that
    /// never come. With fewer sentinels the quorum may exceed their number (no failover at
    /// all); with more, it may no longer be a majority.
    ///
    /// ## Example
    ///
    /// `sentinel.replicas` goes from `5` to `3` while `sentinel.quorum` stays `3`.
    ///
    /// ## What to do
    ///
    /// Keep the quorum a majority of the new count. After a scale-down, run `SENTINEL RESET
    /// *` on each remaining sentinel, one at a time, waiting ~30 seconds between them, then
    /// check `SENTINEL master <name>` shows the expected `num-other-sentinels`.
    pub struct SentinelCountChanged = "sentinel-count-changed", Warning;
}

impl Check for SentinelCountChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if !is_workload(key) || !is_sentinel(key, new) {
                continue;
            }
            let (before, after) = (replicas(old), replicas(new));
            if before == after {
                continue;
            }
            let quorum = sentinel_side(cx, true).quorum.map(|(_, q)| q);
            let mut message = format!("the number of sentinels changes from {before} to {after}");
            let mut fix = Vec::new();
            if after < before {
                message.push_str(": the remaining sentinels keep counting the removed ones");
                fix.push(format!(
                    "after the upgrade, on each remaining sentinel in turn, ~30 s apart: kubectl exec {}-<i> --namespace {} -- redis-cli -p 26379 SENTINEL RESET '*'",
                    key.name, key.namespace
                ));
            }
            if let Some(quorum) = quorum {
                if quorum > after {
                    let _ = write!(
                        message,
                        "; the quorum {quorum} is more than {after} sentinels: no failover can happen"
                    );
                } else if quorum <= after / 2 {
                    let _ = write!(
                        message,
                        "; the quorum {quorum} is not a majority of {after} sentinels"
                    );
                }
            }
            fix.push(format!(
                "keep `sentinel.quorum` a majority of the sentinels: {}",
                after / 2 + 1
            ));
            found.push(self.finding(key, message, fix));
        }
    }
}
