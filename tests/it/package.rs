//! Tests of `redis-ha package` on a small fixture chart and on the bundled presets: the
//! archive's bytes and layout, escaping, secrets, versions and writing all or nothing.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use redis_ha::package::templates::helm_output;

use crate::common::{CliTest, Run};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/package/basic");
const PASSWORD: &str = "s3cr3t-Pa55word-xyz";

/// A test directory holding the fixture chart as `chart/`.
fn with_chart() -> CliTest {
    CliTest::with_chart(Path::new(FIXTURE))
}

fn package(t: &CliTest, extra: &[&str]) -> Run {
    let mut args = vec!["package", "--chart", "chart"];
    args.extend_from_slice(extra);
    t.run(&args)
}

fn password_arg() -> String {
    format!("auth.password={PASSWORD}")
}

/// One archive entry.
struct Entry {
    path: String,
    kind: tar::EntryType,
    mode: u32,
    owner: (u64, u64),
    names: (String, String),
    mtime: u64,
    text: String,
}

fn entries(archive: &Path) -> Vec<Entry> {
    let file = std::fs::File::open(archive).unwrap();
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    tar.entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let h = e.header().clone();
            let mut text = String::new();
            e.read_to_string(&mut text).unwrap();
            Entry {
                path: e.path().unwrap().display().to_string(),
                kind: h.entry_type(),
                mode: h.mode().unwrap(),
                owner: (h.uid().unwrap(), h.gid().unwrap()),
                names: (
                    h.username().unwrap().unwrap_or("").to_owned(),
                    h.groupname().unwrap().unwrap_or("").to_owned(),
                ),
                mtime: h.mtime().unwrap(),
                text,
            }
        })
        .collect()
}

/// Every file under `dir`, relative, sorted.
fn tree(dir: &Path) -> Vec<(String, String)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().display().to_string();
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Whether a packaged template holds a `{{` or `}}` that is not one of the escapes or the
/// namespace placeholder: what remains once those are taken out.
fn unescaped_braces(template: &str) -> Vec<String> {
    let allowed = [
        r#"{{ "{{" }}"#,
        r#"{{ "}}" }}"#,
        r#"{{ "{" }}"#,
        "{{ .Release.Namespace }}",
    ];
    let mut found = Vec::new();
    let mut rest = template;
    loop {
        let next = [rest.find("{{"), rest.find("}}")]
            .into_iter()
            .flatten()
            .min();
        let Some(i) = next else { break };
        let here = &rest[i..];
        if let Some(a) = allowed.iter().find(|a| here.starts_with(**a)) {
            rest = &here[a.len()..];
        } else {
            found.push(here.chars().take(30).collect());
            rest = &here[2..];
        }
    }
    found
}

