//! The `alert-expr-invalid` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::lint::typed::ProblemKind;

rule! {
    /// ## What it does
    /// Parses the `expr` of every rule of every PrometheusRule as PromQL and reports those that
    /// do not parse.
    ///
    /// ## Why is this bad?
    /// prometheus-operator accepts the object, but Prometheus refuses to load the whole rule
    /// file: not only the broken alert, every alert of the group is gone, and the only trace
    /// is a line in Prometheus' log. The alert meant to wake someone up never fires.
    ///
    /// ## Example
    /// ```yaml
    /// - alert: RedisDown
    ///   expr: redis_up == 0)        # unbalanced parenthesis
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// - alert: RedisDown
    ///   expr: redis_up == 0
    /// ```
    ///
    /// ## References
    /// - [Querying Prometheus](https://prometheus.io/docs/prometheus/latest/querying/basics/)
    pub struct AlertExprInvalid {
        id: "alert-expr-invalid",
        severity: Error,
        category: Validity,
        stage: Manifests,
    }
}

impl Rule for AlertExprInvalid {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for object in cx.objects {
            for problem in &object.problems {
                if problem.kind == ProblemKind::InvalidExpr {
                    out.report(
                        cx.object_location(object, Some(&problem.path)),
                        problem.message.clone(),
                    );
                }
            }
        }
    }
}
