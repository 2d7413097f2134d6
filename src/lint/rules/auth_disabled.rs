//! The `auth-disabled` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that password authentication is on (`auth.enabled`).
    ///
    /// ## Why is this bad?
    /// Without `requirepass`, anything that can open a connection to port 6379 can read every
    /// key, `FLUSHALL` the data set, or `REPLICAOF` the master to a server it controls, and
    /// any pod of the cluster can open that connection unless a NetworkPolicy stops it. Redis'
    /// own protected mode does not apply: the chart binds to the pod's interfaces.
    ///
    /// ## Example
    /// ```yaml
    /// auth:
    ///   enabled: false
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// auth:
    ///   enabled: true
    ///   existingSecret: redis-auth
    /// ```
    ///
    /// ## References
    /// - [Redis security: authentication](https://redis.io/docs/latest/operate/oss_and_stack/management/security/#authentication)
    pub struct AuthDisabled {
        id: "auth-disabled",
        severity: Error,
        category: Security,
        stage: Values,
    }
}

impl Rule for AuthDisabled {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("auth.enabled") == Some(false) {
            out.report(
                cx.value_location("auth.enabled"),
                "`auth.enabled` is false: any pod that reaches Redis can read and delete every key",
            )
            .hint("set `auth.enabled: true` and `auth.existingSecret` to a Secret holding the password");
        }
    }
}
