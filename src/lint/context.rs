//! What a rule sees: the merged values with their origins, the rendered objects (typed where
//! Kubernetes knows the kind), what failed in earlier stages, and how to point at a line.
//!
//! This module owns the questions several rules ask (which pods does this selector pick, which
//! NetworkPolicies isolate this pod, where was this value set); the rules own their verdicts.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec, Service};
use k8s_openapi::api::networking::v1::{NetworkPolicy, NetworkPolicyPort};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

pub use super::config::Conf;
use super::finding::{FilePos, Location};
pub use super::templates::Templates;
use super::typed::Problem;
use crate::manifest::Manifest;
use crate::render::RenderError;
use crate::schema::Violation;
use crate::topology::Topology;
use crate::values::{FileLayer, Node, Origin, Value, ValueSources};

/// Everything a rule may look at.
pub struct Context<'a> {
    pub values: &'a Node,
    /// What the values deploy, read once.
    pub topology: &'a Topology,
    pub objects: &'a [Object<'a>],
    /// Schema violations of the values (stage `Schema`).
    pub violations: &'a [Violation],
    /// Why the templates did not render (stage `Render`).
    pub render_error: Option<&'a RenderError>,
    pub environment: Environment,
    /// The release namespace: objects without `metadata.namespace` land there.
    pub namespace: &'a str,
    pub templates: Templates<'a>,
    /// The effective `redis.conf` and `sentinel.conf`, from the rendered ConfigMaps (empty
    /// when the templates did not render).
    pub redis_conf: &'a Conf,
    pub sentinel_conf: &'a Conf,
}

/// One rendered document, parsed.
pub struct Object<'a> {
    pub manifest: &'a Manifest,
    /// Which document of its kind within its template (0-based), to find its line.
    pub nth_in_template: usize,
    pub typed: Typed,
    /// What the typed parse found wrong (unknown fields, wrong types, invalid PromQL).
    pub problems: Vec<Problem>,
}

/// The kinds rules reason about, as `k8s-openapi` types; every other kind is only validated.
pub enum Typed {
    Workload(Box<Workload>),
    Service(Box<Service>),
    Pdb(Box<PodDisruptionBudget>),
    NetworkPolicy(Box<NetworkPolicy>),
    Other,
}

/// Something that runs pods: a StatefulSet, Deployment, DaemonSet, ReplicaSet, Job, CronJob or
/// Pod.
pub struct Workload {
    /// `None` when the count is not fixed (a DaemonSet, a Job).
    pub replicas: Option<i32>,
    pub template: PodTemplateSpec,
    pub component: Component,
}

pub use crate::topology::Component;

/// A workload's component: from `app.kubernetes.io/component`, else from the name of the
/// first container.
pub fn classify(template: &PodTemplateSpec) -> Component {
    let label = template
        .metadata
        .as_ref()
        .and_then(|m| m.labels.as_ref())
        .and_then(|l| l.get("app.kubernetes.io/component"));
    if let Some(component) = label.map(|l| Component::from_word(l))
        && component != Component::Other
    {
        return component;
    }
    template
        .spec
        .as_ref()
        .and_then(|s| s.containers.first())
        .map_or(Component::Other, |c| Component::from_word(&c.name))
}

static NO_LABELS: BTreeMap<String, String> = BTreeMap::new();

impl Workload {
    pub fn labels(&self) -> &BTreeMap<String, String> {
        self.template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.as_ref())
            .unwrap_or(&NO_LABELS)
    }

    pub fn spec(&self) -> Option<&PodSpec> {
        self.template.spec.as_ref()
    }

    /// Init containers then containers, each with its path in the object.
    pub fn containers(&self, object: &Object<'_>) -> Vec<(String, &Container)> {
        let prefix = match object.manifest.kind() {
            "Pod" => "spec",
            "CronJob" => "spec.jobTemplate.spec.template.spec",
            _ => "spec.template.spec",
        };
        let Some(spec) = self.spec() else {
            return Vec::new();
        };
        let init = spec.init_containers.iter().flatten().enumerate();
        let init = init.map(|(i, c)| (format!("{prefix}.initContainers[{i}]"), c));
        let main = spec.containers.iter().enumerate();
        let main = main.map(|(i, c)| (format!("{prefix}.containers[{i}]"), c));
        init.chain(main).collect()
    }

    /// Every `(name, number, protocol)` port declared by a container of the pod.
    pub fn ports(&self) -> Vec<(Option<&str>, i32, &str)> {
        let Some(spec) = self.spec() else {
            return Vec::new();
        };
        spec.containers
            .iter()
            .flat_map(|c| c.ports.iter().flatten())
            .map(|p| {
                (
                    p.name.as_deref(),
                    p.container_port,
                    p.protocol.as_deref().unwrap_or("TCP"),
                )
            })
            .collect()
    }
}

