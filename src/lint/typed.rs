//! The manifests, typed: each built-in kind deserialized into its `k8s-openapi` type (Kubernetes
//! 1.33), prometheus-operator kinds checked against their CRDs, alert expressions parsed as
//! PromQL.
//!
//! Parsing is where unknown fields (`resorces`) and wrong types are found; this module records
//! them as [`Problem`]s on each object and leaves reporting them to the rules
//! (`manifest-unknown-field`, `manifest-invalid-field`, ...), so `--skip` and the registry
//! treat them like any other rule.

use std::sync::OnceLock;

use k8s_openapi::Resource;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, LimitRange, Namespace, PersistentVolumeClaim, Pod, PodTemplateSpec, ResourceQuota,
    Secret, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;
use serde::de::DeserializeOwned;

use super::context::{Object, Typed, Workload, classify};
use crate::manifest::Manifest;

/// Something wrong with an object's shape, found while parsing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Dotted path in the object (`spec.template.spec.containers[0].resorces`); empty for the
    /// whole object.
    pub path: String,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// No schema is known for this apiVersion and kind.
    UnknownKind,
    /// A field the kind's schema does not have.
    UnknownField,
    /// A field of the wrong type or an invalid value.
    InvalidField,
    /// An alert or recording rule whose `expr` is not PromQL.
    InvalidExpr,
    /// An alert whose `for` is not a Prometheus duration.
    InvalidFor,
}

/// Where in `expr` the parser's `error` is: the parser does not say, so this is the shortest
/// prefix that already fails with the same message (1-based, in characters). Only on the error
/// path, and only for expressions short enough for the quadratic search.
fn error_column(expr: &str, error: &str) -> Option<usize> {
    if expr.len() > 4096 {
        return None;
    }
    expr.char_indices()
        .map(|(i, c)| i + c.len_utf8())
        .find(|end| promql_parser::parser::parse(&expr[..*end]).err().as_deref() == Some(error))
        .map(|end| expr[..end].chars().count())
}

/// Parses every manifest. Objects keep the manifests' order.
pub fn parse(manifests: &[Manifest]) -> Vec<Object<'_>> {
    let mut objects: Vec<Object<'_>> = Vec::with_capacity(manifests.len());
    for manifest in manifests {
        let nth_in_template = objects
            .iter()
            .filter(|o| {
                o.manifest.template == manifest.template && o.manifest.kind() == manifest.kind()
            })
            .count();
        let mut problems = Vec::new();
        let typed = if manifest.object.is_object() {
            typed(manifest, &mut problems)
        } else {
            Typed::Other
        };
        objects.push(Object {
            manifest,
            nth_in_template,
            typed,
            problems,
        });
    }
    objects
}

fn is<T: Resource>(m: &Manifest) -> bool {
    m.api_version() == T::API_VERSION && m.kind() == T::KIND
}

fn workload(template: Option<PodTemplateSpec>, replicas: Option<i32>) -> Typed {
    match template {
        Some(template) => Typed::Workload(Box::new(Workload {
            replicas,
            component: classify(&template),
            template,
        })),
        None => Typed::Other,
    }
}

