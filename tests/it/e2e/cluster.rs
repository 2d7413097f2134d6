//! Redis Cluster (issue 17) on real servers: the render of `values/examples/cluster-production.yaml`
//! — 3 shards with a replica each, 6 `redis-server` processes in cluster mode running the
//! rendered `cluster-start.sh` — on 127.0.43.10 + ordinal (no other suite uses that range).
//! The cluster forms by itself with every one of the 16384 slots covered and each replica on
//! another pod than its master; a kill -9 of a master is repaired by its replica with no
//! acknowledged write (`WAIT 1`) lost; the killed pod rejoins as a replica; a cold restart of
//! every pod (graceful, then a power cut) rejoins the same cluster (the same node IDs) with
//! every key. The password never appears on a command line.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use super::client::{Client, wait_for};
use super::harness::{self, Cluster};
use super::step;

const VALUES: &str = "values/examples/cluster-production.yaml";
const SLOTS: usize = 16384;
const KEYS: usize = 1_000;
/// How long forming or re-forming the cluster may take.
const SETTLE: Duration = Duration::from_secs(90);

#[test]
#[ignore = "needs root, redis-server and util-linux; run by .ci/e2e.sh"]
fn e2e_cluster_never_loses_acknowledged_writes() {
    if let Some(reason) = harness::missing_prerequisite() {
        panic!("the end-to-end test cannot run: {reason}");
    }
    let env = "cluster";
    let values = format!("{}/{VALUES}", env!("CARGO_MANIFEST_DIR"));
    let mut c = Cluster::launch(
        &["-f", &values],
        |_, ordinal| Ipv4Addr::new(127, 0, 43, 10 + u8::try_from(ordinal).expect("ordinal")),
        43,
    );
    let client = Client::new(&c.password);
    let mut acked = Vec::new();

    let (formed, view) = step(env, "1 form", || form(&mut c, &client));
    step(env, "2 acknowledged writes", || {
        write_acked(&c, &client, &view, 0..KEYS, &mut acked);
    });
    let ids = view.ids.clone();
    let (failover, killed) = step(env, "3 kill -9 of a master", || {
        kill_master(&mut c, &client, &view, &acked)
    });
    let (rejoin, _) = step(env, "4 the killed pod rejoins", || {
        rejoin(&mut c, &client, &killed, &ids, &acked)
    });
    let mut colds = Vec::new();
    for signal in ["TERM", "KILL"] {
        let took = step(env, &format!("5 cold restart ({signal})"), || {
            cold_restart(&mut c, &client, &ids, signal, &acked)
        });
        colds.push((signal, took));
    }
    // Writes still go where the slots are after all that.
    let view = wait_for("a healthy cluster", SETTLE, || {
        healthy(&c, &client, &names(&c))
    });
    step(env, "6 writes after the restarts", || {
        write_acked(&c, &client, &view, KEYS..KEYS + 100, &mut acked);
    });
    let leaks = c.leaked_command_lines();
    assert!(
        leaks.is_empty(),
        "the password on a command line: {leaks:?}"
    );
    eprintln!(
        "e2e summary (cluster, {VALUES}: 3 shards x (1 master + 1 replica)): formed with \
         {SLOTS} slots covered in {:.1} s; kill -9 of a master: its replica took over and the \
         cluster was ok again in {:.2} s (cluster-node-timeout {} ms); the killed pod was back \
         as a replica in {:.1} s; cold restart of every pod to a healthy cluster with the same \
         node IDs: {}; acknowledged writes (WAIT 1): {}, lost: 0",
        formed.as_secs_f64(),
        failover.as_secs_f64(),
        node_timeout(&c),
        rejoin.as_secs_f64(),
        colds
            .iter()
            .map(|(signal, took)| format!("{signal} {:.1} s", took.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", "),
        acked.len(),
    );
}

/// Master pod -> its replicas' pods.
type Shards = BTreeMap<String, Vec<String>>;
/// Slot ranges (first, last) -> master pod.
type Slots = Vec<(usize, usize, String)>;

/// What the nodes say: each pod's node ID, and the masters with their slots and replicas.
#[derive(Clone, Debug)]
struct View {
    /// Pod name -> node ID.
    ids: BTreeMap<String, String>,
    shards: Shards,
    slots: Slots,
}

impl View {
    fn master_of_slot(&self, slot: usize) -> &str {
        &self
            .slots
            .iter()
            .find(|(from, to, _)| (*from..=*to).contains(&slot))
            .unwrap_or_else(|| panic!("slot {slot} has no master"))
            .2
    }
}

fn node_timeout(c: &Cluster) -> String {
    let pod = &c.pods[0];
    let conf = pod
        .env
        .iter()
        .find(|(k, _)| k == "REDIS_HA_CONFIG_SOURCE")
        .map(|(_, dir)| std::fs::read_to_string(format!("{dir}/redis.conf")).unwrap_or_default())
        .unwrap_or_default();
    conf.lines()
        .find_map(|l| l.trim().strip_prefix("cluster-node-timeout "))
        .unwrap_or("?")
        .to_owned()
}

/// Every running pod agrees: cluster_state ok, every slot covered, `nodes` nodes, 3 masters
/// each with a connected replica on another pod.
fn healthy(c: &Cluster, client: &Client, running: &[String]) -> Result<View, String> {
    let by_addr: BTreeMap<String, String> = c
        .pods
        .iter()
        .map(|p| (p.host.clone(), p.name.clone()))
        .collect();
    let mut agreed: Option<(Shards, Slots)> = None;
    let mut ids = BTreeMap::new();
    for name in running {
        let addr = c.pod(name).addr;
        let info: String = client.query(addr, &["CLUSTER", "INFO"])?;
        let field = |key: &str| {
            info.lines()
                .find_map(|l| l.trim_end().strip_prefix(&format!("{key}:")))
                .unwrap_or("")
                .to_owned()
        };
        if field("cluster_state") != "ok"
            || field("cluster_slots_ok") != SLOTS.to_string()
            || field("cluster_known_nodes") != c.pods.len().to_string()
        {
            return Err(format!("{name}: {}", info.replace("\r\n", " ")));
        }
        let nodes: String = client.query(addr, &["CLUSTER", "NODES"])?;
        let mut pod_of_id = BTreeMap::new();
        let mut lines = Vec::new();
        for line in nodes.lines() {
            let words: Vec<&str> = line.split_whitespace().collect();
            let host = words[1].split(',').nth(1).unwrap_or("");
            let pod = by_addr
                .get(host)
                .ok_or_else(|| format!("{name}: unknown node {line}"))?;
            if words[2].contains("fail") {
                return Err(format!("{name}: {line}"));
            }
            if words[2].contains("myself") {
                ids.insert(name.clone(), words[0].to_owned());
            }
            pod_of_id.insert(words[0].to_owned(), pod.clone());
            lines.push(words.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>());
        }
        let mut shards = Shards::new();
        let mut slots = Vec::new();
        for words in &lines {
            let pod = pod_of_id[&words[0]].clone();
            if words[2].contains("master") {
                shards.entry(pod.clone()).or_default();
                for range in &words[8..] {
                    let (from, to) = range.split_once('-').unwrap_or((range, range));
                    let parse = |s: &str| s.parse::<usize>().map_err(|e| format!("{range}: {e}"));
                    slots.push((parse(from)?, parse(to)?, pod.clone()));
                }
            }
        }
        for words in &lines {
            if words[2].contains("slave") {
                let master = pod_of_id
                    .get(&words[3])
                    .ok_or_else(|| format!("{name}: replica of an unknown node"))?;
                shards
                    .entry(master.clone())
                    .or_default()
                    .push(pod_of_id[&words[0]].clone());
            }
        }
        slots.sort();
        for replicas in shards.values_mut() {
            replicas.sort();
        }
        match &agreed {
            Some(seen) if *seen != (shards.clone(), slots.clone()) => {
                return Err(format!("{name} disagrees: {shards:?} {slots:?}"));
            }
            _ => agreed = Some((shards, slots)),
        }
    }
    let (shards, slots) = agreed.ok_or("no pod runs")?;
    if shards.len() != 3 || shards.iter().any(|(m, r)| r.len() != 1 || r.contains(m)) {
        return Err(format!("not 3 masters with a replica each: {shards:?}"));
    }
    let covered: usize = slots.iter().map(|(from, to, _)| to - from + 1).sum();
    if covered != SLOTS {
        return Err(format!("{covered} slots covered"));
    }
    // Each replica's link to its master is up.
    for replicas in shards.values() {
        for replica in replicas {
            if !running.contains(replica) {
                continue;
            }
            let info = client.info(c.pod(replica).addr, "replication")?;
            if info.get("master_link_status").map(String::as_str) != Some("up") {
                return Err(format!("{replica}: master link {info:?}"));
            }
        }
    }
    Ok(View { ids, shards, slots })
}

fn names(c: &Cluster) -> Vec<String> {
    c.pods.iter().map(|p| p.name.clone()).collect()
}

/// 1. Every pod starts at once on empty volumes: pod 0 creates the cluster, masters at
///    ordinals 0..2 with an even share of the slots each, a replica each on another pod.
fn form(c: &mut Cluster, client: &Client) -> (Duration, View) {
    let all = names(c);
    let started = Instant::now();
    for name in &all {
        c.start(name);
    }
    let view = wait_for("the cluster to form", SETTLE, || healthy(c, client, &all));
    let took = started.elapsed();
    let masters: BTreeSet<&str> = view.shards.keys().map(String::as_str).collect();
    let expected: BTreeSet<&str> = all[..3].iter().map(String::as_str).collect();
    assert_eq!(masters, expected, "masters are ordinals 0..2");
    for (_, _, master) in &view.slots {
        assert!(masters.contains(master.as_str()));
    }
    let per_master: BTreeMap<&str, usize> = view.slots.iter().fold(BTreeMap::new(), |mut m, s| {
        *m.entry(s.2.as_str()).or_default() += s.1 - s.0 + 1;
        m
    });
    assert!(
        per_master.values().all(|n| n.abs_diff(SLOTS / 3) <= 1),
        "slots are not even: {per_master:?}"
    );
    for name in &all {
        assert!(c.probe(name, "startup"), "{name}: startup probe fails");
        assert!(c.probe(name, "readiness"), "{name}: readiness probe fails");
        assert!(c.probe(name, "liveness"), "{name}: liveness probe fails");
    }
    (took, view)
}

/// The hash slot of a key (CRC16/XMODEM of the key, or of its `{hash tag}`, mod 16384).
fn slot(key: &str) -> usize {
    let bytes = key.as_bytes();
    let tagged = key.find('{').and_then(|open| {
        let close = key[open + 1..].find('}')?;
        (close > 0).then(|| &bytes[open + 1..open + 1 + close])
    });
    let mut crc: u16 = 0;
    for &byte in tagged.unwrap_or(bytes) {
        crc ^= u16::from(byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 == 0 {
                crc << 1
            } else {
                (crc << 1) ^ 0x1021
            };
        }
    }
    usize::from(crc) % SLOTS
}

fn addr_of(view: &View, c: &Cluster, key: &str) -> SocketAddr {
    c.pod(view.master_of_slot(slot(key))).addr
}

/// Keys written to the master of their slot, each acknowledged by its replica (`WAIT 1`).
fn write_acked(
    c: &Cluster,
    client: &Client,
    view: &View,
    range: std::ops::Range<usize>,
    acked: &mut Vec<(String, String)>,
) {
    let mut connections: BTreeMap<SocketAddr, redis::Connection> = BTreeMap::new();
    for i in range {
        let (key, value) = (format!("e2e:cluster:{i}"), format!("value-{i}"));
        let master = view.master_of_slot(slot(&key));
        let addr = c.pod(master).addr;
        let connection = connections
            .entry(addr)
            .or_insert_with(|| client.connect(addr).expect("connect to a master"));
        let (set, replicas): (String, i64) = redis::pipe()
            .cmd("SET")
            .arg(&key)
            .arg(&value)
            .cmd("WAIT")
            .arg(1)
            .arg(2000)
            .query(connection)
            .unwrap_or_else(|e| panic!("write {key} to {master}: {e}"));
        assert!(
            set == "OK" && replicas >= 1,
            "{key} not acknowledged by {master}: {set}, WAIT {replicas}"
        );
        acked.push((key, value));
    }
}

/// Every acknowledged key, read from the master of its slot now.
fn lost(c: &Cluster, client: &Client, view: &View, acked: &[(String, String)]) -> Vec<String> {
    let mut lost = Vec::new();
    for (key, value) in acked {
        let got: Option<String> = client
            .query(addr_of(view, c, key), &["GET", key])
            .unwrap_or_else(|e| panic!("read {key}: {e}"));
        if got.as_deref() != Some(value) {
            lost.push(key.clone());
        }
    }
    lost
}

/// 3. kill -9 of the master of slot 0: its replica takes over; every acknowledged key is
///    there. Returns the time to a cluster that is ok again, and the killed pod.
fn kill_master(
    c: &mut Cluster,
    client: &Client,
    view: &View,
    acked: &[(String, String)],
) -> (Duration, String) {
    let master = view.master_of_slot(0).to_owned();
    let replica = view.shards[&master][0].clone();
    let killed = Instant::now();
    c.stop(&master, "KILL", Duration::from_secs(10));
    let running: Vec<String> = names(c).into_iter().filter(|n| *n != master).collect();
    wait_for("the replica to take over", SETTLE, || {
        let info = client.info(c.pod(&replica).addr, "replication")?;
        if info.get("role").map(String::as_str) != Some("master") {
            return Err(format!("{replica}: {info:?}"));
        }
        for name in &running {
            let state: String = client.query(c.pod(name).addr, &["CLUSTER", "INFO"])?;
            if !state.contains("cluster_state:ok") {
                return Err(format!("{name}: {state}"));
            }
        }
        Ok(())
    });
    let took = killed.elapsed();
    let mut view = view.clone();
    for (_, _, owner) in &mut view.slots {
        if *owner == master {
            owner.clone_from(&replica);
        }
    }
    let lost = lost(c, client, &view, acked);
    assert!(
        lost.is_empty(),
        "{} acknowledged keys lost: {lost:?}",
        lost.len()
    );
    (took, master)
}

/// 4. The killed pod restarts on its volume: it rejoins as a replica of the new master.
fn rejoin(
    c: &mut Cluster,
    client: &Client,
    killed: &str,
    ids: &BTreeMap<String, String>,
    acked: &[(String, String)],
) -> (Duration, View) {
    let killed = killed.to_owned();
    let started = Instant::now();
    c.wipe(&killed, false);
    c.start(&killed);
    let all = names(c);
    let view = wait_for("the killed pod to rejoin", SETTLE, || {
        healthy(c, client, &all)
    });
    let took = started.elapsed();
    assert!(
        view.shards.values().any(|r| r.contains(&killed)),
        "{killed} is not a replica: {:?}",
        view.shards
    );
    assert_eq!(&view.ids, ids, "node IDs changed");
    let lost = lost(c, client, &view, acked);
    assert!(
        lost.is_empty(),
        "{} acknowledged keys lost: {lost:?}",
        lost.len()
    );
    (took, view)
}

/// 5. Every pod stops at once (`TERM`, or `KILL`: a power cut) and starts again on its volume
///    (its emptyDirs gone): the same cluster comes back, the same node IDs, every key.
fn cold_restart(
    c: &mut Cluster,
    client: &Client,
    ids: &BTreeMap<String, String>,
    signal: &str,
    acked: &[(String, String)],
) -> Duration {
    let all = names(c);
    for name in &all {
        if c.is_running(name) {
            c.stop(name, signal, Duration::from_secs(30));
        }
        c.wipe(name, false);
    }
    let started = Instant::now();
    for name in &all {
        c.start(name);
    }
    let view = wait_for("the cluster to come back", SETTLE, || {
        healthy(c, client, &all)
    });
    let took = started.elapsed();
    assert_eq!(&view.ids, ids, "the cold restart made new nodes");
    let lost = lost(c, client, &view, acked);
    assert!(
        lost.is_empty(),
        "{} acknowledged keys lost: {lost:?}",
        lost.len()
    );
    took
}
