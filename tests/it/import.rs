//! `redis-ha values import`: other charts' values files (their own `values.yaml`, their CI
//! values, and release values written the way teams write them) converted, then rendered and
//! linted by this chart.

use std::path::Path;

use crate::common::CliTest;

fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Imports a fixture (as `values.yaml` in a test directory, so locations are stable), checks
/// the result renders and lints (clean, or with a finding of `finding` at a line of the
/// imported file), and returns the run for a snapshot.
fn import(from: &str, name: &str, finding: Option<&str>) -> String {
    let t = CliTest::new();
    t.write("values.yaml", &fixture(name));
    let run = t.run(&["values", "import", "--from", from, "values.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // Every mapping lands on a value the chart's schema takes.
    assert!(
        !run.stderr.contains("schema refuses"),
        "a mapping the schema refuses:\n{}",
        run.stderr
    );
    t.write("imported.yaml", &run.stdout);
    let render = t.run(&["render", "-f", "imported.yaml"]);
    assert_eq!(
        render.code, 0,
        "the import does not render:\n{}",
        render.stderr
    );
    let lint = t.run(&["lint", "-f", "imported.yaml"]);
    assert_ne!(lint.code, 2, "{}", lint.stderr);
    match finding {
        // Warnings the bundled chart's own defaults draw (no NetworkPolicy) may remain.
        None => assert!(
            lint.code == 0 && !lint.stdout.contains(": error["),
            "the import does not lint clean:\n{}",
            lint.stdout
        ),
        // What the source leaves unsafe, named at the line of the imported file.
        Some(rule) => assert!(
            lint.stdout
                .lines()
                .any(|l| l.starts_with("imported.yaml:") && l.contains(&format!("[{rule}]"))),
            "expected {rule}:\n{}",
            lint.stdout
        ),
    }
    run.snapshot()
}

#[test]
fn bitnami_chart_defaults() {
    insta::assert_snapshot!(import("bitnami", "bitnami-values.yaml", None));
}

#[test]
fn bitnami_sentinel_release() {
    insta::assert_snapshot!(import("bitnami", "bitnami-production.yaml", None));
}

#[test]
fn dandydeveloper_chart_defaults() {
    // The community chart's defaults disable auth.
    insta::assert_snapshot!(import(
        "dandydeveloper",
        "dandydeveloper-values.yaml",
        Some("auth-disabled")
    ));
}

#[test]
fn dandydeveloper_ci_values() {
    insta::assert_snapshot!(
        "dandydeveloper_ci_haproxy",
        import(
            "dandydeveloper",
            "dandydeveloper-ci-haproxy-enabled.yaml",
            None
        )
    );
    insta::assert_snapshot!(
        "dandydeveloper_ci_multi_value",
        import(
            "dandydeveloper",
            "dandydeveloper-ci-multi-value-configs.yaml",
            None
        )
    );
}

#[test]
fn dandydeveloper_haproxy_release() {
    // 900mb of a 1Gi limit: the community chart does not check the headroom.
    insta::assert_snapshot!(import(
        "dandydeveloper",
        "dandydeveloper-production.yaml",
        Some("maxmemory-headroom-too-small")
    ));
}

#[test]
fn passwords_are_carried_only_when_asked() {
    let t = CliTest::new();
    let password = "import-s3cret-pw";
    t.write(
        "values.yaml",
        &format!("auth:\n  password: {password}\nglobal:\n  redis:\n    password: {password}\n"),
    );
    let hidden = t.run(&["values", "import", "--from", "bitnami", "values.yaml"]);
    assert_eq!(hidden.code, 0, "{}", hidden.stderr);
    assert!(!hidden.stdout.contains(password) && !hidden.stderr.contains(password));
    assert!(
        hidden.stderr.contains("auth.existingSecret"),
        "{}",
        hidden.stderr
    );
    let shown = t.run(&[
        "values",
        "import",
        "--from",
        "bitnami",
        "values.yaml",
        "--show-secrets",
    ]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(shown.stdout.contains(password), "{}", shown.stdout);
    assert!(!shown.stderr.contains(password), "{}", shown.stderr);
}

#[test]
fn bad_files_are_errors() {
    let t = CliTest::new();
    t.write("list.yaml", "- a\n- b\n");
    t.write("broken.yaml", "redis:\n  config: [\n");
    // Nine aliases of the level below, twelve levels deep: a billion laughs.
    let mut bomb = "a0: &a0 \"lol\"\n".to_owned();
    for i in 1..12 {
        let prev = format!("*a{}", i - 1);
        bomb.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            [prev.as_str(); 9].join(", ")
        ));
    }
    t.write("bomb.yaml", &bomb);
    let mut out = String::new();
    for file in ["list.yaml", "broken.yaml", "bomb.yaml", "missing.yaml"] {
        let run = t.run(&["values", "import", "--from", "dandydeveloper", file]);
        assert_eq!(run.code, 2, "{file}: {}", run.stderr);
        assert!(
            run.stdout.is_empty(),
            "{file}: nothing is printed on failure"
        );
        out.push_str(&format!("{file}:\n{}", run.stderr));
    }
    insta::assert_snapshot!(out);
}
