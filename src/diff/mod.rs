//! `redis-ha diff`: what an upgrade changes, and what it would break, before it runs.
//!
//! The steps, in order:
//!
//! 1. [`load`]: the old state as manifests (`--against`), or a render with other values
//!    (done by the command through [`crate::release`]).
//! 2. [`matching`]: old and new objects paired by API group, kind, namespace and name.
//! 3. [`normalize`]: server fields gone, server defaults ignored ([`defaults`]), fields the
//!    release set and no longer sets kept as removals ([`ownership`] reads `managedFields`),
//!    zero values the server omits dropped, quantities and ports by value, keys sorted
//!    ([`crate::quantity`] parses quantities).
//! 4. [`hazards`]: documented checks on both sides (immutable fields, shrinking volumes,
//!    Sentinel changes, restarts, ...).
//! 5. [`secret`]: Secret values replaced by what happened to each key, and every secret
//!    string cut out of the rest; [`changes`] lists the changed fields.
//! 6. [`output`]: text, JSON or Markdown.
//!
//! The rendering of either side and the exit code belong to the command layer.

pub mod changes;
pub mod defaults;
pub mod hazards;
pub mod load;
pub mod matching;
pub mod normalize;
pub mod output;
pub mod ownership;
pub mod secret;

use serde::Serialize;
use serde_json::Value;

use changes::FieldChange;
use hazards::Finding;
use load::Located;
use matching::{DuplicateError, ResourceKey};
use secret::{SecretKey, Secrets};

/// How to compare.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The release name: live objects another release owns are not this one's to remove.
    pub release: String,
    /// The release namespace, given to objects that have none.
    pub namespace: String,
    /// Keep fields only live objects have (server defaults).
    pub show_defaults: bool,
    /// Print Secret values instead of masking them.
    pub show_secrets: bool,
    /// Kinds left out of the listed resources and the exit code (`--suppress`); hazards on
    /// them are still reported.
    pub suppress: Vec<String>,
}

/// Something that stops a diff.
#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error(transparent)]
    Duplicate(#[from] DuplicateError),
    #[error("cannot print `{resource}` as YAML: {message}")]
    Yaml { resource: String, message: String },
}

/// What happens to a resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Change,
    Add,
    Remove,
    Unchanged,
}

/// One resource of the diff, normalized and masked.
#[derive(Clone, Debug, PartialEq)]
pub struct Resource {
    pub key: ResourceKey,
    /// The new side's `apiVersion`, else the old side's.
    pub api_version: String,
    pub action: Action,
    /// Normalized YAML of each side; empty when the side has no such resource or nothing
    /// changed.
    pub old_yaml: String,
    pub new_yaml: String,
    /// Field by field; empty unless changed.
    pub changes: Vec<FieldChange>,
    /// For Secrets: what happened to each data key.
    pub secret_keys: Vec<SecretKey>,
}

/// Counts for the summary line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub change: usize,
    pub add: usize,
    pub remove: usize,
    pub unchanged: usize,
}

/// A whole diff.
#[derive(Clone, Debug, PartialEq)]
pub struct Report {
    pub resources: Vec<Resource>,
    pub hazards: Vec<Finding>,
    /// Live objects only the old side has that the release does not manage (pods, the PVCs
    /// of a StatefulSet, an existing Secret): an upgrade leaves them alone.
    pub ignored: Vec<ResourceKey>,
    /// Resources of the kinds `--suppress` names, left out of `resources`.
    pub suppressed: Vec<ResourceKey>,
    /// With a last release and its live objects: how the live objects differ from the last
    /// release (changed on the cluster since, by someone else), old side the release.
    pub drift: Vec<Resource>,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary::default();
        for r in &self.resources {
            match r.action {
                Action::Change => s.change += 1,
                Action::Add => s.add += 1,
                Action::Remove => s.remove += 1,
                Action::Unchanged => s.unchanged += 1,
            }
        }
        s
    }

    pub fn has_changes(&self) -> bool {
        self.resources.iter().any(|r| r.action != Action::Unchanged) || !self.drift.is_empty()
    }
}

