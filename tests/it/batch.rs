//! Tests of `redis-ha render --values-dir`: a release per values file, each rendered as its own
//! `render` would render it, and nothing printed or written when one fails.

use std::path::Path;

use crate::common::{CliTest, Run};

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/render/basic");

/// The fixture chart as `chart/` and three releases in `releases/`.
fn with_releases() -> CliTest {
    let t = CliTest::with_chart(Path::new(FIXTURE));
    t.write("releases/cache-eu.yaml", "replicas: 5\n");
    t.write("releases/cache-us.yaml", "sentinel:\n  quorum: 3\n");
    t.write("releases/b.yaml", "labels:\n  team: web\n");
    // Not releases: another extension, a hidden file.
    t.write("releases/README.md", "one file per release\n");
    t.write("releases/.draft.yaml", "replicas: nope\n");
    t
}

fn batch(t: &CliTest, extra: &[&str]) -> Run {
    let mut args = vec!["render", "--chart", "chart", "--values-dir", "releases"];
    args.extend_from_slice(extra);
    t.run(&args)
}

/// Every file under `dir`, relative to it, sorted.
fn tree(dir: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(dir).unwrap();
                files.push(relative.display().to_string());
            }
        }
    }
    files.sort();
    files
}

#[test]
fn stream_is_each_release_as_render_prints_it() {
    let t = with_releases();
    let run = batch(&t, &["-n", "data"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut expected = String::new();
    for name in ["b", "cache-eu", "cache-us"] {
        let file = format!("releases/{name}.yaml");
        let single = t.run(&[
            "render", name, "--chart", "chart", "-n", "data", "-f", &file,
        ]);
        assert_eq!(single.code, 0, "{}", single.stderr);
        expected.push_str(&format!("# Release: {name}\n{}", single.stdout));
    }
    assert_eq!(run.stdout, expected);
    // Not a terminal: no progress line, and no per-release notes.
    assert_eq!(run.stderr, "");
}

#[test]
fn output_dir_lays_out_a_directory_per_release() {
    let t = with_releases();
    let run = batch(&t, &["--output-dir", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(tree(&t.dir().join("out")).join("\n"), @r"
    b/basic/templates/a-networkpolicy.yaml
    b/basic/templates/service.yaml
    b/basic/templates/statefulset.yaml
    cache-eu/basic/templates/a-networkpolicy.yaml
    cache-eu/basic/templates/service.yaml
    cache-eu/basic/templates/statefulset.yaml
    cache-us/basic/templates/a-networkpolicy.yaml
    cache-us/basic/templates/service.yaml
    cache-us/basic/templates/statefulset.yaml
    ");
    // Each release's directory is what `render --output-dir` writes for it alone.
    let single = t.run(&[
        "render",
        "cache-eu",
        "--chart",
        "chart",
        "-f",
        "releases/cache-eu.yaml",
        "--output-dir",
        "single",
    ]);
    assert_eq!(single.code, 0, "{}", single.stderr);
    for file in tree(&t.dir().join("single")) {
        assert_eq!(
            std::fs::read_to_string(t.dir().join("single").join(&file)).unwrap(),
            std::fs::read_to_string(t.dir().join("out/cache-eu").join(&file)).unwrap(),
            "{file}"
        );
    }
    assert!(
        run.stdout
            .starts_with("wrote out/b/basic/templates/a-networkpolicy.yaml\n")
    );
    assert_eq!(run.stdout.lines().count(), 9);
}

#[test]
fn release_file_goes_above_values_files_and_below_set_flags() {
    let t = with_releases();
    t.write("common.yaml", "replicas: 7\nsentinel:\n  quorum: 1\n");
    let run = batch(&t, &["-f", "common.yaml", "--set", "sentinel.quorum=2"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let releases: Vec<&str> = run.stdout.split("# Release: ").skip(1).collect();
    assert_eq!(releases.len(), 3);
    // `cache-eu.yaml` sets replicas over `common.yaml`; the others keep its 7.
    assert!(releases[1].contains("replicas: 5"), "{}", releases[1]);
    assert!(releases[0].contains("replicas: 7"), "{}", releases[0]);
    // `--set` wins over `cache-us.yaml`'s quorum of 3.
    for release in &releases {
        assert!(release.contains("quorum: \"2\""), "{release}");
    }
}

#[test]
fn json_is_one_object_of_releases() {
    let t = with_releases();
    let run = batch(
        &t,
        &["-o", "json", "--show-only", "templates/statefulset.yaml"],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let releases: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<&String> = releases.as_object().unwrap().keys().collect();
    assert_eq!(names, ["b", "cache-eu", "cache-us"]);
    assert_eq!(releases["cache-eu"][0]["kind"], "StatefulSet");
    assert_eq!(releases["cache-eu"][0]["spec"]["replicas"], 5);
    assert_eq!(releases["b"].as_array().unwrap().len(), 1);
}

#[test]
fn an_error_names_the_release_and_nothing_is_written() {
    let t = with_releases();
    let first = batch(&t, &["--output-dir", "out"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let before =
        std::fs::read_to_string(t.dir().join("out/b/basic/templates/statefulset.yaml")).unwrap();
    // `b` sorts first and renders; `cache-eu` fails: `b` must not be replaced either.
    t.write("releases/b.yaml", "replicas: 9\n");
    t.write("releases/cache-eu.yaml", "features:\n  broken: true\n");
    let run = batch(&t, &["--output-dir", "out"]);
    insta::assert_snapshot!(run.snapshot());
    assert_eq!(
        std::fs::read_to_string(t.dir().join("out/b/basic/templates/statefulset.yaml")).unwrap(),
        before
    );
    // On standard output too, nothing before the failing release.
    assert_eq!(batch(&t, &[]).stdout, "");
}

#[test]
fn a_values_error_is_located_in_the_release_file() {
    let t = with_releases();
    t.write("releases/cache-us.yaml", "replicas: [1\n");
    let run = batch(&t, &["--output-dir", "fresh"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: release `cache-us` (`releases/cache-us.yaml`) did not render\n  Caused by: releases/cache-us.yaml:"),
        "{}",
        run.stderr
    );
    assert!(!t.dir().join("fresh").exists());
}

#[test]
fn an_empty_directory_is_an_error() {
    let t = CliTest::with_chart(Path::new(FIXTURE));
    t.write("releases/README.md", "none yet\n");
    let run = batch(&t, &[]);
    insta::assert_snapshot!(run.snapshot());
}

#[test]
fn a_release_name_is_refused_beside_it() {
    let t = with_releases();
    let run = batch(&t, &["prod"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot be used with"), "{}", run.stderr);
}

#[test]
fn a_release_that_cannot_be_written_leaves_the_others_unwritten() {
    let t = with_releases();
    // `b` stages first; `cache-eu`'s chart directory is in the way of its own.
    t.write("out/cache-eu/basic", "not a directory\n");
    let run = batch(&t, &["--output-dir", "out"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("error: release `cache-eu` (`releases/cache-eu.yaml`) was not written\n"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stdout, "");
    assert_eq!(tree(&t.dir().join("out")), ["cache-eu/basic"]);
}
