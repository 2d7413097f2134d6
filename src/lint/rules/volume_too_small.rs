//! The `volume-too-small` rule.

use crate::lint::context::{Component, Context};
use crate::lint::registry::{Rule, Sink, rule};
use crate::quantity::{Quantity, human};

/// How many data sets the volume must hold: the current RDB or AOF, and the new file a
/// `BGSAVE` or `BGREWRITEAOF` writes beside it before the rename.
const COPIES: f64 = 2.0;

rule! {
    /// ## What it does
    /// Checks that the Redis data volume can hold twice the data set: the effective
    /// `maxmemory`, once for the current RDB or AOF file and once for the file a save or an AOF
    /// rewrite writes beside it.
    ///
    /// ## Why is this bad?
    /// Redis writes a new snapshot (or rewritten AOF) next to the old one and renames it when
    /// done. With a volume smaller than that, the save fails with `No space left on device`
    /// once the data set grows: Redis then refuses writes (`MISCONF`) or, with AOF, stops
    /// persisting, and a restart loses what it had not written.
    ///
    /// ## Example
    /// ```yaml
    /// redis:
    ///   maxmemory: 3gb
    /// persistence:
    ///   size: 4Gi
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// redis:
    ///   maxmemory: 3gb
    /// persistence:
    ///   size: 8Gi
    /// ```
    ///
    /// ## References
    /// - [Redis persistence: how durable is the AOF, log rewriting](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/)
    pub struct VolumeTooSmall {
        id: "volume-too-small",
        severity: Error,
        category: Resources,
        stage: Manifests,
    }
}

impl Rule for VolumeTooSmall {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        let Some(maxmemory) = cx.redis_conf.maxmemory() else {
            return;
        };
        for (object, workload) in cx.workloads() {
            if workload.component != Component::Redis || object.manifest.kind() != "StatefulSet" {
                continue;
            }
            let claims = object
                .manifest
                .object
                .pointer("/spec/volumeClaimTemplates")
                .and_then(|c| c.as_array());
            for (i, claim) in claims.into_iter().flatten().enumerate() {
                let Some(size) = claim
                    .pointer("/spec/resources/requests/storage")
                    .and_then(Quantity::from_json)
                    .map(Quantity::to_f64)
                    .filter(|s| *s > 0.0)
                else {
                    continue;
                };
                let needed = maxmemory * COPIES;
                if size >= needed {
                    continue;
                }
                let name = claim
                    .pointer("/metadata/name")
                    .and_then(|n| n.as_str())
                    .unwrap_or("?");
                out.report(
                    cx.traced_location(
                        "persistence.size",
                        object,
                        Some(&format!("spec.volumeClaimTemplates[{i}].spec.resources")),
                    ),
                    format!(
                        "volume claim `{name}` ({}) cannot hold a data set of `maxmemory` {} and the copy a save or AOF rewrite writes beside it",
                        human(size),
                        human(maxmemory)
                    ),
                )
                .hint(format!("set `persistence.size` to at least {}Gi", (needed / 1024f64.powi(3)).ceil()));
            }
        }
    }
}
