//! `sentinel-id-changed`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Check, Context, Finding, hazard};
use crate::diff::hazards::Documented as _;

hazard! {
    /// ## What it does
    ///
    /// Finds the fixed Sentinel IDs (`myid`, 40 hex digits, written into a ConfigMap) that
    /// change. The chart derives each sentinel's ID from the StatefulSet's name, the ordinal
    /// and the namespace at render time, so a render for another namespace (`-n`) or
    /// another release name (`fullnameOverride`) gives every sentinel a new ID.
    ///
    /// ## Why is this bad?
    ///
    /// Each restarted sentinel joins as a new peer while the others still remember its old
    /// ID: the sentinels count more peers than exist, so a failover needs votes that can no
    /// longer come. Until every sentinel is reset, a master failure may not be failed over.
    ///
    /// ## Example
    ///
    /// The release runs in `cache` but the diff (or the packaged chart) was rendered with the
    /// default `-n default`: every `myid` and every pod checksum differs.
    ///
    /// ## What to do
    ///
    /// If the namespace or release name is wrong, render again with the release's own (`-n
    /// NAMESPACE`, the same release name). If the change is intended, after the rollout run
    /// `SENTINEL RESET *` on each sentinel, one at a time, waiting for it to see the others.
    pub struct SentinelIdChanged = "sentinel-id-changed", Warning;
}

impl Check for SentinelIdChanged {
    fn check(&self, cx: &Context<'_>, found: &mut Vec<Finding>) {
        for (key, old, new) in cx.changed() {
            if !key.is("", "ConfigMap") {
                continue;
            }
            let (before, after) = (ids(old), ids(new));
            if before.is_empty() || after.is_empty() || before == after {
                continue;
            }
            let gone = before.difference(&after).count();
            let why = format!(
                " (they derive from the StatefulSet name, the ordinal and the namespace: is `{}` the release's namespace, and the release name the running one?)",
                key.namespace
            );
            found.push(self.finding(
                key,
                format!(
                    "{gone} Sentinel ID(s) change{why}: restarted sentinels join as new peers while the others still count the old IDs, and a failover may not get its majority"
                ),
                vec![
                    "if the namespace or release name is wrong, render with the release's own (`-n NAMESPACE`, the same release name)".to_owned(),
                    "if intended: after the rollout, on each sentinel, one at a time: redis-cli -p 26379 SENTINEL RESET '*'".to_owned(),
                ],
            ));
        }
    }
}

/// The 40-hex-digit IDs after `myid` in a ConfigMap's data (`myid=ab12...`, `sentinel myid ab12...`).
fn ids(object: &Value) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    let Some(data) = object.get("data").and_then(Value::as_object) else {
        return out;
    };
    for text in data.values().filter_map(Value::as_str) {
        let mut rest = text;
        while let Some(at) = rest.find("myid") {
            let after = rest[at + 4..].trim_start_matches(['=', ' ', '"', '\'']);
            let id = after
                .get(..40)
                .filter(|id| id.bytes().all(|b| b.is_ascii_hexdigit()));
            if let Some(id) = id {
                out.insert(id);
            }
            rest = &rest[at + 4..];
        }
    }
    out
}
