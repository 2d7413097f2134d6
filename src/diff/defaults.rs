//! What the API server fills in by itself: defaults, assigned addresses, and what Helm adds
//! to every object it installs.
//!
//! A field the server defaulted on create is recorded as the creating manager's (Helm's
//! create owns `terminationMessagePath` as much as `image`), so ownership alone cannot tell a
//! removal from a default: a field the release owns, that the new render lacks and that holds
//! its default value, is a default; with any other value it is a removal. This module owns
//! that table; it leaves ownership to [`super::ownership`].

use serde_json::{Map, Value};

/// Whether `value` under `key` (in the live map `parent`) is what the server or Helm puts
/// there by itself. Maps are defaults when all they hold is; empty ones always are.
pub fn is_default(key: &str, value: &Value, parent: &Map<String, Value>) -> bool {
    if let Some(rule) = rule(key, parent) {
        return rule.matches(value);
    }
    match value {
        Value::Object(map) => map.iter().all(|(k, v)| is_default(k, v, map)),
        Value::Array(items) => items.is_empty(),
        Value::Null => true,
        _ => false,
    }
}

/// What a default looks like.
enum Rule<'a> {
    /// Whatever the server assigned (cluster IPs, a bound volume's name).
    Any,
    /// One value.
    Is(Value),
    /// One of these strings.
    OneOf(&'a [&'a str]),
}

impl Rule<'_> {
    fn matches(&self, value: &Value) -> bool {
        match self {
            Rule::Any => true,
            Rule::Is(expected) => value == expected,
            Rule::OneOf(names) => value.as_str().is_some_and(|v| names.contains(&v)),
        }
    }
}

fn rule<'a>(key: &str, parent: &Map<String, Value>) -> Option<Rule<'a>> {
    let text = |s: &str| Rule::Is(Value::String(s.to_owned()));
    let number = |n: u64| Rule::Is(Value::from(n));
    Some(match key {
        // Containers.
        "terminationMessagePath" => text("/dev/termination-log"),
        "terminationMessagePolicy" => text("File"),
        "imagePullPolicy" => text(pull_policy(parent)),
        "protocol" => text("TCP"),
        // Probes.
        "timeoutSeconds" | "successThreshold" => number(1),
        "periodSeconds" => number(10),
        "failureThreshold" => number(3),
        "scheme" => text("HTTP"),
        // Pod specs.
        "dnsPolicy" => text("ClusterFirst"),
        "restartPolicy" => text("Always"),
        "schedulerName" => text("default-scheduler"),
        "terminationGracePeriodSeconds" => number(30),
        "enableServiceLinks" => Rule::Is(Value::Bool(true)),
        "serviceAccount" => Rule::Any,
        "defaultMode" => number(0o644),
        // Workloads.
        "revisionHistoryLimit" => number(10),
        "progressDeadlineSeconds" => number(600),
        "podManagementPolicy" => text("OrderedReady"),
        "partition" => number(0),
        "maxSurge" | "maxUnavailable" => text("25%"),
        "whenDeleted" | "whenScaled" => text("Retain"),
        "type" => Rule::OneOf(&["RollingUpdate", "ClusterIP", "Opaque"]),
        // Services: addresses and families the server assigns.
        "clusterIP" | "clusterIPs" | "ipFamilies" | "nodePort" | "healthCheckNodePort" => Rule::Any,
        "ipFamilyPolicy" => text("SingleStack"),
        "sessionAffinity" => text("None"),
        "internalTrafficPolicy" | "externalTrafficPolicy" => text("Cluster"),
        "allocateLoadBalancerNodePorts" => Rule::Is(Value::Bool(true)),
        "targetPort" => Rule::Is(parent.get("port").cloned().unwrap_or(Value::Null)),
        // Volume claims (a StatefulSet's templates and bound claims).
        "volumeMode" => text("Filesystem"),
        "volumeName" | "status" | "creationTimestamp" | "namespace" | "finalizers" => Rule::Any,
        // A bound claim's class, given by the default-class admission; a template's is the
        // chart's.
        "storageClassName" if parent.contains_key("volumeName") => Rule::Any,
        "apiVersion" => text("v1"),
        "kind" => text("PersistentVolumeClaim"),
        "policyTypes" => Rule::Any,
        // What Helm adds to every object of a release.
        "meta.helm.sh/release-name" | "meta.helm.sh/release-namespace" => Rule::Any,
        "app.kubernetes.io/managed-by" => text("Helm"),
        _ => return None,
    })
}

/// The server's `imagePullPolicy`: `Always` for `:latest` or no tag, else `IfNotPresent`.
fn pull_policy(container: &Map<String, Value>) -> &'static str {
    let image = container.get("image").and_then(Value::as_str).unwrap_or("");
    let last = image.rsplit('/').next().unwrap_or(image);
    if last.contains('@') {
        return "IfNotPresent";
    }
    match last.split_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn defaults_table() {
        let container = json!({"image": "redis:7.2", "imagePullPolicy": "IfNotPresent"});
        let port = json!({"port": 6379, "targetPort": 6379});
        let claim = json!({"volumeName": "pvc-1"});
        let table = [
            (
                "terminationMessagePath",
                json!("/dev/termination-log"),
                &container,
                true,
            ),
            ("imagePullPolicy", json!("IfNotPresent"), &container, true),
            ("imagePullPolicy", json!("Always"), &container, false),
            ("targetPort", json!(6379), &port, true),
            ("targetPort", json!("redis"), &port, false),
            ("storageClassName", json!("fast"), &claim, true),
            ("storageClassName", json!("fast"), &container, false),
            ("whenScaled", json!("Retain"), &container, true),
            ("whenScaled", json!("Delete"), &container, false),
            ("type", json!("LoadBalancer"), &container, false),
            // Maps by their content.
            (
                "updateStrategy",
                json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
                &container,
                true,
            ),
            ("securityContext", json!({}), &container, true),
            (
                "resources",
                json!({"limits": {"memory": "1Gi"}}),
                &container,
                false,
            ),
            (
                "topologySpreadConstraints",
                json!([{"maxSkew": 1}]),
                &container,
                false,
            ),
            (
                "volumeClaimTemplates",
                json!([{"metadata": {"name": "data"}}]),
                &container,
                false,
            ),
        ];
        for (key, value, parent, expected) in table {
            let parent = parent.as_object().unwrap();
            assert_eq!(is_default(key, &value, parent), expected, "{key}: {value}");
        }
    }

    #[test]
    fn pull_policies() {
        let table = [
            ("redis", "Always"),
            ("redis:latest", "Always"),
            ("redis:7", "IfNotPresent"),
            ("registry:5000/redis", "Always"),
            ("registry:5000/redis:7", "IfNotPresent"),
            ("redis@sha256:abc", "IfNotPresent"),
        ];
        for (image, expected) in table {
            let c = json!({"image": image});
            assert_eq!(pull_policy(c.as_object().unwrap()), expected, "{image}");
        }
    }
}
