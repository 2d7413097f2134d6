//! The community chart `dandydeveloper/redis-ha` (4.x): one StatefulSet of `replicas` pods,
//! each running Redis and a Sentinel sidecar, optionally HAProxy in front. redis-ha runs the
//! Sentinels as their own StatefulSet: `replicas` sets both counts, as the source ran them.

use super::convert::{self, string};
use super::{Action, Facts, Import, Source};
use crate::values::{Node, Value};

const PROBES: &str = "probe timings are tuned to redis-ha's own probe scripts (the cold-start election, replication checks): redis-ha's defaults apply (set probes.* to change them)";
const NO_SUCH: &str = "redis-ha has no such setting";

pub fn facts(source: &Node) -> Facts {
    let text = |path: &str| source.get_path(path).and_then(convert::text);
    Facts {
        sentinel: true,
        master_name: text("redis.masterGroupName").unwrap_or_else(|| "mymaster".to_owned()),
        vendor_image: false,
    }
}

pub fn rule(path: &str, _facts: &Facts) -> Option<Action> {
    use Action::{Descend, Drop, To, With};
    Some(match path {
        "image"
        | "serviceAccount"
        | "haproxy"
        | "haproxy.service"
        | "haproxy.readOnly"
        | "haproxy.timeout"
        | "redis"
        | "sentinel"
        | "exporter"
        | "exporter.serviceMonitor"
        | "persistentVolume"
        | "prometheusRule"
        | "networkPolicy"
        | "global" => Descend,
        "global.priorityClassName" | "priorityClassName" => To("priorityClassName"),
        "global.compatibility" => Drop(
            "OpenShift settings: redis-ha's security contexts are set in podSecurityContext and containerSecurityContext",
        ),
        "image.repository" => {
            With(|import, source| convert::image_reference(import, source, "image"))
        }
        "image.tag" => To("image.tag"),
        "image.pullPolicy" => To("image.pullPolicy"),
        "fullnameOverride" => To("fullnameOverride"),
        "nameOverride" => To("nameOverride"),
        "imagePullSecrets" => With(pull_secrets),
        "replicas" => With(replicas),
        "podManagementPolicy" => {
            Drop("redis-ha starts its pods in parallel and elects the master by data position")
        }
        "ro_replicas" => {
            Drop("the read-only Service selects every replica (haproxy.readOnlyService)")
        }
        "labels" => To("podLabels"),
        "extraLabels" => To("commonLabels"),
        "serviceLabels" | "configmap" | "authSecretAnnotations" => Drop(NO_SUCH),
        "configmapTest" => {
            Drop("redis-ha's lint checks its scripts (shellcheck runs in its own CI)")
        }
        "serviceAccount.create" => To("serviceAccount.create"),
        "serviceAccount.name" => To("serviceAccount.name"),
        "serviceAccount.annotations" => To("serviceAccount.annotations"),
        "serviceAccount.automountToken" => To("serviceAccount.automountServiceAccountToken"),
        "haproxy.enabled" => To("haproxy.enabled"),
        "haproxy.replicas" => To("haproxy.replicas"),
        "haproxy.servicePort" => To("haproxy.masterPort"),
        "haproxy.readOnly.enabled" => To("haproxy.readOnlyService"),
        "haproxy.readOnly.port" => To("haproxy.replicasPort"),
        "haproxy.image" => With(haproxy_image),
        "haproxy.resources" => To("haproxy.resources"),
        "haproxy.service.type" => To("haproxy.service.type"),
        "haproxy.service.annotations" => To("haproxy.service.annotations"),
        "haproxy.timeout.connect" => {
            With(|import, source| millis(import, source, "haproxy.connectTimeoutMilliseconds"))
        }
        "haproxy.timeout.check" => {
            With(|import, source| millis(import, source, "haproxy.checkTimeoutMilliseconds"))
        }
        "haproxy.timeout.client" | "haproxy.timeout.server" => With(idle_timeout),
        "haproxy.timeout.tunnel" => {
            Drop("redis-ha's HAProxy has one idle timeout (haproxy.idleTimeoutSeconds)")
        }
        "haproxy.checkInterval" => {
            With(|import, source| millis(import, source, "haproxy.checkIntervalMilliseconds"))
        }
        "haproxy.tls" => Drop(
            "TLS on HAProxy is not in redis-ha yet: HAProxy passes TLS through to Redis (tls.enabled)",
        ),
        "haproxy.metrics" => Drop("HAProxy metrics are not in redis-ha yet"),
        "haproxy.hardAntiAffinity" | "haproxy.affinity" | "haproxy.additionalAffinities" => {
            Drop("redis-ha spreads the HAProxy pods with soft anti-affinity")
        }
        "haproxy.checkFall" => {
            Drop("redis-ha's HAProxy marks a server down on the first failed role check")
        }
        _ if path.starts_with("haproxy.") => Drop("redis-ha's HAProxy has no such setting"),
        "rbac" => Drop("redis-ha needs no Kubernetes API rights"),
        "sysctlImage" => {
            Drop("set kernel parameters on the nodes, or add an init container (initContainers)")
        }
        "schedulerName" => Drop(NO_SUCH),
        "redis.port" => To("redis.port"),
        "redis.masterGroupName" => To("sentinel.masterName"),
        "redis.customCommand" | "redis.customArgs" => Drop(
            "redis-ha starts Redis with its own script (the cold-start election): put redis.conf directives in redis.extraConfig",
        ),
        "redis.envFrom" => Drop("set extraEnv entries with valueFrom"),
        "redis.minReadySeconds" | "redis.annotations" => Drop(NO_SUCH),
        "redis.tlsPort" | "redis.tlsReplication" | "redis.authClients" => {
            Drop("set tls.enabled and tls.existingSecret (redis-ha serves TLS on redis.port)")
        }
        "redis.terminationGracePeriodSeconds" => To("terminationGracePeriodSeconds"),
        "redis.livenessProbe" | "redis.readinessProbe" | "redis.startupProbe" => Drop(PROBES),
        "redis.disableCommands" => To("redis.disableCommands"),
        "redis.config" => With(redis_config),
        "redis.customConfig" => With(|import, source| match &source.node.value {
            Value::Str(text) => convert::redis_directives(import, source, text),
            _ => import.drop(source, "expected redis.conf text"),
        }),
        "redis.resources" => To("resources"),
        "redis.lifecycle" => {
            Drop("redis-ha's preStop hook hands the master over before a pod stops")
        }
        "redis.podAnnotations" => To("podAnnotations"),
        "redis.updateStrategy" => {
            Drop("redis-ha runs its own rolling-update order (part of its failover design)")
        }
        "redis.extraVolumeMounts" => To("extraVolumeMounts"),
        "sentinel.port" => To("sentinel.port"),
        "sentinel.quorum" => To("sentinel.quorum"),
        "sentinel.config" => With(sentinel_config),
        "sentinel.customConfig" => With(|import, source| match &source.node.value {
            Value::Str(text) => convert::sentinel_directives(import, source, text),
            _ => import.drop(source, "expected sentinel.conf text"),
        }),
        "sentinel.resources" => To("sentinel.resources"),
        "sentinel.auth" => To("auth.sentinel"),
        "sentinel.password" => Drop(
            "redis-ha's Sentinels take the Redis password (auth.sentinel): a second password is not carried",
        ),
        "sentinel.existingSecret" | "sentinel.authKey" => {
            Drop("redis-ha's Sentinels take the Redis password from auth.existingSecret")
        }
        "sentinel.extraVolumeMounts" => To("sentinel.extraVolumeMounts"),
        "sentinel.resolveHostnames" | "sentinel.announceHostnames" => {
            Drop("redis-ha always resolves and announces hostnames")
        }
        "sentinel.livenessProbe" | "sentinel.readinessProbe" | "sentinel.startupProbe" => Drop(
            "probe timings are tuned to redis-ha's Sentinel probe script: set sentinel.probes.* to change them",
        ),
        "sentinel.bind"
        | "sentinel.tlsPort"
        | "sentinel.tlsReplication"
        | "sentinel.authClients" => {
            Drop("redis-ha's Sentinel listens on sentinel.port (TLS with tls.enabled)")
        }
        "sentinel.customCommand" | "sentinel.customArgs" | "sentinel.lifecycle" => Drop(
            "redis-ha starts Sentinel with its own script: put directives in sentinel.extraConfig",
        ),
        _ if path.starts_with("sentinel.") => Drop("redis-ha's Sentinel has no such setting"),
        "securityContext" => With(|import, source| {
            copy_fields(
                import,
                source,
                "podSecurityContext",
                &[
                    "runAsUser",
                    "runAsGroup",
                    "runAsNonRoot",
                    "fsGroup",
                    "fsGroupChangePolicy",
                    "seccompProfile",
                ],
            );
        }),
        "containerSecurityContext" => With(|import, source| {
            copy_fields(
                import,
                source,
                "containerSecurityContext",
                &[
                    "runAsUser",
                    "runAsGroup",
                    "runAsNonRoot",
                    "allowPrivilegeEscalation",
                    "privileged",
                    "readOnlyRootFilesystem",
                    "capabilities",
                    "seccompProfile",
                ],
            );
        }),
        "nodeSelector" => To("nodeSelector"),
        "tolerations" => To("tolerations"),
        "hardAntiAffinity" => With(anti_affinity),
        "additionalAffinities" | "affinity" => Drop(
            "redis-ha builds the affinity from antiAffinity and antiAffinityTopologyKey; pin nodes with nodeSelector",
        ),
        "topologySpreadConstraints" => With(spread),
        "exporter.enabled" => To("exporter.enabled"),
        "exporter.image" => {
            With(|import, source| convert::image_reference(import, source, "exporter.image"))
        }
        "exporter.tag" => To("exporter.image.tag"),
        "exporter.pullPolicy" => To("exporter.image.pullPolicy"),
        "exporter.port" => To("exporter.port"),
        "exporter.resources" => To("exporter.resources"),
        "exporter.serviceMonitor.enabled" => To("metrics.serviceMonitor.enabled"),
        "exporter.serviceMonitor.namespace" => To("metrics.serviceMonitor.namespace"),
        "exporter.serviceMonitor.interval" => To("metrics.serviceMonitor.interval"),
        "exporter.serviceMonitor.timeout" => To("metrics.serviceMonitor.scrapeTimeout"),
        "exporter.serviceMonitor.labels" => To("metrics.serviceMonitor.labels"),
        "exporter.livenessProbe" | "exporter.readinessProbe" => {
            Drop("redis-ha probes the exporter itself")
        }
        "exporter.address" | "exporter.portName" | "exporter.scrapePath" => {
            Drop("redis-ha's exporter scrapes every Redis pod at /metrics")
        }
        _ if path.starts_with("exporter.") => Drop("redis-ha's exporter has no such setting"),
        "podDisruptionBudget" => With(pdb),
        "auth" => To("auth.enabled"),
        "redisPassword" => To("auth.password"),
        "existingSecret" => To("auth.existingSecret"),
        "authKey" => To("auth.existingSecretPasswordKey"),
        "persistentVolume.enabled" => To("persistence.enabled"),
        "persistentVolume.size" => To("persistence.size"),
        "persistentVolume.storageClass" => To("persistence.storageClass"),
        "persistentVolume.accessModes" => To("persistence.accessModes"),
        "persistentVolume.annotations" => To("persistence.annotations"),
        "persistentVolume.labels" => Drop("redis-ha's claim template has no labels of its own"),
        "init" | "hostPath" | "emptyDir" => Drop(
            "redis-ha keeps data on a PersistentVolumeClaim (persistence.enabled: false means no persistence)",
        ),
        "tls" => Drop(
            "set tls.enabled and tls.existingSecret (a Secret with tls.crt, tls.key and ca.crt: tls.*Filename name other keys)",
        ),
        "restore" => Drop("redis-ha does not restore at start from S3, SSH or another Redis"),
        "prometheusRule.enabled" => To("metrics.prometheusRule.enabled"),
        "prometheusRule.namespace" => To("metrics.prometheusRule.namespace"),
        "prometheusRule.additionalLabels" => To("metrics.prometheusRule.labels"),
        "prometheusRule.rules" => With(|import, source| {
            convert::templated_rules(import, source, "metrics.prometheusRule.additionalRules");
        }),
        "prometheusRule.interval" => {
            Drop("redis-ha's alert rules take Prometheus' evaluation interval")
        }
        "extraInitContainers" => To("initContainers"),
        "extraContainers" => To("sidecars"),
        "extraVolumes" => To("extraVolumes"),
        "networkPolicy.enabled" => To("networkPolicy.enabled"),
        "networkPolicy.ingressRules" | "networkPolicy.egressRules" => Drop(
            "redis-ha's policies admit clients by namespace and pod labels (networkPolicy.clientNamespaces / clientPodLabels) and allow the egress the pods need (DNS, each other); extra rules are networkPolicy.extraIngress / extraEgress, as NetworkPolicy rules",
        ),
        "networkPolicy.annotations" | "networkPolicy.labels" => Drop(NO_SUCH),
        "splitBrainDetection" => Drop(
            "redis-ha prevents a split brain rather than repairing it: min-replicas-to-write and the cold-start election (redis.minReplicasToWrite)",
        ),
        _ => return None,
    })
}