fn typed(m: &Manifest, problems: &mut Vec<Problem>) -> Typed {
    let object = &m.object;
    if is::<StatefulSet>(m) {
        return deserialize::<StatefulSet>(object, problems)
            .and_then(|s| s.spec)
            .map_or(Typed::Other, |s| {
                workload(Some(s.template), Some(s.replicas.unwrap_or(1)))
            });
    }
    if is::<Deployment>(m) {
        return deserialize::<Deployment>(object, problems)
            .and_then(|d| d.spec)
            .map_or(Typed::Other, |s| {
                workload(Some(s.template), Some(s.replicas.unwrap_or(1)))
            });
    }
    if is::<DaemonSet>(m) {
        return deserialize::<DaemonSet>(object, problems)
            .and_then(|d| d.spec)
            .map_or(Typed::Other, |s| workload(Some(s.template), None));
    }
    if is::<ReplicaSet>(m) {
        return deserialize::<ReplicaSet>(object, problems)
            .and_then(|r| r.spec)
            .map_or(Typed::Other, |s| {
                workload(s.template, Some(s.replicas.unwrap_or(1)))
            });
    }
    if is::<Pod>(m) {
        return deserialize::<Pod>(object, problems).map_or(Typed::Other, |p| {
            workload(
                Some(PodTemplateSpec {
                    metadata: Some(p.metadata),
                    spec: p.spec,
                }),
                Some(1),
            )
        });
    }
    if is::<Job>(m) {
        return deserialize::<Job>(object, problems)
            .and_then(|j| j.spec)
            .map_or(Typed::Other, |s| workload(Some(s.template), None));
    }
    if is::<CronJob>(m) {
        return deserialize::<CronJob>(object, problems)
            .and_then(|c| c.spec)
            .and_then(|s| s.job_template.spec)
            .map_or(Typed::Other, |s| workload(Some(s.template), None));
    }
    if is::<Service>(m) {
        return deserialize::<Service>(object, problems)
            .map_or(Typed::Other, |s| Typed::Service(Box::new(s)));
    }
    if is::<PodDisruptionBudget>(m) {
        return deserialize::<PodDisruptionBudget>(object, problems)
            .map_or(Typed::Other, |p| Typed::Pdb(Box::new(p)));
    }
    if is::<NetworkPolicy>(m) {
        return deserialize::<NetworkPolicy>(object, problems)
            .map_or(Typed::Other, |p| Typed::NetworkPolicy(Box::new(p)));
    }
    // Kinds that are only validated.
    macro_rules! validate {
        ($($ty:ty),* $(,)?) => {
            $(
                if is::<$ty>(m) {
                    deserialize::<$ty>(object, problems);
                    return Typed::Other;
                }
            )*
        };
    }
    validate!(
        ConfigMap,
        Secret,
        ServiceAccount,
        PersistentVolumeClaim,
        Namespace,
        LimitRange,
        ResourceQuota,
        HorizontalPodAutoscaler,
        Ingress,
        Role,
        RoleBinding,
        ClusterRole,
        ClusterRoleBinding,
        PriorityClass,
        StorageClass,
    );
    match (m.api_version(), m.kind()) {
        ("monitoring.coreos.com/v1", "PrometheusRule") => {
            crd(&PROMETHEUS_RULE, PROMETHEUS_RULE_SCHEMA, object, problems);
            prometheus_rules(object, problems);
            // A bad `for` also breaks the CRD's pattern: report it once, as a duration.
            let durations: Vec<String> = problems
                .iter()
                .filter(|p| p.kind == ProblemKind::InvalidFor)
                .map(|p| p.path.clone())
                .collect();
            problems
                .retain(|p| p.kind != ProblemKind::InvalidField || !durations.contains(&p.path));
        }
        ("monitoring.coreos.com/v1", "ServiceMonitor") => {
            crd(&SERVICE_MONITOR, SERVICE_MONITOR_SCHEMA, object, problems);
        }
        (api, kind) => problems.push(Problem {
            kind: ProblemKind::UnknownKind,
            path: String::new(),
            message: if kind.is_empty() || api.is_empty() {
                "the document has no `apiVersion` or no `kind`".to_owned()
            } else if is_builtin_group(api) {
                format!("`{api}` `{kind}` is not a kind Kubernetes 1.33 serves")
            } else {
                format!("no schema is known for `{api}` `{kind}`: it was not checked")
            },
        }),
    }
    Typed::Other
}

/// Built-in API groups: the core group (`v1`) and the `*.k8s.io` groups, plus the few
/// historical ones without a dot.
fn is_builtin_group(api_version: &str) -> bool {
    match api_version.split_once('/') {
        None => true,
        Some((group, _)) => !group.contains('.') || group.ends_with(".k8s.io"),
    }
}

/// Deserializes into a `k8s-openapi` type, recording every field it ignored (unknown) and the
/// first type error, with their paths.
fn deserialize<T: DeserializeOwned>(
    object: &serde_json::Value,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    let mut unknown = Vec::new();
    let mut track = serde_path_to_error::Track::new();
    let result = {
        let de = serde_path_to_error::Deserializer::new(object, &mut track);
        serde_ignored::deserialize(de, |path| unknown.push(ignored_path(&path)))
    };
    match result {
        Ok(value) => {
            problems.extend(unknown.into_iter().map(|path| Problem {
                kind: ProblemKind::UnknownField,
                message: format!("unknown field `{}`", last_key(&path)),
                path,
            }));
            Some(value)
        }
        Err(err) => {
            let path = track.path().to_string();
            problems.push(Problem {
                kind: ProblemKind::InvalidField,
                path: if path == "." { String::new() } else { path },
                message: err.to_string(),
            });
            None
        }
    }
}

