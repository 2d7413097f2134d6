//! The `acl-user-rules-invalid` rule.

use crate::acl::Rules;
use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

use super::acl_login::application_users;

rule! {
    /// ## What it does
    /// Checks that the rules of every application user in `auth.acl.users` read as Redis reads
    /// `ACL SETUSER` arguments: commands and categories (`+get`, `-@dangerous`,
    /// `+config|get`), key patterns (`~app:*`, `%R~cache:*`), channels (`&events:*`), closed
    /// selectors (`(~cache:* +get)`), and no password, `nopass` or `reset`.
    ///
    /// ## Why is this bad?
    /// Redis loads the `aclfile` whole or not at all: one word it does not know in one user's
    /// rules and every pod fails to start, the replication and Sentinel logins with it. A
    /// `nopass` user lets anyone in; `reset` or `resetpass` drops the password the chart
    /// sets from the Secret.
    ///
    /// ## Example
    /// ```yaml
    /// auth:
    ///   acl:
    ///     users:
    ///       - {name: orders, rules: "~orders:* get set", passwordKey: orders-password}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// auth:
    ///   acl:
    ///     users:
    ///       - {name: orders, rules: "~orders:* +get +set", passwordKey: orders-password}
    /// ```
    ///
    /// ## References
    /// - [Redis ACL rules](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/#acl-rules)
    pub struct AclUserRulesInvalid {
        id: "acl-user-rules-invalid",
        severity: Error,
        category: Validity,
        stage: Values,
    }
}

impl Rule for AclUserRulesInvalid {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (index, name, text) in application_users(cx) {
            let Err(error) = Rules::parse(text) else {
                continue;
            };
            out.report(
                cx.value_location(&format!("auth.acl.users[{index}].rules")),
                format!(
                    "the rules of the ACL user `{name}` do not parse ({error}): Redis refuses the whole aclfile and no pod starts"
                ),
            )
            .hint("write commands as `+cmd` or `-cmd`, categories as `+@cat`, keys as `~pattern`, channels as `&pattern`; passwords come from the Secret (`passwordKey`)");
        }
    }
}
