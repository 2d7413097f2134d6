//! The master endpoint (issue 16): the production render's HAProxy pods, run with the
//! rendered haproxy.cfg and start-up script by real `haproxy`, in front of the real servers. A
//! plain client — one that does not speak Sentinel, only `host:port` and the password — writes
//! through `<release>-master`; after a kill -9 of the master its writes reach the promoted
//! replica within a bound this test measures, and no write acknowledged through the endpoint
//! is lost. The read-only endpoint reaches a replica. The password never appears on a
//! command line (the harness watches every process it started, HAProxy's included).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::client::{Client, command};
use super::harness::{self, Cluster};
use super::pods::Role;
use super::{bootstrap, lost_writes, step};

/// HAProxy's check interval (`haproxy.checkIntervalMilliseconds`) times `rise 2`, plus one
/// check timeout: how long after the promotion the endpoint may still refuse writes.
const HAPROXY_LAG: Duration = Duration::from_secs(3);

#[test]
#[ignore = "needs root, redis-server, redis-sentinel, haproxy and iptables; run by .ci/e2e.sh"]
fn e2e_master_endpoint_follows_a_failover() {
    if let Some(reason) =
        harness::missing_prerequisite().or_else(|| harness::missing_program("haproxy"))
    {
        panic!("the end-to-end test cannot run: {reason}");
    }
    let env = "production";
    let mut cluster = Cluster::new(env, 7);
    assert!(
        !cluster.proxies.is_empty(),
        "the production render has no HAProxy pods (haproxy.enabled)"
    );
    let client = Client::new(&cluster.password);
    let master = step(env, "1 bootstrap", || bootstrap(&mut cluster, &client));
    let endpoint = step(env, "2 master endpoint", || {
        start_endpoint(&mut cluster, &client, &master)
    });
    let figures = step(env, "3 failover through the master endpoint", || {
        failover_through(&mut cluster, &client, &master, endpoint)
    });
    let leaks = cluster.leaked_command_lines();
    assert!(
        leaks.is_empty(),
        "the password on a command line: {leaks:?}"
    );
    eprintln!(
        "e2e summary (master endpoint, {env} render): after kill -9 of the master, a replica \
         was promoted in {:.2} s and a plain client's first write through `<release>-master` \
         succeeded {:.2} s after the kill ({:.2} s after the promotion; bound {:.0} s: \
         down-after-milliseconds {} + 10 s + {} s of HAProxy checks); writes acknowledged \
         through the endpoint: {}, lost: 0",
        figures.promoted.as_secs_f64(),
        figures.reached.as_secs_f64(),
        figures.reached.as_secs_f64() - figures.promoted.as_secs_f64(),
        figures.bound.as_secs_f64(),
        cluster.down_after.as_millis(),
        HAPROXY_LAG.as_secs(),
        figures.acked,
    );
}

/// Starts every HAProxy pod; through each, a client reaches the master (its `run_id`) and
/// can write, and the read-only endpoint (`haproxy.replicasPort`, 6380) reaches a replica.
/// Returns the first pod's master endpoint.
fn start_endpoint(c: &mut Cluster, client: &Client, master: &str) -> SocketAddr {
    let names: Vec<String> = c.proxies.iter().map(|p| p.name.clone()).collect();
    for name in &names {
        c.start(name);
    }
    let master_run_id = run_id(client, c.pod(master).addr).expect("the master's run_id");
    let mut first = None;
    for name in &names {
        let addr = c.pod(name).addr;
        let replicas = SocketAddr::from((addr.ip(), 6380));
        super::client::wait_for(
            &format!("{name} to route to the master"),
            Duration::from_secs(20),
            || {
                let seen = run_id(client, addr)?;
                if seen != master_run_id {
                    return Err(format!("{name} reaches run_id {seen}, not the master"));
                }
                let reply: String = client.query(addr, &["SET", "e2e:endpoint:probe", name])?;
                (reply == "OK")
                    .then_some(())
                    .ok_or_else(|| format!("SET through {name}: {reply}"))
            },
        );
        super::client::wait_for(
            &format!("{name}'s read-only endpoint to reach a replica"),
            Duration::from_secs(20),
            || {
                let info = client.info(replicas, "replication")?;
                match info.get("role").map(String::as_str) {
                    Some("slave") => Ok(()),
                    other => Err(format!("role {other:?} through {replicas}")),
                }
            },
        );
        first.get_or_insert(addr);
    }
    assert!(c.is_running(&names[0]), "{} exited: see its log", names[0]);
    first.expect("an HAProxy pod")
}