impl Object<'_> {
    pub fn namespace<'n>(&'n self, cx: &'n Context<'_>) -> &'n str {
        self.manifest.namespace().unwrap_or(cx.namespace)
    }

    pub fn workload(&self) -> Option<&Workload> {
        match &self.typed {
            Typed::Workload(w) => Some(w),
            _ => None,
        }
    }
}

/// How production-like the run is: `--profile`, else from the names of `--env` and the `-f`
/// files.
///
/// A name counts as dev when one of its words (split on `-`, `_` and `.`) is `dev`,
/// `development` or `local`, as production when one is `prod`, `production` or `prd`;
/// anything else is staging.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Dev,
    Staging,
    Production,
}

impl Environment {
    /// The class of one name (`values-prod.yaml`, `production`).
    pub fn of_name(name: &str) -> Environment {
        let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
        let words: Vec<String> = base
            .split(['-', '_', '.'])
            .map(str::to_ascii_lowercase)
            .collect();
        let has = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
        if has(&["prod", "production", "prd"]) {
            Environment::Production
        } else if has(&["dev", "development", "local"]) {
            Environment::Dev
        } else {
            Environment::Staging
        }
    }

    /// The run's class: production if any layer is, dev if every named layer is, else other.
    pub fn of_sources(sources: &ValueSources) -> Environment {
        let names: Vec<&str> = sources
            .env
            .iter()
            .map(String::as_str)
            .chain(sources.files.iter().flat_map(|f| f.split(',')))
            .filter(|n| *n != "-")
            .collect();
        let classes: Vec<Environment> = names.iter().map(|n| Environment::of_name(n)).collect();
        if classes.contains(&Environment::Production) {
            Environment::Production
        } else if !classes.is_empty() && classes.iter().all(|c| *c == Environment::Dev) {
            Environment::Dev
        } else {
            Environment::Staging
        }
    }
}