/// One side of a diff: objects, and the plain-text secrets of the values that made them (to
/// hide wherever a template copied them).
#[derive(Clone, Debug, Default)]
pub struct Side {
    pub objects: Vec<Located>,
    pub secrets: Vec<String>,
}

impl Side {
    /// A rendered release of the chart named `chart`; each object is located at its template.
    pub fn rendered(chart: &str, release: crate::release::Rendered) -> Side {
        Side {
            secrets: crate::secrets::secret_values(&release.values.to_json()),
            objects: release
                .manifests
                .into_iter()
                .map(|m| Located {
                    location: format!("{chart}/templates/{}", m.template),
                    object: m.object,
                })
                .collect(),
        }
    }

    /// Manifests as text (`helm get manifest`, `kubectl get -o yaml`, a render), read by the
    /// one manifest reader; `path` names them in messages (`-` is standard input).
    pub fn read(text: &str, path: &str) -> Result<Side, load::LoadError> {
        Ok(Side {
            objects: load::parse(text, path)?,
            secrets: Vec::new(),
        })
    }
}

/// The diff of two sides, with `live` (the cluster's objects of the old side) for drift:
/// see [`compare`] and [`compare_with_drift`]. Secrets of either side's values are hidden in
/// both.
pub fn sides(
    old: Side,
    new: Side,
    live: Option<Side>,
    options: &Options,
) -> Result<Report, DiffError> {
    let mut secrets = old.secrets;
    secrets.extend(new.secrets);
    match live {
        Some(live) => compare_with_drift(old.objects, live.objects, new.objects, &secrets, options),
        None => compare(old.objects, new.objects, &secrets, options),
    }
}

/// Compares the old state with the new one. `secrets` are plain-text secrets from the values
/// (passwords) to hide besides those found in Secrets.
pub fn compare(
    old: Vec<Located>,
    new: Vec<Located>,
    secrets: &[String],
    options: &Options,
) -> Result<Report, DiffError> {
    let (pairs, ignored): (Vec<_>, Vec<_>) = matching::pair(old, new, &options.namespace)?
        .into_iter()
        .partition(|p| {
            p.new.is_some() || p.old.as_ref().is_none_or(|o| managed(o, &options.release))
        });
    let ignored = ignored.into_iter().map(|p| p.key).collect();
    // Hazards always look at real changes: server defaults are none, even when shown.
    let (pairs, mut findings) = if options.show_defaults {
        let findings = hazards::check_all(&normalized(pairs.clone(), false));
        (normalized(pairs, true), findings)
    } else {
        let pairs = normalized(pairs, false);
        let findings = hazards::check_all(&pairs);
        (pairs, findings)
    };
    let secrets = if options.show_secrets {
        Secrets::default()
    } else {
        let objects = pairs.iter().flat_map(|p| p.old.iter().chain(p.new.iter()));
        Secrets::collect(objects, secrets)
    };
    for finding in &mut findings {
        finding.message = secrets.mask_str(&finding.message);
        for step in &mut finding.fix {
            *step = secrets.mask_str(step);
        }
    }
    let is_suppressed = |key: &ResourceKey| {
        options
            .suppress
            .iter()
            .any(|kind| kind.eq_ignore_ascii_case(&key.kind))
    };
    let (suppressed, pairs): (Vec<_>, Vec<_>) =
        pairs.into_iter().partition(|p| is_suppressed(&p.key));
    let resources = pairs
        .into_iter()
        .map(|pair| resource(pair, &secrets, options.show_secrets))
        .collect::<Result<_, _>>()?;
    Ok(Report {
        resources,
        hazards: findings,
        ignored,
        suppressed: suppressed.into_iter().map(|p| p.key).collect(),
        drift: Vec::new(),
    })
}

