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

/// The production render as `kubectl get -o yaml` returns it diffs as unchanged: applied
/// with `kubectl apply` (last-applied), installed by Helm (only `managedFields`), as a `List`
/// or as separate documents.
#[test]
fn live_fixture_production_is_unchanged() {
    let t = CliTest::new();
    for name in ["live-production.yaml", "live-production-helm.yaml"] {
        let path = fixture(name);
        let list = std::fs::read_to_string(&path).unwrap();
        t.write("documents.yaml", &list_as_documents(&list));
        for against in [path.as_str(), "documents.yaml"] {
            let run = t.run(&["diff", "--env", "production", "--against", against]);
            assert_eq!(
                run.code,
                0,
                "{against}: tests/fixtures/diff/{name} no longer matches `redis-ha render --env production`.\n\
                 If the chart or the preset changed on purpose, regenerate it (see tests/fixtures/diff/make-live.py).\n\n{}",
                run.snapshot()
            );
            assert_eq!(
                run.stdout, "~ 0 to change, + 0 to add, - 0 to remove, 25 unchanged\n",
                "{against}"
            );
        }
    }
}

/// A `kind: List` as `kubectl get` prints it, turned into one document per item.
fn list_as_documents(list: &str) -> String {
    let mut out = String::new();
    for line in list.lines() {
        if let Some(item) = line.strip_prefix("- ") {
            out.push_str("---\n");
            out.push_str(item);
        } else if let Some(rest) = line.strip_prefix("  ") {
            out.push_str(rest);
        } else if !line.is_empty() {
            continue;
        }
        out.push('\n');
    }
    out
}