impl<'a> Context<'a> {
    /// The value at a dotted path (`sentinel.quorum`).
    pub fn value(&self, key: &str) -> Option<&'a Node> {
        self.values.get_path(key)
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.value(key)?.value {
            Value::Int(i) => Some(i),
            #[expect(
                clippy::cast_possible_truncation,
                reason = "whole and below 1e15: exact"
            )]
            Value::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => Some(f as i64),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.value(key)?.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn str(&self, key: &str) -> Option<&'a str> {
        match &self.value(key)?.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn uses_sentinel(&self) -> bool {
        self.topology.architecture.uses_sentinel()
    }

    /// Where a value was set. A node created by the tool (an intermediate map of a `--set`
    /// path) points at the deepest ancestor that was written somewhere.
    pub fn value_location(&self, key: &str) -> Location {
        let chain = self.chain(key);
        let origin = chain
            .iter()
            .rev()
            .map(|n| &n.origin)
            .find(|o| **o != Origin::Computed)
            .cloned()
            .unwrap_or(Origin::Computed);
        self.origin_location(key, &origin)
    }

    /// The nodes from the root down to `key` (`a.b[0].c`), as far as they exist.
    fn chain(&self, key: &str) -> Vec<&'a Node> {
        let mut chain = vec![self.values];
        let walk = key.replace('[', ".").replace(']', "");
        for part in walk.split('.').filter(|p| !p.is_empty()) {
            let node = chain[chain.len() - 1];
            let child = match &node.value {
                Value::Map(map) => map.get(part),
                Value::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match child {
                Some(child) => chain.push(child),
                None => break,
            }
        }
        chain
    }

    /// A location at `origin`, the value at `key` having been set there.
    pub fn origin_location(&self, key: &str, origin: &Origin) -> Location {
        let file_pos = |o: &Origin| {
            o.file_position().map(|(path, line, col)| FilePos {
                path: path.to_owned(),
                line,
                col,
            })
        };
        // For a flag: the nearest enclosing value written in a file.
        let chain = self.chain(key);
        let flag = match origin {
            Origin::Flag { flag, fragment } => {
                Some(format!("{flag} {}", redact_fragment(fragment)))
            }
            _ => None,
        };
        Location {
            file: file_pos(origin),
            anchor: flag
                .as_ref()
                .and_then(|_| chain.iter().rev().find_map(|n| file_pos(&n.origin))),
            flag,
            key: Some(key.to_owned()),
            object: None,
        }
    }

    /// Where an object is: its template, at the line of `path` (`spec.maxUnavailable`) as far
    /// as the template spells it out, else at the object's `kind:` line.
    pub fn object_location(&self, object: &Object<'_>, path: Option<&str>) -> Location {
        let m = object.manifest;
        let line = self
            .templates
            .line(m, object.nth_in_template, path.unwrap_or(""));
        Location {
            file: Some(FilePos {
                path: format!("{}/{}", self.templates.dir, m.template),
                line,
                col: 1,
            }),
            object: Some(m.display_name()),
            ..Location::default()
        }
    }

    /// Where a value behind a rendered field was set, if the values have it (`key`), else the
    /// object's line: a finding lands in the user's file, not in the chart's template, when
    /// it can be traced back. The location names no object, so the same value rendered into
    /// two objects gives one finding.
    pub fn traced_location(&self, key: &str, object: &Object<'_>, path: Option<&str>) -> Location {
        if !key.is_empty()
            && let Some(node) = self.value(key)
        {
            // A map or list the chart defaults and the user fills in (`nodeSelector`): the
            // user's entry is the line, not the chart's `{}`.
            let set_by_user = |o: &Origin| {
                !matches!(
                    o,
                    Origin::Computed
                        | Origin::File {
                            layer: FileLayer::Chart,
                            ..
                        }
                )
            };
            let entry = (!set_by_user(&node.origin))
                .then(|| {
                    node.leaves()
                        .into_iter()
                        .find(|(_, n)| set_by_user(&n.origin))
                })
                .flatten()
                .filter(|(sub, _)| !sub.is_empty());
            let location = match entry {
                Some((sub, leaf)) => {
                    let separator = if sub.starts_with('[') { "" } else { "." };
                    self.origin_location(&format!("{key}{separator}{sub}"), &leaf.origin)
                }
                None => self.value_location(key),
            };
            if location.file.is_some() || location.flag.is_some() {
                return location;
            }
        }
        self.object_location(object, path)
    }

    /// Every workload, in render order.
    pub fn workloads(&self) -> impl Iterator<Item = (&Object<'a>, &Workload)> {
        self.objects
            .iter()
            .filter_map(|o| o.workload().map(|w| (o, w)))
    }

    /// Every container (init containers included) of every workload, with its path.
    pub fn containers(&self) -> Vec<(&Object<'a>, &Workload, String, &Container)> {
        self.workloads()
            .flat_map(|(o, w)| {
                w.containers(o)
                    .into_iter()
                    .map(move |(path, c)| (o, w, path, c))
            })
            .collect()
    }

    /// The Redis and Sentinel workloads.
    pub fn redis_and_sentinel(&self) -> impl Iterator<Item = (&Object<'a>, &Workload)> {
        self.workloads()
            .filter(|(_, w)| w.component.is_redis_or_sentinel())
    }

    pub fn services(&self) -> impl Iterator<Item = (&Object<'a>, &Service)> {
        self.objects.iter().filter_map(|o| match &o.typed {
            Typed::Service(s) => Some((o, &**s)),
            _ => None,
        })
    }

    pub fn pdbs(&self) -> impl Iterator<Item = (&Object<'a>, &PodDisruptionBudget)> {
        self.objects.iter().filter_map(|o| match &o.typed {
            Typed::Pdb(p) => Some((o, &**p)),
            _ => None,
        })
    }

    pub fn network_policies(&self) -> impl Iterator<Item = (&Object<'a>, &NetworkPolicy)> {
        self.objects.iter().filter_map(|o| match &o.typed {
            Typed::NetworkPolicy(p) => Some((o, &**p)),
            _ => None,
        })
    }

    /// Objects of a kind that has no typed form here (ServiceMonitor, PrometheusRule).
    pub fn of_kind<'s>(&'s self, kind: &'s str) -> impl Iterator<Item = &'s Object<'a>> {
        self.objects
            .iter()
            .filter(move |o| o.manifest.kind() == kind)
    }

    /// Workloads in `namespace` whose pods carry every label of `selector`.
    pub fn pods_matching_map(
        &self,
        namespace: &str,
        selector: &BTreeMap<String, String>,
    ) -> Vec<(&Object<'a>, &Workload)> {
        self.workloads()
            .filter(|(o, w)| o.namespace(self) == namespace && map_matches(selector, w.labels()))
            .collect()
    }

    /// Workloads in `namespace` whose pods a label selector picks.
    pub fn pods_matching(
        &self,
        namespace: &str,
        selector: &LabelSelector,
    ) -> Vec<(&Object<'a>, &Workload)> {
        self.workloads()
            .filter(|(o, w)| {
                o.namespace(self) == namespace && selector_matches(selector, w.labels())
            })
            .collect()
    }

    /// The NetworkPolicies that isolate a workload's pods in one direction.
    pub fn isolating_policies(
        &self,
        object: &Object<'_>,
        workload: &Workload,
        direction: Direction,
    ) -> Vec<(&Object<'a>, &NetworkPolicy)> {
        let namespace = object.namespace(self);
        self.network_policies()
            .filter(|(o, policy)| {
                let Some(spec) = &policy.spec else {
                    return false;
                };
                o.namespace(self) == namespace
                    && spec
                        .pod_selector
                        .as_ref()
                        .is_none_or(|s| selector_matches(s, workload.labels()))
                    && policy_types(policy).contains(&direction)
            })
            .collect()
    }
}

