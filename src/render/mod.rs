//! Rendering: the minijinja environment, built once per chart, and the objects templates see.
//!
//! Templates see Helm's objects (`Values`, `Release`, `Chart`, `Capabilities`, `Template`) and
//! Helm's helpers ([`filters`]). Files starting with `_` are partials: importable, never
//! rendered. The output of each template is split into documents ([`crate::manifest`]) and each
//! document must be valid YAML.

pub mod capabilities;
pub mod filters;
mod guard;

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use minijinja::syntax::SyntaxConfig;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior, Value, context};

pub use capabilities::{KubeVersion, KubeVersionError};

use crate::chart::{Chart, ChartMetadata};
use crate::manifest::{Manifest, sort_by_install_order, split_documents};
use crate::values::Node;

/// What `helm template` takes besides values.
#[derive(Clone, Debug)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    pub kube_version: KubeVersion,
    /// Extra API versions, beyond the built-in ones.
    pub api_versions: Vec<String>,
    pub is_upgrade: bool,
}

impl Default for ReleaseOptions {
    fn default() -> Self {
        ReleaseOptions {
            name: "redis-ha".to_owned(),
            namespace: "default".to_owned(),
            kube_version: KubeVersion::default(),
            api_versions: Vec::new(),
            is_upgrade: false,
        }
    }
}

/// How many steps one template may run (minijinja's fuel): the bundled chart's largest
/// template needs a small fraction of it; a loop of 10^10 stops within half a second.
pub const TEMPLATE_FUEL: u64 = 20_000_000;

/// How many steps all the templates of one render may run together (a few seconds' work),
/// so that a chart of many looping templates stops too.
pub const RENDER_FUEL: u64 = 5 * TEMPLATE_FUEL;

/// The most text a render may produce, all templates together.
pub const MAX_OUTPUT: usize = 64 << 20;

/// A template that cannot be compiled or rendered, or a rendered document that is not YAML.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The chart's name, and minijinja's error.
    #[error("{}", format_template_error(.0, .1))]
    Template(String, Box<minijinja::Error>),
    #[error(
        "{chart}/templates/{template}: rendered document {document}, line {line}: invalid YAML: {message}\n{excerpt}"
    )]
    InvalidYaml {
        chart: String,
        /// Relative to `templates/`.
        template: String,
        document: usize,
        line: usize,
        message: String,
        excerpt: String,
    },
    #[error(
        "{chart}/templates/{template}: rendered document {document}: {message}\n{excerpt}\n  hint: every document a template prints must be a Kubernetes object with `apiVersion` and `kind`"
    )]
    NotAnObject {
        chart: String,
        template: String,
        document: usize,
        message: String,
        excerpt: String,
    },
    #[error(
        "template {chart}/templates/{template}: the template engine failed: {message}\n  hint: this is a bug in the template engine; rewrite the construct the template uses"
    )]
    Panic {
        chart: String,
        template: String,
        message: String,
    },
    #[error(
        "template {chart}/templates/{template}: the render's output exceeds {} MiB\n  hint: a template that prints this much is looping; check its loops and filters",
        MAX_OUTPUT >> 20
    )]
    OutputTooLarge { chart: String, template: String },
    #[error(
        "template {chart}/templates/{template}: the render's templates ran more than {RENDER_FUEL} steps together\n  hint: templates that run this long are looping; check their loops"
    )]
    OutOfFuel { chart: String, template: String },
    #[error("invalid namespace `{}`: {reason}", .name.escape_debug())]
    Namespace { name: String, reason: &'static str },
    #[error("invalid release name `{name}`: {reason}")]
    ReleaseName { name: String, reason: &'static str },
    #[error(
        "chart requires kubeVersion `{required}`, which is incompatible with Kubernetes {actual}\n  hint: pass the cluster's version with --kube-version"
    )]
    KubeVersion { required: String, actual: String },
}

