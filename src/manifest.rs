//! Rendered manifests: one YAML document each, with what lint, diff and package need to know
//! about it (kind, name, the template it came from) and its content parsed as JSON.
//!
//! This module owns splitting a template's output into documents as Helm does and Helm's
//! install order of kinds; it leaves rendering to [`crate::render`].

use std::fmt::Write as _;

/// One rendered document.
#[derive(Clone, Debug, PartialEq)]
pub struct Manifest {
    /// The template file, relative to `templates/` (`redis-statefulset.yaml`).
    pub template: String,
    /// The document as Helm's splitting leaves it: trimmed on the left; the last document of a
    /// template keeps its trailing whitespace, which `helm template` prints.
    pub content: String,
    /// The document parsed.
    pub object: serde_json::Value,
}

impl Manifest {
    fn field(&self, pointer: &str) -> &str {
        self.object
            .pointer(pointer)
            .and_then(|v| v.as_str())
            .unwrap_or("")
    }

    pub fn kind(&self) -> &str {
        self.field("/kind")
    }

    pub fn api_version(&self) -> &str {
        self.field("/apiVersion")
    }

    pub fn name(&self) -> &str {
        self.field("/metadata/name")
    }

    pub fn namespace(&self) -> Option<&str> {
        self.object
            .pointer("/metadata/namespace")
            .and_then(|v| v.as_str())
    }

    /// `Kind/name`, the way people name an object in messages.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind(), self.name())
    }
}

/// Helm's install order (`releaseutil.InstallOrder`).
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// Sorts manifests as `helm template` prints them: known kinds in install order, then unknown
/// kinds alphabetically; the sort is stable, so template path and document order are kept.
pub fn sort_by_install_order(manifests: &mut [Manifest]) {
    // Each document's kind is looked up once, not at every comparison: (rank, kind of an
    // unknown kind, position) is a total order, so an unstable sort of the keys is stable.
    let mut keys: Vec<(usize, &str, usize)> = manifests
        .iter()
        .enumerate()
        .map(|(index, m)| {
            let kind = m.kind();
            match INSTALL_ORDER.iter().position(|k| *k == kind) {
                Some(rank) => (rank, "", index),
                None => (INSTALL_ORDER.len(), kind, index),
            }
        })
        .collect();
    keys.sort_unstable();
    let order: Vec<usize> = keys.into_iter().map(|(_, _, index)| index).collect();
    permute(manifests, order);
}

/// Moves `items[order[i]]` to position `i`, by swaps along each cycle of the permutation.
fn permute<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..items.len() {
        let mut current = start;
        while order[current] != start {
            let next = order[current];
            items.swap(current, next);
            order[current] = current;
            current = next;
        }
        order[current] = current;
    }
}

/// Whitespace as Go's regexp `\s` matches it (ASCII only, no vertical tab).
fn is_regex_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' ')
}

/// Splits a template's output into documents exactly as Helm's `releaseutil.SplitManifests`
/// does: the separator is the regexp `(?:^|\s*\n)---\s*`, so `--- # comment` separates (the
/// comment starts the next document), whitespace around a separator is dropped, each document
/// is trimmed on the left only (the last keeps its trailing whitespace), and blank documents are
/// skipped. A `---` right after a separator is not one: it stays in the document.
pub fn split_documents(text: &str) -> Vec<&str> {
    let text = text.trim_start();
    let bytes = text.as_bytes();
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut search = 0;
    if text.starts_with("---") {
        let mut end = 3;
        while end < bytes.len() && is_regex_space(bytes[end]) {
            end += 1;
        }
        piece_start = end;
        search = end;
    }
    while let Some(found) = text[search..].find("\n---") {
        let newline = search + found;
        // The match starts where the run of whitespace before the newline starts.
        let mut start = newline;
        while start > search && is_regex_space(bytes[start - 1]) {
            start -= 1;
        }
        let mut end = newline + 4;
        while end < bytes.len() && is_regex_space(bytes[end]) {
            end += 1;
        }
        pieces.push(&text[piece_start..start]);
        piece_start = end;
        search = end;
    }
    pieces.push(&text[piece_start..]);
    pieces
        .into_iter()
        .filter(|d| !d.trim().is_empty())
        .map(str::trim_start)
        .collect()
}

/// One manifest framed as Helm prints it: `---`, the `# Source:` line, the document as split.
fn write_framed(out: &mut String, chart_name: &str, m: &Manifest) {
    let _ = writeln!(
        out,
        "---\n# Source: {chart_name}/templates/{}\n{}",
        m.template, m.content
    );
}

/// Manifests as `helm template` prints them: framed, then the whole trimmed and ended with one
/// newline (`pkg/cmd/template.go`).
pub fn to_helm_text(chart_name: &str, manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for m in manifests {
        write_framed(&mut out, chart_name, m);
    }
    let end = out.trim_end().len();
    out.truncate(end);
    out.push('\n');
    out
}

