//! The packaged `templates/`: rendered manifests written as Go templates that Helm prints
//! verbatim, except the release namespace, which Helm fills in at install.
//!
//! Where the namespace goes is not guessed from the text: the chart is rendered a second time
//! for a probe namespace, and the positions where the probe appears are the positions that
//! depend on the namespace (`metadata.namespace`, `*.NAMESPACE.svc` host names, RoleBinding
//! subjects). Every other byte is escaped so Go's template engine copies it. This module also
//! holds the reverse, [`helm_output`], with which every packaged file is checked against the
//! render before it is written.

use std::collections::BTreeMap;

use crate::manifest::{Manifest, split_documents};
use crate::render::parse_document;

/// What Helm replaces with the release namespace.
pub const NAMESPACE_PLACEHOLDER: &str = "{{ .Release.Namespace }}";
const OPEN_ESCAPED: &str = r#"{{ "{{" }}"#;
const CLOSE_ESCAPED: &str = r#"{{ "}}" }}"#;
/// A `{` right before the placeholder would open an action with it (`{{{ .Release...`).
const LONE_OPEN_ESCAPED: &str = r#"{{ "{" }}"#;

/// Namespaces a chart could be rendered for to find where the namespace goes; the first that
/// is neither the release's namespace nor present in its render is used.
pub const PROBE_NAMESPACES: &[&str] = &["zz-rhpkg-probe-7f3c9a", "zz-rhpkg-probe-2b8e41"];

/// Kinds that live in a namespace: those get `metadata.namespace` when the render has none.
/// Kinds not listed (cluster-scoped ones, unknown custom resources) are left as rendered.
const NAMESPACED_KINDS: &[&str] = &[
    "Binding",
    "ConfigMap",
    "ControllerRevision",
    "CronJob",
    "CSIStorageCapacity",
    "DaemonSet",
    "Deployment",
    "Endpoints",
    "EndpointSlice",
    "Event",
    "HorizontalPodAutoscaler",
    "Ingress",
    "Job",
    "Lease",
    "LimitRange",
    "NetworkPolicy",
    "PersistentVolumeClaim",
    "Pod",
    "PodDisruptionBudget",
    "PodTemplate",
    "ReplicaSet",
    "ReplicationController",
    "ResourceQuota",
    "Role",
    "RoleBinding",
    "Secret",
    "Service",
    "ServiceAccount",
    "StatefulSet",
    // monitoring.coreos.com
    "Alertmanager",
    "AlertmanagerConfig",
    "PodMonitor",
    "Probe",
    "Prometheus",
    "PrometheusAgent",
    "PrometheusRule",
    "ScrapeConfig",
    "ServiceMonitor",
    "ThanosRuler",
];

/// One file of the packaged `templates/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TemplateOutput {
    /// Relative to `templates/`, as the source template is named.
    pub name: String,
    pub text: String,
}

/// What making templates found out, for the README.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateReport {
    /// Objects that got `metadata.namespace` although the render had none (`Kind/name`).
    pub namespace_added: Vec<String>,
    /// Lines that depend on the namespace in a way a placeholder cannot reproduce (a checksum
    /// of a config that names the namespace): they keep what was rendered, by template.
    pub fixed_lines: BTreeMap<String, usize>,
}

/// Why the templates cannot be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum TemplateError {
    /// Turned into a message with a hint by [`super`], which knows the values.
    #[error("the chart renders different objects for another namespace ({detail})")]
    NamespaceDependent { detail: String },
    #[error(
        "every probe namespace occurs in the render, so where the namespace goes cannot be found\n  hint: render for another namespace with `-n`"
    )]
    NoProbe,
    #[error(
        "packaged template `templates/{template}` would not print the rendered manifests in Helm: {message}\n  hint: this is a bug in redis-ha; please report it with the command line"
    )]
    Mismatch { template: String, message: String },
}

/// Picks the probe namespace for a render.
pub fn probe_namespace(
    namespace: &str,
    rendered: &[Manifest],
) -> Result<&'static str, TemplateError> {
    PROBE_NAMESPACES
        .iter()
        .copied()
        .find(|probe| *probe != namespace && !rendered.iter().any(|m| m.content.contains(*probe)))
        .ok_or(TemplateError::NoProbe)
}

/// Escapes every `{{` and `}}` so that Go's template engine prints them as they are.
pub fn escape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    let mut i = 0;
    while i + 1 < bytes.len() {
        let escaped = match (bytes[i], bytes[i + 1]) {
            (b'{', b'{') => OPEN_ESCAPED,
            (b'}', b'}') => CLOSE_ESCAPED,
            _ => {
                i += 1;
                continue;
            }
        };
        // `{` and `}` are ASCII, so these are character boundaries.
        out.push_str(&text[start..i]);
        out.push_str(escaped);
        i += 2;
        start = i;
    }
    out.push_str(&text[start..]);
    out
}