/// How many of `pods` pods a PodDisruptionBudget lets be evicted at once, as the disruption
/// controller computes it (percentages round up); `None` without `maxUnavailable` or
/// `minAvailable`.
pub fn pdb_disruptions(pdb: &PodDisruptionBudget, pods: i32) -> Option<i32> {
    let spec = pdb.spec.as_ref()?;
    let scaled = |v: &IntOrString| match v {
        IntOrString::Int(i) => Some(*i),
        IntOrString::String(s) => {
            let percent: i64 = s.strip_suffix('%')?.parse().ok()?;
            let scaled = percent.checked_mul(i64::from(pods))?.checked_add(99)? / 100;
            i32::try_from(scaled).ok()
        }
    };
    if let Some(max) = &spec.max_unavailable {
        return scaled(max).map(|d| d.clamp(0, pods));
    }
    let min = scaled(spec.min_available.as_ref()?)?;
    Some((pods - min).clamp(0, pods))
}

/// The workloads a PDB covers and their pod count (`None` when one has no fixed count).
pub fn pdb_targets<'c, 'a>(
    cx: &'c Context<'a>,
    object: &Object<'_>,
    pdb: &PodDisruptionBudget,
) -> (Vec<(&'c Object<'a>, &'c Workload)>, Option<i32>) {
    let Some(selector) = pdb.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
        return (Vec::new(), None);
    };
    let targets = cx.pods_matching(object.namespace(cx), selector);
    let pods = targets.iter().try_fold(0i32, |sum, (_, w)| {
        w.replicas.and_then(|r| sum.checked_add(r))
    });
    (targets, pods)
}

/// A direction of traffic, as NetworkPolicy `policyTypes` name it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

/// `policyTypes`, or its default: Ingress, plus Egress when the policy has egress rules.
pub fn policy_types(policy: &NetworkPolicy) -> Vec<Direction> {
    let Some(spec) = &policy.spec else {
        return Vec::new();
    };
    match &spec.policy_types {
        Some(types) => types
            .iter()
            .filter_map(|t| match t.as_str() {
                "Ingress" => Some(Direction::Ingress),
                "Egress" => Some(Direction::Egress),
                _ => None,
            })
            .collect(),
        None if spec.egress.is_some() => vec![Direction::Ingress, Direction::Egress],
        None => vec![Direction::Ingress],
    }
}

