//! The `backup-on-data-volume` rule.

use crate::lint::context::Context;
use crate::lint::registry::{Rule, Sink, rule};

rule! {
    /// ## What it does
    /// Checks that no CronJob writes its backups to the data volume of a Redis pod: a claim
    /// that a StatefulSet's volume claim template creates (`data-<release>-redis-<n>`), named
    /// in `backup.persistence.existingClaim`.
    ///
    /// ## Why is this bad?
    /// A backup on the volume it backs up is no copy: the volume, its node's disk or a
    /// deleted claim takes the data and every backup of it at once. The copies must be off the
    /// pod: a claim of their own or an object store.
    ///
    /// ## Example
    /// ```yaml
    /// backup:
    ///   enabled: true
    ///   persistence:
    ///     enabled: true
    ///     existingClaim: data-redis-ha-redis-0
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// backup:
    ///   enabled: true
    ///   persistence:
    ///     enabled: true   # creates <release>-backup
    /// ```
    pub struct BackupOnDataVolume {
        id: "backup-on-data-volume",
        severity: Error,
        category: Ha,
        stage: Manifests,
    }
}

impl Rule for BackupOnDataVolume {
    fn check(&self, cx: &Context<'_>, out: &mut Sink<'_>) {
        // `<template>-<statefulset>-` of every claim a StatefulSet creates.
        let mut prefixes = Vec::new();
        for object in cx.of_kind("StatefulSet") {
            let templates = object.manifest.object.pointer("/spec/volumeClaimTemplates");
            for template in templates.and_then(|t| t.as_array()).into_iter().flatten() {
                if let Some(name) = template.pointer("/metadata/name").and_then(|n| n.as_str()) {
                    prefixes.push(format!("{name}-{}-", object.manifest.name()));
                }
            }
        }
        for object in cx.of_kind("CronJob") {
            let spec = "/spec/jobTemplate/spec/template/spec/volumes";
            let volumes = object
                .manifest
                .object
                .pointer(spec)
                .and_then(|v| v.as_array());
            for (i, volume) in volumes.into_iter().flatten().enumerate() {
                let Some(claim) = volume
                    .pointer("/persistentVolumeClaim/claimName")
                    .and_then(|c| c.as_str())
                else {
                    continue;
                };
                let is_data = prefixes.iter().any(|prefix| {
                    claim.strip_prefix(prefix.as_str()).is_some_and(|ordinal| {
                        !ordinal.is_empty() && ordinal.bytes().all(|b| b.is_ascii_digit())
                    })
                });
                if !is_data {
                    continue;
                }
                let path = format!(
                    "spec.jobTemplate.spec.template.spec.volumes[{i}].persistentVolumeClaim.claimName"
                );
                out.report(
                    cx.traced_location("backup.persistence.existingClaim", object, Some(&path)),
                    format!(
                        "{} writes its backups to `{claim}`, the data volume of a Redis pod: the copy is lost with the data",
                        object.manifest.display_name()
                    ),
                )
                .hint("leave `backup.persistence.existingClaim` empty (the chart creates `<release>-backup`), or name a claim of its own");
            }
        }
    }
}