/// The text of one `--output-dir` file as Helm writes it: each of the template's manifests
/// framed and appended, nothing trimmed.
pub fn to_helm_file_text(chart_name: &str, manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for m in manifests {
        write_framed(&mut out, chart_name, m);
    }
    out
}

/// `helm template --show-only`: Helm splits its whole output again and prints, glob by glob,
/// every document whose `# Source:` path (without the chart name) matches, as `---\n<doc>\n`.
/// A document matched by two globs prints twice, as in Helm. `Err` is the first glob that
/// matched nothing.
pub fn select_helm_text<'g, G>(
    full_text: &str,
    globs: &'g [G],
    is_match: impl Fn(&G, &str) -> bool,
) -> Result<String, &'g G> {
    let docs: Vec<(Option<&str>, &str)> = split_documents(full_text)
        .into_iter()
        .map(|doc| (source_path(doc), doc))
        .collect();
    let mut out = String::new();
    for glob in globs {
        let mut missing = true;
        for (path, doc) in &docs {
            if path.is_some_and(|p| is_match(glob, p)) {
                let _ = writeln!(out, "---\n{doc}");
                missing = false;
            }
        }
        if missing {
            return Err(glob);
        }
    }
    Ok(out)
}

/// The first `# Source: <chart>/<path>` in a document: Helm's `# Source: [^/]+/(.+)`.
fn source_path(doc: &str) -> Option<&str> {
    let mut rest = doc;
    while let Some(i) = rest.find("# Source: ") {
        let after = &rest[i + "# Source: ".len()..];
        let line = after.split('\n').next().unwrap_or("");
        if let Some(slash) = line.find('/')
            && slash > 0
            && slash + 1 < line.len()
        {
            return Some(&line[slash + 1..]);
        }
        rest = after;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_table() {
        // Each row as Helm 4.2.3's `SplitManifests` splits it.
        let table: &[(&str, &[&str])] = &[
            ("a: 1", &["a: 1"]),
            ("---\na: 1\n---\nb: 2\n", &["a: 1", "b: 2\n"]),
            ("\n\n---\n   \n---\na: 1\n", &["---\na: 1\n"]),
            ("a: |\n  ---x\n", &["a: |\n  ---x\n"]),
            ("--- \na: 1", &["a: 1"]),
            ("a: 1\n\n--- # two\nb: 2\n\n", &["a: 1", "# two\nb: 2\n\n"]),
            ("a: 1\n---\n---\nb: 2", &["a: 1", "---\nb: 2"]),
            ("a: 1\n---b: 2", &["a: 1", "b: 2"]),
            ("a: 1 \t\n  \n---\t\n\n b: 2", &["a: 1", "b: 2"]),
            ("# only a comment\n", &["# only a comment\n"]),
            ("", &[]),
        ];
        for (input, expected) in table {
            assert_eq!(split_documents(input), *expected, "{input:?}");
        }
    }

    #[test]
    fn helm_framing() {
        let m = |template: &str, content: &str| Manifest {
            template: template.to_owned(),
            content: content.to_owned(),
            object: serde_json::Value::Null,
        };
        let list = [m("a.yaml", "a: 1"), m("b.yaml", "b: 2\n\n")];
        assert_eq!(
            to_helm_text("c", &list),
            "---\n# Source: c/templates/a.yaml\na: 1\n---\n# Source: c/templates/b.yaml\nb: 2\n"
        );
        assert_eq!(to_helm_text("c", &[]), "\n");
        assert_eq!(
            to_helm_file_text("c", &list[1..]),
            "---\n# Source: c/templates/b.yaml\nb: 2\n\n\n"
        );
        let full = to_helm_text("c", &list);
        let globs = ["templates/b.yaml", "templates/*.yaml"];
        let shown = select_helm_text(&full, &globs, |g, p| g.contains('*') || g == &p);
        assert_eq!(
            shown.unwrap(),
            "---\n# Source: c/templates/b.yaml\nb: 2\n\n---\n# Source: c/templates/a.yaml\na: 1\n---\n# Source: c/templates/b.yaml\nb: 2\n\n"
        );
        assert_eq!(select_helm_text(&full, &["x"], |_, _| false), Err(&"x"));
    }

    #[test]
    fn install_order() {
        let m = |kind: &str, template: &str| Manifest {
            template: template.to_owned(),
            content: String::new(),
            object: serde_json::json!({ "kind": kind }),
        };
        let mut list = vec![
            m("StatefulSet", "a.yaml"),
            m("Zeta", "a.yaml"),
            m("Alpha", "b.yaml"),
            m("Service", "b.yaml"),
            m("Service", "a.yaml"),
            m("NetworkPolicy", "z.yaml"),
        ];
        sort_by_install_order(&mut list);
        let got: Vec<_> = list
            .iter()
            .map(|m| format!("{}@{}", m.kind(), m.template))
            .collect();
        assert_eq!(
            got,
            [
                "NetworkPolicy@z.yaml",
                "Service@b.yaml",
                "Service@a.yaml",
                "StatefulSet@a.yaml",
                "Alpha@b.yaml",
                "Zeta@a.yaml"
            ]
        );
    }
}
