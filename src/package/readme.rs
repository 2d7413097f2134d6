//! The packaged `README.md`: how the archive was produced (chart, preset, values files, flags,
//! as a command line that reproduces it) and what Helm does and does not change at install.
//!
//! Nothing in it depends on the machine or the time: absolute paths are cut to their file
//! name, secret `--set` values are redacted, and no date is written, so that the archive
//! stays reproducible and says nothing its reader should not know.

use std::fmt::Write as _;
use std::path::Path;

use super::redact::REDACTED;
use super::templates::TemplateReport;
use crate::render::ReleaseOptions;
use crate::values::strvals::{self, SetKind};
use crate::values::{Map, Node, Origin, Value, ValueSources};

/// The first line of every packaged README: how an earlier package is recognized.
pub const README_MARKER: &str = "<!-- written by `redis-ha package` -->";

/// How the package was asked for.
#[derive(Clone, Copy, Debug)]
pub struct Invocation<'a> {
    /// `None` for the bundled chart.
    pub chart_path: Option<&'a Path>,
    pub sources: &'a ValueSources,
    pub options: &'a ReleaseOptions,
    pub version: Option<&'a str>,
    pub app_version: Option<&'a str>,
    pub include_secrets: bool,
}

/// A path as it may be shown: relative paths as given, absolute ones by file name.
pub fn display_path(path: &str) -> String {
    let p = Path::new(path);
    if p.is_absolute() {
        p.file_name().map_or_else(
            || "<absolute path>".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        )
    } else {
        path.to_owned()
    }
}

fn shell_word(word: &str) -> String {
    let safe = !word.is_empty()
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:=,@%+-".contains(&b));
    if safe {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn is_secret_leaf(path: &str, node: &Node) -> bool {
    crate::secrets::is_secret_dotted(path)
        && match &node.value {
            Value::Str(s) => !s.is_empty(),
            Value::Int(_) | Value::Float(_) => true,
            _ => false,
        }
}

/// The key of a `key=value` fragment: up to the first `=` not escaped by `\`.
fn fragment_key(fragment: &str) -> &str {
    let bytes = fragment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'=' => return &fragment[..i],
            _ => i += 1,
        }
    }
    fragment
}

/// One value flag as it may be shown: verbatim without secrets, else one flag per assignment
/// with the secret ones redacted.
fn value_flag(flag: &'static str, kind: SetKind, arg: &str) -> Vec<(String, String)> {
    if kind == SetKind::File {
        let key = fragment_key(arg);
        let path = arg.get(key.len() + 1..).unwrap_or("");
        return vec![(flag.to_owned(), format!("{key}={}", display_path(path)))];
    }
    let mut map = Map::new();
    let parsed = strvals::apply(arg, kind, &mut map, &mut |_| Ok(String::new()));
    let tree = Node::new(Value::Map(map), Origin::Computed);
    let leaves = tree.leaves();
    let looks_secret = crate::secrets::mentions_secret(arg);
    if parsed.is_err() || (leaves.is_empty() && looks_secret) {
        return vec![(flag.to_owned(), REDACTED.to_owned())];
    }
    if !leaves.iter().any(|(path, node)| is_secret_leaf(path, node)) {
        return vec![(flag.to_owned(), arg.to_owned())];
    }
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (path, node) in &leaves {
        let Origin::Flag { fragment, .. } = &node.origin else {
            return vec![(flag.to_owned(), REDACTED.to_owned())];
        };
        let shown = if is_secret_leaf(path, node) {
            format!("{}={REDACTED}", fragment_key(fragment))
        } else {
            fragment.to_string()
        };
        if let Some(i) = seen.iter().position(|f| *f == &**fragment) {
            // A fragment setting several leaves (`a={x,y}`) is shown once, redacted if any is.
            if shown.ends_with(REDACTED) {
                out[i].1 = shown;
            }
        } else {
            seen.push(fragment);
            out.push((flag.to_owned(), shown));
        }
    }
    out
}