fn format_template_error(chart: &str, err: &minijinja::Error) -> String {
    let mut out = String::from("template ");
    if let Some(name) = err.name() {
        out.push_str(&format!("{chart}/templates/{name}"));
        if let Some(line) = err.line() {
            out.push_str(&format!(":{line}"));
        }
        out.push_str(": ");
    }
    out.push_str(&err.kind().to_string());
    if let Some(detail) = err.detail() {
        out.push_str(&format!(": {detail}"));
    }
    if err.kind() == ErrorKind::OutOfFuel {
        out.push_str(&format!(
            " (a template may run {TEMPLATE_FUEL} steps)\n  hint: a template that runs this long is looping; check its loops"
        ));
    }
    let frame = err.display_debug_info().to_string();
    // Keep the code frame, not the dump of every variable in scope: it could show secrets.
    let frame: String = frame
        .split("\nReferenced variables:")
        .next()
        .unwrap_or("")
        .trim_end()
        .to_owned();
    if !frame.is_empty() {
        out.push('\n');
        out.push_str(&frame);
    }
    out
}

/// A chart's templates compiled into one environment.
pub struct Engine {
    env: Environment<'static>,
    metadata: ChartMetadata,
    /// Templates that produce output (not partials), sorted.
    outputs: Vec<String>,
}

