//! The `acl-replication-user-locked-out` rule.

use super::acl_login::{self, Login};
use crate::acl;
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
        let login = Login {
            user: "replicationUser",
            rules: acl::REPLICATION_RULES,
            needs: acl::REPLICATION_NEEDS,
            channel: None,
            consequence: "the replicas cannot sync from the master",
        };
        acl_login::check(cx, out, &login);
    }
}
