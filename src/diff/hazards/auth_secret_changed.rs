//! `auth-secret-changed`.

use serde_json::Value;

use super::{Check, Context, Finding, at, hazard, is_workload};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds a pod template whose environment variable takes its value from another Secret or
    /// another key (`valueFrom.secretKeyRef`), or whose Secret volume names another Secret:
    /// `auth.existingSecret` or `auth.existingSecretPasswordKey` changes.
    ///
    /// ## Why is this bad?
    ///
    /// The diff cannot see what the other Secret holds. If it is another password, it is a
    /// password change (see `password-changed`): pods restarted with it cannot replicate
    /// from, or be reached by, those still on the old one. If the Secret or the key does not
    /// exist, the new pods do not start (`CreateContainerConfigError`) and the rollout stops
    /// half-way.
    ///
    /// ## Example
    ///
    /// `auth.existingSecret` goes from `redis-ha-auth` to `redis-auth-2024`.
    ///
    /// ## What to do
    ///
    /// Before upgrading, check that the new Secret and key exist in the namespace and hold
    /// the password the running pods use (compare digests, never print the values). If the
    /// password differs, follow `redis-ha diff --explain password-changed`.
    pub struct AuthSecretChanged = "auth-secret-changed", Warning;
}

/// `(what, Secret name, key)` for every Secret reference of a pod template: env vars by name,
/// volumes by name.
fn references(workload: &Value) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let spec = at(workload, "/spec/template/spec");
    for list in ["containers", "initContainers"] {
        for container in at(spec, &format!("/{list}"))
            .as_array()
            .into_iter()
            .flatten()
        {
            let name = at(container, "/name").as_str().unwrap_or("");
            for env in at(container, "/env").as_array().into_iter().flatten() {
                let reference = at(env, "/valueFrom/secretKeyRef");
                if let Some(secret) = reference.get("name").and_then(Value::as_str) {
                    out.push((
                        format!("`{}` of container `{name}`", plain(at(env, "/name"))),
                        secret.to_owned(),
                        plain(&reference["key"]),
                    ));
                }
            }
        }
    }
    for volume in at(spec, "/volumes").as_array().into_iter().flatten() {
        if let Some(secret) = at(volume, "/secret/secretName").as_str() {
            out.push((
                format!("volume `{}`", plain(at(volume, "/name"))),
                secret.to_owned(),
                String::new(),
            ));
        }
    }
    out
}

fn plain(value: &Value) -> String {
    value.as_str().unwrap_or("").to_owned()
}

impl Check for AuthSecretChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if !is_workload(key) {
                continue;
            }
            let before = references(old);
            let mut changes = Vec::new();
            for (what, secret, item) in references(new) {
                let Some((_, old_secret, old_item)) = before.iter().find(|(w, ..)| *w == what)
                else {
                    continue;
                };
                if *old_secret == secret && *old_item == item {
                    continue;
                }
                let show = |s: &str, k: &str| {
                    if k.is_empty() {
                        format!("Secret `{s}`")
                    } else {
                        format!("Secret `{s}` key `{k}`")
                    }
                };
                changes.push(format!(
                    "{what} now comes from {} (was {})",
                    show(&secret, &item),
                    show(old_secret, old_item)
                ));
            }
            if changes.is_empty() {
                continue;
            }
            let ns = &key.namespace;
            found.push(self.finding(
                key,
                format!(
                    "{}: if it holds another password, restarted pods cannot talk to the others; if it is missing, they do not start",
                    changes.join("; ")
                ),
                vec![
                    format!("check the new Secret and key exist (this lists the keys only): kubectl get secret <name> --namespace {ns} -o go-template='{{{{range $k, $v := .data}}}}{{{{$k}}}}{{{{\"\\n\"}}}}{{{{end}}}}'"),
                    format!("compare the passwords by digest, never by value: kubectl get secret <name> --namespace {ns} -o jsonpath='{{.data.<key>}}' | sha256sum, for the old and the new one"),
                    "if they differ, follow: redis-ha diff --explain password-changed".to_owned(),
                ],
            ));
        }
    }
}
