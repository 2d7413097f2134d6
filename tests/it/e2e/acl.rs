//! End-to-end proof of ACL users (issue 16, item 2) on the production render with
//! `auth.acl.enabled` and the default user off: the replicas, the sentinels and the chart's
//! tools (start-up scripts, probes) log in as their least-privileged users, an application
//! user reaches its keys only, the default user is refused, and a kill -9 of the master fails
//! over without losing an acknowledged write. Addresses 127.0.42.8x.

use std::fs;
use std::time::Instant;

use super::client::Client;
use super::harness::{self, Cluster};
use super::pods::{Role, secret_of};
use super::{Proof, bootstrap, failover, rejoin, step};

/// The ACL values under test: an administrator (the test's own client) and an application
/// user limited to `app:*` without dangerous commands.
const SETS: &[&str] = &[
    "--set",
    "auth.acl.enabled=true",
    "--set",
    "auth.acl.disableDefaultUser=true",
    "--set",
    "auth.acl.users[0].name=admin",
    "--set",
    "auth.acl.users[0].rules=~* &* +@all",
    "--set",
    "auth.acl.users[0].passwordKey=admin-password",
    "--set",
    "auth.acl.users[1].name=app",
    "--set",
    "auth.acl.users[1].rules=~app:* +@read +@write -@dangerous",
    "--set",
    "auth.acl.users[1].passwordKey=app-password",
];

#[test]
#[ignore = "needs root, redis-server, redis-sentinel and iptables; run by .ci/e2e.sh"]
fn e2e_acl_users_least_privilege_and_failover() {
    if let Some(reason) = harness::missing_prerequisite() {
        panic!("the end-to-end test cannot run: {reason}");
    }
    let started = Instant::now();
    let mut c = Cluster::with_args("production", 8, SETS);
    let sentinel_port = c.of(Role::Sentinel)[0].addr.port();
    let admin = Client::new(&c.password).as_user(
        "admin",
        &secret_of(&c.password, "admin-password"),
        sentinel_port,
    );
    let mut proof = Proof::default();
    let env = "acl";
    let master = step(env, "1 bootstrap with ACL users", || {
        bootstrap(&mut c, &admin)
    });
    step(env, "2 users and their rights", || {
        users(&c, &master, sentinel_port);
    });
    let master = step(env, "3 failover after kill -9", || {
        failover(&mut c, &admin, &master, &mut proof)
    });
    step(env, "4 rejoin as a replica (replication user)", || {
        rejoin(&mut c, &admin, &proof.killed, &master);
    });
    step(
        env,
        "5 no password on a command line or in the aclfile",
        || {
            secrets(&c);
        },
    );
    eprintln!(
        "e2e summary (acl, production render with auth.acl, {:.0} s in all):\n  \
         failover after kill -9 of the master: replica promoted in {:.2} s (limit {:.0} s); \
         acknowledged writes: {}, lost: 0",
        started.elapsed().as_secs_f64(),
        proof.failover.as_secs_f64(),
        proof.failover_limit.as_secs_f64(),
        proof.acked.len(),
    );
}

/// The application user writes and reads its keys and is refused other keys and a dangerous
/// command; the replication and Sentinel users cannot read data; the default user is off.
fn users(c: &Cluster, master: &str, sentinel_port: u16) {
    let addr = c.pod(master).addr;
    let login = |name: &str| {
        Client::new(&c.password).as_user(
            name,
            &secret_of(&c.password, &format!("{name}-password")),
            sentinel_port,
        )
    };
    let app = login("app");
    assert_eq!(
        app.query::<String>(addr, &["SET", "app:1", "one"]),
        Ok("OK".to_owned())
    );
    assert_eq!(
        app.query::<String>(addr, &["GET", "app:1"]),
        Ok("one".to_owned())
    );
    for refused in [
        &["SET", "other:1", "x"][..],
        &["GET", "other:1"],
        &["KEYS", "*"],
    ] {
        let reply = app.query::<redis::Value>(addr, refused);
        assert!(
            reply
                .as_ref()
                .is_err_and(|e| e.to_lowercase().contains("noperm")),
            "app ran {refused:?}: {reply:?}"
        );
    }
    for user in ["replication", "sentinel"] {
        let reply = login(user).query::<redis::Value>(addr, &["GET", "app:1"]);
        assert!(
            reply
                .as_ref()
                .is_err_and(|e| e.to_lowercase().contains("noperm")),
            "{user} read data: {reply:?}"
        );
    }
    for pod in c.of(Role::Redis) {
        let reply = Client::new(&c.password).query::<String>(pod.addr, &["PING"]);
        assert!(
            reply.is_err(),
            "{}: the default user answered {reply:?}",
            pod.name
        );
        let reply = Client::without_password().query::<String>(pod.addr, &["PING"]);
        assert!(
            reply
                .as_ref()
                .is_err_and(|e| e.to_lowercase().contains("noauth")),
            "{}: without a password: {reply:?}",
            pod.name
        );
    }
}

/// No password (every one contains the release's) on any command line, ever, nor in the
/// aclfile, which holds hashes.
fn secrets(c: &Cluster) {
    let ever = c.leaked_command_lines();
    assert!(
        ever.is_empty(),
        "a password was on a command line: {ever:?}"
    );
    for pod in c.of(Role::Redis) {
        let dir = &pod
            .env
            .iter()
            .find(|(k, _)| k == "REDIS_HA_CONFIG_DIR")
            .expect("REDIS_HA_CONFIG_DIR")
            .1;
        let text = fs::read_to_string(format!("{dir}/users.acl")).expect("the aclfile");
        assert!(
            !text.contains(&c.password),
            "{}: a password in the aclfile",
            pod.name
        );
        assert_eq!(text.lines().count(), 6, "{}: {text}", pod.name);
        assert!(text.starts_with("user default off"), "{}: {text}", pod.name);
    }
}