/// What Helm prints for a packaged template installed in `namespace`: the escapes and the
/// namespace placeholder are the only actions allowed; anything else is an error, since Helm
/// would not print it verbatim.
pub fn helm_output(template: &str, namespace: &str) -> Result<String, String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let action = &rest[i..];
        let (printed, len) = if action.starts_with(OPEN_ESCAPED) {
            ("{{", OPEN_ESCAPED.len())
        } else if action.starts_with(CLOSE_ESCAPED) {
            ("}}", CLOSE_ESCAPED.len())
        } else if action.starts_with(LONE_OPEN_ESCAPED) {
            ("{", LONE_OPEN_ESCAPED.len())
        } else if action.starts_with(NAMESPACE_PLACEHOLDER) {
            (namespace, NAMESPACE_PLACEHOLDER.len())
        } else {
            let line = template[..template.len() - action.len()]
                .lines()
                .count()
                .max(1);
            let shown: String = action.chars().take(40).collect();
            return Err(format!(
                "unexpected template action at line {line}: `{shown}`"
            ));
        };
        out.push_str(printed);
        rest = &action[len..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The packaged templates: one file per source template, documents in `helm template` order.
///
/// `rendered` and `probe` are the same release rendered for its namespace and for `probe`, in
/// install order.
pub fn package_templates(
    rendered: &[Manifest],
    probe: &[Manifest],
    namespace: &str,
    probe_ns: &str,
) -> Result<(Vec<TemplateOutput>, TemplateReport), TemplateError> {
    if rendered.len() != probe.len() {
        return Err(TemplateError::NamespaceDependent {
            detail: format!("{} objects, then {}", rendered.len(), probe.len()),
        });
    }
    let mut report = TemplateReport::default();
    // By template, in the order of the render; each entry: the document and what Helm must
    // print for it.
    let mut files: BTreeMap<&str, Vec<(String, serde_json::Value)>> = BTreeMap::new();
    for (a, b) in rendered.iter().zip(probe) {
        if a.template != b.template || a.kind() != b.kind() {
            return Err(TemplateError::NamespaceDependent {
                detail: format!(
                    "{} from `{}`, then {} from `{}`",
                    a.display_name(),
                    a.template,
                    b.display_name(),
                    b.template
                ),
            });
        }
        let (mut marked, fixed) = align(&a.content, &b.content, namespace, probe_ns);
        if fixed > 0 {
            *report.fixed_lines.entry(a.template.clone()).or_default() += fixed;
        }
        let mut expected = a.object.clone();
        // Quoted: a namespace such as `yes` or `123` must stay a string.
        if needs_namespace(a)
            && let Some(text) = insert_namespace(&marked, &format!("\"{probe_ns}\""))
        {
            let mut with_ns = a.object.clone();
            if let Some(metadata) = with_ns.get_mut("metadata").and_then(|m| m.as_object_mut()) {
                metadata.insert("namespace".to_owned(), namespace.into());
            }
            // Kept only when it reads back as the rendered object plus the namespace.
            let parsed = parse_document(&text.replace(probe_ns, namespace)).ok();
            if parsed.as_ref() == Some(&with_ns) {
                marked = text;
                expected = with_ns;
                report.namespace_added.push(a.display_name());
            }
        }
        let text = place_namespace(&escape(&marked), probe_ns);
        files.entry(&a.template).or_default().push((text, expected));
    }
    let mut out = Vec::new();
    for (name, docs) in files {
        let mut text = String::new();
        for (doc, _) in &docs {
            text.push_str("---\n");
            text.push_str(doc);
            text.push('\n');
        }
        check(
            name,
            &text,
            namespace,
            docs.iter().map(|(_, object)| object),
        )?;
        out.push(TemplateOutput {
            name: name.to_owned(),
            text,
        });
    }
    Ok((out, report))
}

/// Replaces the probe in escaped text by the placeholder.
fn place_namespace(escaped: &str, probe_ns: &str) -> String {
    let mut out = String::with_capacity(escaped.len());
    for (i, part) in escaped.split(probe_ns).enumerate() {
        if i > 0 {
            // Escapes end in `}`, so a `{` here is the text's own.
            if out.ends_with('{') {
                out.pop();
                out.push_str(LONE_OPEN_ESCAPED);
            }
            out.push_str(NAMESPACE_PLACEHOLDER);
        }
        out.push_str(part);
    }
    out
}

/// The probe render's text where it equals the render once the probe is replaced by the
/// namespace; where it does not (a checksum over text naming the namespace), the rendered
/// line. Returns the text and how many lines were kept as rendered.
fn align(rendered: &str, probe: &str, namespace: &str, probe_ns: &str) -> (String, usize) {
    if probe.replace(probe_ns, namespace) == rendered {
        return (probe.to_owned(), 0);
    }
    let a: Vec<&str> = rendered.split('\n').collect();
    let b: Vec<&str> = probe.split('\n').collect();
    if a.len() != b.len() {
        return (rendered.to_owned(), a.len());
    }
    let mut fixed = 0;
    let lines: Vec<&str> = a
        .iter()
        .zip(&b)
        .map(|(x, y)| {
            if y.replace(probe_ns, namespace) == *x {
                *y
            } else {
                fixed += 1;
                *x
            }
        })
        .collect();
    (lines.join("\n"), fixed)
}

fn needs_namespace(m: &Manifest) -> bool {
    NAMESPACED_KINDS.contains(&m.kind())
        && m.object
            .get("metadata")
            .and_then(|meta| meta.as_object())
            .is_some_and(|meta| !meta.contains_key("namespace"))
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank_or_comment(line: &str) -> bool {
    let t = line.trim();
    t.is_empty() || t.starts_with('#')
}

/// Adds `namespace: VALUE` to the document's top-level block `metadata:` map, after its
/// `name:`; `None` when the document is not written that way (flow style, no `metadata:`).
fn insert_namespace(doc: &str, value: &str) -> Option<String> {
    let lines: Vec<&str> = doc.split('\n').collect();
    let start = lines.iter().position(|l| {
        l.strip_prefix("metadata:")
            .is_some_and(|rest| rest.trim().is_empty() || rest.trim_start().starts_with('#'))
    })?;
    let first_child = lines[start + 1..]
        .iter()
        .find(|l| !is_blank_or_comment(l))?;
    let child = indent(first_child);
    if child == 0 {
        return None;
    }
    let end = lines[start + 1..]
        .iter()
        .position(|l| !is_blank_or_comment(l) && indent(l) < child)
        .map_or(lines.len(), |i| start + 1 + i);
    let name = (start + 1..end)
        .find(|&i| indent(lines[i]) == child && lines[i][child..].starts_with("name:"));
    let at = match name {
        // After the name's value, which may continue on deeper lines.
        Some(i) => (i + 1..end)
            .find(|&j| !is_blank_or_comment(lines[j]) && indent(lines[j]) <= child)
            .unwrap_or(end),
        None => start + 1,
    };
    let line = format!("{}namespace: {value}", " ".repeat(child));
    let mut out: Vec<&str> = Vec::with_capacity(lines.len() + 1);
    out.extend_from_slice(&lines[..at]);
    out.push(&line);
    out.extend_from_slice(&lines[at..]);
    Some(out.join("\n"))
}

/// Checks that Helm prints the expected objects for a packaged file.
fn check<'a>(
    name: &str,
    text: &str,
    namespace: &str,
    expected: impl Iterator<Item = &'a serde_json::Value>,
) -> Result<(), TemplateError> {
    let mismatch = |message: String| TemplateError::Mismatch {
        template: name.to_owned(),
        message,
    };
    let printed = helm_output(text, namespace).map_err(mismatch)?;
    let docs = split_documents(&printed);
    let expected: Vec<_> = expected.collect();
    if docs.len() != expected.len() {
        return Err(mismatch(format!(
            "{} documents instead of {}",
            docs.len(),
            expected.len()
        )));
    }
    for (index, (doc, want)) in docs.iter().zip(expected).enumerate() {
        let got = parse_document(doc).map_err(|(message, line)| {
            mismatch(format!("document {}: line {line}: {message}", index + 1))
        })?;
        if &got != want {
            return Err(mismatch(format!(
                "document {} differs from the render",
                index + 1
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(template: &str, content: &str) -> Manifest {
        Manifest {
            template: template.to_owned(),
            content: content.to_owned(),
            object: parse_document(content).unwrap(),
        }
    }

    #[test]
    fn escape_table() {
        let table = [
            ("plain", "plain"),
            ("{{ $labels.pod }}", r#"{{ "{{" }} $labels.pod {{ "}}" }}"#),
            ("{{{", r#"{{ "{{" }}{"#),
            ("}}}", r#"{{ "}}" }}}"#),
            ("{}{}", "{}{}"),
            ("{{-x-}}", r#"{{ "{{" }}-x-{{ "}}" }}"#),
            ("é{{é", r#"é{{ "{{" }}é"#),
            ("", ""),
        ];
        for (input, want) in table {
            assert_eq!(escape(input), want, "{input}");
            assert_eq!(helm_output(&escape(input), "ns").unwrap(), input, "{input}");
        }
    }

    #[test]
    fn a_brace_before_the_namespace_is_escaped() {
        let text = place_namespace(&escape("x: {zzprobe} ${NS:=zzprobe}"), "zzprobe");
        assert_eq!(
            text,
            r#"x: {{ "{" }}{{ .Release.Namespace }}} ${NS:={{ .Release.Namespace }}}"#
        );
        assert_eq!(helm_output(&text, "prod").unwrap(), "x: {prod} ${NS:=prod}");
    }

    #[test]
    fn helm_output_refuses_other_actions() {
        assert_eq!(
            helm_output("a: {{ .Release.Namespace }}", "prod").unwrap(),
            "a: prod"
        );
        assert!(helm_output("a: {{ .Values.x }}", "prod").is_err());
        assert!(helm_output("a: {{", "prod").is_err());
    }

    #[test]
    fn namespace_where_the_probe_went() {
        let doc = |ns: &str| {
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: {ns}\ndata:\n  host: r-0.r.{ns}.svc\n  note: default stays\n  alert: \"{{{{ $labels.pod }}}}\""
            )
        };
        let (files, report) = package_templates(
            &[manifest("cm.yaml", &doc("default"))],
            &[manifest("cm.yaml", &doc("probe-x"))],
            "default",
            "probe-x",
        )
        .unwrap();
        assert_eq!(
            files[0].text,
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: {{ .Release.Namespace }}\ndata:\n  host: r-0.r.{{ .Release.Namespace }}.svc\n  note: default stays\n  alert: \"{{ \"{{\" }} $labels.pod {{ \"}}\" }}\"\n"
        );
        assert_eq!(report, TemplateReport::default());
        let printed = helm_output(&files[0].text, "other").unwrap();
        assert_eq!(printed.trim_start_matches("---\n").trim_end(), doc("other"));
    }

    #[test]
    fn namespace_added_after_name() {
        let doc = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: >-\n    long\n  labels:\n    a: b\nspec: {}";
        let (files, report) = package_templates(
            &[manifest("s.yaml", doc)],
            &[manifest("s.yaml", doc)],
            "data",
            "zzprobe",
        )
        .unwrap();
        assert_eq!(
            files[0].text,
            "---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: >-\n    long\n  namespace: \"{{ .Release.Namespace }}\"\n  labels:\n    a: b\nspec: {}\n"
        );
        assert_eq!(report.namespace_added, ["StatefulSet/long"]);
    }

    #[test]
    fn cluster_scoped_and_flow_style_are_left_alone() {
        for doc in [
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: c",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}",
            "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w",
        ] {
            let (files, report) = package_templates(
                &[manifest("x.yaml", doc)],
                &[manifest("x.yaml", doc)],
                "n",
                "zzprobe",
            )
            .unwrap();
            assert_eq!(files[0].text, format!("---\n{doc}\n"));
            assert!(report.namespace_added.is_empty());
        }
    }

    #[test]
    fn lines_that_cannot_follow_the_namespace_stay_as_rendered() {
        let a = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: n\n  annotations:\n    checksum: aaa";
        let b = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: zzprobe\n  annotations:\n    checksum: bbb";
        let (files, report) = package_templates(
            &[manifest("c.yaml", a)],
            &[manifest("c.yaml", b)],
            "n",
            "zzprobe",
        )
        .unwrap();
        assert!(
            files[0]
                .text
                .contains("namespace: {{ .Release.Namespace }}")
        );
        assert!(files[0].text.contains("checksum: aaa"));
        assert_eq!(report.fixed_lines.get("c.yaml"), Some(&1));
    }

    #[test]
    fn different_objects_per_namespace_is_an_error() {
        let a = manifest("c.yaml", "kind: ConfigMap\nmetadata:\n  name: c");
        assert!(matches!(
            package_templates(std::slice::from_ref(&a), &[], "n", "zzprobe"),
            Err(TemplateError::NamespaceDependent { .. })
        ));
    }

    #[test]
    fn documents_of_one_template_share_a_file() {
        let one = "apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  namespace: n";
        let two = "apiVersion: v1\nkind: Service\nmetadata:\n  name: b\n  namespace: n";
        let list = [manifest("svc.yaml", one), manifest("svc.yaml", two)];
        let (files, _) = package_templates(&list, &list, "n", "zzprobe").unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(split_documents(&files[0].text).len(), 2);
    }
}
