//! The `startup-probe-too-short` rule.

use crate::lint::context::{Component, Context};
use crate::lint::registry::{Rule, Sink, rule};
use crate::quantity::human;

/// How fast Redis loads a data set from disk, conservatively: RDB loads at several hundred
/// MiB/s on local SSDs, an AOF replays slower, a network volume reads slower still.
const LOAD_BYTES_PER_SECOND: f64 = 50.0 * 1024.0 * 1024.0;

rule! {
    /// ## What it does
    /// Checks that the Redis container's startup probe waits long enough to load a data set of
    /// the effective `maxmemory` from disk, at 50 MiB/s. Its budget is `initialDelaySeconds +
    /// periodSeconds × failureThreshold`; without a startup probe, the liveness probe's budget
    /// counts.
    ///
    /// ## Why is this bad?
    /// Redis answers `LOADING` until the whole RDB or AOF is in memory. A probe that gives up
    /// sooner has the kubelet kill the pod mid-load; it restarts, loads again from the start,
    /// is killed again: a crash loop that only a smaller data set ends. After a full outage
    /// every pod loops and nothing comes back.
    ///
    /// ## Example
    /// ```yaml
    /// redis:
    ///   maxmemory: 24gb
    /// probes:
    ///   startup:
    ///     periodSeconds: 5
    ///     failureThreshold: 12
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// probes:
    ///   startup:
    ///     periodSeconds: 10
    ///     failureThreshold: 60
    /// ```
    ///
    /// ## References
    /// - [Kubernetes: startup probes](https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#define-startup-probes)
    pub struct StartupProbeTooShort {
        id: "startup-probe-too-short",
        severity: Error,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for StartupProbeTooShort {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(maxmemory) = cx.redis_conf.maxmemory() else {
            return;
        };
        let load = (maxmemory / LOAD_BYTES_PER_SECOND).ceil();
        for (object, workload, path, container) in cx.containers() {
            if workload.component != Component::Redis || path.contains("initContainers") {
                continue;
            }
            let (probe, name, key) = match (&container.startup_probe, &container.liveness_probe) {
                (Some(p), _) => (p, "startupProbe", "probes.startup.failureThreshold"),
                (None, Some(p)) => (p, "livenessProbe", "probes.liveness.failureThreshold"),
                (None, None) => continue,
            };
            let budget = f64::from(probe.initial_delay_seconds.unwrap_or(0))
                + f64::from(probe.period_seconds.unwrap_or(10))
                    * f64::from(probe.failure_threshold.unwrap_or(3));
            if budget >= load {
                continue;
            }
            let period = f64::from(probe.period_seconds.unwrap_or(10).max(1));
            out.report(
                cx.traced_location(key, object, Some(&format!("{path}.{name}"))),
                format!(
                    "container `{}`'s {name} gives up after {budget}s, but loading `maxmemory` {} from disk takes about {load}s: the pod is killed mid-load, again and again",
                    container.name,
                    human(maxmemory)
                ),
            )
            .hint(format!("set the probe's `failureThreshold` to at least {}", (load / period).ceil()));
        }
    }
}