impl Engine {
    pub fn new(chart: &Chart) -> Result<Engine, RenderError> {
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| RenderError::Template(chart.metadata.name.clone(), Box::new(e)))?;
        env.set_syntax(syntax);
        env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
        env.set_fuel(Some(TEMPLATE_FUEL));
        // minijinja escapes `.yaml` output as JSON by default; manifests are written verbatim.
        env.set_auto_escape_callback(|_| AutoEscape::None);
        filters::add_to_environment(&mut env);
        // Templates compile on first use, once each (minijinja caches them): a template that
        // no output imports is never compiled.
        let sources: std::collections::BTreeMap<String, String> = chart
            .templates
            .iter()
            .map(|t| (t.name.clone(), t.source.clone()))
            .collect();
        env.set_loader(move |name| Ok(sources.get(name).cloned()));
        let mut outputs = Vec::new();
        for template in &chart.templates {
            let base = template.name.rsplit('/').next().unwrap_or(&template.name);
            if !base.starts_with('_') && !template.name.ends_with("NOTES.txt") {
                outputs.push(template.name.clone());
            }
        }
        // Helm renders templates in the byte order of their paths (`SortManifests`).
        outputs.sort();
        Ok(Engine {
            env,
            metadata: chart.metadata.clone(),
            outputs,
        })
    }

    pub fn chart_name(&self) -> &str {
        &self.metadata.name
    }

    /// Renders every template; the manifests come back in `helm template` order (install order
    /// of kinds, then template path and document), so no caller has to sort.
    pub fn render(
        &self,
        values: &Node,
        options: &ReleaseOptions,
    ) -> Result<Vec<Manifest>, RenderError> {
        validate_release_name(&options.name)?;
        // Helm renders an empty namespace as the default one.
        let namespace = if options.namespace.is_empty() {
            "default"
        } else {
            validate_namespace(&options.namespace)?;
            &options.namespace
        };
        self.check_kube_version(&options.kube_version)?;
        let chart = &self.metadata;
        let base = context! {
            Values => Value::from(minijinja::value::Serde(values)),
            Release => context! {
                Name => &options.name,
                Namespace => namespace,
                IsInstall => !options.is_upgrade,
                IsUpgrade => options.is_upgrade,
                Revision => 1,
                Service => "Helm",
            },
            Chart => context! {
                Name => &chart.name,
                Version => &chart.version,
                AppVersion => chart.app_version.clone().unwrap_or_default(),
                APIVersion => &chart.api_version,
                Description => chart.description.clone().unwrap_or_default(),
                Type => chart.chart_type.clone().unwrap_or_else(|| "application".to_owned()),
                KubeVersion => chart.kube_version.clone().unwrap_or_default(),
            },
            Capabilities => capabilities::object(&options.kube_version, &options.api_versions),
        };
        let output = Spent::default();
        // One thread: each template compiles once, on first use (minijinja caches it), and a
        // second thread cost more than it saved (callgrind: 60.4 M instructions on two threads,
        // 57.7 M on one; wall time the same within noise).
        let mut manifests = self.render_templates(&self.outputs, &base, &output)?;
        sort_by_install_order(&mut manifests);
        Ok(manifests)
    }

    fn render_templates(
        &self,
        names: &[String],
        base: &Value,
        output: &Spent,
    ) -> Result<Vec<Manifest>, RenderError> {
        let chart = &self.metadata.name;
        let template_error = |e| RenderError::Template(chart.clone(), Box::new(e));
        let mut manifests = Vec::new();
        for name in names {
            let ctx = context! {
                Template => context! {
                    Name => format!("{chart}/templates/{name}"),
                    BasePath => format!("{chart}/templates"),
                },
                ..base.clone()
            };
            let mut sink = Bounded {
                text: Vec::new(),
                total: &output.bytes,
            };
            let source = format!("{chart}/templates/{name}");
            let rendered = guard::catch(|| -> Result<u64, minijinja::Error> {
                let template = self.env.get_template(name)?;
                let captured =
                    guard::watch(&source, || template.render_captured_to(ctx, &mut sink))?;
                Ok(captured.state().fuel_levels().map_or(0, |(used, _)| used))
            })
            .map_err(|message| RenderError::Panic {
                chart: chart.clone(),
                template: name.clone(),
                message,
            })?;
            match rendered {
                Ok(used) => {
                    if output.fuel.fetch_add(used, Ordering::Relaxed) + used > RENDER_FUEL {
                        return Err(RenderError::OutOfFuel {
                            chart: chart.clone(),
                            template: name.clone(),
                        });
                    }
                }
                Err(err) if err.kind() == ErrorKind::WriteFailure => {
                    return Err(RenderError::OutputTooLarge {
                        chart: chart.clone(),
                        template: name.clone(),
                    });
                }
                Err(err) => return Err(template_error(err)),
            }
            // The engine writes whole strings; a template's output is UTF-8.
            let text = String::from_utf8(sink.text)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            for (index, doc) in split_documents(&text).into_iter().enumerate() {
                let object =
                    parse_document(doc).map_err(|(message, line)| RenderError::InvalidYaml {
                        chart: chart.clone(),
                        template: name.clone(),
                        document: index + 1,
                        line,
                        message,
                        excerpt: excerpt(doc, line),
                    })?;
                check_object(&object).map_err(|message| RenderError::NotAnObject {
                    chart: chart.clone(),
                    template: name.clone(),
                    document: index + 1,
                    message,
                    excerpt: excerpt(doc, 1),
                })?;
                manifests.push(Manifest {
                    template: name.clone(),
                    content: doc.to_owned(),
                    object,
                });
            }
        }
        Ok(manifests)
    }

    fn check_kube_version(&self, actual: &KubeVersion) -> Result<(), RenderError> {
        let Some(required) = self.metadata.kube_version.as_deref() else {
            return Ok(());
        };
        if capabilities::satisfies(actual, required) == Some(false) {
            return Err(RenderError::KubeVersion {
                required: required.to_owned(),
                actual: actual.to_string(),
            });
        }
        Ok(())
    }
}

/// What the templates of one render have spent so far, all together.
#[derive(Default)]
struct Spent {
    bytes: AtomicUsize,
    fuel: AtomicU64,
}

/// A template's output, counted against [`MAX_OUTPUT`] for the whole render.
struct Bounded<'a> {
    text: Vec<u8>,
    total: &'a AtomicUsize,
}

