//! The `master-endpoint-check-unauthenticated` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that the health checks of the master endpoint (HAProxy's `haproxy.cfg`)
    /// authenticate when Redis requires a password (`auth.enabled`).
    ///
    /// ## Why is this bad?
    /// Without `AUTH`, Redis answers every check with `-NOAUTH`: no pod ever passes the
    /// `role:master` check, the master endpoint routes to nothing and every client of
    /// `<release>-master` is refused, while the Redis pods themselves look healthy.
    ///
    /// ## Example
    /// ```text
    /// backend master
    ///   option tcp-check
    ///   tcp-check send "INFO replication\r\n"
    ///   tcp-check expect string role:master
    /// ```
    ///
    /// Use instead: the chart's own configuration, which sends `AUTH` first
    /// (`tcp-check send-binary "${HAPROXY_REDIS_AUTH}"`, built from the Secret at start).
    ///
    /// ## References
    /// - [HAProxy: tcp-check send-binary](https://docs.haproxy.org/2.6/configuration.html#4.2-tcp-check%20send-binary)
    pub struct MasterEndpointCheckUnauthenticated {
        id: "master-endpoint-check-unauthenticated",
        severity: Error,
        category: Wiring,
        stage: Manifests,
    }
}

impl Rule for MasterEndpointCheckUnauthenticated {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("auth.enabled") == Some(false) {
            return;
        }
        for object in cx.of_kind("ConfigMap") {
            let Some(config) = object
                .manifest
                .object
                .pointer("/data/haproxy.cfg")
                .and_then(|v| v.as_str())
            else {
                continue;
            };
            let checks =
                config.contains("tcp-check connect") || config.contains("option tcp-check");
            let authenticates = config.contains("HAPROXY_REDIS_AUTH") || config.contains("AUTH ");
            if checks && !authenticates {
                out.report(
                    cx.object_location(object, Some("data")),
                    "the HAProxy health checks of the master endpoint send no `AUTH`, but Redis requires a password: no pod passes the check",
                )
                .hint("send the AUTH command first (`tcp-check send-binary \"${HAPROXY_REDIS_AUTH}\"` then `tcp-check expect string +OK`)");
            }
        }
    }
}
