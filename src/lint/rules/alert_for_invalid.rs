//! The `alert-for-invalid` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::lint::typed::ProblemKind;

rule! {
    /// ## What it does
    /// Checks that the `for` of every PrometheusRule alert is a Prometheus duration. That is
    /// units from `y` down to `ms`, largest first (`1h30m`), or `0`.
    ///
    /// ## Why is this bad?
    /// Prometheus refuses to load a rule file with an invalid duration, and every alert of that
    /// file with it. A bare number (`for: 5`) is the usual mistake: it is not five minutes, it is
    /// not a duration at all.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: RedisDown
    ///   expr: redis_up == 0
    ///   for: 5          # no unit
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// - alert: RedisDown
    ///   expr: redis_up == 0
    ///   for: 5m
    /// ```
    ///
    /// ## References
    /// - [Prometheus durations](https://prometheus.io/docs/prometheus/latest/querying/basics/#float-literals-and-time-durations)
    pub struct AlertForInvalid {
        id: "alert-for-invalid",
        severity: Error,
        category: Validity,
        stage: Manifests,
    }
}

impl Rule for AlertForInvalid {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for object in cx.objects {
            for problem in &object.problems {
                if problem.kind == ProblemKind::InvalidFor {
                    out.report(
                        cx.object_location(object, Some(&problem.path)),
                        problem.message.clone(),
                    )
                    .hint("write a duration with a unit: `30s`, `5m`, `1h`");
                }
            }
        }
    }
}
