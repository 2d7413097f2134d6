//! The `acl-user-allows-dangerous-commands` rule.

use crate::acl::{DANGEROUS, Rules};
use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

use super::acl_login::application_users;

rule! {
    /// ## What it does
    /// Checks that no application user of `auth.acl.users` may run `FLUSHALL`, `FLUSHDB`,
    /// `CONFIG SET` or `DEBUG`, as `+@all`, `allcommands`, `+@dangerous`, `+@write` without
    /// `-@dangerous` or the commands themselves allow.
    ///
    /// ## Why is this bad?
    /// An application's password leaks with its configuration; a user that may `FLUSHALL`
    /// wipes every key on every replica at once, and `CONFIG SET` rewrites the server. ACL
    /// users are the place to give each application only what it runs.
    ///
    /// ## Example
    /// ```yaml
    /// auth:
    ///   acl:
    ///     users:
    ///       - {name: orders, rules: "~orders:* +@all", passwordKey: orders-password}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// auth:
    ///   acl:
    ///     users:
    ///       - {name: orders, rules: "~orders:* +@read +@write -@dangerous", passwordKey: orders-password}
    /// ```
    ///
    /// ## References
    /// - [Redis ACL: command categories](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/#command-categories)
    pub struct AclUserAllowsDangerousCommands {
        id: "acl-user-allows-dangerous-commands",
        severity: Warning,
        category: Security,
        stage: Values,
    }
}

impl Rule for AclUserAllowsDangerousCommands {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (_, name, text) in application_users(cx) {
            let Ok(rules) = Rules::parse(text) else {
                continue;
            };
            let allowed = rules.allowed(DANGEROUS);
            if allowed.is_empty() {
                continue;
            }
            let list = allowed
                .iter()
                .map(|c| format!("`{}`", c.replace('|', " ").to_ascii_uppercase()))
                .collect::<Vec<_>>()
                .join(", ");
            out.report(
                cx.value_location("auth.acl.users"),
                format!("the ACL user `{name}` may run {list}: its password alone wipes or reconfigures the server"),
            )
            .hint(format!("end its rules with `-@dangerous` (`{text} -@dangerous`)"));
        }
    }
}
