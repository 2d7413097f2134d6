//! Tests of `redis-ha diff`: on a small stand-in chart (`tests/fixtures/diff/chart`), on
//! hand-written hazard fixtures rendered verbatim by `tests/fixtures/diff/passthrough`, and on
//! live fixtures as `kubectl get -o yaml` returns them (`make-live.py`).

use std::fmt::Write as _;
use std::path::Path;

use redis_ha::diff::hazards::HAZARDS;

use crate::common::{CliTest, Run};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/diff");

/// The stand-in chart's `auth.password`, and its base64.
const PASSWORD: &str = "s3cr3t-Pa55word";
const PASSWORD_B64: &str = "czNjcjN0LVBhNTV3b3Jk";

fn fixture(path: &str) -> String {
    format!("{FIXTURES}/{path}")
}

/// `redis-ha diff --chart <stand-in chart> ARGS`.
fn diff(t: &CliTest, args: &[&str]) -> Run {
    let chart = fixture("chart");
    let mut all = vec!["diff", "--chart", &chart];
    all.extend_from_slice(args);
    t.run(&all)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", run.stdout, run.stderr))
}

fn hazard_ids(run: &Run) -> Vec<String> {
    json(run)["hazards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn same_values_are_unchanged_and_exit_0() {
    let t = CliTest::new();
    let run = diff(&t, &["--old-set", "replicas=3"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    insta::assert_snapshot!(run.snapshot(), @r"
    exit: 0
    --- stdout
    ~ 0 to change, + 0 to add, - 0 to remove, 7 unchanged
    --- stderr
    ");
}

#[test]
fn text_output() {
    let t = CliTest::new();
    let run = diff(
        &t,
        &[
            "--old-set",
            "replicas=2",
            "--set",
            "redis.maxmemory=2gb,exporter.enabled=true,persistence.size=20Gi",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn json_output() {
    let t = CliTest::new();
    let run = diff(
        &t,
        &[
            "--old-set",
            "exporter.enabled=true",
            "--set",
            "redis.maxmemory=2gb",
            "-o",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn markdown_output() {
    let t = CliTest::new();
    let run = diff(
        &t,
        &[
            "--old-set",
            "sentinel.quorum=3",
            "--set",
            "redis.maxmemory=2gb",
            "-o",
            "markdown",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn context_lines() {
    let t = CliTest::new();
    let run = diff(
        &t,
        &[
            "--old-set",
            "redis.maxmemory=1gb",
            "--set",
            "redis.maxmemory=2gb",
            "--context",
            "0",
        ],
    );
    assert!(
        run.stdout
            .contains("~ ConfigMap default/redis-ha-redis-config (v1, changed)\n@@ -5 +5 @@\n-    maxmemory 1gb\n+    maxmemory 2gb\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn fail_on_hazard_ignores_harmless_changes() {
    let t = CliTest::new();
    // Adding the exporter changes something but breaks nothing.
    let harmless = ["--old-set", "replicas=3", "--set", "exporter.enabled=true"];
    assert_eq!(diff(&t, &harmless).code, 1);
    let mut args = harmless.to_vec();
    args.extend(["--fail-on", "hazard"]);
    assert_eq!(diff(&t, &args).code, 0);
    let hazardous = [
        "--old-set",
        "replicas=3",
        "--set",
        "service.type=LoadBalancer",
        "--fail-on",
        "hazard",
    ];
    let run = diff(&t, &hazardous);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.stdout.contains("warning[service-type-changed]"),
        "{}",
        run.stdout
    );
}

#[test]
fn colors() {
    let t = CliTest::new();
    let args = [
        "--old-set",
        "redis.maxmemory=1gb",
        "--set",
        "redis.maxmemory=2gb",
    ];
    // CliTest sets NO_COLOR: auto is plain.
    assert!(!diff(&t, &args).stdout.contains('\x1b'));
    let mut always = args.to_vec();
    always.extend(["--color", "always"]);
    let run = diff(&t, &always);
    assert!(
        run.stdout.contains("\x1b[31m-    maxmemory 1gb"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\x1b[32m+    maxmemory 2gb"),
        "{}",
        run.stdout
    );
    let mut never = args.to_vec();
    never.extend(["--color", "never"]);
    assert!(!diff(&t, &never).stdout.contains('\x1b'));
    // Not a terminal: plain, even without NO_COLOR.
    let output = t
        .command()
        .env_remove("NO_COLOR")
        .args(["diff", "--chart", &fixture("chart")])
        .args(args)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&output.stdout).contains('\x1b'));
}

#[test]
fn old_values_files_and_old_env_flags() {
    let t = CliTest::new();
    t.write("before.yaml", "sentinel:\n  masterName: mymaster\n");
    t.write("after.yaml", "sentinel:\n  masterName: cache\n");
    let run = diff(
        &t,
        &[
            "--old-values",
            "before.yaml",
            "-f",
            "after.yaml",
            "-o",
            "json",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(hazard_ids(&run).contains(&"sentinel-master-name-changed".to_owned()));
}

#[test]
fn old_chart_alone_keeps_the_values() {
    let t = CliTest::new();
    let chart = fixture("chart");
    let run = diff(&t, &["--old-chart", &chart, "--set", "replicas=3"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
}

#[test]
fn old_chart_is_rendered_with_its_own_templates() {
    let t = CliTest::new();
    crate::common::copy_dir(Path::new(&fixture("chart")), &t.dir().join("old-chart"));
    let statefulset = t
        .dir()
        .join("old-chart/templates/sentinel-statefulset.yaml");
    let text = std::fs::read_to_string(&statefulset).unwrap();
    std::fs::write(
        &statefulset,
        text.replace("command: [\"redis-sentinel\"", "command: [\"sentinel-old\""),
    )
    .unwrap();
    let run = diff(&t, &["--old-chart", "old-chart", "-o", "json"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let doc = json(&run);
    assert_eq!(
        doc["summary"],
        serde_json::json!({"change": 1, "add": 0, "remove": 0, "unchanged": 6})
    );
    assert_eq!(hazard_ids(&run), ["pods-restart"]);
    // A broken old chart is an error about the old state.
    std::fs::write(&statefulset, "{{ nope(").unwrap();
    let run = diff(&t, &["--old-chart", "old-chart"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("error: cannot render the old state"),
        "{}",
        run.stderr
    );
}

#[test]
fn against_a_previous_render() {
    let t = CliTest::new();
    let render = t.run(&["render", "--chart", &fixture("chart")]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    t.write("previous.yaml", &render.stdout);
    let run = diff(&t, &["--against", "previous.yaml"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    // From standard input too.
    let run = t.run_with_stdin(
        &[
            "diff",
            "--chart",
            &fixture("chart"),
            "--against",
            "-",
            "--set",
            "replicas=4",
        ],
        Some(&render.stdout),
    );
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(run.stdout.starts_with("~ 1 to change"), "{}", run.stdout);
}

#[test]
fn live_fixture_chart_is_unchanged() {
    let t = CliTest::new();
    let run = diff(&t, &["--against", &fixture("live-chart.yaml")]);
    assert_eq!(
        run.code,
        0,
        "tests/fixtures/diff/live-chart.yaml no longer matches the stand-in chart's render.\n\
         If the chart changed on purpose, regenerate it (see tests/fixtures/diff/make-live.py):\n\
         cargo run -q -- render --chart tests/fixtures/diff/chart -o json | python3 tests/fixtures/diff/make-live.py > tests/fixtures/diff/live-chart.yaml\n\n{}",
        run.snapshot()
    );
    // Only real changes show: the server's additions stay hidden.
    let run = diff(
        &t,
        &[
            "--against",
            &fixture("live-chart.yaml"),
            "--set",
            "redis.maxmemory=2gb",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .starts_with("~ 2 to change, + 0 to add, - 0 to remove, 5 unchanged"),
        "{}",
        run.stdout
    );
    for server_field in [
        "uid",
        "resourceVersion",
        "managedFields",
        "status:",
        "terminationMessagePath",
        "last-applied",
    ] {
        assert!(
            !run.stdout.contains(server_field),
            "{server_field} shown:\n{}",
            run.stdout
        );
    }
    // `--show-defaults` shows them, but they are no hazards.
    let run = diff(
        &t,
        &[
            "--against",
            &fixture("live-chart.yaml"),
            "--show-defaults",
            "-o",
            "json",
        ],
    );
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("terminationMessagePath"));
    assert_eq!(hazard_ids(&run), Vec::<String>::new());
}

/// Live objects the release does not manage (a controller's pods, a StatefulSet's PVCs, a
/// Secret made by hand) are left out; a live object of the release that the chart no longer
/// renders is a removal.
#[test]
fn live_objects_outside_the_release_are_left_out() {
    let t = CliTest::new();
    let live = std::fs::read_to_string(fixture("live-chart.yaml")).unwrap();
    let extra = "\
---
apiVersion: v1
kind: Pod
metadata:
  name: redis-ha-node-0
  namespace: default
  uid: 1
  ownerReferences: [{apiVersion: apps/v1, kind: StatefulSet, name: redis-ha-node, uid: 2}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-redis-ha-node-0, namespace: default, uid: 3}
spec: {resources: {requests: {storage: 10Gi}}}
---
apiVersion: v1
kind: Secret
metadata: {name: made-by-hand, namespace: default, uid: 4}
data: {password: aGFuZC1tYWRlLXNlY3JldA==}
";
    t.write("live.yaml", &format!("{live}{extra}"));
    let run = diff(&t, &["--against", "live.yaml"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert_eq!(
        run.stdout,
        "~ 0 to change, + 0 to add, - 0 to remove, 7 unchanged\n\
         3 live objects the release does not manage left out (1 Secret, 1 PersistentVolumeClaim, 1 Pod)\n"
    );
    let released = "\
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: redis-ha-old-config
  namespace: default
  uid: 5
  annotations: {meta.helm.sh/release-name: redis-ha}
";
    t.write("live.yaml", &format!("{live}{released}"));
    let run = diff(&t, &["--against", "live.yaml"]);
    assert_eq!(run.code, 1, "{}", run.snapshot());
    assert!(
        run.stdout
            .starts_with("~ 0 to change, + 0 to add, - 1 to remove, 7 unchanged\n"),
        "{}",
        run.stdout
    );
}

/// The production render as `kubectl get -o yaml` returns it diffs as unchanged.
#[test]
fn live_fixture_production_is_unchanged() {
    let path = fixture("live-production.yaml");
    let t = CliTest::new();
    let run = t.run(&["diff", "--env", "production", "--against", &path]);
    assert_eq!(
        run.code,
        0,
        "tests/fixtures/diff/live-production.yaml no longer matches `redis-ha render --env production`.\n\
         If the chart or the preset changed on purpose, regenerate it (see tests/fixtures/diff/make-live.py):\n\
         cargo run -q -- render --env production -o json | python3 tests/fixtures/diff/make-live.py > tests/fixtures/diff/live-production.yaml\n\n{}",
        run.snapshot()
    );
}

/// Every hazard has a fixture that triggers it and one that does not.
#[test]
fn every_hazard_triggers_and_passes() {
    let t = CliTest::new();
    let chart = fixture("passthrough");
    let run_case = |old: &str, new: &str, format: &str| {
        let set_file = format!("manifests={new}");
        t.run(&[
            "diff",
            "--chart",
            &chart,
            "--set-file",
            &set_file,
            "--against",
            old,
            "-o",
            format,
        ])
    };
    for hazard in HAZARDS {
        let id = hazard.id();
        let dir = fixture(&format!("hazards/{id}"));
        let file = |name: &str| format!("{dir}/{name}");
        for name in ["old.yaml", "triggers.yaml", "passes.yaml"] {
            assert!(
                Path::new(&file(name)).exists(),
                "hazard `{id}` has no fixture `{name}`"
            );
        }
        let triggers = run_case(&file("old.yaml"), &file("triggers.yaml"), "json");
        assert_eq!(triggers.code, 1, "{id}: {}", triggers.stderr);
        assert!(
            hazard_ids(&triggers).iter().any(|h| h == id),
            "{id} not triggered:\n{}",
            triggers.stdout
        );
        let passes_old = if Path::new(&file("passes-old.yaml")).exists() {
            file("passes-old.yaml")
        } else {
            file("old.yaml")
        };
        let passes = run_case(&passes_old, &file("passes.yaml"), "json");
        assert!(passes.code <= 1, "{id}: {}", passes.stderr);
        assert!(
            !hazard_ids(&passes).iter().any(|h| h == id),
            "{id} triggered by passes.yaml:\n{}",
            passes.stdout
        );
        // How the hazard reads.
        let text = run_case(&file("old.yaml"), &file("triggers.yaml"), "text");
        let section: String = text
            .stdout
            .split("\n\n~ ")
            .next()
            .unwrap_or_default()
            .split("\n\n+ ")
            .next()
            .unwrap_or_default()
            .split("\n\n- ")
            .next()
            .unwrap_or_default()
            .to_owned();
        insta::assert_snapshot!(format!("hazard-{id}"), section);
    }
}

#[test]
fn password_change_via_checksum_only() {
    // With `auth.existingSecret`, the Secret is not rendered: the checksum tells.
    let t = CliTest::new();
    let dir = fixture("hazards/pods-restart");
    let old = std::fs::read_to_string(format!("{dir}/old.yaml")).unwrap();
    let with_checksum = |sum: &str| {
        old.replace(
            "    metadata:\n      labels:",
            &format!(
                "    metadata:\n      annotations:\n        checksum/secret: {sum}\n      labels:"
            ),
        )
    };
    t.write("old.yaml", &with_checksum("aaaa"));
    t.write("new.yaml", &with_checksum("bbbb"));
    let chart = fixture("passthrough");
    let run = t.run(&[
        "diff",
        "--chart",
        &chart,
        "--set-file",
        "manifests=new.yaml",
        "--against",
        "old.yaml",
        "-o",
        "json",
    ]);
    assert!(
        hazard_ids(&run).contains(&"password-changed".to_owned()),
        "{}",
        run.stdout
    );
}

/// The password never appears, in any format, unless `--show-secrets`.
#[test]
fn secrets_are_masked_in_every_format() {
    let t = CliTest::new();
    // A chart that copies the password where it should not be.
    let leaky = t.write(
        "leaky.yaml",
        &format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaky\ndata:\n  redis.conf: |\n    requirepass {PASSWORD}\n"
        ),
    );
    let _ = leaky;
    let cases: Vec<Vec<&str>> = vec![
        // Password changes between two renders.
        vec![
            "--old-set",
            "auth.password=old-Pa55word",
            "--set",
            "auth.password=s3cr3t-Pa55word",
        ],
        // Against the live state, password unchanged and changed.
        vec!["--against", "LIVE"],
        vec!["--against", "LIVE", "--set", "auth.password=n3w-Pa55word-x"],
        // Secret removed and added.
        vec!["--against", "EMPTY"],
    ];
    t.write("empty.yaml", "");
    let live = fixture("live-chart.yaml");
    for case in cases {
        for format in ["text", "json", "markdown"] {
            let mut args: Vec<&str> = case
                .iter()
                .map(|a| match *a {
                    "LIVE" => live.as_str(),
                    "EMPTY" => "empty.yaml",
                    other => other,
                })
                .collect();
            args.extend(["-o", format]);
            let run = diff(&t, &args);
            assert!(run.code <= 1, "{args:?}: {}", run.stderr);
            for secret in [
                PASSWORD,
                PASSWORD_B64,
                "old-Pa55word",
                "b2xkLVBhNTV3b3Jk",
                "n3w-Pa55word-x",
                "bjN3LVBhNTV3b3JkLXg=",
            ] {
                assert!(
                    !run.stdout.contains(secret),
                    "{secret} leaked with {args:?}:\n{}",
                    run.stdout
                );
                assert!(
                    !run.stderr.contains(secret),
                    "{secret} leaked with {args:?}:\n{}",
                    run.stderr
                );
            }
            if run.code == 1 || format == "json" {
                assert!(
                    run.stdout.contains("redis-password"),
                    "{args:?}: {}",
                    run.stdout
                );
            }
        }
    }
    // Copied into a ConfigMap: cut out there too, in every format.
    let chart = fixture("passthrough");
    t.write("old.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leaky\ndata:\n  redis.conf: |\n    requirepass nothing\n");
    let secret_doc = format!(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: auth\nstringData:\n  password: {PASSWORD}\n---\n{}",
        std::fs::read_to_string(t.dir().join("leaky.yaml")).unwrap()
    );
    t.write("new.yaml", &secret_doc);
    for format in ["text", "json", "markdown"] {
        let run = t.run(&[
            "diff",
            "--chart",
            &chart,
            "--set-file",
            "manifests=new.yaml",
            "--against",
            "old.yaml",
            "-o",
            format,
        ]);
        assert_eq!(run.code, 1, "{}", run.stderr);
        assert!(
            !run.stdout.contains(PASSWORD),
            "leaked in {format}:\n{}",
            run.stdout
        );
        // The whole line goes: the text around a secret could spell it out.
        assert!(
            run.stdout.contains("(hidden)")
                && !run.stdout.contains(&format!("requirepass {PASSWORD}")),
            "{format}:\n{}",
            run.stdout
        );
    }
}

#[test]
fn secret_keys_show_what_happened() {
    let t = CliTest::new();
    let run = diff(
        &t,
        &["--old-set", "auth.password=old-Pa55word", "-o", "json"],
    );
    let doc = json(&run);
    let secret = doc["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["kind"] == "Secret")
        .unwrap();
    assert_eq!(
        secret["secretKeys"],
        serde_json::json!([{"key": "redis-password", "status": "changed"}])
    );
    assert!(secret["diff"].as_str().unwrap().contains("-  redis-password: (changed; old value hidden)\n+  redis-password: (changed; new value hidden)"));
}

#[test]
fn show_secrets_reveals() {
    let t = CliTest::new();
    let run = diff(
        &t,
        &["--old-set", "auth.password=old-Pa55word", "--show-secrets"],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains(&format!("+  redis-password: {PASSWORD_B64}")),
        "{}",
        run.stdout
    );
}

#[test]
fn errors() {
    let t = CliTest::new();
    t.write(
        "bad.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
    );
    t.write("nokind.yaml", "---\napiVersion: v1\nmetadata:\n  name: a\n");
    t.write("dup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n");
    let cases: &[&[&str]] = &[
        &["--against", "bad.yaml"],
        &["--against", "nokind.yaml"],
        &["--against", "dup.yaml"],
        &["--against", "missing.yaml"],
        &[],
        &["--against", "-", "-f", "-"],
        &["--old-set", "replicas=[", "--set", "replicas=3"],
        &["--explain", "no-such-hazard"],
    ];
    let mut out = String::new();
    for args in cases {
        let run = diff(&t, args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.snapshot());
        assert_eq!(run.stdout, "", "{args:?}");
        let _ = write!(out, "$ diff {}\n{}", args.join(" "), run.stderr);
    }
    insta::assert_snapshot!(out);
}

#[test]
fn explain_and_list() {
    let t = CliTest::new();
    let run = t.run(&["diff", "--list-hazards"]);
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.lines().count(), HAZARDS.len());
    insta::assert_snapshot!("list-hazards", run.stdout);
    let run = t.run(&["diff", "--explain", "statefulset-immutable-field-changed"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("explain", run.stdout);
}

#[test]
fn help() {
    let run = CliTest::new().run(&["diff", "--help"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!(run.stdout);
}

/// On the bundled chart: a password change is a hazard, and neither password shows.
#[test]
fn bundled_chart_password_change_is_masked() {
    use base64::Engine as _;
    let t = CliTest::new();
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    for format in ["text", "json", "markdown"] {
        let run = t.run(&[
            "diff",
            "--env",
            "dev",
            "--old-env",
            "dev",
            "--old-set",
            "auth.password=old-dev-pass-1",
            "-o",
            format,
        ]);
        assert_eq!(run.code, 1, "{}", run.snapshot());
        assert!(
            run.stdout.contains("password-changed"),
            "{format}:\n{}",
            run.stdout
        );
        for secret in [
            "dev-password".to_owned(),
            "old-dev-pass-1".to_owned(),
            b64("dev-password"),
            b64("old-dev-pass-1"),
        ] {
            assert!(
                !run.stdout.contains(&secret),
                "{secret} leaked in {format}:\n{}",
                run.stdout
            );
        }
    }
}