/// The command line that reproduces the package, secrets redacted, paths made relative.
pub fn command_line(inv: &Invocation<'_>) -> String {
    let ReleaseOptions {
        name,
        namespace,
        kube_version,
        api_versions,
        is_upgrade,
    } = inv.options;
    let ValueSources {
        env,
        files,
        set_json,
        set,
        set_string,
        set_file,
        set_literal,
    } = inv.sources;
    let mut words: Vec<(String, String)> = vec![
        ("-n".to_owned(), namespace.clone()),
        ("--kube-version".to_owned(), kube_version.to_string()),
    ];
    words.extend(api_versions.iter().map(|a| ("-a".to_owned(), a.clone())));
    if *is_upgrade {
        words.push(("--is-upgrade".to_owned(), String::new()));
    }
    if let Some(chart) = inv.chart_path {
        words.push(("--chart".to_owned(), display_path(&chart.to_string_lossy())));
    }
    if let Some(env) = env {
        words.push(("--env".to_owned(), env.clone()));
    }
    for file in files.iter().flat_map(|f| f.split(',')) {
        words.push(("-f".to_owned(), display_path(file)));
    }
    let flags = [
        ("--set-json", SetKind::Json, set_json),
        ("--set", SetKind::Set, set),
        ("--set-string", SetKind::String, set_string),
        ("--set-file", SetKind::File, set_file),
        ("--set-literal", SetKind::Literal, set_literal),
    ];
    for (flag, kind, args) in flags {
        for arg in args {
            words.extend(value_flag(flag, kind, arg));
        }
    }
    if let Some(v) = inv.version {
        words.push(("--version".to_owned(), v.to_owned()));
    }
    if let Some(v) = inv.app_version {
        words.push(("--app-version".to_owned(), v.to_owned()));
    }
    if inv.include_secrets {
        words.push(("--include-secrets".to_owned(), String::new()));
    }
    let mut line = format!("redis-ha package {}", shell_word(name));
    for (flag, value) in words {
        line.push_str(" \\\n    ");
        line.push_str(&flag);
        if !value.is_empty() {
            line.push(' ');
            line.push_str(&shell_word(&value));
        }
    }
    line
}

/// What the README says.
pub struct ReadmeInput<'a> {
    pub chart_name: &'a str,
    pub version: &'a str,
    pub description: &'a str,
    /// The source chart: name and version.
    pub source: (&'a str, &'a str),
    pub invocation: Invocation<'a>,
    pub templates: &'a TemplateReport,
    /// Secrets left out (`Kind/name`, data keys).
    pub left_out: &'a [(String, Vec<String>)],
    /// Secrets kept, with `--include-secrets`.
    pub kept_secrets: &'a [String],
}

