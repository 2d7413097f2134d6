//! The `acl-chart-user-locked-out` rule.

use crate::acl::{self, CHART_NEEDS};
use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the rules of the chart's own user (`auth.acl.chartUser.rules`) allow what the start-up script, the probes, the preStop hook and the exporter run: `PING`, `INFO`, `ROLE`, `CLIENT PAUSE`, `CLIENT UNPAUSE` and `CONFIG GET`.
    ///
    /// ## Why is this bad?
    /// The probes log in as this user: refused `PING` or `INFO`, every Redis pod fails its probes and is restarted over and over; refused `CLIENT PAUSE`, the preStop hook cannot hand the master over without losing writes; refused `INFO`, a start-up script cannot find the master and a cold start cannot elect one.
    ///
    /// ## Example
    /// ```yaml
    /// auth:
    ///   acl:
    ///     enabled: true
    ///     chartUser: {name: redis-ha, rules: "+ping"}
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// auth:
    ///   acl:
    ///     enabled: true
    ///     chartUser: {name: redis-ha, rules: "+ping +info +role +client|pause +client|unpause +client|setname +client|list +config|get +slowlog +latency"}
    /// ```
    ///
    /// ## References
    /// - [Redis ACL](https://redis.io/docs/latest/operate/oss_and_stack/management/security/acl/)
    pub struct AclChartUserLockedOut {
        id: "acl-chart-user-locked-out",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for AclChartUserLockedOut {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("auth.enabled") == Some(false) || cx.bool("auth.acl.enabled") != Some(true) {
            return;
        }
        let key = "auth.acl.chartUser.rules";
        let Some(rules) = cx.str(key) else {
            return;
        };
        let name = cx.str("auth.acl.chartUser.name").unwrap_or("?");
        let message = match acl::locked_out(rules, CHART_NEEDS, None) {
            Ok(refused) if refused.is_empty() => return,
            Ok(refused) => format!(
                "`auth.acl.chartUser` (user `{name}`) is refused {}: the probes, the start-up script and the preStop hook fail",
                refused.join(", ")
            ),
            Err(e) => format!(
                "`{key}` does not parse ({e}): Redis refuses the whole aclfile and does not start"
            ),
        };
        out.report(cx.value_location(key), message).hint(format!(
            "keep the chart's default rules in `{key}`: `{}`",
            acl::CHART_RULES
        ));
    }
}
