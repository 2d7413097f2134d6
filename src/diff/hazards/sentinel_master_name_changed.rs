//! `sentinel-master-name-changed`.

use super::{Check, Context, Finding, hazard, sentinel_side};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a change of the master name that Sentinel monitors (`sentinel monitor NAME ...`
    /// in the rendered Sentinel configuration; `sentinel.masterName` in the values).
    ///
    /// ## Why is this bad?
    ///
    /// Clients ask Sentinel for the master by this name (`SENTINEL get-master-addr-by-name
    /// mymaster`). Once the sentinels restart with the new name, every client still using the
    /// old one gets no master and stops writing; during the rollout, old and new sentinels
    /// answer to different names.
    ///
    /// ## Example
    ///
    /// `sentinel.masterName` goes from `mymaster` to `cache`.
    ///
    /// ## What to do
    ///
    /// Keep the old name unless every client can switch at once. Otherwise update the
    /// clients' configured master name in the same change window, right after the sentinels
    /// have restarted.
    pub struct SentinelMasterNameChanged = "sentinel-master-name-changed", Warning;
}

impl Check for SentinelMasterNameChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let (Some((_, before)), Some((key, after))) = (
            &sentinel_side(cx, false).master_name,
            &sentinel_side(cx, true).master_name,
        ) else {
            return;
        };
        if before == after {
            return;
        }
        found.push(self.finding(
            key,
            format!(
                "the Sentinel master name changes from `{before}` to `{after}`: clients asking for `{before}` get no master once the sentinels restart"
            ),
            vec![
                format!("keep `sentinel.masterName: {before}` unless every client can switch"),
                format!("otherwise switch the clients' master name to `{after}` right after the sentinels restart"),
            ],
        ));
    }
}
