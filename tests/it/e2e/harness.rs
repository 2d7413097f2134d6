//! The guard around one end-to-end run. It renders and lays out the pods, writes their DNS
//! names into a hosts file of its own, starts each container command, probe and hook in its
//! own process group and its own mount namespace (where that file is bind-mounted over
//! /etc/hosts: the machine's /etc/hosts is never touched), and on drop — also when a scenario
//! panics — kills every group it started and removes the network partitions it made (printing
//! the pods' logs when a scenario failed). While it lives, a watcher reads the command line of
//! every process in those groups, to prove the scripts never put the password on one.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::net::{Ipv4Addr, TcpListener};
use std::os::unix::process::CommandExt as _;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle, sleep};
use std::time::{Duration, Instant};

use super::pods::{CLUSTER_DOMAIN, Pod, Render, Role};

const SERVERS: [&str; 5] = [
    "redis-server",
    "redis-sentinel",
    "redis-cli",
    "unshare",
    "iptables",
];

/// Why the test cannot run here, if it cannot.
pub fn missing_prerequisite() -> Option<String> {
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let euid = status
        .lines()
        .find_map(|line| line.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1));
    if euid != Some("0") {
        return Some(
            "it must run as root (each server runs in its own mount namespace, and partitions are iptables rules)"
                .to_owned(),
        );
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    for server in SERVERS {
        if !std::env::split_paths(&path).any(|dir| dir.join(server).is_file()) {
            return Some(format!(
                "`{server}` is not on PATH (apt-get install redis-server redis-sentinel util-linux iptables)"
            ));
        }
    }
    None
}

/// Why a test needing `program` cannot run here, if it is not on PATH.
pub fn missing_program(program: &str) -> Option<String> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    (!std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
        .then(|| format!("`{program}` is not on PATH (apt-get install {program})"))
}

struct Process {
    /// The pod's name for its container, `<pod> <what>` for a probe or hook.
    label: String,
    child: Child,
    exited: Option<ExitStatus>,
}

pub struct Cluster {
    /// The presets' layout: addresses 127.0.42.<subnet>x.
    pub subnet: u8,
    pub pods: Vec<Pod>,
    /// The HAProxy pods of the master endpoint, apart from `pods`: the scenarios that stop
    /// and restart every pod are about the servers.
    pub proxies: Vec<Pod>,
    pub password: String,
    pub master_name: String,
    pub down_after: Duration,
    processes: Vec<Process>,
    groups: Arc<Mutex<Vec<u32>>>,
    leaks: Arc<Mutex<BTreeSet<String>>>,
    watching: Arc<AtomicBool>,
    watcher: Option<JoinHandle<()>>,
    logs: PathBuf,
    /// The hosts file every process sees as /etc/hosts.
    hosts: PathBuf,
    /// iptables rules in place (`-I` arguments), removed on drop.
    partitions: Vec<Vec<String>>,
    root: tempfile::TempDir,
}

impl Cluster {
    /// Renders the preset `env` and lays it out on 127.0.42.<subnet>x addresses (one subnet
    /// per concurrent cluster); starts nothing yet.
    pub fn new(env: &'static str, subnet: u8) -> Cluster {
        Cluster::with_args(env, subnet, &[])
    }

    /// `new`, with more arguments of `redis-ha render` (`--set` of the feature under test).
    pub fn with_args(env: &'static str, subnet: u8, extra: &[&str]) -> Cluster {
        let args = [&["--env", env][..], extra].concat();
        Cluster::launch(
            &args,
            |role, ordinal| {
                let base = match role {
                    Role::Redis => 0,
                    Role::Sentinel => 5,
                    Role::Haproxy => 8,
                };
                Ipv4Addr::new(
                    127,
                    0,
                    42,
                    subnet * 10 + base + u8::try_from(ordinal).expect("ordinal"),
                )
            },
            subnet,
        )
    }

