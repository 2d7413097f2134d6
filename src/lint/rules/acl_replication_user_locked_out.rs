//! The `acl-replication-user-locked-out` rule.

use crate::acl::{self, REPLICATION_NEEDS};
use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the replication user's rules (`auth.acl.replicationUser.rules`) allow what a replica runs on its master: `PSYNC`, `REPLCONF` and `PING`.
    ///
    /// ## Why is this bad?
    /// Every replica logs in to its master as this user (`masteruser`). Refused `PSYNC`, no replica ever syncs: writes are acknowledged by the master alone, `min-replicas-to-write` stops them, and a failover has no replica to promote.
    ///
    /// ## Example
    /// ```yaml
    /// auth:
    ///   acl:
    ///     enabled: true
    ///     replicationUser: {name: replication, rules: "+@read", passwordKey: replication-password}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// auth:
    ///   acl:
    ///     enabled: true
    ///     replicationUser: {name: replication, rules: "+psync +replconf +ping", passwordKey: replication-password}
    /// ```
    ///
    /// ## References
    /// - [Redis ACL](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/)
    pub struct AclReplicationUserLockedOut {
        id: "acl-replication-user-locked-out",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for AclReplicationUserLockedOut {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("auth.enabled") == Some(false) || cx.bool("auth.acl.enabled") != Some(true) {
            return;
        }
        let key = "auth.acl.replicationUser.rules";
        let Some(rules) = cx.str(key) else {
            return;
        };
        let name = cx.str("auth.acl.replicationUser.name").unwrap_or("?");
        let message = match acl::locked_out(rules, REPLICATION_NEEDS, None) {
            Ok(refused) if refused.is_empty() => return,
            Ok(refused) => format!(
                "`auth.acl.replicationUser` (user `{name}`) is refused {}: the replicas cannot sync from the master",
                refused.join(", ")
            ),
            Err(e) => format!(
                "`{key}` does not parse ({e}): Redis refuses the whole aclfile and does not start"
            ),
        };
        out.report(cx.value_location(key), message).hint(format!(
            "keep the chart's default rules in `{key}`: `{}`",
            acl::REPLICATION_RULES
        ));
    }
}
