//! End-to-end proof of the staging and production renders (issues 4 and 10): what
//! `redis-ha render --env <preset>` produces — redis.conf, sentinel.conf, the start-up, probe
//! and preStop scripts, the password from the Secret — runs on real `redis-server` and
//! `redis-sentinel` processes, 3 Redis and 3 Sentinels on loopback addresses, and survives a
//! crash of the master, restarts, a graceful stop, cold restarts of everything (pod 0 on an
//! empty volume, pod 0 behind, every start order) and a partition of the master, without losing
//! an acknowledged write or ever having two masters accepting writes.
//!
//! The scripts run as rendered, given what Kubernetes would give them (`pods` lays the pods
//! out, `harness` runs them, each in its own mount namespace, and cleans up). The scenarios run
//! in order in one test per preset: each starts from the state the previous one left. The
//! tests need root and the servers, so plain `cargo test` skips them; `.ci/e2e.sh` runs them
//! (`cargo test --test it e2e -- --ignored`).

mod acl;
mod client;
mod cluster;
mod harness;
mod master_endpoint;
mod pods;

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle, sleep};
use std::time::{Duration, Instant};

use client::{BoundConnection, Client, field, wait_for};
use harness::Cluster;
use pods::Role;

const KEYS: usize = 1_000;
/// How long a cluster may take to settle after a change: Sentinel refreshes what it knows of
/// the replicas every 10 s.
const SETTLE: Duration = Duration::from_secs(45);
/// How long a cold restart may take to a healthy cluster: the election, then the sentinels
/// discovering the replicas.
const COLD_SETTLE: Duration = Duration::from_secs(120);

#[test]
#[ignore = "needs root, redis-server, redis-sentinel and iptables; run by .ci/e2e.sh"]
fn e2e_staging_never_loses_acknowledged_writes() {
    run("staging", 5);
}

#[test]
#[ignore = "needs root, redis-server, redis-sentinel and iptables; run by .ci/e2e.sh"]
fn e2e_production_never_loses_acknowledged_writes() {
    run("production", 6);
}

fn run(env: &'static str, subnet: u8) {
    if let Some(reason) = harness::missing_prerequisite() {
        panic!("the end-to-end test cannot run: {reason}");
    }
    let started = Instant::now();
    let mut cluster = Cluster::new(env, subnet);
    let client = Client::new(&cluster.password);
    let mut proof = Proof::default();

    let master = step(env, "1 bootstrap", || bootstrap(&mut cluster, &client));
    let master = step(env, "2 failover", || {
        failover(&mut cluster, &client, &master, &mut proof)
    });
    step(env, "3 rejoin", || {
        rejoin(&mut cluster, &client, &proof.killed, &master);
    });
    step(env, "4 cold start of ordinal 0", || {
        cold_start(&mut cluster, &client, &master);
    });
    step(env, "5 sentinel restart", || {
        sentinel_restart(&mut cluster, &client, &master);
    });
    step(env, "6 auth", || auth(&cluster));
    let master = step(env, "7 graceful stop", || {
        graceful_stop(&mut cluster, &client, &master, &mut proof)
    });
    let master = step(env, "8 crash and immediate restart", || {
        crash_restart(&mut cluster, &client, &master, &mut proof)
    });
    let master = step(env, "9 cold restart, pod 0 on an empty volume", || {
        cold_restart_empty_zero(&mut cluster, &client, &master, &mut proof)
    });
    let master = step(env, "10 cold restart, pod 0 behind", || {
        cold_restart_zero_behind(&mut cluster, &client, &master, &mut proof)
    });
    let master = step(env, "11 cold restart in every start order", || {
        cold_restart_orders(&mut cluster, &client, &master, &mut proof)
    });
    let master = step(env, "12 partition of the master", || {
        partition(&mut cluster, &client, &master, &mut proof)
    });

    let version = client
        .info(cluster.pod(&master).addr, "server")
        .ok()
        .and_then(|info| info.get("redis_version").cloned())
        .unwrap_or_default();
    let colds: Vec<String> = proof
        .cold
        .iter()
        .map(|(what, took)| format!("{what}: {:.1} s", took.as_secs_f64()))
        .collect();
    eprintln!(
        "e2e summary ({env} render, Redis {version}, {:.0} s in all):\n  \
         failover after kill -9 of the master: replica promoted in {:.2} s (limit {:.0} s: \
         down-after-milliseconds {} + 10 s)\n  \
         preStop hand-over: replica promoted {:.2} s after the hook started, before the master \
         exited; hook done in {:.2} s (grace period {} s)\n  \
         cold restart to a healthy cluster: {}\n  \
         partition of the master: replica promoted {:.2} s after the cut; the isolated master \
         accepted its last write {:.2} s after the cut, {:.2} s before the promotion; writes it \
         accepted after the promotion: {}, acknowledged (WAIT 1) after the cut: {}; healed in \
         {:.1} s\n  \
         acknowledged writes: {} before the kill, {} during the graceful stop, {} in all; lost: {}",
        started.elapsed().as_secs_f64(),
        proof.failover.as_secs_f64(),
        proof.failover_limit.as_secs_f64(),
        cluster.down_after.as_millis(),
        proof.handover.as_secs_f64(),
        proof.prestop.as_secs_f64(),
        proof.grace.as_secs(),
        colds.join(", "),
        proof.partition_promoted.as_secs_f64(),
        proof.partition_last_write.as_secs_f64(),
        proof.partition_promoted.as_secs_f64() - proof.partition_last_write.as_secs_f64(),
        proof.partition_after_promotion,
        proof.partition_acked,
        proof.partition_healed.as_secs_f64(),
        proof.acked_before_kill,
        proof.acked_during_stop,
        proof.acked.len(),
        proof.lost,
    );
    assert!(proof.failover <= proof.failover_limit);
    assert!(proof.prestop <= proof.grace);
    assert_eq!(proof.lost, 0, "acknowledged writes lost");
    assert_eq!(proof.partition_after_promotion, 0);
}