    /// Renders with `args` (and the test's cluster domain) and lays the pods out on the
    /// addresses `ip` gives (`subnet` names the layout); starts nothing yet. A Secret the render
    /// names but does not hold (`auth.existingSecret`) gets a random password, as its owner
    /// would create it.
    pub fn launch(args: &[&str], ip: impl Fn(Role, usize) -> Ipv4Addr, subnet: u8) -> Cluster {
        let domain = format!("clusterDomain={CLUSTER_DOMAIN}");
        let mut render = Render::run(&[args, &["--set", &domain]].concat());
        render.add_missing_secrets(&random_password());
        let root = tempfile::tempdir().expect("temp dir");
        let pods = render.lay_out(root.path(), &ip);
        // The master endpoint's pods (haproxy.enabled), started only by the scenario that
        // proves it.
        let proxies = render.lay_out_deployments(root.path(), Role::Haproxy, "haproxy", |n| {
            ip(Role::Haproxy, n)
        });
        for pod in pods.iter().chain(&proxies) {
            if let Err(e) = TcpListener::bind(pod.addr) {
                panic!(
                    "cannot listen on {} for {}: {e} (a server from an earlier run?)",
                    pod.addr, pod.name
                );
            }
        }
        let redis = pods
            .iter()
            .find(|p| p.role == Role::Redis)
            .expect("a Redis pod");
        let password_file = &redis
            .env
            .iter()
            .find(|(k, _)| k == "REDIS_PASSWORD_FILE")
            .expect("REDIS_PASSWORD_FILE")
            .1;
        let password = fs::read_to_string(password_file).expect("the mounted password");
        // `sentinel down-after-milliseconds <master> <ms>`, in master.conf (with Sentinel).
        let (master_name, down_after) = render.try_config_file("master.conf").map_or(
            (String::new(), Duration::ZERO),
            |master_conf| {
                let words: Vec<&str> = master_conf
                    .lines()
                    .find(|l| l.starts_with("sentinel down-after-milliseconds "))
                    .expect("down-after-milliseconds in master.conf")
                    .split_whitespace()
                    .collect();
                (
                    words[2].to_owned(),
                    Duration::from_millis(words[3].parse().expect("milliseconds")),
                )
            },
        );
        let logs = root.path().join("logs");
        fs::create_dir_all(&logs).expect("logs dir");

        let groups = Arc::new(Mutex::new(Vec::new()));
        let leaks = Arc::new(Mutex::new(BTreeSet::new()));
        let watching = Arc::new(AtomicBool::new(true));
        let watcher = {
            let (groups, leaks, watching) = (groups.clone(), leaks.clone(), watching.clone());
            let password = password.clone();
            thread::spawn(move || {
                while watching.load(Ordering::Relaxed) {
                    let ours = groups.lock().unwrap().clone();
                    for found in cmdlines_containing(&password, Some(&ours)) {
                        leaks.lock().unwrap().insert(found);
                    }
                    sleep(Duration::from_millis(20));
                }
            })
        };
        let hosts = root.path().join("hosts");
        let mut text = String::from("127.0.0.1 localhost\n::1 localhost\n");
        for (ip, name) in render.hosts_entries(&pods) {
            writeln!(text, "{ip} {name}").expect("write to a String");
        }
        fs::write(&hosts, text).expect("write the hosts file");
        Cluster {
            subnet,
            pods,
            proxies,
            password,
            master_name,
            down_after,
            processes: Vec::new(),
            groups,
            leaks,
            watching,
            watcher: Some(watcher),
            logs,
            hosts,
            partitions: Vec::new(),
            root,
        }
    }

    pub fn pod(&self, name: &str) -> &Pod {
        self.pods
            .iter()
            .chain(&self.proxies)
            .find(|p| p.name == name)
            .unwrap_or_else(|| panic!("no pod `{name}`"))
    }

    pub fn of(&self, role: Role) -> Vec<&Pod> {
        self.pods.iter().filter(|p| p.role == role).collect()
    }

    /// Starts the pod's container command (the rendered start-up script).
    pub fn start(&mut self, pod: &str) {
        assert!(!self.is_running(pod), "{pod} is already running");
        let command = self.pod(pod).command.clone();
        self.spawn(pod, pod.to_owned(), &command);
    }