#[test]
fn two_packagings_are_byte_identical() {
    let t = with_chart();
    let pw = password_arg();
    for dir in ["a", "b"] {
        let run = package(&t, &["-n", "data", "--set", &pw, "-d", dir]);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let a = std::fs::read(t.dir().join("a/pkg-1.2.3.tgz")).unwrap();
    let b = std::fs::read(t.dir().join("b/pkg-1.2.3.tgz")).unwrap();
    assert_eq!(a, b);
    // Packaging again over the same file gives the same bytes too.
    let run = package(&t, &["-n", "data", "--set", &pw, "-d", "a"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read(t.dir().join("a/pkg-1.2.3.tgz")).unwrap(), a);
}

#[test]
fn archive_layout_is_helms() {
    let t = with_chart();
    let run = package(&t, &["--set", &password_arg(), "-d", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let archive = t.dir().join("out/pkg-1.2.3.tgz");
    let bytes = std::fs::read(&archive).unwrap();
    // gzip: deflate, no FNAME/FCOMMENT flags, MTIME zero.
    assert_eq!(&bytes[..3], &[0x1f, 0x8b, 8]);
    assert_eq!(
        bytes[3] & 0b1_1000,
        0,
        "no file name or comment in the gzip header"
    );
    assert_eq!(&bytes[4..8], &[0, 0, 0, 0], "no gzip timestamp");
    let list = entries(&archive);
    let paths: Vec<_> = list.iter().map(|e| e.path.as_str()).collect();
    insta::assert_snapshot!(paths.join("\n"), @r"
    pkg/Chart.yaml
    pkg/README.md
    pkg/templates/configmap.yaml
    pkg/templates/prometheusrule.yaml
    pkg/templates/rbac.yaml
    pkg/templates/service.yaml
    pkg/templates/statefulset.yaml
    pkg/values.schema.json
    pkg/values.yaml
    ");
    let mut sorted = paths[1..].to_vec();
    sorted.sort_unstable();
    assert_eq!(paths[1..], sorted[..], "Chart.yaml first, then sorted");
    for e in &list {
        assert_eq!(e.kind, tar::EntryType::Regular, "{}", e.path);
        assert_eq!(e.mode, 0o644, "{}", e.path);
        assert_eq!(e.owner, (0, 0), "{}", e.path);
        assert_eq!(e.names, (String::new(), String::new()), "{}", e.path);
        assert_eq!(e.mtime, 315_532_800, "{}", e.path);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&archive).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o444,
            0o444,
            "the archive is readable by all: {mode:o}"
        );
    }
}

#[test]
fn source_date_epoch_sets_the_mtimes() {
    let t = with_chart();
    let output = t
        .command()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args([
            "package",
            "--chart",
            "chart",
            "--set",
            &password_arg(),
            "-d",
            "out",
        ])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let list = entries(&t.dir().join("out/pkg-1.2.3.tgz"));
    assert!(list.iter().all(|e| e.mtime == 1_700_000_000));

    let output = t
        .command()
        .env("SOURCE_DATE_EPOCH", "last tuesday")
        .args([
            "package",
            "--chart",
            "chart",
            "--set",
            &password_arg(),
            "-d",
            "bad",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!t.dir().join("bad").exists());
}

#[test]
fn templates_hold_no_unescaped_braces() {
    let t = with_chart();
    let run = package(&t, &["-n", "data", "--set", &password_arg(), "-d", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = entries(&t.dir().join("out/pkg-1.2.3.tgz"));
    let templates: Vec<_> = list
        .iter()
        .filter(|e| e.path.starts_with("pkg/templates/"))
        .collect();
    assert_eq!(templates.len(), 5);
    for e in &templates {
        assert_eq!(
            unescaped_braces(&e.text),
            Vec::<String>::new(),
            "{}",
            e.path
        );
    }
    // The fixture's PrometheusRule keeps Prometheus' own template text for Helm to print.
    let rule = list
        .iter()
        .find(|e| e.path == "pkg/templates/prometheusrule.yaml")
        .unwrap();
    assert!(
        rule.text
            .contains(r#"summary: "Redis {{ "{{" }} $labels.pod {{ "}}" }} is down""#)
    );
    assert!(
        helm_output(&rule.text, "data")
            .unwrap()
            .contains(r#"summary: "Redis {{ $labels.pod }} is down""#)
    );
}

#[test]
fn the_namespace_is_left_to_helm() {
    let t = with_chart();
    let pw = password_arg();
    let run = package(
        &t,
        &["-n", "team-ns", "--set", &pw, "-d", "out", "--unpacked"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let files = tree(&t.dir().join("out/pkg/templates"));
    let all: String = files.iter().map(|(_, text)| text.as_str()).collect();
    assert!(
        !all.contains("team-ns"),
        "the render's namespace is gone:\n{all}"
    );
    // Installed in another namespace, each object is what redis-ha renders for it (Secrets
    // and checksums apart).
    let render = t.run(&[
        "render", "--chart", "chart", "-n", "other", "--set", &pw, "-o", "json",
    ]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let rendered: Vec<serde_json::Value> = serde_json::from_str(&render.stdout).unwrap();
    let mut installed = Vec::new();
    for (_, text) in &files {
        let printed = helm_output(text, "other").unwrap();
        for doc in redis_ha::manifest::split_documents(&printed) {
            installed.push(redis_ha::render::parse_document(doc).unwrap());
        }
    }
    let strip = |mut v: serde_json::Value| {
        if let Some(meta) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            meta.remove("namespace");
        }
        if let Some(ann) = v
            .pointer_mut("/spec/template/metadata/annotations")
            .and_then(|a| a.as_object_mut())
        {
            ann.remove("checksum/config");
        }
        v
    };
    let key = |v: &serde_json::Value| format!("{}/{}", v["kind"], v["metadata"]["name"]);
    let mut want: Vec<_> = rendered
        .into_iter()
        .filter(|v| v["kind"] != "Secret")
        .map(strip)
        .collect();
    let mut got: Vec<_> = installed.into_iter().map(strip).collect();
    want.sort_by_key(key);
    got.sort_by_key(key);
    assert_eq!(got, want);
}

#[test]
fn no_password_in_any_packaged_file() {
    let t = with_chart();
    let pw = password_arg();
    let encoded = "czNjcjN0LVBhNTV3b3JkLXh5eg=="; // base64 of PASSWORD
    let run = package(&t, &["--set", &pw, "-d", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run_dir = package(&t, &["--set", &pw, "-d", "out", "--unpacked"]);
    assert_eq!(run_dir.code, 0, "{}", run_dir.stderr);
    let mut files: Vec<(String, String)> = entries(&t.dir().join("out/pkg-1.2.3.tgz"))
        .into_iter()
        .map(|e| (e.path, e.text))
        .collect();
    files.extend(tree(&t.dir().join("out/pkg")));
    files.push(("stdout".to_owned(), run.stdout.clone() + &run_dir.stdout));
    files.push(("stderr".to_owned(), run.stderr.clone() + &run_dir.stderr));
    assert_eq!(files.len(), 20);
    for (path, text) in &files {
        assert!(!text.contains(PASSWORD), "password in {path}");
        assert!(!text.contains(encoded), "base64 password in {path}");
    }
    let values = &files
        .iter()
        .find(|(p, _)| p == "pkg/values.yaml")
        .unwrap()
        .1;
    assert!(values.contains("password: <redacted>"), "{values}");
    let readme = &files.iter().find(|(p, _)| p == "pkg/README.md").unwrap().1;
    assert!(
        readme.contains("--set 'auth.password=<redacted>'"),
        "{readme}"
    );
    assert!(
        readme.contains("`Secret/redis-ha-auth` in the release namespace, keys `password`"),
        "{readme}"
    );
    insta::assert_snapshot!(run.stdout, @r"
    wrote out/pkg-1.2.3.tgz
    note: left out `Secret/redis-ha-auth` in the release namespace: create it before installing, or pass `--include-secrets` (see the chart's README.md)
    ");
}

#[test]
fn include_secrets_keeps_the_secret() {
    let t = with_chart();
    let run = package(
        &t,
        &[
            "--set",
            &password_arg(),
            "-d",
            "out",
            "--unpacked",
            "--include-secrets",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let secret = std::fs::read_to_string(t.dir().join("out/pkg/templates/secret.yaml")).unwrap();
    assert!(
        secret.contains("password: czNjcjN0LVBhNTV3b3JkLXh5eg=="),
        "{secret}"
    );
    assert!(
        secret.contains("namespace: {{ .Release.Namespace }}"),
        "{secret}"
    );
    let values = std::fs::read_to_string(t.dir().join("out/pkg/values.yaml")).unwrap();
    assert!(!values.contains(PASSWORD));
    assert_eq!(run.stdout, "wrote out/pkg\n");
}

#[test]
fn a_password_copied_into_a_configmap_stops_the_package() {
    let t = with_chart();
    t.write(
        "chart/templates/leak.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  redis.conf: requirepass {{ Values.auth.password }}\n",
    );
    let run = package(&t, &["--set", &password_arg(), "-d", "out"]);
    assert_eq!(run.code, 2);
    assert!(!run.stderr.contains(PASSWORD));
    assert!(!t.dir().join("out").exists());
    insta::assert_snapshot!(run.stderr, @r"
    error: the secret value of `auth.password` (set by `--set`) appears in `templates/leak.yaml`; a chart archive is made to be published, so none was written
      hint: the chart must read secrets from a Secret, never copy them into other objects; if the value is a common word, choose another
    ");
}

#[test]
fn a_value_equal_to_the_namespace_is_named() {
    let t = with_chart();
    let run = package(
        &t,
        &[
            "-n",
            "data",
            "--set",
            &password_arg(),
            "--set",
            "rules.namespace=data",
            "-d",
            "out",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(!t.dir().join("out").exists());
    insta::assert_snapshot!(run.stderr, @r"
    error: the chart renders different objects for another namespace (7 objects, then 8), so the package cannot leave the namespace to Helm
      hint: `rules.namespace` (--set rules.namespace=data) is the release namespace `data`: leave it empty to follow the release wherever it is installed
    ");
}

#[test]
fn version_flags() {
    let t = with_chart();
    let pw = password_arg();
    let run = package(
        &t,
        &[
            "--set",
            &pw,
            "--version",
            "2.0.0-rc.1+build.7",
            "--app-version",
            "8.0",
            "-d",
            "out",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let list = entries(&t.dir().join("out/pkg-2.0.0-rc.1+build.7.tgz"));
    insta::assert_snapshot!(list[0].text, @r#"
    apiVersion: v2
    name: "pkg"
    version: 2.0.0-rc.1+build.7
    appVersion: "8.0"
    description: "A small chart for the package tests"
    type: application
    kubeVersion: ">=1.27.0-0"
    "#);
}

#[test]
fn a_version_that_is_not_semver_is_an_error() {
    let t = with_chart();
    let run = package(
        &t,
        &["--set", &password_arg(), "--version", "1.2", "-d", "out"],
    );
    assert_eq!(run.code, 2);
    assert!(!t.dir().join("out").exists());
    insta::assert_snapshot!(run.stderr, @r"
    error: invalid chart version `1.2`: unexpected end of input while parsing minor version number
      hint: chart versions are SemVer 2, for example `1.2.3` or `1.2.3-rc.1`; pass one with `--version`
    ");
    let run = package(
        &t,
        &["--set", &password_arg(), "--version", "v1.2.3", "-d", "out"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("invalid chart version `v1.2.3`"));
}

#[test]
fn an_existing_archive_is_replaced() {
    let t = with_chart();
    t.write("out/pkg-1.2.3.tgz", "not an archive");
    let run = package(&t, &["--set", &password_arg(), "-d", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(entries(&t.dir().join("out/pkg-1.2.3.tgz")).len(), 9);
    assert_eq!(listing(&t.dir().join("out")), ["pkg-1.2.3.tgz"]);
}

#[test]
fn a_destination_that_is_a_file_leaves_nothing() {
    let t = with_chart();
    t.write("out", "a file");
    let run = package(&t, &["--set", &password_arg(), "-d", "out"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: cannot write `out`"),
        "{}",
        run.stderr
    );
    assert_eq!(
        std::fs::read_to_string(t.dir().join("out")).unwrap(),
        "a file"
    );
    // Below a file, with `--unpacked` too: nothing is left anywhere.
    let pw = password_arg();
    for extra in [None, Some("--unpacked")] {
        let mut args = vec!["--set", pw.as_str(), "-d", "out/sub"];
        args.extend(extra);
        assert_eq!(package(&t, &args).code, 2);
    }
    assert_eq!(listing(t.dir()), ["chart", "out"]);
    // Missing parents are created.
    let run = package(&t, &["--set", &password_arg(), "-d", "new/out/deeper"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(listing(&t.dir().join("new/out/deeper")), ["pkg-1.2.3.tgz"]);
}

#[test]
fn a_directory_in_the_archives_place_leaves_nothing() {
    let t = with_chart();
    std::fs::create_dir_all(t.dir().join("out/pkg-1.2.3.tgz/inside")).unwrap();
    let run = package(&t, &["--set", &password_arg(), "-d", "out"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot write `out/pkg-1.2.3.tgz`"),
        "{}",
        run.stderr
    );
    assert_eq!(listing(&t.dir().join("out")), ["pkg-1.2.3.tgz"]);
    assert_eq!(listing(&t.dir().join("out/pkg-1.2.3.tgz")), ["inside"]);
}

#[test]
fn an_unwritable_destination_leaves_nothing() {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let t = with_chart();
        let dir = t.dir().join("ro");
        std::fs::create_dir(&dir).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
        if std::fs::write(dir.join("probe"), "").is_ok() {
            // Root writes anywhere; the other atomicity tests still run.
            eprintln!("skipped: running as root, a read-only directory is writable");
            return;
        }
        let run = package(&t, &["--set", &password_arg(), "-d", "ro"]);
        assert_eq!(run.code, 2);
        assert!(run.stderr.contains("cannot write `ro`"), "{}", run.stderr);
        let run = package(&t, &["--set", &password_arg(), "-d", "ro", "--unpacked"]);
        assert_eq!(run.code, 2);
        assert_eq!(listing(&dir), Vec::<String>::new());
    }
}

#[test]
fn render_errors_write_nothing() {
    let t = with_chart();
    // `auth.password` is required by the fixture's Secret.
    let run = package(&t, &["-d", "out"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("set auth.password or auth.existingSecret"),
        "{}",
        run.stderr
    );
    assert!(!t.dir().join("out").exists());
}

#[test]
fn unpacked_is_the_archive_unpacked() {
    let t = with_chart();
    let pw = password_arg();
    assert_eq!(package(&t, &["--set", &pw, "-d", "out"]).code, 0);
    let run = package(&t, &["--set", &pw, "-d", "out", "--unpacked"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "wrote out/pkg\nnote: left out `Secret/redis-ha-auth` in the release namespace: create it before installing, or pass `--include-secrets` (see the chart's README.md)\n"
    );
    let from_archive: Vec<_> = entries(&t.dir().join("out/pkg-1.2.3.tgz"))
        .into_iter()
        .map(|e| (e.path.trim_start_matches("pkg/").to_owned(), e.text))
        .collect();
    let mut sorted = from_archive.clone();
    sorted.sort();
    assert_eq!(tree(&t.dir().join("out/pkg")), sorted);
    assert_eq!(listing(&t.dir().join("out")), ["pkg", "pkg-1.2.3.tgz"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(t.dir().join("out/pkg"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o755, 0o755, "{mode:o}");
    }
}

#[test]
fn unpacked_replaces_an_earlier_package_only() {
    let t = with_chart();
    let pw = password_arg();
    assert_eq!(
        package(&t, &["--set", &pw, "-d", "out", "--unpacked"]).code,
        0
    );
    t.write("out/pkg/templates/stale.yaml", "kind: Stale\n");
    let run = package(
        &t,
        &[
            "--set",
            &pw,
            "-d",
            "out",
            "--unpacked",
            "--version",
            "9.9.9",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!t.dir().join("out/pkg/templates/stale.yaml").exists());
    assert!(
        std::fs::read_to_string(t.dir().join("out/pkg/Chart.yaml"))
            .unwrap()
            .contains("version: 9.9.9")
    );
    assert_eq!(listing(&t.dir().join("out")), ["pkg"]);

    // A directory that is not a package is someone's work: refused, untouched.
    t.write("mine/pkg/Chart.yaml", "name: mine\n");
    let run = package(&t, &["--set", &pw, "-d", "mine", "--unpacked"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr, @r"
    error: `mine/pkg` exists and is not a chart written by `redis-ha package`
      hint: remove it or choose another destination with `-d`
    ");
    assert_eq!(
        tree(&t.dir().join("mine")),
        [("pkg/Chart.yaml".to_owned(), "name: mine\n".to_owned())]
    );
}

#[test]
fn the_source_chart_is_never_overwritten() {
    let t = with_chart();
    // `chart/` would be replaced by `-d . --unpacked` if its name were the chart's.
    std::fs::rename(t.dir().join("chart"), t.dir().join("pkg")).unwrap();
    let run = t.run(&[
        "package",
        "--chart",
        "pkg",
        "--set",
        &password_arg(),
        "-d",
        ".",
        "--unpacked",
    ]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("is the chart being packaged"),
        "{}",
        run.stderr
    );
    assert!(t.dir().join("pkg/templates/_helpers.tpl").exists());
    // Nor an archive of the chart named as its package would be.
    let file = std::fs::File::create(t.dir().join("pkg-1.2.3.tgz")).unwrap();
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::default(),
    ));
    tar.append_dir_all("pkg", t.dir().join("pkg")).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    let before = std::fs::read(t.dir().join("pkg-1.2.3.tgz")).unwrap();
    let run = t.run(&[
        "package",
        "--chart",
        "pkg-1.2.3.tgz",
        "--set",
        &password_arg(),
        "-d",
        ".",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    insta::assert_snapshot!(run.stderr, @r"
    error: `./pkg-1.2.3.tgz` is the chart being packaged
      hint: choose another destination with `-d`
    ");
    assert_eq!(
        std::fs::read(t.dir().join("pkg-1.2.3.tgz")).unwrap(),
        before
    );
}

#[test]
fn fixture_package_files() {
    let t = with_chart();
    let values = t.write("team values.yaml", "replicas: 5\n");
    let run = package(
        &t,
        &[
            "prod",
            "-n",
            "data",
            "-f",
            values.to_str().unwrap(),
            "--set",
            &password_arg(),
            "--set",
            "rules.namespace=monitoring",
            "-d",
            "out",
            "--unpacked",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text: String = tree(&t.dir().join("out/pkg"))
        .into_iter()
        .map(|(path, text)| format!("=== {path}\n{text}"))
        .collect::<Vec<_>>()
        .concat();
    assert!(
        !text.contains(&t.dir().display().to_string()),
        "no absolute path"
    );
    insta::assert_snapshot!(text);
}

#[test]
fn every_preset_packages() {
    for env in ["dev", "staging", "production"] {
        let t = CliTest::new();
        for unpacked in [false, true] {
            let mut args = vec!["package", "--env", env, "-d", "out"];
            if unpacked {
                args.push("--unpacked");
            }
            let run = t.run(&args);
            assert_eq!(run.code, 0, "{env}: {}", run.stderr);
        }
        let out = t.dir().join("out");
        let dir = listing(&out)
            .into_iter()
            .find(|n| !n.ends_with(".tgz"))
            .unwrap();
        let mut objects = 0;
        for (path, text) in tree(&out.join(&dir)) {
            if !path.starts_with("templates/") {
                continue;
            }
            assert_eq!(
                unescaped_braces(&text),
                Vec::<String>::new(),
                "{env}: {path}"
            );
            // Installed elsewhere, everything follows (the presets place nothing apart).
            let printed = helm_output(&text, "elsewhere").unwrap();
            for doc in redis_ha::manifest::split_documents(&printed) {
                let object = redis_ha::render::parse_document(doc).unwrap();
                let ns = object
                    .pointer("/metadata/namespace")
                    .and_then(|n| n.as_str());
                let cluster_scoped = ["ClusterRole", "ClusterRoleBinding", "PriorityClass"]
                    .contains(&object["kind"].as_str().unwrap_or(""));
                if !cluster_scoped {
                    assert_eq!(ns, Some("elsewhere"), "{env}: {path}: {doc}");
                }
                objects += 1;
            }
        }
        assert!(objects > 0, "{env}: no objects");
    }
}

fn helm_check() -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/oracles/helm-check");
    path.exists().then_some(path)
}

#[test]
fn helm_accepts_the_fixture_package() {
    let Some(oracle) = helm_check() else {
        eprintln!(
            "skipped: ../shared/oracles/helm-check is not here (CI runs .ci/package-check.sh)"
        );
        return;
    };
    let t = with_chart();
    let pw = password_arg();
    assert_eq!(package(&t, &["--set", &pw, "-d", "out"]).code, 0);
    assert_eq!(
        package(&t, &["--set", &pw, "-d", "out", "--unpacked"]).code,
        0
    );
    let output = std::process::Command::new("bash")
        .arg(&oracle)
        .args(["out/pkg-1.2.3.tgz", "out/pkg"])
        .current_dir(t.dir())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    match output.status.code() {
        Some(0) => {}
        Some(2) => eprintln!(
            "skipped: helm-check could not set up: {}",
            String::from_utf8_lossy(&output.stderr)
        ),
        _ => panic!("helm-check found errors:\n{stdout}"),
    }
}