/// Three ways, as `kubectl diff` and helm-diff's three-way mode: `last` is the last release
/// (`helm get manifest`), `live` its objects as the cluster has them. What the upgrade changes
/// is `last` against `new`; drift is `last` against `live`, masked the same way. Live objects
/// the release does not manage are no drift.
pub fn compare_with_drift(
    last: Vec<Located>,
    live: Vec<Located>,
    new: Vec<Located>,
    secrets: &[String],
    options: &Options,
) -> Result<Report, DiffError> {
    let released: Vec<ResourceKey> = last
        .iter()
        .map(|l| ResourceKey::of(&l.object, &options.namespace))
        .collect();
    let live: Vec<Located> = live
        .into_iter()
        .filter(|l| {
            released.contains(&ResourceKey::of(&l.object, &options.namespace))
                || managed(&l.object, &options.release)
        })
        .collect();
    // Both comparisons hide the values' passwords and the values of every Secret on any of
    // the three sides: a password only the new release has may already be copied into a live
    // object.
    let mut secrets = secrets.to_vec();
    secrets.extend(secret::values_of_secrets(
        last.iter().chain(&live).chain(&new).map(|l| &l.object),
    ));
    let drift = compare(last.clone(), live, &secrets, options)?;
    let mut report = compare(last, new, &secrets, options)?;
    report.drift = drift
        .resources
        .into_iter()
        .filter(|r| r.action != Action::Unchanged)
        .collect();
    Ok(report)
}

/// Whether an upgrade of `release` would delete this old object if the new state lacks it.
/// Anything not from the API server is; a live object is when it is this Helm release's or
/// was applied by `kubectl apply`, and not owned by a controller.
fn managed(object: &Value, release: &str) -> bool {
    if !normalize::is_live(object) {
        return true;
    }
    let metadata = object.get("metadata");
    let owned = metadata
        .and_then(|m| m.get("ownerReferences"))
        .and_then(Value::as_array)
        .is_some_and(|refs| !refs.is_empty());
    let annotation = |name: &str| {
        metadata
            .and_then(|m| m.get("annotations"))
            .and_then(|a| a.get(name))
            .and_then(Value::as_str)
    };
    let helm = annotation("meta.helm.sh/release-name") == Some(release);
    let applied = annotation(normalize::LAST_APPLIED).is_some();
    !owned && (helm || applied)
}

fn normalized(mut pairs: Vec<matching::Pair>, show_defaults: bool) -> Vec<matching::Pair> {
    for pair in &mut pairs {
        let (o, n) = normalize::normalize_pair(pair.old.take(), pair.new.take(), show_defaults);
        pair.old = o;
        pair.new = n;
    }
    pairs
}

fn resource(
    pair: matching::Pair,
    secrets: &Secrets,
    show_secrets: bool,
) -> Result<Resource, DiffError> {
    let matching::Pair {
        key,
        mut old,
        mut new,
    } = pair;
    let action = match (&old, &new) {
        (Some(o), Some(n)) if o == n => Action::Unchanged,
        (Some(_), Some(_)) => Action::Change,
        (None, _) => Action::Add,
        (_, None) => Action::Remove,
    };
    let api_version = new
        .as_ref()
        .or(old.as_ref())
        .and_then(|o| o.get("apiVersion"))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let is_secret = new
        .as_ref()
        .or(old.as_ref())
        .is_some_and(normalize::is_secret);
    let secret_keys = if !is_secret {
        Vec::new()
    } else if show_secrets {
        secret::mask_secret_data(old.clone().as_mut(), new.clone().as_mut())
    } else {
        secret::mask_secret_data(old.as_mut(), new.as_mut())
    };
    // Unchanged resources print nothing but their name.
    if action != Action::Unchanged {
        for object in old.iter_mut().chain(new.iter_mut()) {
            secrets.mask_value(object);
        }
    }
    let changes = match (&old, &new) {
        (Some(o), Some(n)) if action == Action::Change => changes::field_changes(o, n),
        _ => Vec::new(),
    };
    // Unchanged resources print no diff: skip their YAML.
    let yaml = |object: &Option<Value>| -> Result<String, DiffError> {
        if action == Action::Unchanged {
            return Ok(String::new());
        }
        object.as_ref().map_or(Ok(String::new()), |o| {
            to_yaml(o).map_err(|message| DiffError::Yaml {
                resource: key.to_string(),
                message,
            })
        })
    };
    Ok(Resource {
        old_yaml: yaml(&old)?,
        new_yaml: yaml(&new)?,
        key,
        api_version,
        action,
        changes,
        secret_keys,
    })
}

