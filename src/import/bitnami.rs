//! `bitnami/redis` values (chart 23.x; most paths are the same since 17.x).
//!
//! Bitnami runs `architecture: replication` as a master StatefulSet and a replica one, or,
//! with `sentinel.enabled`, one StatefulSet of `replica.replicaCount` pods each with a
//! Sentinel sidecar; `architecture: standalone` is one master. redis-ha runs one Redis
//! StatefulSet (every pod from one template) and, for replicas, always Sentinel: `replica.*`
//! settings are taken first (they are the pods of Sentinel mode), `master.*` where they agree
//! or add.

use super::convert::{self, string};
use super::{Action, Facts, Import, Source};
use crate::values::{Node, Value};

const PROBES: &str = "probe timings are tuned to redis-ha's own probe scripts (the cold-start election, replication checks): redis-ha's defaults apply (set probes.* to change them)";
const VENDOR_IMAGE: &str = "the Bitnami image runs Bitnami's scripts as user 1001; redis-ha runs the official image with its own scripts (set image.* to pin a version)";
const START: &str = "redis-ha starts Redis with its own script (the cold-start election): put redis.conf directives in redis.extraConfig";
const ONE_TEMPLATE: &str =
    "redis-ha runs its own StatefulSet and rolling-update order (part of its failover design)";

pub fn facts(source: &Node) -> Facts {
    let text = |path: &str| source.get_path(path).and_then(convert::text);
    Facts {
        sentinel: text("architecture").as_deref() != Some("standalone"),
        master_name: text("sentinel.masterSet").unwrap_or_else(|| "mymaster".to_owned()),
        vendor_image: text("image.repository").is_none_or(|r| r.starts_with("bitnami/")),
    }
}

