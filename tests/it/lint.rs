//! Tests of `redis-ha lint`: every rule against its fixtures, the registry, the README's rule
//! list, the output formats and exit codes, and the bundled presets.
//!
//! A rule's fixtures live in `tests/fixtures/lint/rules/<rule-id>/`: `fail*.yaml` must trigger
//! the rule, `pass*.yaml` must not. A fixture is a values layer, optionally followed by `---`
//! and manifests. With manifests, the values and manifests are linted as they are; without,
//! the values are layered over the small chart in `tests/fixtures/lint/chart` and the whole
//! pipeline runs. A fixture whose name has `production` (or `dev`) is linted as such.

use std::fmt::Write as _;
use std::path::PathBuf;

use redis_ha::chart::TemplateFile;
use redis_ha::lint::{self, Environment, Finding, Input, Report, Selection, registry};
use redis_ha::manifest::{Manifest, split_documents};
use redis_ha::render::{ReleaseOptions, parse_document};
use redis_ha::values::{FileLayer, Node, Origin, Value, ValueSources};

use crate::common::CliTest;

const RULES_DIR: &str = "tests/fixtures/lint/rules";
const CHART_DIR: &str = "tests/fixtures/lint/chart";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every fixture, as a path relative to the package root, sorted.
fn fixtures() -> Vec<String> {
    let mut out = Vec::new();
    for dir in std::fs::read_dir(root().join(RULES_DIR)).expect("fixtures dir") {
        let dir = dir.unwrap().path();
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let rel = file.strip_prefix(root()).unwrap();
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
    out.sort();
    out
}

/// The values part and the manifests part of a fixture.
fn split_fixture(text: &str) -> (&str, &str) {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return (&text[..offset], &text[offset..]);
        }
        offset += line.len();
    }
    (text, "")
}

fn lint_fixture(path: &str) -> Report {
    let text = std::fs::read_to_string(root().join(path)).unwrap();
    let (values_text, manifests_text) = split_fixture(&text);
    let docs = split_documents(manifests_text);
    if docs.is_empty() {
        let chart = redis_ha::release::load_chart(Some(&root().join(CHART_DIR))).unwrap();
        let sources = ValueSources {
            files: vec![root().join(path).to_string_lossy().into_owned()],
            ..ValueSources::default()
        };
        let report = lint::lint(
            &chart,
            &sources,
            &ReleaseOptions::default(),
            &Selection::all(),
            None,
        )
        .unwrap_or_else(|e| panic!("{path}: {e}"));
        return relative(report);
    }
    let map = redis_ha::values::yaml::parse_values(values_text, path, FileLayer::User)
        .unwrap_or_else(|e| panic!("{e}"));
    let values = Node::new(Value::Map(map), Origin::Computed);
    let name = path.rsplit('/').next().unwrap().to_owned();
    let manifests: Vec<Manifest> = docs
        .into_iter()
        .map(|doc| Manifest {
            template: name.clone(),
            content: doc.to_owned(),
            object: parse_document(doc).unwrap_or_else(|e| panic!("{path}: {e:?}")),
        })
        .collect();
    let templates = vec![TemplateFile {
        name: name.clone(),
        source: text.clone(),
    }];
    let dir = path.rsplit_once('/').unwrap().0;
    lint::check(
        &Input {
            values: &values,
            manifests: &manifests,
            environment: Environment::of_name(path),
            namespace: "default",
            template_dir: dir,
            templates: &templates,
        },
        &Selection::all(),
    )
}

/// Paths of the pipeline's findings as the fixtures name them (relative to the package).
fn relative(mut report: Report) -> Report {
    let prefix = format!("{}/", root().display());
    for f in &mut report.findings {
        for pos in [&mut f.location.file, &mut f.location.anchor]
            .into_iter()
            .flatten()
        {
            if let Some(rest) = pos.path.strip_prefix(&prefix) {
                pos.path = rest.to_owned();
            }
        }
    }
    report
}

fn rule_of(path: &str) -> &str {
    path.trim_start_matches(RULES_DIR)
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap()
}

fn show(findings: &[&Finding]) -> String {
    findings
        .iter()
        .map(|f| redis_ha::lint::output::text::finding(f))
        .collect()
}

