//! Tests of the bundled chart: preset snapshots, secrets that must not leak, architectures.

use base64::Engine as _;

use crate::common::CliTest;

fn render_json(t: &CliTest, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["render", "-o", "json"];
    all.extend_from_slice(args);
    let run = t.run(&all);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    serde_json::from_str(&run.stdout).expect("render -o json prints a JSON array")
}

fn kinds(docs: &[serde_json::Value]) -> Vec<String> {
    docs.iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["kind"].as_str().unwrap_or(""),
                d["metadata"]["name"].as_str().unwrap_or("")
            )
        })
        .collect()
}

#[test]
fn preset_dev() {
    let run = CliTest::new().run(&["render", "--env", "dev"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn preset_staging() {
    let run = CliTest::new().run(&["render", "--env", "staging"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn preset_production() {
    let run = CliTest::new().run(&["render", "--env", "production"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

#[test]
fn renders_are_deterministic_and_the_bundled_chart_is_the_repository_chart() {
    let t = CliTest::new();
    let chart = concat!(env!("CARGO_MANIFEST_DIR"), "/charts/redis-ha");
    let preset = concat!(env!("CARGO_MANIFEST_DIR"), "/values/values-production.yaml");
    let first = t.run(&["render", "--env", "production"]);
    let second = t.run(&["render", "--env", "production"]);
    let from_dir = t.run(&["render", "--chart", chart, "-f", preset]);
    assert_eq!(first.stdout, second.stdout);
    assert_eq!(first.stdout, from_dir.stdout);
}

/// The password may appear only in the Secret's `data`: not in a ConfigMap, a command line,
/// an environment value or an annotation (a checksum of the Secret is fine: it is a hash).
#[test]
fn password_never_leaks_outside_the_secret() {
    const PASSWORD: &str = "leak-canary-7f3a9c";
    let encoded = base64::engine::general_purpose::STANDARD.encode(PASSWORD);
    let t = CliTest::new();
    let password = format!("auth.password={PASSWORD}");
    let variants: &[&[&str]] = &[
        &["--env", "staging"],
        &["--env", "dev"],
        &["--env", "production", "--set", "auth.existingSecret=null"],
        &["--set", "exporter.enabled=true,exporter.mode=sidecar"],
        &[
            "--set",
            "exporter.enabled=true,exporter.namespace=monitoring",
        ],
        &[
            "--set",
            "architecture=replication,tls.enabled=true,tls.existingSecret=tls",
        ],
    ];
    for variant in variants {
        let mut args = variant.to_vec();
        args.extend(["--set", &password]);
        let docs = render_json(&t, &args);
        let secrets: Vec<_> = docs.iter().filter(|d| d["kind"] == "Secret").collect();
        assert!(
            !secrets.is_empty(),
            "{variant:?}: the password must be rendered into a Secret"
        );
        for doc in &docs {
            let text = doc.to_string();
            if doc["kind"] == "Secret" {
                assert!(
                    !text.contains(PASSWORD),
                    "{variant:?}: Secret holds the password in clear"
                );
                continue;
            }
            assert!(
                !text.contains(PASSWORD) && !text.contains(&encoded),
                "{variant:?}: {} holds the password",
                doc["metadata"]["name"]
            );
        }
    }
}

#[test]
fn architectures_render_their_workloads() {
    let t = CliTest::new();
    let cases: &[(&str, &[&str], &[&str])] = &[
        (
            "standalone",
            &["StatefulSet/redis-ha-redis"],
            &["StatefulSet/redis-ha-sentinel", "Service/redis-ha-sentinel"],
        ),
        (
            "replication",
            &["StatefulSet/redis-ha-redis"],
            &["StatefulSet/redis-ha-sentinel"],
        ),
        (
            "sentinel",
            &[
                "StatefulSet/redis-ha-redis",
                "StatefulSet/redis-ha-sentinel",
                "Service/redis-ha-sentinel",
            ],
            &[],
        ),
        (
            "cluster",
            &[
                "StatefulSet/redis-ha-redis",
                "Service/redis-ha-redis-headless",
            ],
            &["StatefulSet/redis-ha-sentinel", "Service/redis-ha-sentinel"],
        ),
    ];
    for (architecture, present, absent) in cases {
        let set = format!("architecture={architecture},auth.password=x");
        let docs = render_json(&t, &["--set", &set]);
        let names = kinds(&docs);
        for want in *present {
            assert!(
                names.iter().any(|n| n == want),
                "{architecture}: missing {want} in {names:?}"
            );
        }
        for unwanted in *absent {
            assert!(
                !names.iter().any(|n| n == unwanted),
                "{architecture}: unexpected {unwanted}"
            );
        }
        let redis = docs
            .iter()
            .find(|d| d["kind"] == "StatefulSet" && d["metadata"]["name"] == "redis-ha-redis")
            .unwrap();
        if *architecture == "standalone" {
            assert_eq!(
                redis["spec"]["replicas"], 1,
                "standalone runs one Redis pod"
            );
        }
        if *architecture == "cluster" {
            assert_eq!(
                redis["spec"]["replicas"], 6,
                "3 shards of a master and a replica"
            );
        }
    }
}

/// Issue 17: the example production cluster, as a snapshot (the cluster directives, the bus
/// port in the pods, the headless Service and the NetworkPolicy, the cluster alerts).
#[test]
fn example_cluster_production() {
    let values = format!(
        "{}/values/examples/cluster-production.yaml",
        env!("CARGO_MANIFEST_DIR")
    );
    let run = CliTest::new().run(&["render", "-f", &values]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

/// A cluster has no single master for HAProxy to route to: refused, with the fix.
#[test]
fn cluster_refuses_the_master_endpoint() {
    let run = CliTest::new().run(&[
        "render",
        "--set",
        "architecture=cluster,haproxy.enabled=true",
    ]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(
        run.stderr.contains("set haproxy.enabled=false"),
        "{}",
        run.stderr
    );
}

/// A backup copies one data set and a restore seeds one master: a cluster (one data set per
/// shard) refuses both rather than copying a third of the data.
#[test]
fn cluster_refuses_backup_and_restore() {
    for set in [
        "architecture=cluster,backup.enabled=true,backup.persistence.enabled=true",
        "architecture=cluster,restore.enabled=true,restore.source.existingClaim=old",
    ] {
        let run = CliTest::new().run(&["render", "--set", set]);
        assert_eq!(run.code, 2, "{}", run.snapshot());
        assert!(
            run.stderr
                .contains("set backup.enabled=false and restore.enabled=false"),
            "{}",
            run.stderr
        );
    }
}

/// Issue 15: with neither a password nor an existing Secret the chart renders no Secret (it never
/// invents a password), the pods read `<release>-auth`, and the render says to create it.
#[test]
fn auth_without_a_password_reads_a_secret_the_user_creates() {
    let run = CliTest::new().run(&[
        "render",
        "cache",
        "-n",
        "data",
        "--set",
        "auth.enabled=true,auth.password=null,auth.existingSecret=null",
    ]);
    assert_eq!(run.code, 0, "{}", run.snapshot());
    assert!(!run.stdout.contains("kind: Secret"), "{}", run.stdout);
    assert!(
        run.stdout.contains("secretName: cache-auth"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(
            "create the Secret `cache-auth` with key `redis-password` in namespace `data`"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_password_change_rolls_the_pods() {
    let t = CliTest::new();
    let checksums = |password: &str| -> Vec<String> {
        let set = format!("auth.password={password}");
        render_json(&t, &["--env", "staging", "--set", &set])
            .iter()
            .filter(|d| d["kind"] == "StatefulSet")
            .map(|d| d["spec"]["template"]["metadata"]["annotations"].to_string())
            .collect()
    };
    let before = checksums("one");
    let after = checksums("two");
    assert_eq!(before.len(), 2);
    for (b, a) in before.iter().zip(&after) {
        assert_ne!(
            b, a,
            "the pod template annotations must change with the password"
        );
    }
}

/// Issue 16: haproxy.cfg of the master endpoint with TLS (checks over TLS with the client
/// certificate, client traffic passed through) and HAProxy's own metrics (sidecar exporter).
#[test]
fn haproxy_config_with_tls_and_sidecar_metrics() {
    let run = CliTest::new().run(&[
        "render",
        "--env",
        "production",
        "--set",
        "tls.enabled=true",
        "--set",
        "tls.existingSecret=redis-tls",
        "--set",
        "tls.authClients=true",
        "--set",
        "exporter.mode=sidecar",
        "--show-only",
        "templates/haproxy-configmap.yaml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

/// Issue 16 (backups and restore): the CronJob with an upload container, its claim, and the
/// restore step of the Redis pods reading the same claim.
#[test]
fn backup_and_restore() {
    let t = CliTest::new();
    t.write(
        "backup.yaml",
        "backup:\n  enabled: true\n  schedule: \"30 2 * * *\"\n  keep: 5\n  persistence:\n    enabled: true\n    size: 20Gi\n  upload:\n    command: 'rclone copy \"$BACKUP_FILE\" remote:redis-backups'\n    envFromSecret: redis-backup-rclone\nrestore:\n  enabled: true\n  source:\n    existingClaim: redis-ha-backup\n",
    );
    let run = t.run(&[
        "render",
        "--env",
        "production",
        "-f",
        "backup.yaml",
        "--show-only",
        "templates/backup-cronjob.yaml",
        "--show-only",
        "templates/backup-pvc.yaml",
        "--show-only",
        "templates/redis-statefulset.yaml",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    insta::assert_snapshot!(run.stdout);
}

/// Without `backup.enabled` nothing of the backup is rendered, whatever else is set.
#[test]
fn backup_off_renders_nothing_of_it() {
    let t = CliTest::new();
    let docs = render_json(
        &t,
        &[
            "--env",
            "production",
            "--set",
            "backup.persistence.enabled=true",
        ],
    );
    let kinds = kinds(&docs);
    assert!(kinds.iter().all(|k| !k.contains("backup")), "{kinds:?}");
}

/// ACL users are proven with Sentinel only: a cluster refuses them, with the fix.
#[test]
fn cluster_refuses_acl_users() {
    let run = CliTest::new().run(&[
        "render",
        "--set",
        "architecture=cluster,auth.password=x-long-pw,auth.acl.enabled=true",
    ]);
    assert_eq!(run.code, 2, "{}", run.snapshot());
    assert!(
        run.stderr.contains("set auth.acl.enabled=false"),
        "{}",
        run.stderr
    );
}

/// The Secret the chart renders from an inline `auth.password` holds that password only: ACL
/// users, whose passwords are other keys, need a Secret of their own, and the render says so
/// rather than leave every pod waiting on missing keys.
#[test]
fn acl_users_with_inline_password_need_their_secret() {
    let refused = CliTest::new().run(&[
        "render",
        "--set",
        "auth.password=x-long-password-1,auth.acl.enabled=true",
    ]);
    assert_eq!(refused.code, 2, "{}", refused.snapshot());
    assert!(
        refused
            .stderr
            .contains("replication-password, sentinel-password")
            && refused.stderr.contains("auth.acl.existingSecret"),
        "{}",
        refused.stderr
    );
    assert!(
        !refused.stderr.contains("x-long-password-1"),
        "{}",
        refused.stderr
    );
    let named = CliTest::new().run(&[
        "render",
        "--set",
        "auth.password=x-long-password-1,auth.acl.enabled=true,auth.acl.existingSecret=acl-users",
    ]);
    assert_eq!(named.code, 0, "{}", named.snapshot());
}
