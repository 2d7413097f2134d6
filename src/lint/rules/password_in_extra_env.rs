//! The `password-in-extra-env` rule.

use crate::lint::context::{Context, is_secret_key};
use crate::lint::registry::{Rule, Sink, rule};
use crate::values::Value;

rule! {
    /// ## What it does
    /// Checks that no container has a password or token written as a literal environment
    /// variable. A variable named like a secret (`*PASSWORD*`, `*TOKEN*`, `*PASSWD*`) must take
    /// its value `valueFrom` a Secret.
    ///
    /// ## Why is this bad?
    /// A literal `value` is stored in the StatefulSet itself: anyone who can read workloads (far
    /// more people than can read Secrets) reads the password, it shows in `kubectl describe`,
    /// in `helm get manifest`, in every diff and in the values file in Git. checkov
    /// (CKV_K8S_35) and kube-linter (`env-var-secret`) flag it.
    ///
    /// ## Example
    /// ```yaml
    /// extraEnv:
    ///   - name: REDIS_PASSWORD
    ///     value: hunter2
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// extraEnv:
    ///   - name: REDIS_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: {name: redis-auth, key: redis-password}
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Secrets as environment variables](https://kubernetes.io/docs/concepts/configuration/secret/#using-secrets-as-environment-variables)
    pub struct PasswordInExtraEnv {
        id: "password-in-extra-env",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

/// The values key of the `extraEnv` entry that set this variable, if one did.
fn env_key(cx: &Context<'_>, prefix: &str, name: &str) -> Option<String> {
    let list = format!("{prefix}extraEnv");
    let Value::Seq(items) = &cx.value(&list)?.value else {
        return None;
    };
    items
        .iter()
        .position(|item| match &item.value {
            Value::Map(map) => map
                .get("name")
                .is_some_and(|n| matches!(&n.value, Value::Str(s) if s == name)),
            _ => false,
        })
        .map(|i| format!("{list}[{i}].value"))
}

impl Rule for PasswordInExtraEnv {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload, path, container) in cx.containers() {
            for (i, env) in container.env.iter().flatten().enumerate() {
                if !is_secret_key(&env.name) || env.value.as_deref().is_none_or(str::is_empty) {
                    continue;
                }
                let field = format!("{path}.env[{i}]");
                let location = workload
                    .component
                    .values_prefix()
                    .and_then(|p| env_key(cx, p, &env.name))
                    .map_or_else(
                        || cx.object_location(object, Some(&field)),
                        |key| cx.traced_location(&key, object, Some(&field)),
                    );
                out.report(
                    location,
                    format!("container `{}` has `{}` as a literal value, readable by anyone who can read the workload", container.name, env.name),
                )
                .hint("take it `valueFrom: {secretKeyRef: ...}`, from a Secret");
            }
        }
    }
}