/// What the scenarios measured, and what the later ones need from the earlier ones.
#[derive(Default)]
struct Proof {
    failover: Duration,
    failover_limit: Duration,
    handover: Duration,
    prestop: Duration,
    grace: Duration,
    acked_before_kill: usize,
    acked_during_stop: usize,
    lost: usize,
    /// The master killed in scenario 2.
    killed: String,
    /// Every acknowledged write: key and value.
    acked: Vec<(String, String)>,
    /// Each cold restart, and how long it took to a healthy cluster.
    cold: Vec<(String, Duration)>,
    partition_promoted: Duration,
    partition_last_write: Duration,
    partition_after_promotion: usize,
    partition_acked: usize,
    partition_healed: Duration,
    /// Keys written so far by `write_acked` (their names never repeat).
    written: usize,
}

fn step<T>(env: &str, name: &str, scenario: impl FnOnce() -> T) -> T {
    let started = Instant::now();
    eprintln!("e2e {env}: {name} ...");
    let value = scenario();
    eprintln!(
        "e2e {env}: {name}: ok ({:.1} s)",
        started.elapsed().as_secs_f64()
    );
    value
}

/// 1. All six pods start at once (both StatefulSets are `Parallel`); every probe passes, one
///    Redis is master, the others replicate it, the sentinels agree and have their quorum.
fn bootstrap(c: &mut Cluster, client: &Client) -> String {
    let names: Vec<String> = c.pods.iter().map(|p| p.name.clone()).collect();
    for name in &names {
        c.start(name);
    }
    wait_for("every pod's startup probe", SETTLE, || {
        for name in &names {
            if !c.probe(name, "startup") {
                return Err(format!("{name}: startup probe fails"));
            }
        }
        Ok(())
    });
    let master = wait_for("a healthy cluster", SETTLE, || healthy(c, client));
    for name in &names {
        assert!(c.probe(name, "liveness"), "{name}: liveness probe fails");
    }
    master
}

/// 2. 1,000 keys acknowledged by a replica (`WAIT 1`); kill -9 of the master; a replica is
///    master within down-after-milliseconds + 10 s, and holds every acknowledged key.
fn failover(c: &mut Cluster, client: &Client, master: &str, proof: &mut Proof) -> String {
    let mut connection = client
        .connect(c.pod(master).addr)
        .expect("connect to the master");
    for i in 0..KEYS {
        let (key, value) = (format!("e2e:failover:{i}"), format!("value-{i}"));
        let (set, replicas): (String, i64) = redis::pipe()
            .cmd("SET")
            .arg(&key)
            .arg(&value)
            .cmd("WAIT")
            .arg(1)
            .arg(2000)
            .query(&mut connection)
            .unwrap_or_else(|e| panic!("write {key}: {e}"));
        assert!(
            set == "OK" && replicas >= 1,
            "{key} not acknowledged: {set}, WAIT {replicas}"
        );
        proof.acked.push((key, value));
    }
    proof.acked_before_kill = proof.acked.len();
    drop(connection);

    proof.failover_limit = c.down_after + Duration::from_secs(10);
    let replicas: Vec<(String, SocketAddr)> = c
        .of(Role::Redis)
        .into_iter()
        .filter(|p| p.name != master)
        .map(|p| (p.name.clone(), p.addr))
        .collect();
    let killed = Instant::now();
    c.stop(master, "KILL", Duration::from_secs(5));
    let promoted = wait_for(
        "a replica to be promoted",
        proof.failover_limit + Duration::from_secs(20),
        || {
            let mut roles = Vec::new();
            for (name, addr) in &replicas {
                let role = client
                    .info(*addr, "replication")
                    .map(|i| i.get("role").cloned());
                if let Ok(Some(role)) = &role
                    && role == "master"
                {
                    return Ok(name.clone());
                }
                roles.push(format!("{name}: {role:?}"));
            }
            Err(roles.join(", "))
        },
    );
    proof.failover = killed.elapsed();
    master.clone_into(&mut proof.killed);
    assert!(
        proof.failover <= proof.failover_limit,
        "{promoted} promoted after {:?}, later than {:?}",
        proof.failover,
        proof.failover_limit
    );
    let lost = lost_writes(client, c.pod(&promoted).addr, &proof.acked);
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {}",
        lost.len(),
        lost[0]
    );
    wait_for("every sentinel to name the new master", SETTLE, || {
        for sentinel in c.of(Role::Sentinel) {
            let named = client.sentinel_master(sentinel.addr, &c.master_name)?;
            if named != c.pod(&promoted).endpoint() {
                return Err(format!("{} names {named}", sentinel.name));
            }
        }
        Ok(())
    });
    promoted
}

