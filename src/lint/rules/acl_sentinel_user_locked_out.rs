//! The `acl-sentinel-user-locked-out` rule.

use crate::acl::{self, SENTINEL_NEEDS};
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
        if cx.bool("auth.enabled") == Some(false)
            || cx.bool("auth.acl.enabled") != Some(true)
            || !cx.uses_sentinel()
        {
            return;
        }
        let key = "auth.acl.sentinelUser.rules";
        let Some(rules) = cx.str(key) else {
            return;
        };
        let name = cx.str("auth.acl.sentinelUser.name").unwrap_or("?");
        let message = match acl::locked_out(rules, SENTINEL_NEEDS, Some(acl::SENTINEL_CHANNEL)) {
            Ok(refused) if refused.is_empty() => return,
            Ok(refused) => format!(
                "`auth.acl.sentinelUser` (user `{name}`) is refused {}: the sentinels cannot monitor or fail over Redis",
                refused.join(", ")
            ),
            Err(e) => format!(
                "`{key}` does not parse ({e}): Redis refuses the whole aclfile and does not start"
            ),
        };
        out.report(cx.value_location(key), message).hint(format!(
            "keep the chart's default rules in `{key}`: `{}`",
            acl::SENTINEL_RULES
        ));
    }
}
