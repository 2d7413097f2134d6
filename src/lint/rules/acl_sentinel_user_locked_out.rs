//! The `acl-sentinel-user-locked-out` rule.

use super::acl_login::{self, Login};
use crate::acl;
use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks, with Sentinel, that the Sentinel user's rules (`auth.acl.sentinelUser.rules`) allow every command Sentinel runs on Redis (redis.io's Sentinel ACL list: `MULTI`, `EXEC`, `SLAVEOF`, `PING`, `SUBSCRIBE`, `PUBLISH`, `CONFIG REWRITE`, `ROLE`, `INFO`, `CLIENT SETNAME`, `CLIENT KILL`, `SCRIPT KILL`) and the channel `__sentinel__:hello`.
    ///
    /// ## Why is this bad?
    /// The sentinels log in to every Redis server as this user (`sentinel auth-user`). Refused `INFO` or `PING`, they see every server down; refused `SLAVEOF` or `CONFIG REWRITE`, a failover cannot promote a replica or repoint the others; refused the hello channel, they never discover each other and never reach a quorum.
    ///
    /// ## Example
    /// ```yaml
    /// auth:
    ///   acl:
    ///     enabled: true
    ///     sentinelUser: {name: sentinel, rules: "+ping +info", passwordKey: sentinel-password}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// auth:
    ///   acl:
    ///     enabled: true
    ///     sentinelUser: {name: sentinel, rules: "+multi +slaveof +ping +exec +subscribe +config|rewrite +role +publish +info +client|setname +client|kill +script|kill \&__sentinel__:hello", passwordKey: sentinel-password}
    /// ```
    ///
    /// ## References
    /// - [Redis ACL](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/)
    pub struct AclSentinelUserLockedOut {
        id: "acl-sentinel-user-locked-out",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for AclSentinelUserLockedOut {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if !cx.uses_sentinel() {
            return;
        }
        let login = Login {
            user: "sentinelUser",
            rules: acl::SENTINEL_RULES,
            needs: acl::SENTINEL_NEEDS,
            channel: Some(acl::SENTINEL_CHANNEL),
            consequence: "the sentinels cannot monitor or fail over Redis",
        };
        acl_login::check(cx, out, &login);
    }
}
