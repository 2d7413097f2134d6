//! `restore-on-running-release`.

use super::{Check, Context, Finding, at, hazard};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds the restore step (`restore.enabled`: the init container `restore`) added to a
    /// Redis StatefulSet that already exists.
    ///
    /// ## Why is this bad?
    ///
    /// A restore only seeds a fresh release: the backup is loaded when every Redis pod
    /// reports an empty volume in a cold start, never over data and never while a master
    /// runs. On a running release it does nothing (each pod that starts drops the staged
    /// copy and says so in its log): whoever enabled it expecting the data to come back
    /// gets no restore and no error. Its only use on an existing release is pod 0's volume
    /// being lost while every other pod's is too.
    ///
    /// ## Example
    ///
    /// `restore.enabled` goes from `false` to `true` on an installed release.
    ///
    /// ## What to do
    ///
    /// To roll the data back, restore into a fresh release (a new release name, or the
    /// StatefulSet and its claims deleted first) and move the clients over; see "Backups and
    /// restore" in the README. Otherwise leave `restore.enabled` off.
    pub struct RestoreOnRunningRelease = "restore-on-running-release", Warning;
}

fn has_restore_step(statefulset: &serde_json::Value) -> bool {
    at(statefulset, "/spec/template/spec/initContainers")
        .as_array()
        .is_some_and(|init| init.iter().any(|c| at(c, "/name") == "restore"))
}

impl Check for RestoreOnRunningRelease {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if !key.is("apps", "StatefulSet") || has_restore_step(old) || !has_restore_step(new) {
                continue;
            }
            found.push(self.finding(
                key,
                "the restore step is added to a release that already runs: it seeds only a release whose every Redis volume is empty, so here it does nothing and no data comes back".to_owned(),
                vec![
                    "to roll the data back, restore into a fresh release (new name, or the StatefulSet and its claims deleted) and move the clients".to_owned(),
                    "otherwise leave `restore.enabled` off".to_owned(),
                ],
            ));
        }
    }
}