/// Whether a NetworkPolicy rule's `ports` admit a port (its number, its name if it has one,
/// its protocol); no `ports` admits every port.
pub fn rule_admits(
    ports: Option<&Vec<NetworkPolicyPort>>,
    number: i32,
    name: Option<&str>,
    protocol: &str,
) -> bool {
    let Some(ports) = ports.filter(|p| !p.is_empty()) else {
        return true;
    };
    ports.iter().any(|p| {
        let same_protocol = p.protocol.as_deref().unwrap_or("TCP") == protocol;
        let same_port = match &p.port {
            None => true,
            Some(IntOrString::Int(n)) => number >= *n && number <= p.end_port.unwrap_or(*n).max(*n),
            Some(IntOrString::String(s)) => name == Some(s.as_str()),
        };
        same_protocol && same_port
    })
}

/// A Service-style selector: every key with the same value.
pub fn map_matches(selector: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// A `LabelSelector`: matchLabels and matchExpressions; an empty selector matches everything.
pub fn selector_matches(selector: &LabelSelector, labels: &BTreeMap<String, String>) -> bool {
    let by_labels = selector
        .match_labels
        .as_ref()
        .is_none_or(|m| map_matches(m, labels));
    let by_expressions = selector.match_expressions.iter().flatten().all(|e| {
        let values = e.values.as_deref().unwrap_or_default();
        let value = labels.get(&e.key);
        match e.operator.as_str() {
            "In" => value.is_some_and(|v| values.contains(v)),
            "NotIn" => value.is_none_or(|v| !values.contains(v)),
            "Exists" => value.is_some(),
            "DoesNotExist" => value.is_none(),
            _ => false,
        }
    });
    by_labels && by_expressions
}

/// A `--set` fragment with the value of a secret key masked.
pub fn redact_fragment(fragment: &str) -> String {
    crate::secrets::redact_set_arg(fragment, true)
}

/// Whether the value at a dotted path is never printed ([`crate::secrets`] decides).
pub fn is_secret_key(path: &str) -> bool {
    crate::secrets::is_secret_dotted(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_table() {
        let table = [
            ("values/values-dev.yaml", Environment::Dev),
            ("dev", Environment::Dev),
            ("values.local.yaml", Environment::Dev),
            ("production", Environment::Production),
            ("ci/values_prod.yaml", Environment::Production),
            ("values-staging.yaml", Environment::Staging),
            ("devops.yaml", Environment::Staging),
            ("values.yaml", Environment::Staging),
        ];
        for (name, expected) in table {
            assert_eq!(Environment::of_name(name), expected, "{name}");
        }
        let sources = |env: Option<&str>, files: &[&str]| ValueSources {
            env: env.map(str::to_owned),
            files: files.iter().map(|f| (*f).to_owned()).collect(),
            ..ValueSources::default()
        };
        assert_eq!(
            Environment::of_sources(&sources(Some("dev"), &["prod.yaml"])),
            Environment::Production
        );
        assert_eq!(
            Environment::of_sources(&sources(Some("dev"), &[])),
            Environment::Dev
        );
        assert_eq!(
            Environment::of_sources(&sources(Some("dev"), &["extra.yaml"])),
            Environment::Staging
        );
        assert_eq!(
            Environment::of_sources(&sources(None, &[])),
            Environment::Staging
        );
    }

    #[test]
    fn selectors() {
        let labels: BTreeMap<String, String> = [("app", "redis"), ("tier", "db")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let selector: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchLabels": {"app": "redis"},
            "matchExpressions": [
                {"key": "tier", "operator": "In", "values": ["db", "cache"]},
                {"key": "zone", "operator": "DoesNotExist"}
            ]
        }))
        .unwrap();
        assert!(selector_matches(&selector, &labels));
        let selector: LabelSelector = serde_json::from_value(serde_json::json!({
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]
        }))
        .unwrap();
        assert!(!selector_matches(&selector, &labels));
        assert!(selector_matches(&LabelSelector::default(), &labels));
    }

    #[test]
    fn redaction() {
        assert_eq!(
            redact_fragment("auth.password=hunter2"),
            "auth.password=(hidden)"
        );
        assert_eq!(redact_fragment("sentinel.quorum=2"), "sentinel.quorum=2");
    }
}