/// The community chart runs one Sentinel per Redis pod.
fn replicas(import: &mut Import, source: &Source<'_>) {
    import.set(source, "replicas", source.node.clone());
    import.set(source, "sentinel.replicas", source.node.clone());
}

/// `redis.config`: `name: value` pairs (a list value is the directive repeated).
fn redis_config(import: &mut Import, source: &Source<'_>) {
    each_directive(import, source, "", convert::redis_directives);
}

/// `sentinel.config`: each key is `sentinel <key> <master> <value>`, except `maxclients`.
fn sentinel_config(import: &mut Import, source: &Source<'_>) {
    let master = format!("{} ", source.facts.master_name);
    each_directive(import, source, &master, convert::sentinel_directives);
}

/// Converts each key of a `name: value` map as the directive it writes, so that the report
/// names each key's own line.
fn each_directive(
    import: &mut Import,
    source: &Source<'_>,
    master: &str,
    apply: fn(&mut Import, &Source<'_>, &str),
) {
    source.entries(
        import,
        "expected a map of directives",
        |import, key, child| {
            let values: Vec<String> = match &child.node.value {
                Value::Seq(items) => items.iter().filter_map(convert::text).collect(),
                _ => convert::text(child.node).into_iter().collect(),
            };
            let mut text = String::new();
            for value in values {
                let value = if value.is_empty() {
                    "\"\"".to_owned()
                } else {
                    value
                };
                if master.is_empty() || key == "maxclients" {
                    text.push_str(&format!("{key} {value}\n"));
                } else {
                    text.push_str(&format!("sentinel {key} {master}{value}\n"));
                }
            }
            apply(import, child, &text);
        },
    );
}

fn pull_secrets(import: &mut Import, source: &Source<'_>) {
    if let Some(names) = convert::secret_names(import, source) {
        import.set(source, "imagePullSecrets", names);
    }
}

fn haproxy_image(import: &mut Import, source: &Source<'_>) {
    source.entries(
        import,
        "expected an image",
        |import, key, child| match key {
            "repository" => convert::image_reference(import, child, "haproxy.image"),
            "tag" => import.set(child, "haproxy.image.tag", child.node.clone()),
            "pullPolicy" => import.set(child, "haproxy.image.pullPolicy", child.node.clone()),
            _ => import.drop(child, NO_SUCH),
        },
    );
}

fn millis(import: &mut Import, source: &Source<'_>, to: &str) {
    match convert::millis(source.node) {
        Some(ms) => {
            let value = Node::new(
                Value::Int(ms.try_into().unwrap_or(i64::MAX)),
                source.node.origin.clone(),
            );
            import.set(source, to, value);
        }
        None => import.drop(source, "expected a duration (4s, 500ms)"),
    }
}

/// HAProxy's client and server timeouts: redis-ha has one idle timeout for both.
fn idle_timeout(import: &mut Import, source: &Source<'_>) {
    match convert::seconds(source.node) {
        Some(s) => {
            let value = Node::new(
                Value::Int(s.try_into().unwrap_or(i64::MAX)),
                source.node.origin.clone(),
            );
            import.set(source, "haproxy.idleTimeoutSeconds", value);
        }
        None => import.drop(source, "expected a duration (330s)"),
    }
}

fn copy_fields(import: &mut Import, source: &Source<'_>, to: &str, keep: &[&str]) {
    source.entries(
        import,
        "expected a security context",
        |import, key, child| {
            if keep.contains(&key) {
                import.set(child, &format!("{to}.{key}"), child.node.clone());
            } else {
                import.drop(child, "redis-ha's security context has no such field");
            }
        },
    );
}

fn anti_affinity(import: &mut Import, source: &Source<'_>) {
    let hard = matches!(source.node.value, Value::Bool(true));
    let node = Node::new(
        string(if hard { "hard" } else { "soft" }),
        source.node.origin.clone(),
    );
    import.set(source, "antiAffinity", node);
}

/// `{enabled, maxSkew, topologyKey, whenUnsatisfiable}`: one constraint when enabled.
fn spread(import: &mut Import, source: &Source<'_>) {
    let Value::Map(map) = &source.node.value else {
        return import.drop(source, "expected a map");
    };
    if !map
        .get("enabled")
        .is_some_and(|e| e.value == Value::Bool(true))
    {
        return import.record_note(
            source,
            "disabled in the source: no topology spread constraint",
        );
    }
    let mut constraint = crate::values::Map::new();
    for key in ["maxSkew", "topologyKey", "whenUnsatisfiable"] {
        if let Some(value) = map.get(key).filter(|v| !super::is_empty(v)) {
            constraint.insert(key.to_owned(), value.clone());
        }
    }
    let node = Node::new(
        Value::Seq(vec![Node::new(
            Value::Map(constraint),
            source.node.origin.clone(),
        )]),
        source.node.origin.clone(),
    );
    import.set(source, "topologySpreadConstraints", node);
}

/// `{maxUnavailable: N}` or `{minAvailable: N}` of the Redis pods.
fn pdb(import: &mut Import, source: &Source<'_>) {
    source.entries(import, "expected a PodDisruptionBudget spec", |import, key, child| {
        if key == "maxUnavailable" {
            let on = Node::new(Value::Bool(true), child.node.origin.clone());
            import.set(child, "pdb.enabled", on);
            import.set(child, "pdb.redisMaxUnavailable", child.node.clone());
        } else {
            import.drop(child, "redis-ha sizes its PodDisruptionBudgets by maxUnavailable (pdb.redisMaxUnavailable)");
        }
    });
}