/// Each `fail*.yaml` triggers its rule, each `pass*.yaml` does not; the findings of the
/// failing fixtures are snapshotted together, to review the messages and locations.
#[test]
fn rules_against_their_fixtures() {
    let mut problems = Vec::new();
    let mut snapshot = String::new();
    for path in fixtures() {
        let rule = rule_of(&path);
        let file = path.rsplit('/').next().unwrap();
        let report = lint_fixture(&path);
        let found: Vec<&Finding> = report.findings.iter().filter(|f| f.rule == rule).collect();
        if file.starts_with("fail") {
            if found.is_empty() {
                problems.push(format!(
                    "{path}: expected `{rule}`, got:\n{}",
                    show(&report.findings.iter().collect::<Vec<_>>())
                ));
            }
            let _ = writeln!(snapshot, "## {path}\n{}", show(&found));
        } else if !found.is_empty() {
            problems.push(format!("{path}: unexpected:\n{}", show(&found)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    insta::assert_snapshot!("fixture_findings", snapshot);
}

/// The registry's invariants: unique IDs, documented rules, and fixtures for every rule (and
/// no fixtures for a rule that does not exist).
#[test]
fn every_rule_has_fixtures() {
    let all = fixtures();
    for rule in registry::RULES {
        let id = rule.meta().id;
        for kind in ["fail", "pass"] {
            assert!(
                all.iter()
                    .any(|p| rule_of(p) == id && p.rsplit('/').next().unwrap().starts_with(kind)),
                "rule `{id}` has no `{kind}*.yaml` fixture in {RULES_DIR}/{id}/"
            );
        }
    }
    for path in &all {
        assert!(
            registry::find(rule_of(path)).is_some(),
            "{path}: no rule has this ID"
        );
        let file = path.rsplit('/').next().unwrap();
        assert!(
            (file.starts_with("fail") || file.starts_with("pass")) && file.ends_with(".yaml"),
            "{path}: fixtures are named fail*.yaml or pass*.yaml"
        );
    }
}

/// The README's rule list is generated from the registry;
/// `REDIS_HA_UPDATE_README=1 cargo test --test it lint::readme` rewrites it.
#[test]
fn readme_rule_list_is_in_sync() {
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let section = registry::readme_section();
    let current = match (
        readme.find(registry::README_START),
        readme.find(registry::README_END),
    ) {
        (Some(start), Some(end)) if start < end => {
            let end = end + registry::README_END.len();
            let end = end + usize::from(readme[end..].starts_with('\n'));
            Some((start, end))
        }
        _ => None,
    };
    let updated = match current {
        Some((start, end)) => format!("{}{section}{}", &readme[..start], &readme[end..]),
        None => format!(
            "{}\n{section}",
            readme.trim_end_matches('\n').to_owned() + "\n"
        ),
    };
    if updated == readme {
        return;
    }
    if std::env::var_os("REDIS_HA_UPDATE_README").is_some() {
        std::fs::write(&path, updated).unwrap();
    } else {
        panic!(
            "README.md's lint rules section is out of date: run `REDIS_HA_UPDATE_README=1 cargo test --test it lint::readme`"
        );
    }
}

fn chart() -> String {
    root().join(CHART_DIR).to_string_lossy().into_owned()
}

/// Output with the package's absolute path replaced, so snapshots hold on any machine.
fn scrub(text: &str) -> String {
    text.replace(&format!("file://{}/", root().display()), "file://[ROOT]/")
        .replace(&format!("{}/", root().display()), "[ROOT]/")
}

/// A release with one finding of each severity, one set by a flag, with the order of the
/// findings fixed by the data, not by the rules.
fn with_findings(t: &CliTest, extra: &[&str]) -> crate::common::Run {
    t.write(
        "values-prod.yaml",
        "sentinel:\n  replicas: 3\n  quorum: 1\nredis:\n  maxmemory: 240mb\n",
    );
    let chart = chart();
    let mut args = vec![
        "lint",
        "--chart",
        &chart,
        "-f",
        "values-prod.yaml",
        "--set",
        "sentinel.downAfterMilliseconds=1000",
    ];
    args.extend_from_slice(extra);
    let mut run = t.run(&args);
    run.stdout = scrub(&run.stdout);
    run.stderr = scrub(&run.stderr);
    run
}

#[test]
fn text_output() {
    let t = CliTest::new();
    insta::assert_snapshot!(with_findings(&t, &[]).snapshot());
}

#[test]
fn json_output() {
    let t = CliTest::new();
    insta::assert_snapshot!(with_findings(&t, &["--format", "json"]).snapshot());
}

#[test]
fn sarif_output() {
    let t = CliTest::new();
    let run = with_findings(&t, &["--format", "sarif"]);
    assert_eq!(run.code, 1);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // Every result names a rule of the driver and has a file and a start line, as GitHub code
    // scanning requires.
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    assert_eq!(rules.len(), registry::RULES.len());
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let index = usize::try_from(result["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert!(location["artifactLocation"]["uri"].is_string());
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
    }
    // The rules' help is long: snapshot the results and one rule.
    let summary = serde_json::json!({
        "version": sarif["version"],
        "$schema": sarif["$schema"],
        "firstRule": rules[0],
        "results": sarif["runs"][0]["results"],
    });
    insta::assert_snapshot!(serde_json::to_string_pretty(&summary).unwrap());
}

#[test]
fn junit_output() {
    let t = CliTest::new();
    let run = with_findings(&t, &["--format", "junit"]);
    // One test case per rule; keep the ones that say something.
    let interesting: String = run
        .stdout
        .split_inclusive('\n')
        .filter(|l| !(l.contains("<testcase") && l.contains("</testcase>")))
        .collect();
    insta::assert_snapshot!(format!("exit: {}\n{interesting}", run.code));
    assert_eq!(
        run.stdout.matches("<testcase ").count(),
        registry::RULES.len()
    );
    let strict = with_findings(&t, &["--format", "junit", "--strict"]);
    assert!(
        strict.stdout.contains("failures=\"3\""),
        "{}",
        strict.stdout
    );
}

#[test]
fn github_output() {
    let t = CliTest::new();
    insta::assert_snapshot!(with_findings(&t, &["--format", "github"]).snapshot());
}

#[test]
fn clean_exits_0_and_warnings_fail_only_when_strict() {
    let t = CliTest::new();
    let chart = chart();
    let clean = t.run(&["lint", "--chart", &chart]);
    assert_eq!(
        (clean.code, clean.stdout),
        (
            0,
            format!("no problems found ({} rules)\n", registry::RULES.len())
        )
    );
    let warning = ["lint", "--chart", &chart, "--set", "redis.maxmemory=240mb"];
    assert_eq!(t.run(&warning).code, 0);
    let strict: Vec<&str> = warning.iter().copied().chain(["--strict"]).collect();
    assert_eq!(t.run(&strict).code, 1);
    let skipped: Vec<&str> = strict
        .iter()
        .copied()
        .chain(["--skip", "maxmemory-headroom-too-small"])
        .collect();
    let run = t.run(&skipped);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(run.stdout.contains("1 skipped"), "{}", run.stdout);
}

#[test]
fn errors_exit_2() {
    let t = CliTest::new();
    insta::assert_snapshot!(
        "error_unreadable_file",
        t.run(&["lint", "-f", "missing.yaml"]).snapshot()
    );
    insta::assert_snapshot!(
        "error_unknown_skip",
        t.run(&["lint", "--skip", "sentinel-count-evn"]).snapshot()
    );
    insta::assert_snapshot!(
        "error_unknown_explain",
        t.run(&["lint", "--explain", "nope"]).snapshot()
    );
}

#[test]
fn schema_violations_stop_the_lint() {
    let t = CliTest::new();
    let chart = chart();
    insta::assert_snapshot!(
        t.run(&[
            "lint",
            "--chart",
            &chart,
            "--set",
            "sentinel.quorum=two",
            "--set",
            "auth.password=12345"
        ])
        .snapshot()
    );
}

#[test]
fn list_and_explain() {
    let t = CliTest::new();
    insta::assert_snapshot!("list", t.run(&["lint", "--list"]).snapshot());
    insta::assert_snapshot!(
        "explain",
        t.run(&["lint", "--explain", "sentinel-quorum-not-majority"])
            .snapshot()
    );
    let json = t.run(&["lint", "--list", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(list.as_array().unwrap().len(), registry::RULES.len());
}

/// The bundled presets are what users start from: no errors, and none of anything in
/// production.
#[test]
fn presets_lint_clean() {
    let t = CliTest::new();
    for env in ["dev", "staging"] {
        let run = t.run(&["lint", "--env", env]);
        assert_eq!(run.code, 0, "--env {env}:\n{}", run.snapshot());
        assert!(
            !run.stdout.contains("error["),
            "--env {env}:\n{}",
            run.stdout
        );
    }
    let run = t.run(&["lint", "--env", "production", "--strict"]);
    assert_eq!(
        (run.code, run.stdout.starts_with("no problems found")),
        (0, true),
        "{}",
        run.snapshot()
    );
}

/// A password never appears in any output format, whichever way it was given.
#[test]
fn passwords_never_leak() {
    let t = CliTest::new();
    t.write("values.yaml", "auth:\n  password: Sup3rS3cret!\n");
    let chart = chart();
    for format in ["text", "json", "sarif", "junit", "github"] {
        for args in [
            vec!["lint", "--chart", &chart, "-f", "values.yaml"],
            vec![
                "lint",
                "--chart",
                &chart,
                "--set",
                "auth.password=Sup3rS3cret!",
            ],
            vec![
                "lint",
                "--chart",
                &chart,
                "--set",
                "auth.password=Sup3rS3cret!",
                "--set",
                "sentinel.quorum=x",
            ],
        ] {
            let mut args = args.clone();
            args.extend(["--format", format]);
            let run = t.run(&args);
            assert!(
                !run.stdout.contains("Sup3rS3cret") && !run.stderr.contains("Sup3rS3cret"),
                "{args:?}:\n{}",
                run.snapshot()
            );
        }
    }
}

/// The same inputs give the same bytes.
#[test]
fn output_is_deterministic() {
    let t = CliTest::new();
    let first = with_findings(&t, &["--format", "sarif"]).stdout;
    for _ in 0..3 {
        assert_eq!(with_findings(&t, &["--format", "sarif"]).stdout, first);
    }
}

/// Values the schema would refuse, pushed through with `--skip values-schema-violation`: the
/// rules must report, not panic (the debug binary checks overflows).
#[test]
fn extreme_values_do_not_panic() {
    let t = CliTest::new();
    let chart = chart();
    let big = i64::MAX.to_string();
    let small = i64::MIN.to_string();
    let sets = [
        format!("sentinel.replicas={}", i64::MAX - 1),
        format!("sentinel.quorum={small}"),
        format!("replicas={small}"),
        format!("redis.minReplicasToWrite={big}"),
        format!("sentinel.downAfterMilliseconds={big}"),
        format!("sentinel.failoverTimeout={big}"),
        "redis.maxmemory=99999999999999999999gb".to_owned(),
        "pdb.maxUnavailable=9223372036854775807%".to_owned(),
        "resources.limits.memory=1e999".to_owned(),
    ];
    let mut args = vec![
        "lint",
        "--chart",
        &chart,
        "--skip",
        "values-schema-violation",
    ];
    for set in &sets {
        args.extend(["--set", set]);
    }
    let run = t.run(&args);
    assert!(matches!(run.code, 0..=2), "{}", run.snapshot());
    assert!(!run.stderr.contains("panicked"), "{}", run.snapshot());
}

/// Valid HA configurations a team may run: each, over the production preset and with the
/// bundled chart, lints clean under `--strict` (no false alarm on a good setup).
#[test]
fn valid_variants_lint_clean() {
    let t = CliTest::new();
    let dir = root().join("tests/fixtures/lint/valid");
    let mut variants: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    variants.sort();
    assert!(variants.len() >= 15, "{} variants", variants.len());
    let mut problems = Vec::new();
    for variant in &variants {
        let path = variant.to_string_lossy().into_owned();
        let run = t.run(&["lint", "--env", "production", "-f", &path, "--strict"]);
        if run.code != 0 || !run.stdout.starts_with("no problems found") {
            problems.push(format!("{path}:\n{}", scrub(&run.snapshot())));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `--profile` overrides what the file names say: production-only rules run on a file named
/// like dev, and a production-named file linted as dev does not get them.
#[test]
fn profile_overrides_file_names() {
    let t = CliTest::new();
    t.write(
        "values-dev.yaml",
        "persistence:\n  retentionPolicy:\n    whenDeleted: Delete\nauth:\n  existingSecret: redis-auth\n",
    );
    let dev = t.run(&["lint", "-f", "values-dev.yaml"]);
    assert!(
        !dev.stdout.contains("claim-retention-delete"),
        "{}",
        dev.stdout
    );
    let production = t.run(&["lint", "-f", "values-dev.yaml", "--profile", "production"]);
    assert_eq!(production.code, 1, "{}", production.snapshot());
    assert!(
        production
            .stdout
            .contains("values-dev.yaml:3:18: error[claim-retention-delete]"),
        "{}",
        production.stdout
    );
    let as_dev = t.run(&[
        "lint",
        "--env",
        "production",
        "--set",
        "persistence.retentionPolicy.whenDeleted=Delete",
        "--profile",
        "dev",
    ]);
    assert_eq!(as_dev.code, 0, "{}", as_dev.snapshot());
}

/// A finding on a rendered field points at the user's entry in a map the chart defaults
/// (`nodeSelector: {}`), not at the chart's line: annotations land in the user's file.
#[test]
fn findings_trace_back_to_the_users_entry() {
    let t = CliTest::new();
    t.write(
        "values-prod.yaml",
        "nodeSelector:\n  kubernetes.io/hostname: node-1\n",
    );
    let run = t.run(&["lint", "--env", "production", "-f", "values-prod.yaml"]);
    assert!(
        run.stdout
            .starts_with("values-prod.yaml:2:27: error[pods-in-one-failure-domain]"),
        "{}",
        run.snapshot()
    );
    // One value, one finding, though Redis and Sentinel both render it.
    assert_eq!(run.stdout.matches("pods-in-one-failure-domain").count(), 1);
}
