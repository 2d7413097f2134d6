//! The `capabilities-not-dropped` rule.

use crate::lint::context::{Component, Context};
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that every container drops all Linux capabilities. That is `capabilities.drop:
    /// [ALL]`, and no added capability but `NET_BIND_SERVICE`.
    ///
    /// ## Why is this bad?
    /// Container runtimes grant a default set of capabilities (`CHOWN`, `SETUID`, `NET_RAW`,
    /// ...) that Redis never uses; each is a tool for an attacker who gets code execution,
    /// `NET_RAW` for spoofing traffic to other pods among them. The `restricted` Pod Security
    /// Standard requires dropping them all.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: [SYS_ADMIN]
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: [ALL]
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: Pod Security Standards, restricted](https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted)
    pub struct CapabilitiesNotDropped {
        id: "capabilities-not-dropped",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for CapabilitiesNotDropped {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload, path, container) in cx.containers() {
            let caps = container
                .security_context
                .as_ref()
                .and_then(|c| c.capabilities.as_ref());
            let drops_all = caps
                .and_then(|c| c.drop.as_ref())
                .is_some_and(|d| d.iter().any(|c| c.eq_ignore_ascii_case("ALL")));
            let added: Vec<&str> = caps
                .and_then(|c| c.add.as_ref())
                .into_iter()
                .flatten()
                .map(String::as_str)
                .filter(|c| !c.eq_ignore_ascii_case("NET_BIND_SERVICE"))
                .collect();
            let (problem, hint) = if !added.is_empty() {
                (
                    format!("adds capabilities {}", added.join(", ")),
                    if drops_all {
                        format!("remove {} from `capabilities.add`", added.join(", "))
                    } else {
                        format!(
                            "remove {} from `capabilities.add` and set `drop: [ALL]`",
                            added.join(", ")
                        )
                    },
                )
            } else if !drops_all {
                (
                    "does not drop all capabilities".to_owned(),
                    "set `capabilities: {drop: [ALL]}` in its security context".to_owned(),
                )
            } else {
                continue;
            };
            let field = format!("{path}.securityContext");
            let location = if added.is_empty() || workload.component == Component::Other {
                cx.object_location(object, Some(&field))
            } else {
                cx.traced_location(
                    "containerSecurityContext.capabilities.add",
                    object,
                    Some(&field),
                )
            };
            // Traced to the value, the finding is the value's, whichever containers use it.
            let message = if location.object.is_some() {
                format!("container `{}` {problem}", container.name)
            } else {
                format!("the containers' security context {problem}")
            };
            out.report(location, message).hint(hint);
        }
    }
}