impl std::io::Write for Bounded<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.total.fetch_add(buf.len(), Ordering::Relaxed) + buf.len() > MAX_OUTPUT {
            return Err(std::io::Error::other("output too large"));
        }
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Parses one rendered document; on error, the message and the 1-based line in the document.
/// Read by YAML 1.1 rules, as Kubernetes reads manifests (go-yaml v2), duplicate keys refused.
pub fn parse_document(doc: &str) -> Result<serde_json::Value, (String, usize)> {
    use crate::values::yaml::{YamlError, parse_documents};
    match parse_documents(doc, "", crate::values::FileLayer::User) {
        Ok(nodes) => Ok(nodes.first().map_or(serde_json::Value::Null, Node::to_json)),
        Err(YamlError::Syntax { line, message, .. }) => Err((message, line as usize)),
        Err(err) => Err((err.message(), err.line() as usize)),
    }
}

/// What a rendered document must be to be printed: a Kubernetes object, or only comments
/// (an empty document, which Helm prints and Kubernetes ignores). `Err` says what it is instead.
fn check_object(object: &serde_json::Value) -> Result<(), String> {
    match object {
        serde_json::Value::Null => Ok(()),
        serde_json::Value::Object(map) => {
            let missing: Vec<&str> = ["apiVersion", "kind"]
                .into_iter()
                .filter(|field| {
                    map.get(*field)
                        .is_none_or(|v| v.as_str().is_none_or(str::is_empty))
                })
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!(
                    "the document has no {}",
                    missing
                        .iter()
                        .map(|f| format!("`{f}`"))
                        .collect::<Vec<_>>()
                        .join(" or ")
                ))
            }
        }
        serde_json::Value::Array(_) => {
            Err("the document is a list, not a Kubernetes object".to_owned())
        }
        other => Err(format!(
            "the document is a {}, not a Kubernetes object",
            match other {
                serde_json::Value::String(_) => "string",
                serde_json::Value::Bool(_) => "boolean",
                _ => "number",
            }
        )),
    }
}

/// A few numbered lines of a rendered document around `line`.
fn excerpt(doc: &str, line: usize) -> String {
    let first = line.saturating_sub(3).max(1);
    doc.lines()
        .enumerate()
        .skip(first - 1)
        .take(5)
        .map(|(i, text)| {
            let marker = if i + 1 == line { ">" } else { " " };
            format!("{marker} {:>4} | {text}", i + 1)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Helm's rules for release names: at most 53 characters, a DNS-1123 subdomain.
pub fn validate_release_name(name: &str) -> Result<(), RenderError> {
    let err = |reason| {
        Err(RenderError::ReleaseName {
            name: name.to_owned(),
            reason,
        })
    };
    if name.is_empty() {
        return err("it is empty");
    }
    if name.len() > 53 {
        return err("it is longer than 53 characters");
    }
    let label_ok = |label: &str| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    };
    if !name.split('.').all(label_ok) {
        return err(
            "it must consist of lowercase letters, digits, `-` and `.`, and start and end with a letter or digit",
        );
    }
    Ok(())
}

/// Kubernetes' rule for namespaces: a DNS-1123 label, at most 63 characters.
pub fn validate_namespace(name: &str) -> Result<(), RenderError> {
    let err = |reason| {
        Err(RenderError::Namespace {
            name: name.to_owned(),
            reason,
        })
    };
    if name.len() > 63 {
        return err("it is longer than 63 characters");
    }
    let ok = name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if !ok {
        return err(
            "it must consist of lowercase letters, digits and `-`, and start and end with a letter or digit",
        );
    }
    Ok(())
}

impl fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}.{}.{}", self.major, self.minor, self.patch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_names() {
        for ok in ["redis-ha", "a", "prod.redis", "r1"] {
            assert!(validate_release_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "Redis", "-a", "a-", "a_b", "a..b", &"x".repeat(54)] {
            assert!(validate_release_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn namespaces() {
        for ok in ["default", "kube-system", "a1"] {
            assert!(validate_namespace(ok).is_ok(), "{ok}");
        }
        for bad in ["Prod", "a.b", "-a", "a\nb", &"x".repeat(64)] {
            assert!(validate_namespace(bad).is_err(), "{bad}");
        }
    }
}