    /// Starts one of the pod's exec commands (a probe, the preStop hook) in the background.
    pub fn spawn_exec(&mut self, pod: &str, what: &str, command: &[String]) {
        self.spawn(pod, format!("{pod} {what}"), command);
    }

    fn spawn(&mut self, pod: &str, label: String, command: &[String]) {
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.logs.join(format!("{pod}.log")))
            .expect("open the pod's log");
        let env = self.pod(pod).env.clone();
        // A mount namespace of its own, where the test's hosts file is /etc/hosts.
        let child = Command::new("unshare")
            .args(["--mount", "--propagation", "private", "--", "/bin/sh", "-c"])
            .arg("mount --bind \"$0\" /etc/hosts && exec \"$@\"")
            .arg(&self.hosts)
            .args(command)
            .env_clear()
            .envs(env)
            .current_dir(self.root.path())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {label}: {e}"));
        self.groups.lock().unwrap().push(child.id());
        self.processes.push(Process {
            label,
            child,
            exited: None,
        });
    }

    fn process(&mut self, label: &str) -> Option<&mut Process> {
        self.processes
            .iter_mut()
            .rev()
            .find(|p| p.label == label && p.exited.is_none())
    }

    /// Whether the process with this label (a pod's container, or `<pod> <what>`) still runs.
    pub fn is_running(&mut self, label: &str) -> bool {
        self.try_wait(label).is_none() && self.process(label).is_some()
    }

    /// The exit status of the latest process with this label, once it has exited.
    pub fn try_wait(&mut self, label: &str) -> Option<ExitStatus> {
        let process = self.processes.iter_mut().rev().find(|p| p.label == label)?;
        if process.exited.is_none() {
            process.exited = process.child.try_wait().expect("try_wait");
        }
        process.exited
    }

    /// Sends `signal` to the process group, then waits at most `timeout` for it to exit.
    pub fn stop(&mut self, label: &str, signal: &str, timeout: Duration) -> ExitStatus {
        let pid = self
            .process(label)
            .unwrap_or_else(|| panic!("{label} is not running"))
            .child
            .id();
        signal_group(pid, signal);
        self.wait(label, timeout)
    }

    /// Waits at most `timeout` for the process to exit; kills its group if it does not.
    pub fn wait(&mut self, label: &str, timeout: Duration) -> ExitStatus {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait(label) {
                return status;
            }
            if Instant::now() >= deadline {
                let pid = self.process(label).expect("process").child.id();
                signal_group(pid, "KILL");
                panic!("{label} did not exit within {timeout:?}");
            }
            sleep(Duration::from_millis(20));
        }
    }

    /// Runs one of the pod's exec commands to its end, within `timeout`.
    pub fn exec(
        &mut self,
        pod: &str,
        what: &str,
        command: &[String],
        timeout: Duration,
    ) -> ExitStatus {
        self.spawn_exec(pod, what, command);
        let label = format!("{pod} {what}");
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait(&label) {
                return status;
            }
            if Instant::now() >= deadline {
                // As the kubelet does: a probe that overruns its timeout has failed.
                let pid = self.process(&label).expect("process").child.id();
                signal_group(pid, "KILL");
                return self.wait(&label, Duration::from_secs(5));
            }
            sleep(Duration::from_millis(10));
        }
    }

    /// Runs the pod's `startup`, `liveness` or `readiness` probe; whether it passed (as for
    /// the kubelet, a probe the container does not have passes).
    pub fn probe(&mut self, pod: &str, kind: &str) -> bool {
        let Some((command, timeout)) = self.pod(pod).probes.get(kind).cloned() else {
            return true;
        };
        self.exec(pod, kind, &command, timeout).success()
    }

    /// Empties the pod's emptyDirs (a new pod), and with `claims` its volumes too (a new pod on
    /// an empty volume).
    pub fn wipe(&self, pod: &str, claims: bool) {
        let pod = self.pod(pod);
        let dirs = pod
            .empty_dirs
            .iter()
            .chain(claims.then_some(&pod.claims).into_iter().flatten());
        for dir in dirs {
            fs::remove_dir_all(dir).expect("wipe a volume");
            fs::create_dir_all(dir).expect("recreate a volume");
        }
    }

    /// Cuts the pod `isolated` off from everything but `client` (both directions, also from
    /// the other servers' connections, which come from 127.0.0.1): a client on its side.
    pub fn partition(&mut self, isolated: &str, client: Ipv4Addr) {
        let ip = self.pod(isolated).addr.ip().to_string();
        let client = client.to_string();
        for (this, other) in [("-d", "-s"), ("-s", "-d")] {
            let rule: Vec<String> = ["INPUT", this, &ip, "!", other, &client, "-j", "DROP"]
                .map(str::to_owned)
                .to_vec();
            iptables("-I", &rule);
            self.partitions.push(rule);
        }
    }

    /// Removes every partition.
    pub fn heal(&mut self) {
        for rule in std::mem::take(&mut self.partitions) {
            iptables("-D", &rule);
        }
    }

    /// Command lines of the scripts' processes (and their children) that held the password,
    /// seen at any time since the start.
    pub fn leaked_command_lines(&self) -> Vec<String> {
        self.leaks.lock().unwrap().iter().cloned().collect()
    }

    fn print_logs(&self) {
        let mut names: Vec<_> = fs::read_dir(&self.logs)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        names.sort();
        for path in names {
            let text = fs::read_to_string(&path).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            eprintln!(
                "--- {} (last 25 lines)",
                path.file_name().unwrap().to_string_lossy()
            );
            for line in &lines[lines.len().saturating_sub(25)..] {
                eprintln!("{line}");
            }
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for process in &mut self.processes {
            if process.exited.is_none() {
                signal_group(process.child.id(), "KILL");
                process.exited = process.child.wait().ok();
            }
        }
        self.watching.store(false, Ordering::Relaxed);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        self.heal();
        if thread::panicking() {
            self.print_logs();
        }
    }
}