pub fn rule(path: &str, facts: &Facts) -> Option<Action> {
    use Action::{Descend, Drop, To, With};
    if let Some(rest) = path
        .strip_prefix("replica.")
        .or_else(|| path.strip_prefix("master."))
    {
        return pod(path, rest);
    }
    if let Some(rest) = path.strip_prefix("sentinel.") {
        return Some(sentinel(rest));
    }
    Some(match path {
        "global"
        | "auth"
        | "image"
        | "tls"
        | "networkPolicy"
        | "serviceAccount"
        | "metrics"
        | "metrics.serviceMonitor"
        | "metrics.prometheusRule"
        | "master"
        | "replica"
        | "sentinel"
        | "global.redis" => Descend,
        "global.imageRegistry" => Drop(
            "redis-ha sets a registry per image (image.registry, sentinel.image.registry, exporter.image.registry)",
        ),
        "global.imagePullSecrets" | "image.pullSecrets" => With(pull_secrets),
        "global.defaultStorageClass" | "global.storageClass" => To("persistence.storageClass"),
        "global.redis.password" | "auth.password" => To("auth.password"),
        "global.security" | "global.compatibility" => Drop(
            "Bitnami image and OpenShift settings: redis-ha's security contexts are set in podSecurityContext and containerSecurityContext",
        ),
        "kubeVersion" => Drop("redis-ha takes the Kubernetes version from --kube-version"),
        "nameOverride" => To("nameOverride"),
        "fullnameOverride" => To("fullnameOverride"),
        "namespaceOverride" => Drop("redis-ha renders into the release namespace (-n)"),
        "commonLabels" => To("commonLabels"),
        "commonAnnotations" => To("commonAnnotations"),
        "clusterDomain" => To("clusterDomain"),
        "configmapChecksumAnnotations" | "secretChecksumAnnotations" => {
            Drop("redis-ha always rolls its pods when their configuration changes")
        }
        "secretAnnotations" => Drop("redis-ha has no annotations for its Secret"),
        "extraDeploy" => {
            Drop("render extra objects beside the release (redis-ha renders only its own)")
        }
        "useHostnames" | "nameResolutionThreshold" | "nameResolutionTimeout" => {
            Drop("redis-ha always announces stable DNS names and waits for them to resolve")
        }
        "diagnosticMode" => Drop("no diagnostic mode in redis-ha"),
        "image.registry" | "image.repository" | "image.tag" | "image.digest"
            if facts.vendor_image =>
        {
            Drop(VENDOR_IMAGE)
        }
        "image.registry" => To("image.registry"),
        "image.repository" => To("image.repository"),
        "image.tag" => To("image.tag"),
        "image.digest" => To("image.digest"),
        "image.pullPolicy" => To("image.pullPolicy"),
        "image.debug" => Drop("no debug image in redis-ha"),
        "architecture" => With(architecture),
        "auth.enabled" => To("auth.enabled"),
        "auth.sentinel" => To("auth.sentinel"),
        "auth.existingSecret" => To("auth.existingSecret"),
        "auth.existingSecretPasswordKey" => To("auth.existingSecretPasswordKey"),
        "auth.usePasswordFiles" | "auth.usePasswordFileFromSecret" => Drop(
            "redis-ha always reads the password from the mounted Secret, never from an environment variable",
        ),
        "auth.acl" => Drop("ACL users are not converted: set them again in redis-ha's values"),
        "commonConfiguration" => With(configuration),
        "existingConfigmap" => {
            Drop("redis-ha writes its own redis.conf: put directives in redis.extraConfig")
        }
        "serviceBindings" => Drop("no service binding Secret in redis-ha"),
        "networkPolicy.enabled" => To("networkPolicy.enabled"),
        "networkPolicy.allowExternal" => Drop(
            "redis-ha admits clients by namespace and pod labels: set networkPolicy.clientNamespaces / clientPodLabels (allowSameNamespace admits the release's namespace)",
        ),
        "networkPolicy.allowExternalEgress" => {
            Drop("redis-ha's policies allow the egress its pods need (DNS, each other)")
        }
        "networkPolicy.extraIngress" => To("networkPolicy.extraIngress"),
        "networkPolicy.extraEgress" => To("networkPolicy.extraEgress"),
        "networkPolicy.ingressNSMatchLabels" | "networkPolicy.ingressNSPodMatchLabels" => {
            Drop("set networkPolicy.clientNamespaces / clientPodLabels")
        }
        "networkPolicy.metrics" => {
            Drop("set networkPolicy.monitoringNamespace / monitoringPodLabels")
        }
        "podSecurityPolicy" => Drop("PodSecurityPolicy was removed in Kubernetes 1.25"),
        "rbac" => Drop("redis-ha needs no Kubernetes API rights"),
        "serviceAccount.create" => To("serviceAccount.create"),
        "serviceAccount.name" => To("serviceAccount.name"),
        "serviceAccount.annotations" => To("serviceAccount.annotations"),
        "serviceAccount.automountServiceAccountToken" => {
            To("serviceAccount.automountServiceAccountToken")
        }
        "pdb" => Drop("set pdb.* (redis-ha's PodDisruptionBudgets are sized by maxUnavailable)"),
        "tls.enabled" => To("tls.enabled"),
        "tls.authClients" => To("tls.authClients"),
        "tls.existingSecret" | "tls.certificatesSecret" => To("tls.existingSecret"),
        "tls.certFilename" => To("tls.certFilename"),
        "tls.certKeyFilename" => To("tls.keyFilename"),
        "tls.certCAFilename" => To("tls.caFilename"),
        "tls.autoGenerated" => Drop(
            "redis-ha does not generate certificates: create the Secret (cert-manager) and set tls.existingSecret",
        ),
        "tls.dhParamsFilename" => {
            Drop("no DH parameters file in redis-ha (TLS 1.3 and ECDHE need none)")
        }
        "metrics.enabled" => To("exporter.enabled"),
        "metrics.image" => Drop(
            "the Bitnami exporter image: redis-ha runs the upstream oliver006/redis_exporter (set exporter.image.*)",
        ),
        "metrics.resources" => To("exporter.resources"),
        "metrics.resourcesPreset" => {
            Drop("resource presets have no counterpart: set exporter.resources")
        }
        "metrics.extraEnvVars" => To("exporter.extraEnv"),
        "metrics.containerPorts" => Descend,
        "metrics.containerPorts.http" => To("exporter.port"),
        "metrics.serviceMonitor.enabled" => To("metrics.serviceMonitor.enabled"),
        "metrics.serviceMonitor.namespace" => To("metrics.serviceMonitor.namespace"),
        "metrics.serviceMonitor.interval" => To("metrics.serviceMonitor.interval"),
        "metrics.serviceMonitor.scrapeTimeout" => To("metrics.serviceMonitor.scrapeTimeout"),
        "metrics.serviceMonitor.additionalLabels" => To("metrics.serviceMonitor.labels"),
        "metrics.prometheusRule.enabled" => To("metrics.prometheusRule.enabled"),
        "metrics.prometheusRule.namespace" => To("metrics.prometheusRule.namespace"),
        "metrics.prometheusRule.additionalLabels" => To("metrics.prometheusRule.labels"),
        "metrics.prometheusRule.rules" => With(|import, source| {
            convert::templated_rules(import, source, "metrics.prometheusRule.additionalRules");
        }),
        "metrics.podMonitor" => {
            Drop("redis-ha scrapes through a ServiceMonitor (metrics.serviceMonitor)")
        }
        "volumePermissions" => {
            Drop("redis-ha sets volume ownership with fsGroup (podSecurityContext.fsGroup)")
        }
        "kubectl" => {
            Drop("redis-ha moves no labels: the master endpoint is HAProxy (haproxy.enabled)")
        }
        "sysctl" => {
            Drop("set kernel parameters on the nodes, or add an init container (initContainers)")
        }
        "useExternalDNS" => Drop("annotate the Services instead (service.annotations)"),
        _ if path.starts_with("metrics.") => Drop("redis-ha's exporter has no such setting"),
        _ => return None,
    })
}

