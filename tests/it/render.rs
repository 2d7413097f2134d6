//! Tests of `redis-ha render` and `redis-ha values` on a small fixture chart: layering,
//! output format, and one snapshot per class of error message.

use std::path::Path;

use crate::common::{CliTest, Run};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/render/basic");

/// A test directory holding the fixture chart as `chart/`.
fn with_chart() -> CliTest {
    CliTest::with_chart(Path::new(FIXTURE))
}

fn render(t: &CliTest, extra: &[&str]) -> Run {
    let mut args = vec!["render", "--chart", "chart"];
    args.extend_from_slice(extra);
    t.run(&args)
}

fn values_json(t: &CliTest, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["values", "--chart", "chart", "-o", "json"];
    args.extend_from_slice(extra);
    let run = t.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

#[test]
fn render_fixture_chart() {
    let t = with_chart();
    let run = render(
        &t,
        &["prod", "-n", "data", "--set", "features.monitoring=true"],
    );
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn render_json_is_one_array() {
    let t = with_chart();
    let run = render(&t, &["-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let docs: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let kinds: Vec<_> = docs
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(
        kinds,
        ["NetworkPolicy", "ConfigMap", "Service", "StatefulSet", ""]
    );
}

#[test]
fn capabilities_and_release_flags() {
    let t = with_chart();
    let run = render(
        &t,
        &[
            "--kube-version",
            "v1.30.2",
            "--api-versions",
            "monitoring.coreos.com/v1",
            "--is-upgrade",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("kube: v1.30.2"), "{}", run.stdout);
    assert!(
        run.stdout.contains("monitoring: \"true\""),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("upgrade: \"true\""), "{}", run.stdout);
}

#[test]
fn show_only_keeps_matching_templates() {
    let t = with_chart();
    let run = render(&t, &["--show-only", "templates/state*.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.matches("# Source:").count(), 1);
    assert!(run.stdout.contains("kind: StatefulSet"));
}

#[test]
fn output_dir_writes_one_file_per_template() {
    let t = with_chart();
    let run = render(&t, &["--output-dir", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let service =
        std::fs::read_to_string(t.dir().join("out/basic/templates/service.yaml")).unwrap();
    assert_eq!(
        service
            .matches("# Source: basic/templates/service.yaml")
            .count(),
        3
    );
    assert!(
        t.dir()
            .join("out/basic/templates/statefulset.yaml")
            .exists()
    );
    assert!(!t.dir().join("out/basic/templates/_helpers.tpl").exists());
}

#[test]
fn output_dir_untouched_on_error() {
    let t = with_chart();
    let run = render(
        &t,
        &[
            "--output-dir",
            "out",
            "--set-json",
            "features={\"broken\":true}",
        ],
    );
    assert_eq!(run.code, 2);
    assert!(!t.dir().join("out").exists());
}

#[test]
fn precedence_is_helms_whatever_the_flag_order() {
    let t = with_chart();
    t.write(
        "a.yaml",
        "replicas: 4\nsentinel:\n  quorum: 1\nextra: {a: a, b: a}\n",
    );
    t.write("b.yaml", "replicas: 5\nextra: {b: b}\n");
    // --set-literal > --set-file > --set-string > --set > --set-json > -f b > -f a > chart
    t.write("file.txt", "from-file");
    let v = values_json(
        &t,
        &[
            "--set-literal",
            "extra.lit=a,b",
            "--set-file",
            "extra.file=file.txt",
            "--set-string",
            "extra.s=7",
            "--set",
            "extra.s=8,extra.set=9",
            "--set-json",
            "extra.set=1",
            "--set-json",
            "extra.json=true",
            "-f",
            "a.yaml,b.yaml",
        ],
    );
    assert_eq!(v["replicas"], 5);
    assert_eq!(v["sentinel"]["quorum"], 1);
    assert_eq!(v["sentinel"]["masterName"], "mymaster");
    assert_eq!(
        v["extra"],
        serde_json::json!({"a": "a", "b": "b", "json": true, "set": 9, "s": "7",
                           "file": "from-file", "lit": "a,b"})
    );
}

#[test]
fn set_json_replaces_a_whole_map_as_helm_does() {
    let t = with_chart();
    t.write("a.yaml", "extra: {a: a}\n");
    let v = values_json(
        &t,
        &[
            "-f",
            "a.yaml",
            "--set-json",
            r#"extra={"j":[1,{"k":null}]}"#,
        ],
    );
    assert_eq!(v["extra"], serde_json::json!({"j": [1, {"k": null}]}));
}

#[test]
fn null_removes_a_chart_default() {
    let t = with_chart();
    t.write(
        "n.yaml",
        "labels: null\nsentinel:\n  masterName: null\nextra: {gone: null}\n",
    );
    let v = values_json(&t, &["-f", "n.yaml"]);
    assert!(v.get("labels").is_none());
    assert_eq!(v["sentinel"], serde_json::json!({"quorum": 2}));
    assert_eq!(v["extra"], serde_json::json!({"gone": null}));
}

#[test]
fn values_from_stdin_and_yaml_1_1() {
    let t = with_chart();
    let run = t.run_with_stdin(
        &["values", "--chart", "chart", "-o", "json", "-f", "-"],
        Some("extra: {on: yes, off: Off, mode: '0777', octal: 0777}\n---\nreplicas: 9\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["replicas"], 9);
    assert_eq!(
        v["extra"],
        serde_json::json!({"true": true, "false": false, "mode": "0777", "octal": 511})
    );
}

#[test]
fn values_show_origin() {
    let t = with_chart();
    t.write("prod.yaml", "replicas: 5\nsentinel:\n  quorum: 3\n");
    let run = t.run(&[
        "values",
        "--chart",
        "chart",
        "--show-origin",
        "-f",
        "prod.yaml",
        "--set",
        "labels.tier=cache",
    ]);
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn integers_stay_integers() {
    let t = with_chart();
    let run = render(&t, &["--set", "replicas=1000000"]);
    assert!(run.stdout.contains("replicas: 1000000"), "{}", run.stdout);
}

/// One snapshot per class of error: each names its file, line and column (or flag), exits 2.
#[test]
fn error_messages() {
    let t = with_chart();
    t.write("syntax.yaml", "sentinel:\n  quorum: [1,\n");
    t.write("tag.yaml", "replicas: !!int 1.5\n");
    t.write("inf.yaml", "sentinel:\n  quorum: .inf\n");
    t.write("merge.yaml", "a: &a [1]\nb:\n  <<: *a\n");
    t.write("key.yaml", "~: 1\n");
    t.write("separator.yaml", "replicas: 1\n--- replicas: 2\n");
    t.write(
        "deep.yaml",
        &format!("a: {}{}\n", "[".repeat(1000), "]".repeat(1000)),
    );
    t.write("list.yaml", "- a\n");
    t.write(
        "schema.yaml",
        "replicas: 0\nsentinel:\n  quorum: 5\n  masterName: Bad\nreplcas: 3\n",
    );
    let cases: &[(&str, &[&str])] = &[
        ("missing values file", &["-f", "nope.yaml"]),
        ("YAML syntax error", &["-f", "syntax.yaml"]),
        ("tag Helm refuses", &["-f", "tag.yaml"]),
        ("infinity", &["-f", "inf.yaml"]),
        ("merge of a list", &["-f", "merge.yaml"]),
        ("null key", &["-f", "key.yaml"]),
        ("text after a separator", &["-f", "separator.yaml"]),
        ("nesting too deep", &["-f", "deep.yaml"]),
        ("values file not a map", &["-f", "list.yaml"]),
        ("bad --set", &["--set", "a[=1"]),
        ("bad --set index", &["--set", "a[99999]=1"]),
        ("schema violations", &["-f", "schema.yaml"]),
        (
            "schema violation from --set",
            &["--set", "sentinel.quorum=9"],
        ),
        ("template error", &["--set", "features.broken=true"]),
        ("rendered YAML invalid", &["--set", "features.badYaml=true"]),
        ("bad release name", &["Bad_Name"]),
        ("release name too long", &[&"r".repeat(54)]),
        ("unknown env", &["--env", "qa"]),
        (
            "show-only matches nothing",
            &["--show-only", "templates/nope.yaml"],
        ),
        ("bad kube version", &["--kube-version", "one.two"]),
        ("incompatible kube version", &["--kube-version", "1.20"]),
    ];
    let mut out = String::new();
    for (name, args) in cases {
        let run = render(&t, args);
        assert_eq!(run.code, 2, "{name}: {}", run.snapshot());
        assert!(run.stdout.is_empty(), "{name}: {}", run.stdout);
        out.push_str(&format!("### {name}: {}\n{}\n", args.join(" "), run.stderr));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn missing_chart() {
    let t = CliTest::new();
    let run = t.run(&["render", "--chart", "nowhere"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

/// Issue 15: a component disabled since the last render loses its files, so a rendered-manifests
/// GitOps repository stops deploying it; nothing is left beside the chart's directory.
#[test]
fn output_dir_holds_exactly_the_last_render() {
    let t = with_chart();
    let first = render(
        &t,
        &["--output-dir", "out", "--set", "features.monitoring=true"],
    );
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(t.dir().join("out/basic/templates/zz-custom.yaml").exists());
    let second = render(&t, &["--output-dir", "out"]);
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(!t.dir().join("out/basic/templates/zz-custom.yaml").exists());
    assert!(t.dir().join("out/basic/templates/service.yaml").exists());
    let names: Vec<_> = std::fs::read_dir(t.dir().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(names, ["basic"]);
}

#[test]
fn output_dir_replaces_only_what_render_wrote() {
    let t = with_chart();
    t.write("out/basic/notes.txt", "mine\n");
    let refused = render(&t, &["--output-dir", "out"]);
    assert_eq!(refused.code, 2, "{}", refused.snapshot());
    assert!(refused.stderr.contains("--overwrite"), "{}", refused.stderr);
    assert!(t.dir().join("out/basic/notes.txt").exists());
    assert!(!t.dir().join("out/basic/templates").exists());
    let forced = render(&t, &["--output-dir", "out", "--overwrite"]);
    assert_eq!(forced.code, 0, "{}", forced.stderr);
    assert!(!t.dir().join("out/basic/notes.txt").exists());
    assert!(t.dir().join("out/basic/templates/service.yaml").exists());
}

#[test]
fn output_dir_never_overlaps_the_chart() {
    let t = with_chart();
    let before = std::fs::read_dir(t.dir().join("chart")).unwrap().count();
    for dir in ["chart", "chart/templates", "chart/new/deeper", "."] {
        let run = render(&t, &["--output-dir", dir]);
        assert_eq!(run.code, 2, "{dir}: {}", run.snapshot());
        assert!(
            run.stderr.contains("overlaps the chart"),
            "{dir}: {}",
            run.stderr
        );
    }
    assert_eq!(
        std::fs::read_dir(t.dir().join("chart")).unwrap().count(),
        before
    );
    assert!(!t.dir().join("chart/new").exists());
}

#[test]
fn chart_as_second_argument_as_in_helm_template() {
    let t = with_chart();
    let positional = t.run(&["render", "rel", "chart"]);
    assert_eq!(positional.code, 0, "{}", positional.stderr);
    assert_eq!(positional.stdout, render(&t, &["rel"]).stdout);
    let both = t.run(&["render", "rel", "chart", "--chart", "chart"]);
    assert_eq!(both.code, 2);
}

#[test]
fn skip_schema_validation() {
    let t = with_chart();
    assert_eq!(render(&t, &["--set", "sentinel.quorum=9"]).code, 2);
    let skipped = render(
        &t,
        &["--set", "sentinel.quorum=9", "--skip-schema-validation"],
    );
    assert_eq!(skipped.code, 0, "{}", skipped.stderr);
}

const STATIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/render/static");

/// A chart of static templates renders byte for byte as `helm template` prints it (checked
/// against Helm 4.2.3 by `.ci/helm-differential.sh`): each template's trailing whitespace kept,
/// `--- # comment` separating, a `---` right after a separator kept in the document, comment-only
/// documents printed, partials and NOTES.txt left out, kinds in install order.
#[test]
fn static_chart_renders_as_helm_prints_it() {
    let t = CliTest::with_chart(Path::new(STATIC));
    let run = t.run(&["render", "rel", "--chart", "chart"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

/// `--show-only` prints what Helm prints: its whole output split again, glob by glob.
#[test]
fn show_only_as_helm_prints_it() {
    let t = CliTest::with_chart(Path::new(STATIC));
    let run = t.run(&[
        "render",
        "rel",
        "--chart",
        "chart",
        "--show-only",
        "templates/b.yaml",
        "--show-only",
        "templates/sub/*",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r"
    ---
    # Source: static/templates/b.yaml
    # the second document
    apiVersion: v1
    kind: Secret
    metadata: {name: b2}
    ---
    # Source: static/templates/b.yaml
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: b}
    ---
    # Source: static/templates/sub/d.yaml
    apiVersion: v1
    kind: Service
    metadata: {name: s}
    spec:
      ports:
        - port: 80 # http
    ");
}

/// `--output-dir` files hold each manifest framed, untrimmed, as Helm's `writeToFile` appends them.
#[test]
fn output_dir_files_as_helm_writes_them() {
    let t = CliTest::with_chart(Path::new(STATIC));
    let run = t.run(&["render", "rel", "--chart", "chart", "--output-dir", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(t.dir().join("out/static/templates/b.yaml")).unwrap();
    assert_eq!(
        text,
        "---\n# Source: static/templates/b.yaml\n# the second document\napiVersion: v1\nkind: Secret\nmetadata: {name: b2}\n\n\n\n---\n# Source: static/templates/b.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"
    );
}

#[test]
fn null_chart_defaults_are_dropped() {
    let t = CliTest::with_chart(Path::new(STATIC));
    let run = t.run(&["values", "--chart", "chart", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout.trim(), "{\n  \"kept\": 1\n}");
}

/// Helm keeps the last of duplicate keys; so does redis-ha, saying so on stderr.
#[test]
fn duplicate_keys_warn_and_the_last_wins() {
    let t = with_chart();
    t.write("dup.yaml", "sentinel:\n  quorum: 1\n  quorum: 2\n");
    let run = t.run(&["values", "--chart", "chart", "-f", "dup.yaml", "-o", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let values: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(values["sentinel"]["quorum"], 2);
    insta::assert_snapshot!(run.stderr, @"warning: dup.yaml:3:3: duplicate key `quorum` (first defined at line 2): the last one wins, as in Helm");
}

/// A document that is not a Kubernetes object is a render error naming the template.
#[test]
fn rendered_documents_must_be_objects() {
    let cases = [
        ("text.yaml", "just some text\n"),
        ("list.yaml", "- a\n- b\n"),
        ("nokind.yaml", "apiVersion: v1\nmetadata: {name: x}\n"),
    ];
    let mut out = String::new();
    for (name, text) in cases {
        let t = CliTest::with_chart(Path::new(STATIC));
        t.write(&format!("chart/templates/{name}"), text);
        let run = t.run(&["render", "--chart", "chart"]);
        assert_eq!(run.code, 2, "{name}: {}", run.stdout);
        out.push_str(&run.stderr);
    }
    insta::assert_snapshot!(out);
}

/// A "billion laughs" values file (9 levels of 9 aliases) stops at go-yaml's alias budget,
/// before anything is expanded.
#[test]
fn alias_bombs_stop_early() {
    let t = with_chart();
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut previous = 'a';
    for name in "bcdefghi".chars() {
        let items = vec![format!("*{previous}"); 9].join(",");
        text.push_str(&format!("{name}: &{name} [{items}]\n"));
        previous = name;
    }
    t.write("lol.yaml", &text);
    t.write("chart/values.yaml", &text);
    for args in [
        &["values", "--chart", "chart", "-f", "lol.yaml"][..],
        &["values", "--chart", "chart"][..],
    ] {
        let run = t.run(args);
        assert_eq!(run.code, 2, "{}", run.stdout.len());
        assert!(run.stderr.contains("excessive aliasing"), "{}", run.stderr);
    }
}
