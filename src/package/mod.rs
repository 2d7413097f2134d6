//! `redis-ha package`: a render turned into a Helm chart that Helm, Argo CD and Flux install
//! as they install any chart, byte-for-byte reproducible.
//!
//! The chart holds `Chart.yaml` ([`chart_yaml`]), the effective values with secrets redacted
//! ([`redact`]), the values schema in draft-07 ([`draft07`]), the rendered manifests as
//! templates that leave only the namespace to Helm ([`templates`]) and a README saying how it
//! was produced ([`readme`]). [`archive`] writes the `.tgz`, [`write`] puts it on disk
//! atomically. Rendering and checking the values belong to [`crate::release`]; this module
//! renders a second time, for a probe namespace, to find where the namespace goes.

pub mod archive;
pub mod chart_yaml;
pub mod draft07;
pub mod readme;
pub mod redact;
pub mod templates;
pub mod write;

use std::path::Path;

use base64::Engine as _;

pub use readme::{Invocation, README_MARKER};
pub use write::{write_archive, write_unpacked};

use crate::manifest::Manifest;
use crate::release::{Pipeline, ReleaseError, Rendered};
use crate::render::ReleaseOptions;
use crate::schema::Schema;
use crate::values::{Node, Value, ValueSources, show};
use chart_yaml::{ChartYaml, VersionError};
use draft07::Draft07Error;
use templates::TemplateError;

/// Why a package cannot be made or written.
#[derive(Debug, thiserror::Error)]
pub enum PackageError {
    #[error(transparent)]
    Release(#[from] ReleaseError),
    #[error(transparent)]
    Version(#[from] VersionError),
    #[error(transparent)]
    Templates(#[from] TemplateError),
    #[error(
        "the chart renders different objects for another namespace ({detail}), so the package cannot leave the namespace to Helm\n  hint: {hint}"
    )]
    NamespaceDependent { detail: String, hint: String },
    #[error(transparent)]
    Schema(#[from] Draft07Error),
    #[error(
        "the packaged values do not satisfy the packaged schema: {message}\n  hint: this is a bug in redis-ha; please report it with the command line"
    )]
    SchemaRejects { message: String },
    #[error(
        "the secret value of `{path}` (set by {set_by}) appears in `{file}`; a chart archive is made to be published, so none was written\n  hint: the chart must read secrets from a Secret, never copy them into other objects; if the value is a common word, choose another"
    )]
    Leak {
        path: String,
        set_by: String,
        file: String,
    },
    #[error("cannot write `{path}`")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "`{path}` exists and is not a chart written by `redis-ha package`\n  hint: remove it or choose another destination with `-d`"
    )]
    Exists { path: String },
    #[error("`{path}` is the chart being packaged\n  hint: choose another destination with `-d`")]
    OverwritesSource { path: String },
}

/// One file of the chart, relative to `<chart>/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PackageFile {
    pub path: String,
    pub content: Vec<u8>,
}

/// A chart ready to be written.
#[derive(Clone, Debug)]
pub struct Package {
    pub name: String,
    pub version: String,
    /// In archive order: `Chart.yaml` first, then by path.
    pub files: Vec<PackageFile>,
    /// Secrets left out of the templates (`Kind/name in namespace ...`).
    pub left_out: Vec<String>,
}

impl Package {
    /// `<chart>-<version>.tgz`, as `helm package` names it.
    pub fn archive_name(&self) -> String {
        format!("{}-{}.tgz", self.name, self.version)
    }

    /// The `.tgz`, every entry with `mtime` (seconds since the epoch).
    pub fn tgz(&self, mtime: u64) -> std::io::Result<Vec<u8>> {
        archive::tgz(&self.name, &self.files, mtime)
    }
}

/// What to package.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    /// The chart's pipeline, which rendered `release` (and renders the namespace probe).
    pub pipeline: &'a Pipeline<'a>,
    /// Where the chart came from; `None` for the bundled chart.
    pub chart_path: Option<&'a Path>,
    pub sources: &'a ValueSources,
    /// The release to package: values checked against the chart's schema, rendered.
    pub release: &'a Rendered,
    pub options: &'a ReleaseOptions,
    /// The chart version; the source chart's when `None`.
    pub version: Option<&'a str>,
    pub app_version: Option<&'a str>,
    /// Keep rendered Secrets in the templates.
    pub include_secrets: bool,
}

/// `Secret/name`, with its namespace when the values put it outside the release's (the
/// exporter's copy with `exporter.namespace`), so that each note says where to create it.
fn secret_place(m: &Manifest, release_namespace: &str) -> String {
    match m.namespace() {
        Some(ns) if ns != release_namespace => {
            format!("`{}` in namespace `{ns}`", m.display_name())
        }
        _ => format!("`{}` in the release namespace", m.display_name()),
    }
}

