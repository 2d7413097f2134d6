//! The `dangerous-commands-enabled` rule.

use std::collections::BTreeSet;

use crate::acl::DANGEROUS;
use crate::lint::context::{Context, Environment};
use crate::lint::registry::{Rule, Sink, rule};
use crate::values::Value;

rule! {
    /// ## What it does
    /// Checks that production disables or renames `FLUSHALL`, `FLUSHDB`, `CONFIG` and `DEBUG`.
    /// They count as handled in `redis.disableCommands`, in `redis.renameCommands`, or with a
    /// `rename-command` in the rendered redis.conf. The run is production when `--env` or a
    /// `-f` file name has the word `prod`, `production` or `prd`.
    ///
    /// ## Why is this bad?
    /// Anyone holding the password (every application, every developer with a port-forward)
    /// can wipe the data set with one `FLUSHALL`, whose effect replicates to every replica at
    /// once; `CONFIG SET dir` plus `SAVE` writes files anywhere Redis can, and `DEBUG` can
    /// crash or freeze the server. Sentinel needs `CONFIG` to reconfigure replicas after a
    /// failover: rename it rather than disable it (the chart tells Sentinel the new name).
    ///
    /// ## Example
    /// ```yaml
    /// redis:
    ///   disableCommands: []
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// redis:
    ///   disableCommands: [FLUSHALL, FLUSHDB, DEBUG]
    ///   renameCommands:
    ///     CONFIG: CONFIG-b1946ac9
    /// ```
    ///
    /// ## References
    /// - [Redis security: disallowing specific commands](https://redis.io/docs/latest/operate/oss_and_stack/management/security/#disallowing-specific-commands)
    pub struct DangerousCommandsEnabled {
        id: "dangerous-commands-enabled",
        severity: Error,
        category: Security,
        stage: Manifests,
    }
}

impl Rule for DangerousCommandsEnabled {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.environment != Environment::Production {
            return;
        }
        let mut handled = BTreeSet::new();
        if let Some(Value::Seq(items)) = cx.value("redis.disableCommands").map(|n| &n.value) {
            for item in items {
                if let Value::Str(s) = &item.value {
                    handled.insert(s.to_ascii_uppercase());
                }
            }
        }
        if let Some(Value::Map(map)) = cx.value("redis.renameCommands").map(|n| &n.value) {
            handled.extend(map.keys().map(|k| k.to_ascii_uppercase()));
        }
        handled.extend(
            cx.redis_conf
                .all("rename-command")
                .filter_map(|args| args.first())
                .map(|command| command.to_ascii_uppercase()),
        );
        // `rename-command` and `redis.disableCommands` name whole commands: `CONFIG` for
        // `CONFIG SET`.
        let mut open: Vec<String> = Vec::new();
        for command in DANGEROUS {
            let whole = command
                .split('|')
                .next()
                .unwrap_or(command)
                .to_ascii_uppercase();
            if !handled.contains(&whole) && !open.contains(&whole) {
                open.push(whole);
            }
        }
        if open.is_empty() {
            return;
        }
        let list = open
            .iter()
            .map(|c| format!("`{c}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut hint = String::from("add them to `redis.disableCommands`");
        if open.iter().any(|c| c == "CONFIG") {
            hint.push_str(
                "; rename `CONFIG` in `redis.renameCommands` instead (Sentinel needs it)",
            );
        }
        out.report(
            cx.value_location("redis.disableCommands"),
            format!(
                "{list} {} enabled in production: one command wipes or reconfigures the server",
                if open.len() == 1 { "is" } else { "are" }
            ),
        )
        .hint(hint);
    }
}