/// `master.*` and `replica.*`: one Redis pod template in redis-ha.
fn pod(path: &str, rest: &str) -> Option<Action> {
    use Action::{Descend, Drop, To, With};
    Some(match rest {
        "persistence"
        | "service"
        | "serviceAccount"
        | "pdb"
        | "persistentVolumeClaimRetentionPolicy"
        | "containerPorts" => Descend,
        "replicaCount" | "count" => With(replicas),
        "configuration" => With(configuration),
        "disableCommands" => With(disable_commands),
        "extraFlags" => With(extra_flags),
        "command" | "args" | "preExecCmds" => Drop(START),
        "extraEnvVars" => To("extraEnv"),
        "extraEnvVarsCM" | "extraEnvVarsSecret" => {
            Drop("set extraEnv entries with valueFrom (configMapKeyRef / secretKeyRef)")
        }
        "containerPorts.redis" => To("redis.port"),
        "startupProbe"
        | "livenessProbe"
        | "readinessProbe"
        | "customStartupProbe"
        | "customLivenessProbe"
        | "customReadinessProbe" => Drop(PROBES),
        "resourcesPreset" => Drop(
            "resource presets have no counterpart: redis-ha's default requests and limits apply (set resources)",
        ),
        "resources" => To("resources"),
        "podSecurityContext" => With(pod_security_context),
        "containerSecurityContext" => With(container_security_context),
        "kind" => With(kind),
        "schedulerName"
        | "hostAliases"
        | "shareProcessNamespace"
        | "dnsPolicy"
        | "dnsConfig"
        | "extraPodSpec"
        | "enableServiceLinks"
        | "revisionHistoryLimit"
        | "annotations"
        | "podManagementPolicy"
        | "minReadySeconds" => Drop("redis-ha has no such pod setting"),
        "updateStrategy" => Drop(ONE_TEMPLATE),
        "priorityClassName" => To("priorityClassName"),
        "automountServiceAccountToken" => To("serviceAccount.automountServiceAccountToken"),
        "podLabels" => To("podLabels"),
        "podAnnotations" => To("podAnnotations"),
        "podAntiAffinityPreset" => With(anti_affinity),
        "podAffinityPreset" | "nodeAffinityPreset" | "affinity" => Drop(
            "redis-ha builds the affinity from antiAffinity and antiAffinityTopologyKey; pin nodes with nodeSelector",
        ),
        "nodeSelector" => To("nodeSelector"),
        "tolerations" => To("tolerations"),
        "topologySpreadConstraints" => Drop(
            "redis-ha's constraints name only topologyKey, maxSkew and whenUnsatisfiable (it adds the selector): set topologySpreadConstraints again",
        ),
        "lifecycleHooks" => {
            Drop("redis-ha's preStop hook hands the master over before a pod stops")
        }
        "extraVolumes" => To("extraVolumes"),
        "extraVolumeMounts" => To("extraVolumeMounts"),
        "sidecars" => To("sidecars"),
        "initContainers" => To("initContainers"),
        "persistence.enabled" => To("persistence.enabled"),
        "persistence.size" => To("persistence.size"),
        "persistence.storageClass" => To("persistence.storageClass"),
        "persistence.accessModes" => To("persistence.accessModes"),
        "persistence.annotations" => To("persistence.annotations"),
        "persistence.existingClaim" => Drop(
            "every Redis pod needs its own volume: a StatefulSet's pods cannot share one claim",
        ),
        "persistence.path" | "persistence.subPath" | "persistence.subPathExpr" => {
            Drop("redis-ha mounts the data volume at /data")
        }
        "persistence.medium" | "persistence.sizeLimit" => Drop(
            "redis-ha keeps data on a PersistentVolumeClaim (persistence.enabled: false means no persistence)",
        ),
        "persistence.labels" | "persistence.selector" | "persistence.dataSource" => {
            Drop("redis-ha's claim template has no such setting")
        }
        "persistentVolumeClaimRetentionPolicy.enabled" => Drop(
            "redis-ha always sets the retention policy (persistence.retentionPolicy, Retain by default)",
        ),
        "persistentVolumeClaimRetentionPolicy.whenScaled" => {
            To("persistence.retentionPolicy.whenScaled")
        }
        "persistentVolumeClaimRetentionPolicy.whenDeleted" => {
            To("persistence.retentionPolicy.whenDeleted")
        }
        "service.type" => To("service.type"),
        "service.annotations" => To("service.annotations"),
        "terminationGracePeriodSeconds" => To("terminationGracePeriodSeconds"),
        "serviceAccount.create" => To("serviceAccount.create"),
        "serviceAccount.name" => To("serviceAccount.name"),
        "serviceAccount.annotations" => To("serviceAccount.annotations"),
        "serviceAccount.automountServiceAccountToken" => {
            To("serviceAccount.automountServiceAccountToken")
        }
        "pdb.create" => To("pdb.enabled"),
        "pdb.maxUnavailable" => To("pdb.redisMaxUnavailable"),
        "pdb.minAvailable" => Drop(
            "redis-ha sizes its PodDisruptionBudgets by maxUnavailable (pdb.redisMaxUnavailable)",
        ),
        "autoscaling" => Drop("a Redis replica set is not autoscaled: set replicas"),
        "externalMaster" => Drop("redis-ha does not replicate from a master outside the release"),
        _ if rest.starts_with("service.") => {
            Drop("redis-ha's Services take a type and annotations (service.*)")
        }
        _ if path.starts_with("master.") || path.starts_with("replica.") => {
            Drop("redis-ha has no such setting")
        }
        _ => return None,
    })
}