/// 3. The killed master, started again through its start-up script (a container restart: same
///    volumes), comes back as a replica of the new master — never as a second master.
fn rejoin(c: &mut Cluster, client: &Client, old: &str, master: &str) {
    c.start(old);
    let now = wait_for("the old master to rejoin as a replica", SETTLE, || {
        healthy(c, client)
    });
    assert_eq!(now, master, "the master changed while the old one rejoined");
}

/// 4. Ordinal 0 — the pod that bootstraps a fresh install — deleted and recreated on an empty
///    volume while another pod is master: it joins as a replica and syncs the data set.
fn cold_start(c: &mut Cluster, client: &Client, master: &str) {
    let zero = c.of(Role::Redis)[0].name.clone();
    assert_ne!(zero, master, "the scenario needs another pod as master");
    // Deleting the pod: its preStop hook (on a replica, nothing to hand over), then SIGTERM.
    let pre_stop = c.pod(&zero).pre_stop.clone().expect("a preStop hook");
    assert!(
        c.exec(&zero, "preStop", &pre_stop, Duration::from_secs(30))
            .success()
    );
    c.stop(&zero, "TERM", Duration::from_secs(30));
    c.wipe(&zero, true);
    c.start(&zero);
    let now = wait_for("ordinal 0 to join as a replica", SETTLE, || {
        healthy(c, client)
    });
    assert_eq!(now, master, "the master changed while ordinal 0 started");
    wait_for("ordinal 0 to hold the master's data set", SETTLE, || {
        let size = |pod: &str| client.query::<i64>(c.pod(pod).addr, &["DBSIZE"]);
        let (theirs, ours) = (size(master)?, size(&zero)?);
        if theirs == ours {
            Ok(())
        } else {
            Err(format!("{zero} holds {ours} keys, the master {theirs}"))
        }
    });
}

/// 5. Each sentinel in turn (a rolling restart: highest ordinal first), recreated with an empty
///    emptyDir so its config comes from the render alone, rejoins with the same `myid` and
///    announced name; no sentinel ever counts more than two others.
fn sentinel_restart(c: &mut Cluster, client: &Client, master: &str) {
    let sentinels: Vec<(String, SocketAddr, String)> = c
        .of(Role::Sentinel)
        .iter()
        .map(|p| (p.name.clone(), p.addr, p.host.clone()))
        .collect();
    let ids: Vec<String> = sentinels
        .iter()
        .map(|(_, addr, _)| {
            client
                .query(*addr, &["SENTINEL", "MYID"])
                .expect("SENTINEL MYID")
        })
        .collect();
    assert_eq!(
        ids.iter().collect::<BTreeSet<_>>().len(),
        ids.len(),
        "sentinel ids repeat"
    );
    for restarted in (0..sentinels.len()).rev() {
        let (name, addr, host) = &sentinels[restarted];
        c.stop(name, "TERM", Duration::from_secs(10));
        c.wipe(name, false);
        let since = Instant::now();
        c.start(name);
        wait_for("the sentinel to rejoin as itself", SETTLE, || {
            let id: String = client.query(*addr, &["SENTINEL", "MYID"])?;
            assert_eq!(id, ids[restarted], "{name} came back with another id");
            for (i, (peer, peer_addr, _)) in sentinels.iter().enumerate() {
                let known =
                    client.sentinel_maps(*peer_addr, &["SENTINEL", "SENTINELS", &c.master_name])?;
                let expected: BTreeSet<&str> = ids
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, id)| id.as_str())
                    .collect();
                let runids: BTreeSet<&str> = known
                    .iter()
                    .filter_map(|s| s.get("runid").map(String::as_str))
                    .collect();
                assert!(
                    runids.is_subset(&expected) && known.len() <= 2,
                    "ghost sentinel: {peer} knows {runids:?}, expected {expected:?}"
                );
                if runids != expected {
                    return Err(format!("{peer} knows {runids:?}"));
                }
                if i != restarted {
                    let Some(entry) = known
                        .iter()
                        .find(|s| s.get("runid") == Some(&ids[restarted]))
                    else {
                        return Err(format!("{peer} does not know {name}"));
                    };
                    if field(entry, "ip", peer)? != host {
                        return Err(format!("{peer} knows {name} as {:?}", entry.get("ip")));
                    }
                    let hello: u128 = field(entry, "last-hello-message", peer)?
                        .parse()
                        .unwrap_or(u128::MAX);
                    if hello >= since.elapsed().as_millis() {
                        return Err(format!("{peer} has no hello from {name} since its restart"));
                    }
                }
            }
            Ok(())
        });
        let now = wait_for("a healthy cluster", SETTLE, || healthy(c, client));
        assert_eq!(now, master, "the master changed during a sentinel restart");
    }
}

