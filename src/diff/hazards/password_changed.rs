//! `password-changed`.

use serde_json::Value;

use super::{Check, Context, Finding, at, hazard, is_workload};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a password change without printing it: a credential key (`password`, `auth`,
    /// `token`, ...) of a rendered Secret that changes, appears or goes, or, when the Secret
    /// itself is not in the diff, a pod template's `checksum/secret`-style annotation that
    /// changes.
    ///
    /// ## Why is this bad?
    ///
    /// Redis and Sentinel read the password at start, so the pods restart one by one with
    /// the new one. Meanwhile old and new pods disagree: replicas cannot authenticate to a
    /// master that still has the other password, and every client still using the old
    /// password is refused as soon as its pod restarts.
    ///
    /// ## Example
    ///
    /// `auth.password` changes, or `auth.enabled` goes from `false` to `true`.
    ///
    /// ## What to do
    ///
    /// Roll the password in three steps: add the new password next to the old one on the
    /// running pods (Redis 6+: `ACL SETUSER default >NEW`, plus `CONFIG SET masterauth NEW`
    /// and `SENTINEL SET <master> auth-pass NEW`), update the clients, then upgrade.
    pub struct PasswordChanged = "password-changed", Warning;
}

fn is_credential(text: &str) -> bool {
    crate::secrets::is_credential_name(text)
}

fn fix() -> Vec<String> {
    vec![
        "before upgrading, add the new password next to the old one on every Redis pod: redis-cli ACL SETUSER default on '>NEW' (Redis 6+), redis-cli CONFIG SET masterauth NEW".to_owned(),
        "and on every sentinel: redis-cli -p 26379 SENTINEL SET <master> auth-pass NEW".to_owned(),
        "update every client to the new password, then upgrade".to_owned(),
    ]
}

impl Check for PasswordChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let before = found.len();
        for (key, old, new) in cx.changed() {
            if !key.is("", "Secret") {
                continue;
            }
            let data = |o: &Value| at(o, "/data").as_object().cloned().unwrap_or_default();
            let (old_data, new_data) = (data(old), data(new));
            let mut keys: Vec<&str> = old_data
                .keys()
                .chain(new_data.keys())
                .map(String::as_str)
                .filter(|k| old_data.get(*k) != new_data.get(*k))
                .filter(|k| is_credential(k) || is_credential(&key.name))
                .collect();
            keys.sort_unstable();
            keys.dedup();
            if keys.is_empty() {
                continue;
            }
            let list = keys
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            found.push(self.finding(
                key,
                format!(
                    "{list} changes (value not shown): pods restart with the new password, and clients still using the old one are refused"
                ),
                fix(),
            ));
        }
        if found.len() > before {
            return;
        }
        // A Secret on both sides was compared above: its values did not change, so a changed
        // checksum hashes something else (the namespace or labels of the rendered Secret).
        if cx
            .all()
            .any(|(key, old, new)| key.is("", "Secret") && old.is_some() && new.is_some())
        {
            return;
        }
        // The Secret is not rendered (`auth.existingSecret`) or not in the diff: the pod
        // templates' checksum of it still tells.
        for (key, old, new) in cx.changed() {
            if !is_workload(key) {
                continue;
            }
            let checksums = |o: &Value| {
                at(o, "/spec/template/metadata/annotations")
                    .as_object()
                    .map(|m| {
                        m.iter()
                            .filter(|(k, _)| {
                                k.starts_with("checksum/")
                                    && (k.contains("secret") || is_credential(k))
                            })
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect::<Vec<_>>()
                    })
                    .unwrap_or_default()
            };
            let (before, after) = (checksums(old), checksums(new));
            if before == after {
                continue;
            }
            let mut names: Vec<String> = before
                .iter()
                .chain(&after)
                .map(|(k, _)| k.clone())
                .filter(|k| {
                    before.iter().find(|(b, _)| b == k) != after.iter().find(|(a, _)| a == k)
                })
                .collect();
            names.sort_unstable();
            names.dedup();
            found.push(self.finding(
                key,
                format!(
                    "the pod template's {} changes: the Secret it reads the password from changed; pods restart with the new password",
                    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
                ),
                fix(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::run;
    use super::*;

    fn side(password: &str, checksum: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: auth}}\ndata: {{redis-password: {password}}}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {{name: redis}}\nspec:\n  template:\n    metadata:\n      annotations: {{checksum/secret: {checksum}}}\n"
        )
    }

    /// Rendered for another namespace: the checksum differs, the password does not.
    #[test]
    fn checksum_alone_is_no_change_when_the_secret_is_compared() {
        assert_eq!(
            run(
                &PasswordChanged,
                &side("YQ==", "aaaa"),
                &side("YQ==", "bbbb")
            ),
            []
        );
        let found = run(
            &PasswordChanged,
            &side("YQ==", "aaaa"),
            &side("Yg==", "bbbb"),
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("`redis-password` changes"),
            "{}",
            found[0].message
        );
    }
}
