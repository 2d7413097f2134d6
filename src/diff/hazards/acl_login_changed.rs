//! `acl-login-changed`.

use serde_json::Value;

use super::{Check, Context, Finding, hazard};
use crate::diff::hazards::Documented as _;
use crate::diff::matching::ResourceKey;

hazard! {
    /// ## What it does
    ///
    /// Finds a change of the user the replicas or the sentinels log in to Redis as
    /// (`auth.acl.replicationUser.name`, `auth.acl.sentinelUser.name`), including ACL turning
    /// on or off on a running release (the login moves from the default user to a named one).
    /// It reads the logins from the rendered start-up scripts (`common.sh`).
    ///
    /// ## Why is this bad?
    ///
    /// During the rolling upgrade, a restarted replica logs in to a master that is still an old
    /// pod, whose ACL has no such user (or refuses the default one): `AUTH` fails and the
    /// replica stays unsynced until the master's pod is replaced. With `min-replicas-to-write`,
    /// the master then refuses writes; a failover in that window has no synced replica.
    ///
    /// ## Example
    ///
    /// `auth.acl.enabled` goes from `false` to `true`.
    ///
    /// ## What to do
    ///
    /// Before the upgrade, create the new users on every running Redis pod with `ACL SETUSER`
    /// (the same rules, the password from the Secret), so old and new pods accept both logins;
    /// then upgrade and check `INFO replication` and `SENTINEL replicas <master>`.
    pub struct AclLoginChanged = "acl-login-changed", Warning;
}

/// The replication and Sentinel logins a side's scripts use; `default` without ACL.
fn logins<'a>(cx: &Context<'a>, new_side: bool) -> Option<(&'a ResourceKey, [String; 2])> {
    for (key, old, new) in cx.all() {
        let Some(object) = (if new_side { new } else { old }) else {
            continue;
        };
        if !key.is("", "ConfigMap") {
            continue;
        }
        let Some(script) = object.pointer("/data/common.sh").and_then(Value::as_str) else {
            continue;
        };
        let user = |name: &str| {
            script
                .lines()
                .find_map(|l| l.trim().strip_prefix(name))
                .map_or_else(|| "default".to_owned(), |v| v.trim_matches('\'').to_owned())
        };
        return Some((
            key,
            [user("ACL_REPLICATION_USER="), user("ACL_SENTINEL_USER=")],
        ));
    }
    None
}

impl Check for AclLoginChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let (Some((_, old)), Some((key, new))) = (logins(cx, false), logins(cx, true)) else {
            return;
        };
        for (who, (old, new)) in ["replicas", "sentinels"].iter().zip(old.iter().zip(&new)) {
            if old == new {
                continue;
            }
            found.push(self.finding(
                key,
                format!(
                    "the {who} log in to Redis as `{new}` instead of `{old}`: until the rollout ends, a new pod's login is refused by an old master, and replication or monitoring stops"
                ),
                vec![
                    format!("before the upgrade, create `{new}` on every running Redis pod (`ACL SETUSER {new} on >… <its rules>`)"),
                    "then upgrade and check `INFO replication` on each pod and `SENTINEL replicas <master>`".to_owned(),
                ],
            ));
        }
    }
}
