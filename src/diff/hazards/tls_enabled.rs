//! `tls-enabled`.

use super::{Check, Context, Finding, hazard, redis_directive};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds Redis turning TLS on: the Redis configuration gains a `tls-port`, and says
    /// whether the plain port closes (`port 0`).
    ///
    /// ## Why is this bad?
    ///
    /// With the plain port closed, every client still speaking plain text is cut off as soon
    /// as the pod it talks to restarts. During the rolling restart, old pods speak plain
    /// text and new ones TLS (`tls-replication yes`): replicas cannot sync from a master of
    /// the other kind, and Sentinel reaches only some of them.
    ///
    /// ## Example
    ///
    /// `tls.enabled` goes from `false` to `true`.
    ///
    /// ## What to do
    ///
    /// Move every client to TLS first (a client that can do both, switched by
    /// configuration). Upgrade in a quiet period and keep the rollout short; after it, check
    /// `INFO replication` on each pod and `SENTINEL replicas <master>`.
    pub struct TlsEnabled = "tls-enabled", Warning;
}

impl Check for TlsEnabled {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        let Some((_, port)) = redis_directive(cx, false, "port") else {
            return;
        };
        if redis_directive(cx, false, "tls-port").is_some() {
            return;
        }
        let Some((key, tls_port)) = redis_directive(cx, true, "tls-port") else {
            return;
        };
        let old_port = port.first().map_or("6379", String::as_str);
        let tls_port = tls_port.first().map_or("?", String::as_str);
        let closes = redis_directive(cx, true, "port")
            .is_none_or(|(_, p)| p.first().map(String::as_str) == Some("0"));
        let message = if closes {
            format!(
                "TLS turns on (`tls-port {tls_port}`) and the plain port {old_port} closes (`port 0`): every plain-text client is cut off when its pod restarts, and until the rollout ends, plain and TLS pods cannot replicate from each other"
            )
        } else {
            format!(
                "TLS turns on (`tls-port {tls_port}`), the plain port stays open; until the rollout ends, plain and TLS pods cannot replicate from each other"
            )
        };
        found.push(self.finding(
            key,
            message,
            vec![
                "move every client to TLS first (its CA, and `rediss://` or the client's TLS option)".to_owned(),
                "upgrade in a quiet period and keep the rollout short; then check `INFO replication` on each pod".to_owned(),
            ],
        ));
    }
}