fn is_secret(m: &Manifest) -> bool {
    matches!(m.kind(), "Secret" | "SecretList")
}

/// The data keys of a Secret and its decoded values.
fn secret_data(m: &Manifest) -> (Vec<String>, Vec<String>) {
    let mut keys = Vec::new();
    let mut values = Vec::new();
    for (field, encoded) in [("data", true), ("stringData", false)] {
        let Some(map) = m.object.get(field).and_then(|d| d.as_object()) else {
            continue;
        };
        for (key, value) in map {
            keys.push(key.clone());
            let Some(text) = value.as_str() else {
                continue;
            };
            let decoded = if encoded {
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
            } else {
                Some(text.to_owned())
            };
            values.extend(decoded);
        }
    }
    keys.sort();
    keys.dedup();
    (keys, values)
}

const VALUES_HEADER: &str = "\
# The values these manifests were rendered with, for reference: the templates are already
# rendered and read no values. Secret values are replaced by `<redacted>`.
";

/// Renders the release and assembles the chart; writes nothing.
pub fn build(req: &Request<'_>) -> Result<Package, PackageError> {
    let options = req.options;
    let chart = req.pipeline.chart();
    let values = &req.release.values;
    let kube = (options.kube_version.major, options.kube_version.minor);
    let chart_yaml = ChartYaml::new(&chart.metadata, req.version, req.app_version, kube)?;

    let rendered = &req.release.manifests;
    let probe_ns = templates::probe_namespace(&options.namespace, rendered)?;
    let probe_options = ReleaseOptions {
        namespace: probe_ns.to_owned(),
        ..options.clone()
    };
    let probe = req
        .pipeline
        .render(values, &probe_options)
        .map_err(ReleaseError::from)?;

    let mut secret_values = Vec::new();
    let mut left_out = Vec::new();
    let mut kept_secrets = Vec::new();
    for m in rendered.iter().filter(|m| is_secret(m)) {
        let (keys, values) = secret_data(m);
        secret_values.extend(values);
        if req.include_secrets {
            kept_secrets.push(m.display_name());
        } else {
            left_out.push((secret_place(m, &options.namespace), keys));
        }
    }
    let keep = |list: &[Manifest]| -> Vec<Manifest> {
        list.iter()
            .filter(|m| req.include_secrets || !is_secret(m))
            .cloned()
            .collect()
    };
    let (kept, kept_probe) = (keep(rendered), keep(&probe));
    let (template_files, report) =
        templates::package_templates(&kept, &kept_probe, &options.namespace, probe_ns)
            .map_err(|e| namespace_hint(e, values, &options.namespace))?;

    let (mut values, secrets) = redact::redact(values);
    let chart_schema = match &chart.schema {
        Some(text) => {
            let converted = draft07::to_draft07(text)?;
            fit_schema(&converted, &mut values, &secrets)?;
            Some(converted)
        }
        None => None,
    };
    let schema = draft07::fix_values(chart_schema.as_deref(), &values.to_json())?;
    let values_yaml = format!("{VALUES_HEADER}{}", show::yaml(&values));

    let readme = readme::readme(&readme::ReadmeInput {
        chart_name: &chart_yaml.name,
        version: &chart_yaml.version,
        description: &chart_yaml.description,
        source: (&chart.metadata.name, &chart.metadata.version),
        invocation: Invocation {
            chart_path: req.chart_path,
            sources: req.sources,
            options,
            version: req.version,
            app_version: req.app_version,
            include_secrets: req.include_secrets,
        },
        templates: &report,
        left_out: &left_out,
        kept_secrets: &kept_secrets,
    });

    let mut files = vec![
        PackageFile {
            path: "Chart.yaml".to_owned(),
            content: chart_yaml.to_yaml().into_bytes(),
        },
        PackageFile {
            path: "README.md".to_owned(),
            content: readme.into_bytes(),
        },
        PackageFile {
            path: "values.yaml".to_owned(),
            content: values_yaml.into_bytes(),
        },
    ];
    files.push(PackageFile {
        path: "values.schema.json".to_owned(),
        content: schema.into_bytes(),
    });
    for t in &template_files {
        files.push(PackageFile {
            path: format!("templates/{}", t.name),
            content: t.text.clone().into_bytes(),
        });
    }

    check_leaks(&files, &kept, &secrets, &secret_values)?;

    archive::archive_order(&mut files);
    Ok(Package {
        name: chart_yaml.name,
        version: chart_yaml.version,
        files,
        left_out: left_out.into_iter().map(|(name, _)| name).collect(),
    })
}

