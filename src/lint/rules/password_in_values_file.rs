//! The `password-in-values-file` rule.

use crate::lint::context::{Context, Environment};
use crate::lint::registry::{Rule, Sink, rule};
use crate::values::Value;

rule! {
    /// ## What it does
    /// Reports a password written in a values file (`auth.password`) other than a dev one,
    /// at its line. A file counts as dev when a word of its name is `dev`, `development` or
    /// `local` (`values-dev.yaml`).
    ///
    /// ## Why is this bad?
    /// A values file lives in version control: the password is then in every clone, every fork,
    /// every CI log that prints the file, and in the history long after it is rotated. Keep it
    /// in a Secret created out of band (Sealed Secrets, External Secrets, Vault) and point the
    /// chart at it. A warning rather than an error, so that a throwaway staging password does
    /// not block a pipeline; `--strict`, as production pipelines should run, fails on it.
    ///
    /// ## Example
    /// ```yaml
    /// # values-production.yaml
    /// auth:
    ///   password: s3cr3t
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// # values-production.yaml
    /// auth:
    ///   existingSecret: redis-auth
    ///   existingSecretPasswordKey: redis-password
    /// ```
    pub struct PasswordInValuesFile {
        id: "password-in-values-file",
        severity: Warning,
        category: Security,
        stage: Values,
    }
}

impl Rule for PasswordInValuesFile {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(node) = cx.value("auth.password") else {
            return;
        };
        if matches!(&node.value, Value::Str(s) if s.is_empty()) || node.value == Value::Null {
            return;
        }
        let Some((path, _, _)) = node.origin.file_position() else {
            return;
        };
        if Environment::of_name(path) == Environment::Dev {
            return;
        }
        out.report(
            cx.value_location("auth.password"),
            "`auth.password` is written in a values file that is not a dev one: the password ends up in version control",
        )
        .hint("create the Secret out of band and set `auth.existingSecret` instead");
    }
}