/// 6. Redis and Sentinel refuse a client without the password (or with a wrong one), and the
///    password is on no process's command line — now, nor at any moment the watcher looked.
fn auth(c: &Cluster) {
    for pod in &c.pods {
        for (client, code) in [
            (Client::without_password(), "noauth"),
            (Client::new("not-the-password"), "authentication failed"),
        ] {
            match client.query::<String>(pod.addr, &["PING"]) {
                Ok(reply) => panic!(
                    "{} answered {reply} to a client it should refuse ({code})",
                    pod.name
                ),
                Err(e) => assert!(
                    e.to_lowercase().contains(code),
                    "{}: expected {code}, got {e}",
                    pod.name
                ),
            }
        }
    }
    let now = harness::cmdlines_containing(&c.password, None);
    assert!(now.is_empty(), "the password is on a command line: {now:?}");
    let ever = c.leaked_command_lines();
    assert!(
        ever.is_empty(),
        "the password was on a command line: {ever:?}"
    );
}

/// 7. The preStop hook of the master while a client keeps writing: a replica is promoted
///    before the master exits, and no acknowledged write is lost. Then the pod is recreated, as
///    the StatefulSet would, and rejoins as a replica.
fn graceful_stop(c: &mut Cluster, client: &Client, master: &str, proof: &mut Proof) -> String {
    let locate = Locator::new(c);
    let writer = Writer::start(client.clone(), c.pod(master).addr, locate);
    wait_for("the writer's first acknowledged writes", SETTLE, || {
        writer.progress(50)
    });

    let pre_stop = c.pod(master).pre_stop.clone().expect("a preStop hook");
    let replicas: Vec<(String, SocketAddr)> = c
        .of(Role::Redis)
        .into_iter()
        .filter(|p| p.name != master)
        .map(|p| (p.name.clone(), p.addr))
        .collect();
    // The kubelet runs the hook, then sends SIGTERM; the grace period bounds both.
    let grace = c.pod(master).grace;
    proof.grace = grace;
    let hook = format!("{master} preStop");
    let started = Instant::now();
    c.spawn_exec(master, "preStop", &pre_stop);
    let promoted = wait_for("a replica promoted by the preStop hook", grace, || {
        for (name, addr) in &replicas {
            let info = client.info(*addr, "replication")?;
            if info.get("role").is_some_and(|r| r == "master") {
                return Ok(name.clone());
            }
        }
        let hook_running = c.is_running(&hook);
        Err(format!(
            "no replica is master yet; hook running: {hook_running}"
        ))
    });
    proof.handover = started.elapsed();
    assert!(
        c.is_running(master),
        "the master exited before {promoted} was promoted"
    );
    let status = c.wait(&hook, grace.saturating_sub(started.elapsed()));
    proof.prestop = started.elapsed();
    assert!(status.success(), "the preStop hook failed: {status}");
    // The kubelet's SIGTERM once the hook is done.
    c.stop(master, "TERM", Duration::from_secs(30));

    wait_for("writes acknowledged by the new master", SETTLE, || {
        writer.progress_on(c.pod(&promoted).addr)
    });
    let during = writer.stop();
    proof.acked_during_stop = during.len();
    proof.acked.extend(during);
    let lost = lost_writes(client, c.pod(&promoted).addr, &proof.acked);
    proof.lost = lost.len();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {}",
        lost.len(),
        lost[0]
    );

    c.wipe(master, false);
    c.start(master);
    let now = wait_for("the stopped master to rejoin as a replica", SETTLE, || {
        healthy(c, client)
    });
    assert_eq!(
        now, promoted,
        "the master changed while the old one rejoined"
    );
    promoted
}

/// 8. Beyond the list: the master crashes and its container restarts at once, before
///    the sentinels notice. Its start-up script finds them still naming it, has them fail over
///    to a replica first (its own data may miss acknowledged writes), and comes back as a
///    replica of the new master; no acknowledged write is lost.
fn crash_restart(c: &mut Cluster, client: &Client, master: &str, proof: &mut Proof) -> String {
    c.stop(master, "KILL", Duration::from_secs(5));
    c.start(master);
    let now = wait_for(
        "the restarted master to come back as a replica",
        SETTLE,
        || healthy(c, client),
    );
    assert_ne!(now, master, "the crashed master is master again");
    let lost = lost_writes(client, c.pod(&now).addr, &proof.acked);
    proof.lost += lost.len();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost, e.g. {}",
        lost.len(),
        lost[0]
    );
    now
}