fn sentinel(rest: &str) -> Action {
    use Action::{Descend, Drop, To, With};
    match rest {
        "containerPorts" | "service" | "masterService" => Descend,
        "enabled" => With(architecture),
        "image" => With(sentinel_image),
        "masterSet" => To("sentinel.masterName"),
        "quorum" => To("sentinel.quorum"),
        "downAfterMilliseconds" => To("sentinel.downAfterMilliseconds"),
        "failoverTimeout" => To("sentinel.failoverTimeout"),
        "parallelSyncs" => To("sentinel.parallelSyncs"),
        "configuration" => With(sentinel_configuration),
        "containerPorts.sentinel" => To("sentinel.port"),
        "resources" => To("sentinel.resources"),
        "resourcesPreset" => Drop("resource presets have no counterpart: set sentinel.resources"),
        "extraEnvVars" => To("sentinel.extraEnv"),
        "extraVolumes" => To("sentinel.extraVolumes"),
        "extraVolumeMounts" => To("sentinel.extraVolumeMounts"),
        "service.type" => To("sentinel.service.type"),
        "service.annotations" => To("sentinel.service.annotations"),
        "masterService.enabled" => To("haproxy.enabled"),
        "getMasterTimeout"
        | "automateClusterRecovery"
        | "redisShutdownWaitFailover"
        | "replicaSyncCheck" => Drop(
            "redis-ha's start script decides the master by data position (the cold-start election) and its preStop hook hands the master over",
        ),
        "startupProbe"
        | "livenessProbe"
        | "readinessProbe"
        | "customStartupProbe"
        | "customLivenessProbe"
        | "customReadinessProbe" => Drop(
            "probe timings are tuned to redis-ha's Sentinel probe script: set sentinel.probes.* to change them",
        ),
        "persistence" | "persistentVolumeClaimRetentionPolicy" => {
            Drop("redis-ha's Sentinels rebuild their state from the Redis pods")
        }
        "externalAccess" => Drop(
            "no external access in redis-ha: clients inside the cluster use the Services (haproxy for a master endpoint)",
        ),
        "command" | "args" | "preExecCmds" | "lifecycleHooks" => Drop(
            "redis-ha starts Sentinel with its own script: put directives in sentinel.extraConfig",
        ),
        _ => Drop("redis-ha's Sentinel has no such setting"),
    }
}