/// The last guard: no secret in clear (or base64) in anything published. The manifests are
/// searched as rendered, before escaping; Secrets kept with `--include-secrets` are not.
fn check_leaks(
    files: &[PackageFile],
    kept: &[Manifest],
    secrets: &[redact::Redacted],
    secret_values: &[String],
) -> Result<(), PackageError> {
    let manifest_texts: Vec<(String, &str)> = kept
        .iter()
        .filter(|m| !is_secret(m))
        .map(|m| (format!("templates/{}", m.template), m.content.as_str()))
        .collect();
    let searched = files
        .iter()
        .filter(|f| !f.path.starts_with("templates/"))
        .map(|f| {
            (
                f.path.as_str(),
                std::str::from_utf8(&f.content).unwrap_or(""),
            )
        })
        .chain(manifest_texts.iter().map(|(p, t)| (p.as_str(), *t)));
    match redact::find_leak(secrets, secret_values, searched) {
        Some(leak) => Err(PackageError::Leak {
            path: leak.path,
            set_by: leak.set_by,
            file: leak.file,
        }),
        None => Ok(()),
    }
}

/// Names the values that make the render depend on the namespace: those equal to it, which the
/// chart compares with the release namespace (`exporter.namespace: data` with `-n data`).
fn namespace_hint(err: TemplateError, values: &Node, namespace: &str) -> PackageError {
    let TemplateError::NamespaceDependent { detail } = err else {
        return err.into();
    };
    let same: Vec<String> = values
        .leaves()
        .into_iter()
        .filter(|(_, node)| matches!(&node.value, Value::Str(s) if s == namespace))
        .map(|(path, node)| format!("`{path}` ({})", node.origin.location()))
        .collect();
    let hint = if same.is_empty() {
        format!(
            "the templates treat namespace `{namespace}` specially; package for another namespace with `-n`"
        )
    } else {
        format!(
            "{} {} the release namespace `{namespace}`: leave {} empty to follow the release wherever it is installed",
            same.join(", "),
            if same.len() == 1 { "is" } else { "are" },
            if same.len() == 1 { "it" } else { "them" },
        )
    };
    PackageError::NamespaceDependent { detail, hint }
}

/// Makes the redacted values satisfy the packaged schema, as `helm lint` requires: a
/// placeholder the schema refuses (a numeric token) is dropped; any other violation is a bug.
fn fit_schema(
    schema: &str,
    values: &mut Node,
    secrets: &[redact::Redacted],
) -> Result<(), PackageError> {
    let compiled =
        Schema::compile(schema, "values.schema.json").map_err(|e| PackageError::SchemaRejects {
            message: e.to_string(),
        })?;
    for violation in compiled.validate(values) {
        if let Some(secret) = secrets.iter().find(|s| {
            s.path == violation.path || violation.path.starts_with(&format!("{}.", s.path))
        }) {
            redact::remove_path(values, &secret.path);
        }
    }
    if let Some(violation) = compiled.validate(values).first() {
        return Err(PackageError::SchemaRejects {
            message: format!("{}: {}", violation.path, violation.message),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::yaml::parse_values;
    use crate::values::{FileLayer, Origin};

    #[test]
    fn a_placeholder_the_schema_refuses_is_dropped() {
        let schema = r#"{"$schema": "http://json-schema.org/draft-07/schema#",
            "properties": {"api": {"properties": {"token": {"type": "integer"}, "password": {"type": "string", "minLength": 3}}}}}"#;
        let map = parse_values(
            "api:\n  token: 12345678\n  password: hunter2-long\n",
            "v.yaml",
            FileLayer::User,
        )
        .unwrap();
        let (mut values, secrets) = redact::redact(&Node::new(Value::Map(map), Origin::Computed));
        fit_schema(schema, &mut values, &secrets).unwrap();
        assert_eq!(
            values.to_json(),
            serde_json::json!({"api": {"password": redact::REDACTED}})
        );
    }

    #[test]
    fn other_violations_are_errors() {
        let schema = r#"{"$schema": "http://json-schema.org/draft-07/schema#",
            "properties": {"replicas": {"type": "integer"}}}"#;
        let map = parse_values("replicas: many\n", "v.yaml", FileLayer::User).unwrap();
        let mut values = Node::new(Value::Map(map), Origin::Computed);
        assert!(matches!(
            fit_schema(schema, &mut values, &[]),
            Err(PackageError::SchemaRejects { .. })
        ));
    }
}