/// `n` keys written to the master, each acknowledged by a replica (`WAIT 1`).
fn write_acked(c: &Cluster, client: &Client, master: &str, n: usize, proof: &mut Proof) {
    let mut connection = client
        .connect(c.pod(master).addr)
        .expect("connect to the master");
    for _ in 0..n {
        let i = proof.written;
        proof.written += 1;
        let (key, value) = (format!("e2e:cold:{i}"), format!("value-{i}"));
        let (set, replicas): (String, i64) = redis::pipe()
            .cmd("SET")
            .arg(&key)
            .arg(&value)
            .cmd("WAIT")
            .arg(1)
            .arg(2000)
            .query(&mut connection)
            .unwrap_or_else(|e| panic!("write {key}: {e}"));
        assert!(
            set == "OK" && replicas >= 1,
            "{key} not acknowledged: {set}, WAIT {replicas}"
        );
        proof.acked.push((key, value));
    }
}

/// Every pod stops at once: `TERM` (a node pool upgrade: Redis saves on the way out) or
/// `KILL` (a power cut). The pods are recreated, so their emptyDirs are gone.
fn stop_everything(c: &mut Cluster, signal: &str) {
    let names: Vec<String> = c.pods.iter().map(|p| p.name.clone()).collect();
    for name in &names {
        if c.is_running(name) {
            c.stop(name, signal, Duration::from_secs(30));
        }
    }
    for name in &names {
        c.wipe(name, false);
    }
}

/// Starts the pods group after group, `gap` apart; waits for a healthy cluster whose master
/// is not in `never`, holding every acknowledged write. Returns the master.
fn cold_restart(
    c: &mut Cluster,
    client: &Client,
    what: &str,
    groups: &[Vec<String>],
    gap: Duration,
    never: &[&str],
    proof: &mut Proof,
) -> String {
    let started = Instant::now();
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            sleep(gap);
        }
        for name in group {
            c.start(name);
        }
    }
    let master = wait_for(
        &format!("a healthy cluster after {what}"),
        COLD_SETTLE,
        || healthy(c, client),
    );
    proof.cold.push((what.to_owned(), started.elapsed()));
    assert!(
        !never.contains(&master.as_str()),
        "{what}: {master} became master"
    );
    let lost = lost_writes(client, c.pod(&master).addr, &proof.acked);
    proof.lost += lost.len();
    assert!(
        lost.is_empty(),
        "{what}: {} acknowledged writes lost, e.g. {}",
        lost.len(),
        lost[0]
    );
    master
}

fn names(c: &Cluster, role: Role) -> Vec<String> {
    c.of(role).iter().map(|p| p.name.clone()).collect()
}

/// Makes another pod than `avoid` master (a failover the sentinels run), if `master` is it.
fn master_other_than(c: &mut Cluster, client: &Client, master: &str, avoid: &str) -> String {
    if master != avoid {
        return master.to_owned();
    }
    let sentinel = c.of(Role::Sentinel)[0].addr;
    let reply: String = client
        .query(sentinel, &["SENTINEL", "FAILOVER", &c.master_name])
        .expect("SENTINEL FAILOVER");
    assert_eq!(reply, "OK");
    // The old master says role:master until the sentinels reconfigure it.
    let addr = c.pod(avoid).addr;
    wait_for("the sentinels to demote pod 0", SETTLE, || {
        let info = client.info(addr, "replication")?;
        match info.get("role").map(String::as_str) {
            Some("slave") => Ok(()),
            role => Err(format!("pod 0 reports role {role:?}")),
        }
    });
    wait_for("a failover away from pod 0", SETTLE, || {
        let now = healthy(c, client)?;
        if now == avoid {
            Err(format!("{avoid} is still master"))
        } else {
            Ok(now)
        }
    })
}

/// 9. Issue 10, case 1: another pod is master, acknowledged writes are on it and a replica;
///    every pod stops; pod 0 comes back on a new, empty volume, and first. It never becomes
///    master: the cold start elects a pod with the data, and pod 0 syncs from it.
fn cold_restart_empty_zero(
    c: &mut Cluster,
    client: &Client,
    master: &str,
    proof: &mut Proof,
) -> String {
    let redis = names(c, Role::Redis);
    let master = master_other_than(c, client, master, &redis[0]);
    write_acked(c, client, &master, 2 * KEYS, proof);
    stop_everything(c, "TERM");
    c.wipe(&redis[0], true);
    let groups = vec![
        vec![redis[0].clone()],
        names(c, Role::Sentinel),
        redis[1..].to_vec(),
    ];
    cold_restart(
        c,
        client,
        "pod 0 on an empty volume, started first",
        &groups,
        Duration::from_secs(3),
        &[&redis[0]],
        proof,
    )
}

/// 10. Issue 10, case 2: pod 0 is down (kill -9) while the master acknowledges writes; the
///     kubelet's readiness probes record the others' positions; a power cut stops everything
///     (kill -9); pod 0 starts first. It must not be master: it misses the writes.
fn cold_restart_zero_behind(
    c: &mut Cluster,
    client: &Client,
    master: &str,
    proof: &mut Proof,
) -> String {
    let redis = names(c, Role::Redis);
    let master = master_other_than(c, client, master, &redis[0]);
    // A readiness probe of every pod first: pod 0's position is recorded as it was.
    wait_for("a healthy cluster", SETTLE, || healthy(c, client));
    c.stop(&redis[0], "KILL", Duration::from_secs(5));
    write_acked(c, client, &master, 2 * KEYS, proof);
    for pod in &redis[1..] {
        assert!(c.probe(pod, "readiness"), "{pod}: readiness probe fails");
    }
    stop_everything(c, "KILL");
    let mut sentinels_then_redis = vec![vec![redis[0].clone()], names(c, Role::Sentinel)];
    sentinels_then_redis.extend(redis[1..].iter().rev().map(|r| vec![r.clone()]));
    cold_restart(
        c,
        client,
        "pod 0 behind, after a power cut",
        &sentinels_then_redis,
        Duration::from_secs(2),
        &[&redis[0]],
        proof,
    )
}