/// Normalized YAML: block scalars for multi-line strings, long lines never folded (a folded
/// line would show as several changed lines).
pub fn to_yaml(value: &Value) -> Result<String, String> {
    let options = serde_saphyr::ser_options! {
        folded_wrap_chars: usize::MAX / 2,
    };
    serde_saphyr::to_string_with_options(value, options).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Objects no chart would render, but a hand-edited `--against` file may hold.
    const ODD_OLD: &str = r#"apiVersion: v1
kind: Secret
metadata: {name: s, annotations: {kubectl.kubernetes.io/last-applied-configuration: "not json"}, uid: 1}
data: [1, 2]
stringData: "str"
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: a}
spec: 5
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: b}
spec: {replicas: -1, volumeClaimTemplates: {}, template: [], updateStrategy: {rollingUpdate: {partition: 99999999999}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: p, uid: x}
spec: {resources: {requests: {storage: "1e999999999"}}}
status: 3
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {x: "sentinel monitor", y: "QUORUM=", z: "sentinel monitor m h 6379 99999999999999999999999"}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: [{port: "abc"}, 5, null], clusterIP: 7}
"#;
    const ODD_NEW: &str = r#"apiVersion: v1
kind: Secret
metadata: {name: s}
data: {a: "!!notbase64"}
stringData: {b: 5, c: null}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: a}
spec: {template: 1}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: b}
spec: {replicas: 18446744073709551615, volumeClaimTemplates: [{metadata: 1}, {metadata: {name: d}, spec: {resources: {requests: {storage: "-5Gi"}}}}], template: {a: 1}, updateStrategy: {type: OnDelete}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: p}
spec: {resources: {requests: {storage: [1]}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {x: "sentinel monitor a", y: "QUORUM=-1", z: 5}
---
apiVersion: v1
kind: Service
metadata: {name: svc}
spec: {ports: "x", clusterIP: ""}
"#;

    #[test]
    fn odd_objects_do_not_panic() {
        let old = load::parse(ODD_OLD, "old.yaml").unwrap();
        let new = load::parse(ODD_NEW, "new.yaml").unwrap();
        for (show_defaults, show_secrets) in [(false, false), (true, true)] {
            let options = Options {
                show_defaults,
                show_secrets,
                ..Options::default()
            };
            let report = compare(old.clone(), new.clone(), &["x".to_owned()], &options).unwrap();
            assert!(report.has_changes());
            let mut out = Vec::new();
            output::text::write(&report, 3, true, &mut out).unwrap();
            output::json::write(&report, 0, &mut out).unwrap();
            output::markdown::write(&report, usize::MAX, &mut out).unwrap();
        }
    }

    #[test]
    fn huge_replica_counts_stay_short() {
        let report = compare(
            load::parse(ODD_OLD, "old.yaml").unwrap(),
            load::parse(ODD_NEW, "new.yaml").unwrap(),
            &[],
            &Options::default(),
        )
        .unwrap();
        for hazard in &report.hazards {
            assert!(hazard.message.len() < 1000, "{}", hazard.message);
            assert!(
                hazard.fix.iter().all(|f| f.len() < 1000),
                "{:?}",
                hazard.fix
            );
        }
    }

    #[test]
    fn drift_hides_a_password_only_the_new_release_has() {
        let last = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: old}\n";
        let live = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {k: \"pw=n3w-s3cret-pw\"}\n";
        let new =
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {p: n3w-s3cret-pw}\n";
        let report = compare_with_drift(
            load::parse(last, "last.yaml").unwrap(),
            load::parse(live, "live.yaml").unwrap(),
            load::parse(new, "new.yaml").unwrap(),
            &[],
            &Options::default(),
        )
        .unwrap();
        assert!(!report.drift.is_empty());
        for write in [
            |r: &Report, out: &mut Vec<u8>| output::text::write(r, 3, false, out),
            |r: &Report, out: &mut Vec<u8>| output::json::write(r, 3, out),
            |r: &Report, out: &mut Vec<u8>| output::markdown::write(r, 3, out),
        ] {
            let mut out = Vec::new();
            write(&report, &mut out).unwrap();
            let out = String::from_utf8(out).unwrap();
            assert!(!out.contains("n3w-s3cret-pw"), "{out}");
            assert!(out.contains(secret::HIDDEN), "{out}");
        }
    }
}