/// Against a Helm-installed release (no `last-applied-configuration`), a field the release set
/// and no longer sets is a removal, with the right hazard; one set by another manager is not.
#[test]
fn removals_against_a_helm_installed_release() {
    let t = CliTest::new();
    let live = fixture("live-production-helm.yaml");
    let table: &[(&[&str], &[&str], &str)] = &[
        (
            &["--set-json", "topologySpreadConstraints=[]"],
            &["-      topologySpreadConstraints:\n"],
            "pods-restart",
        ),
        (
            &["--set-json", "resources.limits=null"],
            &["-          limits:\n-            cpu: \"2\"\n"],
            "pods-restart",
        ),
        (
            &["--set", "antiAffinity=soft"],
            &[
                "-          requiredDuringSchedulingIgnoredDuringExecution:\n",
                "+          preferredDuringSchedulingIgnoredDuringExecution:\n",
            ],
            "pods-restart",
        ),
        (
            &["--set", "persistence.enabled=false"],
            &["-  volumeClaimTemplates:\n"],
            "statefulset-immutable-field-changed",
        ),
    ];
    for (args, removed, hazard) in table {
        let mut all = vec!["diff", "--env", "production", "--against", &live];
        all.extend_from_slice(args);
        let run = t.run(&all);
        assert_eq!(run.code, 1, "{args:?}: {}", run.snapshot());
        for line in *removed {
            assert!(
                run.stdout.contains(line),
                "{args:?}: no {line:?} in\n{}",
                run.stdout
            );
        }
        all.extend(["-o", "json"]);
        let run = t.run(&all);
        assert!(
            hazard_ids(&run).iter().any(|h| h == hazard),
            "{args:?}: {}",
            run.stdout
        );
    }
    // A field another manager set (`kubectl edit`) is not the release's to remove.
    let text = std::fs::read_to_string(&live).unwrap();
    let sts = text.find("  kind: StatefulSet\n").unwrap();
    let fields =
        sts + text[sts..].find("    managedFields:\n").unwrap() + "    managedFields:\n".len();
    let spec = sts + text[sts..].find("\n  spec:\n").unwrap() + "\n  spec:\n".len();
    let edited = format!(
        "{}    - apiVersion: apps/v1\n      fieldsType: FieldsV1\n      fieldsV1:\n        f:spec:\n          f:minReadySeconds: {{}}\n      manager: kubectl-edit\n      operation: Update\n      time: \"2025-01-16T10:00:00Z\"\n{}    minReadySeconds: 5\n{}",
        &text[..fields],
        &text[fields..spec],
        &text[spec..]
    );
    assert_ne!(edited, text);
    t.write("edited.yaml", &edited);
    let run = t.run(&["diff", "--env", "production", "--against", "edited.yaml"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
}

/// `--against` is read by the same YAML 1.1 rules as the render: `0440` is 288 on both sides.
#[test]
fn yaml_1_1_scalars_diff_as_equal() {
    let t = CliTest::new();
    t.write(
        "manifests.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  volumes:\n  - name: c\n    configMap:\n      name: c\n      defaultMode: 0440\n  hostNetwork: no\n",
    );
    let chart = fixture("passthrough");
    let render = t.run(&[
        "render",
        "--chart",
        &chart,
        "--set-file",
        "manifests=manifests.yaml",
    ]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    t.write("previous.yaml", &render.stdout);
    for against in ["manifests.yaml", "previous.yaml"] {
        let run = t.run(&[
            "diff",
            "--chart",
            &chart,
            "--set-file",
            "manifests=manifests.yaml",
            "--against",
            against,
        ]);
        assert_eq!(run.code, 0, "{against}: {}", run.snapshot());
    }
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

/// `--suppress KIND` leaves a kind out of the diff and the exit code, not out of the hazards;
/// `--suppress-secrets` is the default, spelled as helm-diff does.
#[test]
fn suppress_kinds() {
    let t = CliTest::new();
    let args = ["--old-set", "auth.password=old-Pa55word"];
    let run = diff(&t, &args);
    assert_eq!(run.code, 1);
    let mut suppressed = args.to_vec();
    suppressed.extend(["--suppress", "secret", "--suppress", "StatefulSet"]);
    let run = diff(&t, &suppressed);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(
        run.stdout.starts_with(
            "~ 0 to change, + 0 to add, - 0 to remove, 4 unchanged\n3 resources of suppressed kinds left out (1 Secret, 2 StatefulSet)\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("warning[password-changed]"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("~ Secret"), "{}", run.stdout);
    suppressed.extend(["--fail-on", "hazard"]);
    assert_eq!(diff(&t, &suppressed).code, 1);
    let mut masked = args.to_vec();
    masked.push("--suppress-secrets");
    let run = diff(&t, &masked);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains(PASSWORD_B64), "{}", run.stdout);
    masked.push("--show-secrets");
    assert_eq!(diff(&t, &masked).code, 2);
}

/// `--against` the last release and `--live` its objects: what the upgrade changes and what
/// changed on the cluster show apart, drift masked like changes in every format.
#[test]
fn three_way_drift() {
    use base64::Engine as _;
    let t = CliTest::new();
    let render = t.run(&["render", "--chart", &fixture("chart")]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    t.write("last.yaml", &render.stdout);
    let live = std::fs::read_to_string(fixture("live-chart.yaml")).unwrap();
    // Unchanged since the release: no drift, no change.
    t.write("live.yaml", &live);
    let run = diff(&t, &["--against", "last.yaml", "--live", "live.yaml"]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    // Someone edited the config and the password on the cluster.
    let drifted_password = "dr1ft-Pa55word";
    let drifted_b64 = base64::engine::general_purpose::STANDARD.encode(drifted_password);
    let edited = live
        .replacen(
            &format!("redis-password: {PASSWORD_B64}"),
            &format!("redis-password: {drifted_b64}"),
            1,
        )
        .replacen("      maxmemory 1gb\n", "      maxmemory 8gb\n", 1);
    assert_ne!(edited, live);
    t.write("live.yaml", &edited);
    let run = diff(
        &t,
        &[
            "--against",
            "last.yaml",
            "--live",
            "live.yaml",
            "--set",
            "redis.maxmemory=2gb",
        ],
    );
    assert_eq!(run.code, 1, "{}", run.snapshot());
    let (changes, drift) = run.stdout.split_once("\nDrift: ").expect("a drift section");
    assert!(changes.contains("+    maxmemory 2gb"), "{}", run.stdout);
    assert!(
        drift.contains("! ConfigMap default/redis-ha-redis-config (v1, changed on the cluster)"),
        "{}",
        run.stdout
    );
    assert!(drift.contains("+    maxmemory 8gb"), "{}", run.stdout);
    assert!(
        drift.contains("! Secret default/redis-ha-redis-auth"),
        "{}",
        run.stdout
    );
    for format in ["text", "json", "markdown"] {
        let run = diff(
            &t,
            &[
                "--against",
                "last.yaml",
                "--live",
                "live.yaml",
                "-o",
                format,
            ],
        );
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        for secret in [
            PASSWORD,
            PASSWORD_B64,
            drifted_password,
            drifted_b64.as_str(),
        ] {
            assert!(
                !run.stdout.contains(secret),
                "{secret} leaked in {format}:\n{}",
                run.stdout
            );
        }
        assert!(
            run.stdout.contains("redis-password"),
            "{format}: {}",
            run.stdout
        );
    }
    let doc = json(&diff(
        &t,
        &[
            "--against",
            "last.yaml",
            "--live",
            "live.yaml",
            "-o",
            "json",
        ],
    ));
    let drift: Vec<_> = doc["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["kind"].as_str().unwrap())
        .collect();
    assert_eq!(drift, ["Secret", "ConfigMap"]);
    assert_eq!(doc["summary"]["change"], 0);
    // `--live` needs the last release.
    assert_eq!(diff(&t, &["--live", "live.yaml"]).code, 2);
}

/// A release rendered with `-n default` and running in `prod`: no false password change, and
/// the Sentinel IDs that differ say why.
#[test]
fn rendered_for_another_namespace() {
    let t = CliTest::new();
    for (env, expected, absent) in [
        (
            "production",
            Some("sentinel-id-changed"),
            "password-changed",
        ),
        ("dev", None, "password-changed"),
    ] {
        let render = t.run(&["render", "--env", env, "-n", "default"]);
        assert_eq!(render.code, 0, "{}", render.stderr);
        let moved = render
            .stdout
            .replace("\n  namespace: default\n", "\n  namespace: prod\n");
        t.write("running.yaml", &moved);
        let run = t.run(&[
            "diff",
            "--env",
            env,
            "-n",
            "prod",
            "--against",
            "running.yaml",
            "-o",
            "json",
        ]);
        assert_eq!(run.code, 1, "{env}: {}", run.stderr);
        let ids = hazard_ids(&run);
        assert!(!ids.iter().any(|h| h == absent), "{env}: {ids:?}");
        if let Some(expected) = expected {
            assert!(ids.iter().any(|h| h == expected), "{env}: {ids:?}");
        }
    }
}
