//! The `snapshots-without-persistence` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};
use crate::values::Value;

rule! {
    /// ## What it does
    /// Checks that persistence is on when Redis writes an AOF or RDB snapshots. That is
    /// `persistence.enabled` when `redis.appendonly` is true or `redis.save` is not empty.
    ///
    /// ## Why is this bad?
    /// Without a PersistentVolumeClaim the data directory is an `emptyDir`: the AOF and the
    /// snapshots are deleted with the pod, so they protect nothing, yet Redis still pays for
    /// them: an `fsync` every second, and a fork that can double its memory on every save.
    /// Either keep the files on a volume, or turn them off and rely on replication alone.
    ///
    /// ## Example
    /// ```yaml
    /// persistence:
    ///   enabled: false
    /// redis:
    ///   appendonly: true
    ///   save: "3600 1 300 100"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// persistence:
    ///   enabled: true
    ///   size: 10Gi
    /// ```
    ///
    /// or, for a cache:
    /// ```yaml
    /// persistence:
    ///   enabled: false
    /// redis:
    ///   appendonly: false
    ///   save: ""
    /// ```
    ///
    /// ## References
    /// - [Redis persistence](https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/)
    pub struct SnapshotsWithoutPersistence {
        id: "snapshots-without-persistence",
        severity: Warning,
        category: Ha,
        stage: Values,
    }
}

impl Rule for SnapshotsWithoutPersistence {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("persistence.enabled") != Some(false) {
            return;
        }
        let aof = cx.bool("redis.appendonly") == Some(true);
        let rdb = match cx.value("redis.save").map(|n| &n.value) {
            Some(Value::Str(s)) => !s.trim().is_empty(),
            Some(Value::Seq(items)) => !items.is_empty(),
            _ => false,
        };
        let what = match (aof, rdb) {
            (true, true) => "the append-only file and RDB snapshots are",
            (true, false) => "the append-only file is",
            (false, true) => "RDB snapshots are",
            (false, false) => return,
        };
        out.report(
            cx.value_location("persistence.enabled"),
            format!("persistence is off but {what} on: they are written to an emptyDir and lost with the pod"),
        )
        .hint("enable `persistence.enabled`, or set `redis.appendonly: false` and `redis.save: \"\"`");
    }
}