pub fn readme(input: &ReadmeInput<'_>) -> String {
    let inv = &input.invocation;
    let opts = inv.options;
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "{README_MARKER}");
    let _ = writeln!(w, "# {} {}\n", input.chart_name, input.version);
    let _ = writeln!(w, "{}\n", input.description);
    let _ = writeln!(
        w,
        "This chart was written by `redis-ha package` (redis-ha {}). Its templates are the\n\
         manifests redis-ha rendered and checked: Helm installs exactly these objects and takes\n\
         only their namespace from the install (`helm install -n NAMESPACE`, the destination\n\
         namespace of Argo CD or Flux).\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(w, "## How it was produced\n");
    let _ = writeln!(w, "```sh\n{}\n```\n", command_line(inv));
    let chart = match inv.chart_path {
        None => format!(
            "`{}` {}, bundled with redis-ha",
            input.source.0, input.source.1
        ),
        Some(p) => format!(
            "`{}` {}, from `{}`",
            input.source.0,
            input.source.1,
            display_path(&p.to_string_lossy())
        ),
    };
    let preset = inv.sources.env.as_ref().map_or_else(
        || "none".to_owned(),
        |e| format!("`{e}` (`values/values-{e}.yaml`)"),
    );
    let files: Vec<String> = inv
        .sources
        .files
        .iter()
        .flat_map(|f| f.split(','))
        .map(|f| {
            if f == "-" {
                "standard input".to_owned()
            } else {
                format!("`{}`", display_path(f))
            }
        })
        .collect();
    let _ = writeln!(w, "| | |\n|---|---|");
    let _ = writeln!(w, "| chart | {chart} |");
    let _ = writeln!(w, "| preset | {preset} |");
    let _ = writeln!(
        w,
        "| values files, in order | {} |",
        if files.is_empty() {
            "none".to_owned()
        } else {
            files.join(", ")
        }
    );
    let _ = writeln!(w, "| release name | `{}` |", opts.name);
    let _ = writeln!(
        w,
        "| rendered for | namespace `{}`, Kubernetes {} |\n",
        opts.namespace, opts.kube_version
    );
    let _ = writeln!(
        w,
        "`values.yaml` holds the values the manifests were rendered with, secret values replaced\n\
         by `{REDACTED}`; `values.schema.json` is the chart's schema (JSON Schema draft-07) with one\n\
         more rule: the values must be exactly these.\n"
    );
    let _ = writeln!(w, "## At install\n");
    let _ = writeln!(
        w,
        "- **Namespace.** Namespaced objects carry `metadata.namespace: {{{{ .Release.Namespace }}}}`\n  \
         (added where the chart sets none), and so does every other place the chart derived from\n  \
         the namespace (Service host names, RoleBinding subjects). Objects the values put in a\n  \
         namespace of their own keep it."
    );
    if !input.templates.fixed_lines.is_empty() {
        let list: Vec<String> = input
            .templates
            .fixed_lines
            .iter()
            .map(|(t, n)| format!("`templates/{t}` ({n})"))
            .collect();
        let _ = writeln!(
            w,
            "  Lines that depend on the namespace in a way Helm cannot recompute (checksums, IDs\n  \
             hashed from it) keep the value rendered for `{}`: {}.",
            opts.namespace,
            list.join(", ")
        );
    }
    let _ = writeln!(
        w,
        "- **Names.** Objects are named for the release `{}`, whatever release name Helm is given.",
        opts.name
    );
    let _ = writeln!(
        w,
        "- **Values.** The templates read no values, so Helm refuses any install-time value that\n  \
         differs from `values.yaml` (`--set`, `-f`, Argo CD parameters, Flux `spec.values`): the\n  \
         error names the path and says `{}`. To change the deployment, change the values and\n  \
         package again.",
        super::draft07::FIXED_VALUES_MESSAGE
    );
    if !input.left_out.is_empty() {
        let _ = writeln!(
            w,
            "- **Secrets.** The render's Secrets are not in this chart, so that no password is\n  \
             published with it. Create each in the namespace named here before installing (or use\n  \
             `auth.existingSecret`); package with `--include-secrets` to keep them:"
        );
        for (name, keys) in input.left_out {
            let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            let _ = writeln!(
                w,
                "  - {name}, keys {}",
                if keys.is_empty() {
                    "none".to_owned()
                } else {
                    keys.join(", ")
                }
            );
        }
    }
    if !input.kept_secrets.is_empty() {
        let _ = writeln!(
            w,
            "- **Secrets.** Packaged with `--include-secrets`: {} hold their data (base64, not\n  \
             encrypted). Push this chart only to a repository as private as the password.",
            input
                .kept_secrets
                .iter()
                .map(|s| format!("`{s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_words() {
        assert_eq!(display_path("/home/me/values/prod.yaml"), "prod.yaml");
        assert_eq!(display_path("values/prod.yaml"), "values/prod.yaml");
        assert_eq!(shell_word("a=b,c"), "a=b,c");
        assert_eq!(shell_word("it's x"), r"'it'\''s x'");
        assert_eq!(shell_word(""), "''");
        assert_eq!(fragment_key(r"a\=b.c=d=e"), r"a\=b.c");
    }

    #[test]
    fn secrets_stay_out_of_the_command_line() {
        for (kind, arg) in [
            (SetKind::Set, "auth.password=hunter2"),
            (SetKind::String, "x=1,auth.password=hunter2"),
            (SetKind::Literal, "auth.password=hunter2,x"),
        ] {
            let shown = value_flag("--set", kind, arg);
            assert!(
                shown.iter().all(|(_, v)| !v.contains("hunter2")),
                "{arg}: {shown:?}"
            );
        }
        assert_eq!(
            value_flag("--set-file", SetKind::File, "auth.password=/secret/pw.txt"),
            [("--set-file".to_owned(), "auth.password=pw.txt".to_owned())]
        );
    }
}