fn architecture(import: &mut Import, source: &Source<'_>) {
    let value = convert::text(source.node).unwrap_or_default();
    let ours = if source.path == "sentinel.enabled" {
        if value == "yes" {
            let node = Node::new(string("sentinel"), source.node.origin.clone());
            return import.set(source, "architecture", node);
        }
        return import.drop(
            source,
            "Bitnami without Sentinel has no automatic failover; redis-ha runs Sentinel whenever Redis has replicas (architecture: sentinel)",
        );
    } else if value == "standalone" {
        "standalone"
    } else {
        "sentinel"
    };
    let node = Node::new(string(ours), source.node.origin.clone());
    import.set(source, "architecture", node);
}

/// `replica.replicaCount` is every Redis pod in Sentinel mode; without Sentinel the master
/// (`master.count`) is one more.
fn replicas(import: &mut Import, source: &Source<'_>) {
    let Value::Int(count) = source.node.value else {
        return import.drop(source, "expected a number of pods");
    };
    let is_master = source.path.starts_with("master.");
    if is_master && source.facts.sentinel {
        return import.drop(
            source,
            "in Sentinel mode every Redis pod is a replica.replicaCount pod",
        );
    }
    let total = match import.values_at("replicas") {
        Some(Value::Int(existing)) if !source.facts.sentinel => existing + count,
        _ => count,
    };
    import.replace(
        source,
        "replicas",
        Node::new(Value::Int(total), source.node.origin.clone()),
    );
}

fn configuration(import: &mut Import, source: &Source<'_>) {
    match &source.node.value {
        Value::Str(text) => convert::redis_directives(import, source, text),
        _ => import.drop(source, "expected redis.conf text"),
    }
}

fn sentinel_configuration(import: &mut Import, source: &Source<'_>) {
    match &source.node.value {
        Value::Str(text) => convert::sentinel_directives(import, source, text),
        _ => import.drop(source, "expected sentinel.conf text"),
    }
}