/// 11. Cold restarts (every pod stopped with `TERM`) in each start order: all at once, the
///     Redis pods before the sentinels, the sentinels first and the Redis pods in reverse, and
///     the master (the newest data) last, 8 s after the others.
fn cold_restart_orders(
    c: &mut Cluster,
    client: &Client,
    master: &str,
    proof: &mut Proof,
) -> String {
    let mut master = master.to_owned();
    let all: Vec<String> = c.pods.iter().map(|p| p.name.clone()).collect();
    let (redis, sentinels) = (names(c, Role::Redis), names(c, Role::Sentinel));
    for order in [
        "all at once",
        "Redis first",
        "sentinels first",
        "master last",
    ] {
        write_acked(c, client, &master, KEYS / 2, proof);
        let groups = match order {
            "all at once" => vec![all.clone()],
            "Redis first" => vec![redis.clone(), sentinels.clone()],
            "sentinels first" => {
                let mut groups = vec![sentinels.clone()];
                groups.extend(redis.iter().rev().map(|r| vec![r.clone()]));
                groups
            }
            _ => {
                let others: Vec<String> = all.iter().filter(|p| **p != master).cloned().collect();
                vec![others, vec![master.clone()]]
            }
        };
        let gap = if order == "master last" { 8 } else { 2 };
        stop_everything(c, "TERM");
        master = cold_restart(
            c,
            client,
            &format!("cold restart, {order}"),
            &groups,
            Duration::from_secs(gap),
            &[],
            proof,
        );
    }
    master
}

/// 12. The master is cut off from every other pod (iptables on the loopback addresses), a
///     client on its side writing to it all along. The sentinels promote a replica; from then
///     on the isolated master accepts no write (`min-replicas-to-write`, with a lag derived
///     from down-after); no write is acknowledged by a replica after the cut. Healed, the old
///     master rejoins as a replica and no acknowledged write is lost.
fn partition(c: &mut Cluster, client: &Client, master: &str, proof: &mut Proof) -> String {
    let addr = c.pod(master).addr;
    let others: Vec<(String, SocketAddr)> = c
        .of(Role::Redis)
        .into_iter()
        .filter(|p| p.name != master)
        .map(|p| (p.name.clone(), p.addr))
        .collect();
    let running = Arc::new(AtomicBool::new(true));
    let accepted: Arc<Mutex<Vec<(Instant, String, bool)>>> = Arc::default();
    // The client on the master's side of the cut: the one address the partition lets through.
    let client_ip = std::net::Ipv4Addr::new(127, 0, 42, 99 + c.subnet);
    let writer = {
        let (password, running, accepted) = (c.password.clone(), running.clone(), accepted.clone());
        thread::spawn(move || {
            let mut n = 0;
            while running.load(Ordering::Relaxed) {
                let Ok(mut con) = BoundConnection::connect(client_ip, addr, &password) else {
                    sleep(Duration::from_millis(20));
                    continue;
                };
                while running.load(Ordering::Relaxed) {
                    n += 1;
                    let key = format!("e2e:partition:{n}");
                    let Ok(set) = con.call(&["SET", &key, "1"]) else {
                        break;
                    };
                    if set != "+OK" {
                        sleep(Duration::from_millis(10));
                        continue;
                    }
                    let at = Instant::now();
                    let acked = con.call(&["WAIT", "1", "100"]).is_ok_and(|r| r != ":0");
                    accepted.lock().unwrap().push((at, key, acked));
                }
            }
        })
    };
    sleep(Duration::from_millis(500));
    c.partition(master, client_ip);
    // From here on the cut is complete: a replica's acknowledgement cannot reach the master.
    let cut = Instant::now();
    let promoted = wait_for(
        "a replica promoted on the majority side",
        c.down_after + Duration::from_secs(30),
        || {
            for (name, addr) in &others {
                let info = client.info(*addr, "replication")?;
                if info.get("role").is_some_and(|r| r == "master") {
                    return Ok(name.clone());
                }
            }
            Err("no replica is master yet".to_owned())
        },
    );
    let promoted_at = Instant::now();
    proof.partition_promoted = cut.elapsed();
    sleep(Duration::from_secs(2));
    running.store(false, Ordering::Relaxed);
    writer.join().expect("the partition writer");
    let accepted = std::mem::take(&mut *accepted.lock().unwrap());
    let after_cut: Vec<&(Instant, String, bool)> =
        accepted.iter().filter(|(t, _, _)| *t > cut).collect();
    proof.partition_last_write = after_cut
        .last()
        .map_or(Duration::ZERO, |(t, _, _)| t.duration_since(cut));
    proof.partition_after_promotion = accepted
        .iter()
        .filter(|(t, _, _)| *t >= promoted_at)
        .count();
    proof.partition_acked = after_cut.iter().filter(|(_, _, acked)| *acked).count();
    // Acknowledged before the cut: they must survive it.
    proof.acked.extend(
        accepted
            .iter()
            .filter(|(t, _, acked)| *acked && *t <= cut)
            .map(|(_, key, _)| (key.clone(), "1".to_owned())),
    );
    assert_eq!(
        proof.partition_after_promotion, 0,
        "the isolated master accepted writes after {promoted} was promoted"
    );
    assert_eq!(
        proof.partition_acked, 0,
        "a write was acknowledged by a replica after the cut"
    );
    let healed = Instant::now();
    c.heal();
    // Until the sentinels reconfigure it, the old master still says role:master; it must
    // refuse every write meanwhile (no replica acknowledges its stream).
    wait_for("the sentinels to demote the old master", SETTLE, || {
        let info = client.info(addr, "replication")?;
        if info.get("role").is_some_and(|r| r == "master") {
            let set = client.query::<String>(addr, &["SET", "e2e:partition:after-heal", "1"]);
            assert!(
                set.is_err(),
                "the old master accepted a write after the partition healed"
            );
            return Err("the old master still reports role:master".to_owned());
        }
        Ok(())
    });
    let now = wait_for("the old master to rejoin as a replica", SETTLE, || {
        healthy(c, client)
    });
    proof.partition_healed = healed.elapsed();
    assert_eq!(
        now, promoted,
        "the master changed after the partition healed"
    );
    let lost = lost_writes(client, c.pod(&now).addr, &proof.acked);
    proof.lost += lost.len();
    assert!(lost.is_empty(), "{} acknowledged writes lost", lost.len());
    now
}

