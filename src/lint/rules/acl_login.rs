//! What the ACL rules share (not a rule of its own): one of the chart's logins checked
//! against what its consumer runs, and the application users of `auth.acl.users`.

use crate::acl;
use crate::lint::context::Context;
use crate::lint::registry::Sink;
use crate::values::Value;

/// One login the chart's own parts use, under `auth.acl.<user>`.
pub(super) struct Login {
    /// Its key under `auth.acl` (`replicationUser`).
    pub user: &'static str,
    /// The chart's default rules, the fix.
    pub rules: &'static str,
    /// The commands its consumer runs.
    pub needs: &'static [&'static str],
    /// The Pub/Sub channel its consumer needs, if any.
    pub channel: Option<&'static str>,
    /// What breaks when it is refused, after a colon.
    pub consequence: &'static str,
}

/// Reports `login` when ACL users are on and its rules refuse what it needs (or do not parse).
pub(super) fn check(cx: &Context<'_>, out: &mut Sink<'_>, login: &Login) {
    if cx.bool("auth.enabled") == Some(false) || cx.bool("auth.acl.enabled") != Some(true) {
        return;
    }
    let key = format!("auth.acl.{}.rules", login.user);
    let Some(rules) = cx.str(&key) else {
        return;
    };
    let name = cx
        .str(&format!("auth.acl.{}.name", login.user))
        .unwrap_or("?");
    let message = match acl::locked_out(rules, login.needs, login.channel) {
        Ok(refused) if refused.is_empty() => return,
        Ok(refused) => format!(
            "`auth.acl.{}` (user `{name}`) is refused {}: {}",
            login.user,
            refused.join(", "),
            login.consequence
        ),
        Err(e) => format!(
            "`{key}` does not parse ({e}): Redis refuses the whole aclfile and does not start"
        ),
    };
    out.report(cx.value_location(&key), message).hint(format!(
        "keep the chart's default rules in `{key}`: `{}`",
        login.rules
    ));
}

/// The application users (`auth.acl.users`) with a name and rules, when ACL users are on:
/// (index in the list, name, rules).
pub(super) fn application_users<'a>(cx: &Context<'a>) -> Vec<(usize, &'a str, &'a str)> {
    if cx.bool("auth.enabled") == Some(false) || cx.bool("auth.acl.enabled") != Some(true) {
        return Vec::new();
    }
    let Some(Value::Seq(users)) = cx.value("auth.acl.users").map(|n| &n.value) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (index, user) in users.iter().enumerate() {
        let Value::Map(fields) = &user.value else {
            continue;
        };
        let field = |name: &str| match fields.get(name).map(|n| &n.value) {
            Some(Value::Str(s)) => Some(s.as_str()),
            _ => None,
        };
        if let (Some(name), Some(rules)) = (field("name"), field("rules")) {
            out.push((index, name, rules));
        }
    }
    out
}