/// Signals every process of a group the test started (a pod's container command and what
/// its script runs, or a probe or hook).
fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("sh")
        .args(["-c", "kill -s \"$1\" -- \"-$2\" 2>/dev/null", "sh", signal])
        .arg(pgid.to_string())
        .status();
}

fn iptables(action: &str, rule: &[String]) {
    let status = Command::new("iptables")
        .args(["-w", action])
        .args(rule)
        .status()
        .expect("run iptables");
    assert!(
        status.success(),
        "iptables {action} {}: {status}",
        rule.join(" ")
    );
}

/// A password for a Secret the test creates itself (no randomness crate: the clock and the
/// process id are enough to never match a fixed string).
fn random_password() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("e2e-{:x}{:x}", nanos, std::process::id())
}

/// `pid: command line` of each process whose command line holds `secret` — of the given
/// process groups only, or (with `None`) of every process but this one.
pub fn cmdlines_containing(secret: &str, groups: Option<&[u32]>) -> Vec<String> {
    let me = std::process::id().to_string();
    let mut found = Vec::new();
    for entry in fs::read_dir("/proc").into_iter().flatten().flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) || pid == me {
            continue;
        }
        if let Some(groups) = groups {
            // /proc/<pid>/stat: `pid (comm) state ppid pgrp ...`; comm may hold spaces.
            let stat = fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            let pgrp = stat
                .rsplit_once(')')
                .and_then(|(_, rest)| rest.split_whitespace().nth(2))
                .and_then(|g| g.parse::<u32>().ok());
            if !pgrp.is_some_and(|g| groups.contains(&g)) {
                continue;
            }
        }
        let Ok(cmdline) = fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if contains(&cmdline, secret.as_bytes()) {
            let shown = String::from_utf8_lossy(&cmdline)
                .replace('\0', " ")
                .replace(secret, "<password>");
            found.push(format!("{pid}: {shown}"));
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