struct Figures {
    promoted: Duration,
    reached: Duration,
    bound: Duration,
    acked: usize,
}

/// A plain client writes through the endpoint (`SET` + `WAIT 1`), keeping its connection and
/// reconnecting when it breaks; kill -9 of the master; the first write acknowledged after the
/// kill is on the promoted replica, within the bound; every write acknowledged through the
/// endpoint is on the new master.
fn failover_through(
    c: &mut Cluster,
    client: &Client,
    master: &str,
    endpoint: SocketAddr,
) -> Figures {
    let mut acked: Vec<(String, String)> = Vec::new();
    let mut connection = client.connect(endpoint).expect("connect to the endpoint");
    for i in 0..200 {
        let (key, value) = (format!("e2e:endpoint:{i}"), format!("value-{i}"));
        write(&mut connection, &key, &value).unwrap_or_else(|e| panic!("write {key}: {e}"));
        acked.push((key, value));
    }
    let replicas: Vec<(String, SocketAddr)> = c
        .of(Role::Redis)
        .into_iter()
        .filter(|p| p.name != master)
        .map(|p| (p.name.clone(), p.addr))
        .collect();
    let bound = c.down_after + Duration::from_secs(10) + HAPROXY_LAG;
    let killed = Instant::now();
    c.stop(master, "KILL", Duration::from_secs(5));
    let mut promoted: Option<(String, Duration)> = None;
    let mut live = Some(connection);
    let mut errors = Vec::new();
    let i = acked.len();
    let reached = loop {
        assert!(
            killed.elapsed() <= bound + Duration::from_secs(20),
            "no write through the endpoint succeeded {:?} after the kill (promoted: {promoted:?}); \
             last errors: {:?}",
            killed.elapsed(),
            &errors[errors.len().saturating_sub(3)..]
        );
        if promoted.is_none() {
            for (name, addr) in &replicas {
                let role = client.info(*addr, "replication");
                if role.is_ok_and(|i| i.get("role").is_some_and(|r| r == "master")) {
                    promoted = Some((name.clone(), killed.elapsed()));
                }
            }
        }
        let (key, value) = (format!("e2e:endpoint:{i}"), format!("value-{i}"));
        let result = match live.as_mut() {
            Some(connection) => write(connection, &key, &value),
            None => match client.connect(endpoint) {
                Ok(connection) => write(live.insert(connection), &key, &value),
                Err(err) => Err(err),
            },
        };
        match result {
            Ok(()) => {
                acked.push((key, value));
                break killed.elapsed();
            }
            Err(err) => {
                // A plain client: drop the connection and open a new one.
                errors.push(err);
                live = None;
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    };
    let (new_master, promoted) = promoted.expect("a write succeeded, so a replica was promoted");
    assert!(
        reached <= bound,
        "the first write through the endpoint succeeded {reached:?} after the kill, later than {bound:?}"
    );
    // The write went to the promoted replica: it holds the key.
    let new_addr = c.pod(&new_master).addr;
    let lost = lost_writes(client, new_addr, &acked);
    assert!(
        lost.is_empty(),
        "{} writes acknowledged through the endpoint are not on {new_master}, e.g. {}",
        lost.len(),
        lost[0]
    );
    let last = &acked[acked.len() - 1].0;
    let mut checked = live.expect("the connection that wrote");
    let roles: String = command(&["INFO", "replication"])
        .query(&mut checked)
        .expect("INFO through the endpoint");
    assert!(
        roles.contains("role:master"),
        "the endpoint routes {last} to a pod that is not master"
    );
    Figures {
        promoted,
        reached,
        bound,
        acked: acked.len(),
    }
}

/// `SET key value` then `WAIT 1 2000`: acknowledged once a replica has it.
fn write(connection: &mut redis::Connection, key: &str, value: &str) -> Result<(), String> {
    let (set, replicas): (String, i64) = redis::pipe()
        .cmd("SET")
        .arg(key)
        .arg(value)
        .cmd("WAIT")
        .arg(1)
        .arg(2000)
        .query(connection)
        .map_err(|e| format!("{key}: {e}"))?;
    if set == "OK" && replicas >= 1 {
        Ok(())
    } else {
        Err(format!("{key}: {set}, WAIT {replicas}"))
    }
}

fn run_id(client: &Client, addr: SocketAddr) -> Result<String, String> {
    let info = client.info(addr, "server")?;
    info.get("run_id")
        .cloned()
        .ok_or_else(|| format!("{addr}: no run_id"))
}