/// `spec.template.spec.containers[0].resorces`, as the other paths are written.
fn ignored_path(path: &serde_ignored::Path<'_>) -> String {
    use serde_ignored::Path;
    match path {
        Path::Root => String::new(),
        Path::Seq { parent, index } => format!("{}[{index}]", ignored_path(parent)),
        Path::Map { parent, key } => {
            let parent = ignored_path(parent);
            if parent.is_empty() {
                key.clone()
            } else {
                format!("{parent}.{key}")
            }
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => ignored_path(parent),
    }
}

fn last_key(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

const PROMETHEUS_RULE_SCHEMA: &str =
    include_str!("../../schemas/crds/monitoring.coreos.com_prometheusrules.v1.json");
const SERVICE_MONITOR_SCHEMA: &str =
    include_str!("../../schemas/crds/monitoring.coreos.com_servicemonitors.v1.json");

static PROMETHEUS_RULE: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
static SERVICE_MONITOR: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();

/// Compiles a CRD's `openAPIV3Schema` once per process. Structural schemas prune unknown
/// fields instead of rejecting them; here they are rejected (`additionalProperties: false`
/// wherever properties are listed and unknown fields are not preserved), as `kubectl
/// --validate=strict` does.
fn compile(schema: &str) -> Option<jsonschema::Validator> {
    let mut json: serde_json::Value = serde_json::from_str(schema).ok()?;
    close_objects(&mut json);
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(false)
        .with_keyword(GO_PATTERN, |_, pattern, _| {
            Ok(Box::new(GoPattern {
                source: pattern.as_str().unwrap_or_default().to_owned(),
                regex: OnceLock::new(),
            }))
        })
        .build(&json)
        .ok()
}

/// `pattern`, renamed: Kubernetes evaluates patterns with Go's RE2 syntax (`(?i)` included),
/// which is Rust's `regex`, not JSON Schema's ECMA dialect; and each is compiled only when a
/// value reaches it, since most fields of a CRD are absent from any one object.
const GO_PATTERN: &str = "x-redis-ha-go-pattern";

struct GoPattern {
    source: String,
    regex: OnceLock<Option<regex::Regex>>,
}

impl GoPattern {
    fn matches(&self, instance: &serde_json::Value) -> bool {
        let Some(text) = instance.as_str() else {
            return true;
        };
        self.regex
            .get_or_init(|| regex::Regex::new(&self.source).ok())
            .as_ref()
            .is_none_or(|r| r.is_match(text))
    }
}

impl<'i> jsonschema::Keyword<'i> for GoPattern {
    fn validate(
        &self,
        instance: &'i serde_json::Value,
    ) -> Result<(), jsonschema::ValidationError<'i>> {
        if self.matches(instance) {
            Ok(())
        } else {
            Err(jsonschema::ValidationError::custom(format!(
                "{instance} does not match `{}`",
                self.source
            )))
        }
    }

    fn is_valid(&self, instance: &'i serde_json::Value) -> bool {
        self.matches(instance)
    }
}

fn close_objects(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            let closable = map.contains_key("properties")
                && !map.contains_key("additionalProperties")
                && map.get("x-kubernetes-preserve-unknown-fields") != Some(&true.into());
            if closable {
                map.insert("additionalProperties".to_owned(), false.into());
            }
            if let Some(pattern) = map.remove("pattern") {
                map.insert(GO_PATTERN.to_owned(), pattern);
            }
            for (key, value) in map.iter_mut() {
                // `properties` maps names to schemas: recurse into each schema, not the map.
                if key == "properties" {
                    if let serde_json::Value::Object(props) = value {
                        props.values_mut().for_each(close_objects);
                    }
                } else {
                    close_objects(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(close_objects),
        _ => {}
    }
}

#[cfg(test)]
/// A CRD schema without its documentation: `description`s make up most of its bytes, and
/// parsing and compiling them costs more than validating with the rest.
fn structural(schema: &mut serde_json::Value) {
    match schema {
        serde_json::Value::Object(map) => {
            map.remove("description");
            for (key, value) in map.iter_mut() {
                if key == "properties" {
                    if let serde_json::Value::Object(props) = value {
                        props.values_mut().for_each(structural);
                    }
                } else {
                    structural(value);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(structural),
        _ => {}
    }
}

/// Compiles the CRD schemas now, so that checking the manifests later does not wait for it.
pub fn prepare() {
    PROMETHEUS_RULE.get_or_init(|| compile(PROMETHEUS_RULE_SCHEMA));
    SERVICE_MONITOR.get_or_init(|| compile(SERVICE_MONITOR_SCHEMA));
}

fn crd(
    cell: &OnceLock<Option<jsonschema::Validator>>,
    schema: &str,
    object: &serde_json::Value,
    problems: &mut Vec<Problem>,
) {
    let Some(validator) = cell.get_or_init(|| compile(schema)) else {
        return;
    };
    for error in validator.iter_errors(object) {
        let pointer = error.instance_path().as_str().to_owned();
        if let jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } =
            error.kind()
        {
            for key in unexpected {
                let path = crate::schema::dotted(&format!("{pointer}/{key}"));
                problems.push(Problem {
                    kind: ProblemKind::UnknownField,
                    message: format!("unknown field `{key}`"),
                    path,
                });
            }
        } else {
            problems.push(Problem {
                kind: ProblemKind::InvalidField,
                path: crate::schema::dotted(&pointer),
                message: error.to_string(),
            });
        }
    }
}

/// Every rule's `expr` parsed as PromQL, every alert's `for` as a duration.
fn prometheus_rules(object: &serde_json::Value, problems: &mut Vec<Problem>) {
    let groups = object.pointer("/spec/groups").and_then(|g| g.as_array());
    for (g, group) in groups.into_iter().flatten().enumerate() {
        let rules = group.get("rules").and_then(|r| r.as_array());
        for (r, rule) in rules.into_iter().flatten().enumerate() {
            let name = rule
                .get("alert")
                .or_else(|| rule.get("record"))
                .and_then(|n| n.as_str())
                .unwrap_or("?");
            let path = format!("spec.groups[{g}].rules[{r}]");
            if let Some(expr) = rule.get("expr").and_then(|e| e.as_str())
                && let Err(message) = promql_parser::parser::parse(expr)
            {
                problems.push(Problem {
                    kind: ProblemKind::InvalidExpr,
                    path: format!("{path}.expr"),
                    message: format!(
                        "`{name}`: not valid PromQL{}: {}",
                        error_column(expr, &message)
                            .map(|c| format!(" at column {c}"))
                            .unwrap_or_default(),
                        first_line(&message)
                    ),
                });
            }
            let duration = match rule.get("for") {
                Some(serde_json::Value::String(s)) => Some(s.clone()),
                Some(serde_json::Value::Number(n)) => Some(n.to_string()),
                _ => None,
            };
            if let Some(duration) = duration
                && let Err(message) = prometheus_duration(&duration)
            {
                problems.push(Problem {
                    kind: ProblemKind::InvalidFor,
                    path: format!("{path}.for"),
                    message: format!("`{name}`: `for: {duration}`: {message}"),
                });
            }
        }
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text).trim()
}

/// A Prometheus duration as rule files take it: `0`, or units from `y` down to `ms` in order
/// (`1h30m`); a bare number is not one.
pub fn prometheus_duration(text: &str) -> Result<(), String> {
    if text == "0" {
        return Ok(());
    }
    if text.parse::<f64>().is_ok() {
        return Err("a number without a unit is not a duration (`30s`, `5m`, `1h`)".to_owned());
    }
    match promql_parser::util::parse_duration(text) {
        Ok(_) => Ok(()),
        // Zero durations (`0s`) are valid in a rule file, the parser only refuses them in
        // PromQL ranges.
        Err(message) if message.contains("greater than 0") => Ok(()),
        Err(message) => Err(message),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(yaml: &str) -> Manifest {
        Manifest {
            template: "t.yaml".to_owned(),
            content: yaml.to_owned(),
            object: crate::render::parse_document(yaml).unwrap(),
        }
    }

    fn problems(yaml: &str) -> Vec<(ProblemKind, String)> {
        let m = [manifest(yaml)];
        parse(&m)
            .remove(0)
            .problems
            .into_iter()
            .map(|p| (p.kind, p.path))
            .collect()
    }

    #[test]
    fn unknown_fields_and_wrong_types() {
        let typo = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n  - name: a\n    image: a:1\n    resorces: {}\n";
        assert_eq!(
            problems(typo),
            [(
                ProblemKind::UnknownField,
                "spec.containers[0].resorces".to_owned()
            )]
        );
        let wrong = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\nspec:\n  replicas: three\n  selector: {}\n  serviceName: a\n  template: {}\n";
        assert_eq!(
            problems(wrong),
            [(ProblemKind::InvalidField, "spec.replicas".to_owned())]
        );
        let ok = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {a: b}\n";
        assert!(problems(ok).is_empty());
    }

    #[test]
    fn kinds() {
        assert_eq!(
            problems(
                "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata: {name: a}\n"
            )[0]
            .0,
            ProblemKind::UnknownKind
        );
        assert_eq!(
            problems("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: a}\n")[0].0,
            ProblemKind::UnknownKind
        );
        assert!(is_builtin_group("v1"));
        assert!(is_builtin_group("networking.k8s.io/v1"));
        assert!(!is_builtin_group("monitoring.coreos.com/v1"));
    }

    #[test]
    fn crds_compile() {
        for schema in [PROMETHEUS_RULE_SCHEMA, SERVICE_MONITOR_SCHEMA] {
            assert!(compile(schema).is_some());
        }
    }

    #[test]
    fn prometheus_rule_checks() {
        let rule = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: a}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: A\n      expr: up == 0\n      for: 5m\n    - alert: B\n      expr: sum(up\n      for: 5\n    - alert: C\n      expr: up\n      lables: {}\n";
        let mut got = problems(rule);
        got.sort_by(|a, b| a.1.cmp(&b.1));
        assert_eq!(
            got,
            [
                (
                    ProblemKind::InvalidExpr,
                    "spec.groups[0].rules[1].expr".to_owned()
                ),
                (
                    ProblemKind::InvalidFor,
                    "spec.groups[0].rules[1].for".to_owned()
                ),
                (
                    ProblemKind::UnknownField,
                    "spec.groups[0].rules[2].lables".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn crd_patterns_are_go_regexps() {
        let monitor = "apiVersion: monitoring.coreos.com/v1\nkind: ServiceMonitor\nmetadata: {name: a}\nspec:\n  selector: {}\n  endpoints:\n  - port: metrics\n    interval: 30x\n";
        assert_eq!(
            problems(monitor),
            [(
                ProblemKind::InvalidField,
                "spec.endpoints[0].interval".to_owned()
            )]
        );
        // `(?i)` is Go (and Rust) syntax, not ECMA's.
        let rule = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: a}\nspec:\n  groups:\n  - name: g\n    partial_response_strategy: ABORT\n    rules: []\n";
        assert!(problems(rule).is_empty());
    }

    #[test]
    fn durations() {
        for ok in ["0", "0s", "5m", "1h30m", "1y2w3d4h5m6s7ms", "90s"] {
            assert_eq!(prometheus_duration(ok), Ok(()), "{ok}");
        }
        for bad in ["", "5", "1.5m", "5 m", "m", "1m1h", "-1m"] {
            assert!(prometheus_duration(bad).is_err(), "{bad}");
        }
    }

    /// The CRD schemas under `schemas/crds/` are copies of those in the shared reference
    /// (`../shared/schemas/crds/`, prometheus-operator's CRDs), descriptions left out; this
    /// fails when they drift.
    /// `REDIS_HA_UPDATE_CRDS=1 cargo test crd_copies` rewrites the copies.
    #[test]
    fn crd_copies_match_the_shared_crds() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let shared = root.join("../shared/schemas/crds");
        if !shared.is_dir() {
            eprintln!("skipped: {} is absent", shared.display());
            return;
        }
        for (name, embedded) in [
            ("prometheusrules", PROMETHEUS_RULE_SCHEMA),
            ("servicemonitors", SERVICE_MONITOR_SCHEMA),
        ] {
            let text =
                std::fs::read_to_string(shared.join(format!("monitoring.coreos.com_{name}.yaml")))
                    .unwrap();
            let crd: serde_json::Value = serde_saphyr::from_str(&text).unwrap();
            let versions = crd.pointer("/spec/versions").unwrap().as_array().unwrap();
            let v1 = versions.iter().find(|v| v["name"] == "v1").unwrap();
            let mut schema = v1.pointer("/schema/openAPIV3Schema").unwrap().clone();
            structural(&mut schema);
            let schema = &schema;
            let copy = format!("{}\n", serde_json::to_string_pretty(schema).unwrap());
            if std::env::var_os("REDIS_HA_UPDATE_CRDS").is_some() {
                let path = root.join(format!("schemas/crds/monitoring.coreos.com_{name}.v1.json"));
                std::fs::write(path, &copy).unwrap();
            } else {
                let embedded: serde_json::Value = serde_json::from_str(embedded).unwrap();
                assert!(&embedded == schema, "schemas/crds copy of `{name}` drifted");
            }
        }
    }
}