/// `--maxmemory-policy allkeys-lru` flags become directives.
fn extra_flags(import: &mut Import, source: &Source<'_>) {
    let Value::Seq(flags) = &source.node.value else {
        return import.drop(source, "expected a list of flags");
    };
    let mut text = String::new();
    for flag in flags.iter().filter_map(convert::text) {
        text.push_str(flag.trim_start_matches('-'));
        text.push('\n');
    }
    convert::redis_directives(import, source, &text);
}

fn disable_commands(import: &mut Import, source: &Source<'_>) {
    convert::append_list(import, source, "redis.disableCommands", source.node.clone());
}

fn pull_secrets(import: &mut Import, source: &Source<'_>) {
    if let Some(names) = convert::secret_names(import, source) {
        convert::append_list(import, source, "imagePullSecrets", names);
    }
}

fn sentinel_image(import: &mut Import, source: &Source<'_>) {
    let Value::Map(map) = &source.node.value else {
        return import.drop(source, "expected an image");
    };
    let vendor = map
        .get("repository")
        .and_then(convert::text)
        .is_none_or(|r| r.starts_with("bitnami/"));
    if vendor {
        return import.drop(source, "the Bitnami Sentinel image runs Bitnami's scripts: redis-ha runs the official image (set sentinel.image.*)");
    }
    for key in ["registry", "repository", "tag", "digest", "pullPolicy"] {
        if let Some(value) = map.get(key) {
            import.set(source, &format!("sentinel.image.{key}"), value.clone());
        }
    }
}

/// Bitnami's `enabled` switch is not a Kubernetes field: off means no security context.
fn security_context(import: &mut Import, source: &Source<'_>, to: &'static str, keep: &[&str]) {
    let Value::Map(map) = &source.node.value else {
        return import.drop(source, "expected a security context");
    };
    if map
        .get("enabled")
        .is_some_and(|e| e.value == Value::Bool(false))
    {
        return import.drop(
            source,
            "disabled in the source: redis-ha always sets a restricted security context",
        );
    }
    source.entries(import, "expected a security context", |import, key, child| {
        let value = child.node;
        if key == "enabled" || super::is_empty(value) {
            return;
        }
        if ["runAsUser", "runAsGroup", "fsGroup"].contains(&key)
            && value.value == Value::Int(1001)
            && source.facts.vendor_image
        {
            import.drop(child, "user 1001 is the Bitnami image's; the official image runs as 999 (redis-ha's default)");
        } else if keep.contains(&key) {
            import.set(child, &format!("{to}.{key}"), value.clone());
        } else {
            import.drop(child, "redis-ha's security context has no such field");
        }
    });
}

fn pod_security_context(import: &mut Import, source: &Source<'_>) {
    let keep = [
        "runAsUser",
        "runAsGroup",
        "runAsNonRoot",
        "fsGroup",
        "fsGroupChangePolicy",
        "seccompProfile",
    ];
    security_context(import, source, "podSecurityContext", &keep);
}

fn container_security_context(import: &mut Import, source: &Source<'_>) {
    let keep = [
        "runAsUser",
        "runAsGroup",
        "runAsNonRoot",
        "allowPrivilegeEscalation",
        "privileged",
        "readOnlyRootFilesystem",
        "capabilities",
        "seccompProfile",
    ];
    security_context(import, source, "containerSecurityContext", &keep);
}

fn kind(import: &mut Import, source: &Source<'_>) {
    if convert::text(source.node).as_deref() == Some("StatefulSet") {
        return import.record_note(source, "a StatefulSet, as redis-ha runs");
    }
    import.drop(
        source,
        "redis-ha runs Redis as a StatefulSet (each pod keeps its volume and name)",
    );
}

fn anti_affinity(import: &mut Import, source: &Source<'_>) {
    match convert::text(source.node).as_deref() {
        Some(preset @ ("soft" | "hard")) => {
            let node = Node::new(string(preset), source.node.origin.clone());
            import.set(source, "antiAffinity", node);
        }
        _ => import.drop(
            source,
            "redis-ha's anti-affinity is soft or hard (antiAffinity)",
        ),
    }
}
