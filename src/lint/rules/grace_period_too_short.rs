//! The `grace-period-too-short` rule.

use crate::lint::context::{Component, Context};
use crate::lint::registry::{Rule, Sink, rule};

/// What a master's hand-over takes: replicas catching up (the chart waits up to 10 s), the
/// sentinels promoting a replica, and redis-server's own shutdown with its final save.
const HAND_OVER_SECONDS: i64 = 30;

rule! {
    /// ## What it does
    /// Checks that the Redis pods' `terminationGracePeriodSeconds` leaves their preStop hook
    /// time to hand the master over: 30 seconds at least, when the Redis container has a
    /// preStop hook.
    ///
    /// ## Why is this bad?
    /// At the end of the grace period the kubelet kills the container, hook or not. A master
    /// killed mid-hand-over has paused writes and not yet been replaced: clients wait, then the
    /// sentinels fail over only after `down-after-milliseconds`, and writes the replicas had not
    /// received are lost. The default grace period (30 s) is not enough once the final save of
    /// a large data set is added.
    ///
    /// ## Example
    /// ```yaml
    /// terminationGracePeriodSeconds: 10
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// terminationGracePeriodSeconds: 60
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: termination of pods](https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination)
    pub struct GracePeriodTooShort {
        id: "grace-period-too-short",
        severity: Error,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for GracePeriodTooShort {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        for (object, workload) in cx.workloads() {
            if workload.component != Component::Redis {
                continue;
            }
            let Some(spec) = workload.spec() else {
                continue;
            };
            let hooked = spec
                .containers
                .iter()
                .any(|c| c.lifecycle.as_ref().is_some_and(|l| l.pre_stop.is_some()));
            let grace = spec.termination_grace_period_seconds.unwrap_or(30);
            if !hooked || grace >= HAND_OVER_SECONDS {
                continue;
            }
            out.report(
                cx.traced_location(
                    "terminationGracePeriodSeconds",
                    object,
                    Some("spec.template.spec.terminationGracePeriodSeconds"),
                ),
                format!("a grace period of {grace}s cuts the preStop hand-over of the master short (it needs about {HAND_OVER_SECONDS}s)"),
            )
            .hint(format!("set `terminationGracePeriodSeconds` to at least {HAND_OVER_SECONDS}"));
        }
    }
}