/// The master's name when the cluster is healthy: exactly one Redis is master and the others
/// replicate it with the link up; every sentinel names it, sees it and both replicas up, knows
/// the two other sentinels and has its quorum; every pod's readiness probe passes. Two masters
/// at once, or a sentinel counting more than two others, fail the test on the spot.
fn healthy(c: &mut Cluster, client: &Client) -> Result<String, String> {
    let redis: Vec<(String, SocketAddr, String)> = c
        .of(Role::Redis)
        .iter()
        .map(|p| (p.name.clone(), p.addr, p.endpoint()))
        .collect();
    let infos: Vec<_> = redis
        .iter()
        .map(|(_, addr, _)| client.info(*addr, "replication"))
        .collect();
    let masters: Vec<&(String, SocketAddr, String)> = redis
        .iter()
        .zip(&infos)
        .filter(|(_, info)| {
            info.as_ref()
                .is_ok_and(|i| i.get("role").is_some_and(|r| r == "master"))
        })
        .map(|(pod, _)| pod)
        .collect();
    assert!(masters.len() <= 1, "two masters at once: {masters:?}");
    let Some((master, _, endpoint)) = masters.first() else {
        return Err("no Redis reports role:master".to_owned());
    };
    let mut replicas = BTreeSet::new();
    for ((name, _, replica_endpoint), info) in redis.iter().zip(&infos) {
        let info = info.as_ref().map_err(Clone::clone)?;
        if name == master {
            continue;
        }
        let upstream = format!(
            "{}:{}",
            field(info, "master_host", name)?,
            field(info, "master_port", name)?
        );
        let link = field(info, "master_link_status", name)?;
        if upstream != *endpoint || link != "up" {
            return Err(format!("{name} replicates {upstream}, link {link}"));
        }
        replicas.insert(replica_endpoint.as_str());
    }
    let name = c.master_name.clone();
    for sentinel in c.of(Role::Sentinel) {
        let whose = &sentinel.name;
        let named = client.sentinel_master(sentinel.addr, &name)?;
        if named != *endpoint {
            return Err(format!("{whose} names {named}"));
        }
        let state = client.sentinel_map(sentinel.addr, &["SENTINEL", "MASTER", &name])?;
        let others: usize = field(&state, "num-other-sentinels", whose)?
            .parse()
            .unwrap_or(0);
        assert!(
            others <= 2,
            "ghost sentinel: {whose} counts {others} other sentinels"
        );
        let flags = field(&state, "flags", whose)?;
        if flags != "master" || others != 2 {
            return Err(format!(
                "{whose}: master flags {flags}, {others} other sentinels"
            ));
        }
        let known = client.sentinel_maps(sentinel.addr, &["SENTINEL", "REPLICAS", &name])?;
        let healthy_replicas: BTreeSet<&str> = known
            .iter()
            .filter(|r| r.get("flags").is_some_and(|f| f == "slave"))
            .filter_map(|r| r.get("name").map(String::as_str))
            .collect();
        if known.len() != replicas.len() || healthy_replicas != replicas {
            let seen: Vec<String> = known
                .iter()
                .map(|r| format!("{:?} {:?}", r.get("name"), r.get("flags")))
                .collect();
            return Err(format!("{whose} knows the replicas {seen:?}"));
        }
        let quorum: String = client.query(sentinel.addr, &["SENTINEL", "CKQUORUM", &name])?;
        if !quorum.starts_with("OK") {
            return Err(format!("{whose}: CKQUORUM {quorum}"));
        }
    }
    let names: Vec<String> = c.pods.iter().map(|p| p.name.clone()).collect();
    for pod in &names {
        if !c.probe(pod, "readiness") {
            return Err(format!("{pod}: readiness probe fails"));
        }
    }
    Ok(master.clone())
}

