//! Hostile and extreme input (issue 18): every command answers with a located error (exit 2)
//! or a result, never a panic, a hang, a write outside the directory given, or a secret.

use std::path::Path;

use crate::common::{CliTest, Run};

const PASSWORD: &str = "hunter2-very-secret";

fn chart_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/charts/redis-ha"))
}

/// A copy of the bundled chart as `chart/`, changed by `edit`.
fn hostile_chart(edit: impl FnOnce(&Path)) -> CliTest {
    let t = CliTest::with_chart(chart_dir());
    edit(&t.dir().join("chart"));
    t
}

/// `command` on the chart in `chart/`, with what each command needs besides.
fn run_on_chart(t: &CliTest, command: &str) -> Run {
    t.write("old.yaml", "");
    let mut args = vec![
        command,
        "--chart",
        "chart",
        "--set",
        "auth.password=x-long-pw",
    ];
    if command == "diff" {
        args.extend(["--against", "old.yaml"]);
    }
    if command == "package" {
        args.extend(["-d", "out"]);
    }
    t.run(&args)
}

fn assert_error(run: &Run, needle: &str) {
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(run.stderr.contains(needle), "{}", run.snapshot());
    assert!(!run.stderr.contains("panicked"), "{}", run.snapshot());
}

fn set_chart_yaml(dir: &Path, field: &str, value: &str) {
    let path = dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{field}:")) {
                format!("{field}: {value}\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    std::fs::write(path, text).unwrap();
}

#[test]
fn chart_metadata_is_validated_as_helm_does() {
    for (field, value, needle) in [
        ("name", "../../x", "must be one path component"),
        ("name", "/abs", "must be one path component"),
        ("name", "''", "`name` is empty"),
        ("name", "\"a\\nb\"", "control character"),
        ("version", "not-semver", "is not a SemVer version"),
        ("apiVersion", "v3", "`apiVersion` is `v3`"),
    ] {
        let t = hostile_chart(|dir| set_chart_yaml(dir, field, value));
        for command in ["render", "lint", "diff", "package"] {
            assert_error(&run_on_chart(&t, command), needle);
        }
        // Nothing was written next to the test directory.
        assert!(!t.dir().join("x").exists() && !t.dir().parent().unwrap().join("x").exists());
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_chart_is_refused_not_read() {
    let t = hostile_chart(|dir| {
        let fifo = dir.join("templates/pipe.yaml");
        let status = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(status.success());
    });
    let run = t.run(&["render", "--chart", "chart"]);
    assert_error(&run, "`templates/pipe.yaml` is not a regular file");
}

/// A `.tgz` of the bundled chart with `extra` members (name, bytes) appended.
fn archive_with(t: &CliTest, extra: &[(&str, Vec<u8>)]) -> std::path::PathBuf {
    let path = t.dir().join("hostile.tgz");
    let file = std::fs::File::create(&path).unwrap();
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    tar.append_dir_all("redis-ha", chart_dir()).unwrap();
    for (name, bytes) in extra {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, bytes.as_slice())
            .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap();
    path
}

#[test]
fn archive_members_are_bounded_and_unique() {
    let t = CliTest::new();
    let twice = archive_with(
        &t,
        &[(
            "redis-ha/templates/redis-service.yaml",
            b"kind: x\n".to_vec(),
        )],
    );
    let run = t.run(&["render", "--chart", twice.to_str().unwrap()]);
    assert_error(&run, "is in the archive twice");

    // Six MiB of zeros compress to a few KiB: a gzip bomb member stops at Helm's limit.
    let bomb = archive_with(&t, &[("redis-ha/templates/bomb.yaml", vec![b' '; 6 << 20])]);
    assert!(std::fs::metadata(&bomb).unwrap().len() < 1 << 20);
    let run = t.run(&["render", "--chart", bomb.to_str().unwrap()]);
    assert_error(&run, "exceeds the limit of 5 MiB per file");
}

#[test]
fn template_engine_panics_become_located_errors() {
    let t = hostile_chart(|dir| {
        std::fs::write(dir.join("templates/bad.yaml"), "{% import \"x\" as 1 %}\n").unwrap();
    });
    for command in ["render", "lint", "diff", "package"] {
        assert_error(&run_on_chart(&t, command), "templates/bad.yaml");
    }
}

#[test]
fn templates_run_within_budgets() {
    for (template, needle) in [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
            "ran out of fuel",
        ),
        (
            "{{ 'x' | indent(100000000000) }}",
            "exceeds the limit of 1024",
        ),
        (
            "{% for i in range(2000) %}{{ 'x' * 50000000 }}{% endfor %}",
            "output exceeds",
        ),
        (
            "{% set ns = namespace(s='xxxxxxxx') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
            "rendering holds more than",
        ),
        (
            "{% set ns = namespace(l=[1, 2]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}",
            "rendering holds more than",
        ),
    ] {
        let t = hostile_chart(|dir| {
            std::fs::write(dir.join("templates/hostile.yaml"), template).unwrap();
        });
        let run = t.run(&[
            "render",
            "--chart",
            "chart",
            "--set",
            "auth.password=x-long-pw",
        ]);
        assert_error(&run, needle);
    }
}

#[test]
fn set_flags_are_bounded() {
    let t = CliTest::new();
    let mut args = vec!["render".to_owned()];
    for i in 0..5 {
        args.push("--set".to_owned());
        args.push(format!("podLabels.l{i}[65536]=x"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = t.run(&args);
    assert_error(&run, "list items in total");
}

#[test]
fn set_errors_never_show_a_secret() {
    let t = CliTest::new();
    for args in [
        vec!["render", "--set", &format!("auth.password={PASSWORD},x[")],
        vec![
            "render",
            "--set-json",
            &format!("auth.password=\"{PASSWORD}"),
        ],
        vec![
            "render",
            "--set-json",
            &format!("{{\"auth\":{{\"password\":\"{PASSWORD}\""),
        ],
        vec![
            "render",
            "--set-literal",
            &format!("auth.password[={PASSWORD}"),
        ],
    ] {
        let run = t.run(&args);
        assert_eq!(run.code, 2, "{}", run.snapshot());
        assert!(!run.stderr.contains(PASSWORD), "{}", run.snapshot());
    }
}

#[test]
fn values_reaching_scripts_are_refused_or_quoted() {
    let t = CliTest::new();
    let run = t.run(&[
        "render",
        "--env",
        "dev",
        "--set",
        "tls.certFilename=a b;$(id)",
    ]);
    assert_error(&run, "tls.certFilename");
    let run = t.run(&["render", "--env", "dev"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("MASTER_NAME='"),
        "values are shell-quoted"
    );
}

#[test]
fn an_empty_namespace_is_the_default_one() {
    let t = CliTest::new();
    let run = t.run(&["render", "--env", "dev", "-n", ""]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stdout.contains("namespace: null"));
    assert!(!run.stdout.contains("..svc"));
    let run = t.run(&["render", "--env", "dev", "-n", "Bad.NS"]);
    assert_error(&run, "invalid namespace");
}

#[test]
fn diff_masks_base64_copies_and_never_spells_a_secret() {
    use base64::Engine as _;
    let t = CliTest::new();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("default:{PASSWORD}"));
    let against = format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\n  namespace: default\ndata:\n  auth: \"Basic {basic}\"\n"
    );
    t.write("against.yaml", &against);
    let run = t.run(&[
        "diff",
        "--env",
        "dev",
        "--set",
        &format!("auth.enabled=true,auth.password={PASSWORD}"),
        "--against",
        "against.yaml",
    ]);
    assert!(run.code == 1, "{}", run.snapshot());
    assert!(!run.stdout.contains(&basic), "{}", run.stdout);
    assert!(!run.stdout.contains(PASSWORD), "{}", run.stdout);
}

#[test]
fn package_refuses_a_base64_copy_of_a_password() {
    use base64::Engine as _;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("default:{PASSWORD}"));
    let t = hostile_chart(|dir| {
        std::fs::write(
            dir.join("templates/leak.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  auth: \"Basic {{ ('default:' ~ Values.auth.password) | b64enc }}\"\n",
        )
        .unwrap();
    });
    let run = t.run(&[
        "package",
        "--chart",
        "chart",
        "--set",
        &format!("auth.password={PASSWORD}"),
        "-d",
        "out",
    ]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(
        run.stderr.contains("appears in `templates/leak.yaml`"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(PASSWORD) && !run.stderr.contains(&basic));
    assert!(!t.dir().join("out").exists(), "nothing written");
}

#[test]
fn many_set_flags() {
    let t = CliTest::new();
    let mut args = vec!["values".to_owned(), "--env".to_owned(), "dev".to_owned()];
    for i in 0..10_000 {
        args.push("--set".to_owned());
        args.push(format!("podAnnotations.k{i}=v{i}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = t.run(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("k9999: v9999"));
}

/// The fuzz targets' regression corpus (tests/fixtures/fuzz/TARGET/*): every input that once
/// crashed a target, and the seeds, replayed through the same calls as fuzz/fuzz_targets.
#[test]
fn fuzz_corpus_replays() {
    use redis_ha::values::strvals::{SetKind, apply};
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fuzz"));
    let kinds = [
        SetKind::Json,
        SetKind::Set,
        SetKind::String,
        SetKind::File,
        SetKind::Literal,
    ];
    let mut replayed = 0;
    for target in ["values", "set", "chart", "manifest"] {
        let mut inputs: Vec<_> = std::fs::read_dir(root.join(target))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        for input in inputs {
            let data = std::fs::read(&input).unwrap();
            let text = std::str::from_utf8(&data).ok();
            match target {
                "values" => {
                    if let Some(text) = text {
                        let _ = redis_ha::values::yaml::parse_values(
                            text,
                            "fuzz.yaml",
                            redis_ha::values::FileLayer::User,
                        );
                    }
                }
                "set" => {
                    if let Some((&first, rest)) = data.split_first()
                        && let Ok(arg) = std::str::from_utf8(rest)
                    {
                        let mut map = redis_ha::values::Map::new();
                        let kind = kinds[usize::from(first) % kinds.len()];
                        let _ = apply(arg, kind, &mut map, &mut |p| Ok(p.to_owned()));
                    }
                }
                "chart" => {
                    let _ = redis_ha::chart::load(&input);
                }
                _ => {
                    if let Some(text) = text {
                        let _ = redis_ha::diff::load::parse(text, "fuzz.yaml");
                        let _ = redis_ha::render::parse_document(text);
                    }
                }
            }
            replayed += 1;
        }
    }
    assert!(replayed >= 4, "the corpus is there");
}

/// Issue 11: no secret value the user set (a password, a token under any key the secrets
/// policy names), nor a copy a template made of it, appears in any output of lint, diff or
/// package in any format, nor in `values` unless `--show-secrets` asks, nor in clear in the
/// bundled chart's render. (`render` prints the templates' output as Helm does: a chart that
/// copies a secret into a ConfigMap is lint's to catch.)
#[test]
fn no_command_or_format_prints_a_secret() {
    const TOKEN: &str = "tok-3f9a7c1e-very-private";
    // The chart copies both into a ConfigMap; without its schema, `api.token` is a value.
    let t = hostile_chart(|dir| {
        std::fs::write(
            dir.join("templates/leak.yaml"),
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  password: {{ Values.auth.password | tojson }}\n  token: {{ Values.api.token | tojson }}\n",
        )
        .unwrap();
        std::fs::remove_file(dir.join("values.schema.json")).unwrap();
    });
    t.write("old.yaml", "");
    let password = format!("auth.password={PASSWORD}");
    let token = format!("api.token={TOKEN}");
    let secrets = ["--set", password.as_str(), "--set", token.as_str()];
    let formats: &[(&str, &[&str])] = &[
        ("render", &["yaml", "json"]),
        ("values", &["yaml", "json"]),
        ("lint", &["text", "json", "sarif", "junit", "github"]),
        ("diff", &["text", "json", "markdown"]),
        ("package", &[""]),
    ];
    let mut leaks = Vec::new();
    for (command, formats) in formats {
        for format in *formats {
            // The bundled chart for render: its templates copy no secret in clear.
            // (`api.token` is no key of its schema: that render is an error, which must not
            // show the token either.)
            let mut args = vec![*command];
            if *command != "render" {
                args.extend(["--chart", "chart"]);
            }
            args.extend(secrets);
            if !format.is_empty() {
                args.extend(["-o", format]);
            }
            match *command {
                "diff" => args.extend(["--against", "old.yaml"]),
                "package" => args.extend(["-d", "out"]),
                _ => {}
            }
            let run = t.run(&args);
            assert!(!run.stderr.contains("panicked"), "{}", run.snapshot());
            if *command == "values" {
                let mut with_origin = args.clone();
                with_origin.push("--show-origin");
                let origins = t.run(&with_origin);
                if origins.stdout.contains(PASSWORD) || origins.stdout.contains(TOKEN) {
                    leaks.push(format!("{} shows a secret", with_origin.join(" ")));
                }
                let mut asked = args.clone();
                asked.push("--show-secrets");
                let shown = t.run(&asked);
                assert!(shown.stdout.contains(PASSWORD), "{}", shown.snapshot());
                assert!(shown.stdout.contains(TOKEN), "{}", shown.snapshot());
            }
            if *command == "render" {
                let only_password = ["render", "--set", password.as_str(), "-o", format];
                let rendered = t.run(&only_password);
                assert_eq!(rendered.code, 0, "{}", rendered.snapshot());
                if rendered.stdout.contains(PASSWORD) {
                    leaks.push(format!("{} shows the password", only_password.join(" ")));
                }
            }
            for secret in [PASSWORD, TOKEN] {
                if run.stdout.contains(secret) || run.stderr.contains(secret) {
                    leaks.push(format!(
                        "{} shows `{secret}`:\n{}",
                        args.join(" "),
                        run.snapshot()
                    ));
                }
            }
        }
    }
    assert!(leaks.is_empty(), "{}", leaks.join("\n\n"));
}

#[test]
fn inputs_past_the_cap_are_refused_for_every_reader() {
    let t = CliTest::new();
    let big = format!("a: \"{}\"\n", "x".repeat(17 << 20));
    t.write("big.yaml", &big);
    t.write("old.yaml", "");
    for args in [
        &["render", "-f", "big.yaml"][..],
        &["render", "--set-file", "podLabels.x=big.yaml"][..],
        &["diff", "--against", "big.yaml"][..],
        &["values", "import", "--from", "bitnami", "big.yaml"][..],
    ] {
        let run = t.run(args);
        assert_error(&run, "16 MiB");
        assert!(run.stderr.contains("big.yaml"), "{}", run.snapshot());
    }
}
