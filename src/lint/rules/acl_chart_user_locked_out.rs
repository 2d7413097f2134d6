//! The `acl-chart-user-locked-out` rule.

use super::acl_login::{self, Login};
use crate::acl;
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
        let login = Login {
            user: "chartUser",
            rules: acl::CHART_RULES,
            needs: acl::CHART_NEEDS,
            channel: None,
            consequence: "the probes, the start-up script and the preStop hook fail",
        };
        acl_login::check(cx, out, &login);
    }
}