/// The acknowledged writes the master does not hold (missing, or another value).
fn lost_writes(client: &Client, master: SocketAddr, acked: &[(String, String)]) -> Vec<String> {
    let mut connection = client.connect(master).expect("connect to the master");
    let mut lost = Vec::new();
    for chunk in acked.chunks(500) {
        let keys: Vec<&str> = chunk.iter().map(|(k, _)| k.as_str()).collect();
        let values: Vec<Option<String>> = redis::cmd("MGET")
            .arg(&keys)
            .query(&mut connection)
            .expect("MGET");
        for ((key, value), found) in chunk.iter().zip(values) {
            if found.as_ref() != Some(value) {
                lost.push(format!("{key} = {found:?}, acknowledged {value:?}"));
            }
        }
    }
    lost
}

/// Finds the master as a client would: asks the sentinels, and maps the name they answer to
/// the pod's address.
#[derive(Clone)]
struct Locator {
    sentinels: Vec<SocketAddr>,
    endpoints: Vec<(String, SocketAddr)>,
    master_name: String,
}

impl Locator {
    fn new(c: &Cluster) -> Locator {
        Locator {
            sentinels: c.of(Role::Sentinel).iter().map(|p| p.addr).collect(),
            endpoints: c
                .of(Role::Redis)
                .iter()
                .map(|p| (p.endpoint(), p.addr))
                .collect(),
            master_name: c.master_name.clone(),
        }
    }

    fn master(&self, client: &Client) -> Option<SocketAddr> {
        let named = self
            .sentinels
            .iter()
            .find_map(|s| client.sentinel_master(*s, &self.master_name).ok())?;
        self.endpoints
            .iter()
            .find(|(e, _)| *e == named)
            .map(|(_, addr)| *addr)
    }
}

/// A client writing a key after another, each acknowledged by a replica (`WAIT 1`), to
/// whichever server the sentinels name master; it reconnects on any error.
struct Writer {
    running: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<(String, String, SocketAddr)>>>,
    thread: Option<JoinHandle<()>>,
}

impl Writer {
    fn start(client: Client, master: SocketAddr, locate: Locator) -> Writer {
        let running = Arc::new(AtomicBool::new(true));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let thread = {
            let (running, acked) = (running.clone(), acked.clone());
            thread::spawn(move || {
                let mut target = master;
                let mut connection = None;
                let mut n = 0;
                while running.load(Ordering::Relaxed) {
                    if connection.is_none() {
                        connection = client.connect(target).ok();
                    }
                    let Some(con) = connection.as_mut() else {
                        sleep(Duration::from_millis(50));
                        target = locate.master(&client).unwrap_or(target);
                        continue;
                    };
                    let (key, value) = (format!("e2e:prestop:{n}"), format!("value-{n}"));
                    n += 1;
                    let reply: redis::RedisResult<(String, i64)> = redis::pipe()
                        .cmd("SET")
                        .arg(&key)
                        .arg(&value)
                        .cmd("WAIT")
                        .arg(1)
                        .arg(1000)
                        .query(con);
                    match reply {
                        Ok((ok, replicas)) if ok == "OK" && replicas >= 1 => {
                            acked.lock().unwrap().push((key, value, target));
                        }
                        Ok(_) => {}
                        Err(_) => {
                            connection = None;
                            sleep(Duration::from_millis(50));
                            target = locate.master(&client).unwrap_or(target);
                        }
                    }
                }
            })
        };
        Writer {
            running,
            acked,
            thread: Some(thread),
        }
    }

    fn progress(&self, at_least: usize) -> Result<(), String> {
        let n = self.acked.lock().unwrap().len();
        if n >= at_least {
            Ok(())
        } else {
            Err(format!("{n} acknowledged"))
        }
    }

    fn progress_on(&self, master: SocketAddr) -> Result<(), String> {
        let acked = self.acked.lock().unwrap();
        if acked.iter().any(|(_, _, addr)| *addr == master) {
            Ok(())
        } else {
            Err(format!("{} acknowledged, none by {master}", acked.len()))
        }
    }

    fn stop(mut self) -> Vec<(String, String)> {
        self.running.store(false, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().expect("the writer thread");
        }
        let acked = std::mem::take(&mut *self.acked.lock().unwrap());
        acked.into_iter().map(|(k, v, _)| (k, v)).collect()
    }
}

/// A scenario that fails with the writer running stops it too (the thread ends within one
/// reply timeout).
impl Drop for Writer {
    fn drop(&mut self) {
        self.running.store(false, Ordering::Relaxed);
    }
}
