//! The first minutes with the bundled chart (issue 15): a bare `render` works and says what to
//! create, a values file full of typos gets one located error per typo with the key meant,
//! secrets never appear in errors, and the shell completions are generated.

use crate::common::CliTest;

#[test]
fn bare_render_succeeds_and_names_the_secret_to_create() {
    let t = CliTest::new();
    let run = t.run(&["render"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        !run.stdout.contains("kind: Secret"),
        "the chart invents no password"
    );
    assert!(run.stdout.contains("secretName: redis-ha-auth"));
    insta::assert_snapshot!(run.stderr, @r#"
    note: before applying, create the Secret `redis-ha-auth` with key `redis-password` in namespace `default`
    note: Service `redis-ha-redis.default` serves port 6379 (redis)
    note: Service `redis-ha-sentinel.default` serves port 26379 (sentinel)
    note: clients that speak Sentinel: ask `redis-ha-sentinel.default.svc:26379` for the master `mymaster` (`SENTINEL get-master-addr-by-name mymaster`)
    note: check the sentinels: `kubectl exec -n default redis-ha-sentinel-0 -- sh -c 'REDISCLI_AUTH="$(cat /opt/redis-ha/secret/password)" redis-cli -p 26379 SENTINEL CKQUORUM mymaster'` (drop REDISCLI_AUTH without auth)
    "#);
}

#[test]
fn every_typo_is_located_with_the_key_meant() {
    let t = CliTest::new();
    t.write(
        "typos.yaml",
        "sentinal:\n  quorum: 2\nreplicas: 3\nredis:\n  maxmemry: 100mb\n  apendonly: true\nauht:\n  enabled: true\nresources:\n  limits:\n    memory: 1GB\n",
    );
    let run = t.run(&["render", "-f", "typos.yaml"]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.stderr);
}

#[test]
fn schema_errors_never_print_a_secret() {
    let t = CliTest::new();
    t.write("secret.yaml", "auth:\n  password: 12345678\n");
    for args in [
        &["render", "--set", "auth.password=12345678"][..],
        &["render", "-f", "secret.yaml"],
        &[
            "render",
            "--set-json",
            "auth={\"password\":12345678,\"pasword\":1}",
        ],
    ] {
        let run = t.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.snapshot());
        assert!(run.stderr.contains("auth"), "{}", run.stderr);
        assert!(!run.stderr.contains("12345678"), "{args:?}: {}", run.stderr);
    }
}

#[test]
fn completions_for_every_shell() {
    let t = CliTest::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = t.run(&["completion", shell]);
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("output-dir"), "{shell}");
    }
    assert_eq!(t.run(&["completion", "tcsh"]).code, 2);
}

/// Every command's `--help` has the same form: the short one, one line per flag (a flag with
/// documented possible values would switch clap to the long form for that command alone).
#[test]
fn help_has_one_form_for_every_command() {
    let t = CliTest::new();
    for command in [
        "render",
        "values",
        "schema",
        "lint",
        "diff",
        "package",
        "completion",
        "man",
    ] {
        let long = t.run(&[command, "--help"]);
        let short = t.run(&[command, "-h"]);
        assert_eq!(long.code, 0, "{command}");
        assert_eq!(
            long.stdout, short.stdout,
            "{command} --help is in the long form"
        );
    }
}

/// Issue 15: with the exporter in its own namespace the package names each left-out Secret
/// once, with the namespace it must be created in.
#[test]
fn package_names_each_left_out_secret_with_its_namespace() {
    let t = CliTest::new();
    let run = t.run(&[
        "package",
        "--env",
        "staging",
        "--set",
        "exporter.enabled=true,exporter.mode=deployment,exporter.namespace=monitoring",
        "-d",
        "out",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout, @r"
    wrote out/redis-ha-0.1.0.tgz
    note: left out `Secret/redis-ha-redis-auth` in the release namespace: create it before installing, or pass `--include-secrets` (see the chart's README.md)
    note: left out `Secret/redis-ha-redis-auth` in namespace `monitoring`: create it before installing, or pass `--include-secrets` (see the chart's README.md)
    ");
}

#[test]
fn man_pages() {
    let t = CliTest::new();
    let root = t.run(&["man"]);
    assert_eq!(root.code, 0, "{}", root.stderr);
    assert!(
        root.stdout.starts_with(".ie \\n(.g .ds Aq"),
        "roff: {}",
        &root.stdout[..40]
    );
    assert!(root.stdout.contains("redis\\-ha"));
    let render = t.run(&["man", "render"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    assert!(render.stdout.contains("output\\-dir"));
    let unknown = t.run(&["man", "deploy"]);
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("hint: the commands are"),
        "{}",
        unknown.stderr
    );
}
