//! The `backup-without-target` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that an enabled backup writes its copies somewhere that outlives the Job: a
    /// claim (`backup.persistence.enabled`) or an upload command (`backup.upload.command`).
    ///
    /// ## Why is this bad?
    /// Without either, the CronJob writes each copy to an `emptyDir` that is deleted with the
    /// Job's pod a moment later: every run forks a replica and copies the whole data set for
    /// nothing, and there is no backup to restore when one is needed.
    ///
    /// ## Example
    /// ```yaml
    /// backup:
    ///   enabled: true
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// backup:
    ///   enabled: true
    ///   persistence:
    ///     enabled: true
    ///     size: 20Gi
    /// ```
    ///
    /// or ship each copy to an object store with a client of your own:
    /// ```yaml
    /// backup:
    ///   enabled: true
    ///   upload:
    ///     image: { registry: docker.io, repository: rclone/rclone, tag: "1.68.2" }
    ///     command: 'rclone copy "$BACKUP_FILE" remote:redis-backups'
    ///     envFromSecret: redis-backup-rclone
    /// ```
    pub struct BackupWithoutTarget {
        id: "backup-without-target",
        severity: Error,
        category: Ha,
        stage: Values,
    }
}

impl Rule for BackupWithoutTarget {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        if cx.bool("backup.enabled") != Some(true) {
            return;
        }
        let claim = cx.bool("backup.persistence.enabled") == Some(true);
        let upload = cx
            .str("backup.upload.command")
            .is_some_and(|c| !c.trim().is_empty());
        if claim || upload {
            return;
        }
        out.report(
            cx.value_location("backup.enabled"),
            "the backup is enabled but has no target: each copy is written to an emptyDir and deleted with the Job's pod",
        )
        .hint("set `backup.persistence.enabled: true` (a claim), or `backup.upload.command` (a client of your own, e.g. `aws s3 cp` or `rclone`)");
    }
}
