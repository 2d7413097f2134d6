//! A preset's render laid out on this machine the way the kubelet lays out the pods: each
//! StatefulSet's pods get their ConfigMap and Secret volumes as files, an emptyDir and a
//! claim as directories, the environment of their container (the downward API gives the pod
//! name and namespace), and the container's command, probes and preStop hook with every path
//! under a mount moved to where the test mounted it. What the test adds is what a pod's
//! network would give: an address per pod (`bind`), and DNS names (see `hosts_entries`).

use std::collections::BTreeMap;
use std::fs;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;

/// The cluster domain the test renders with, so the pods' DNS names are the test's own.
pub const CLUSTER_DOMAIN: &str = "redis-ha-e2e.test";

/// The scripts' path variables and what each names inside the container (chart README,
/// "Running the scripts outside Kubernetes"): each is pointed at the test's copy of that
/// mount, when the container mounts it.
const PATH_VARIABLES: &[(&str, &str)] = &[
    ("REDIS_HA_CONFIG_SOURCE", "/opt/redis-ha/conf"),
    ("REDIS_HA_CONFIG_DIR", "/opt/redis-ha/run"),
    ("REDIS_DATA_DIR", "/data"),
    ("REDIS_PASSWORD_FILE", "/opt/redis-ha/secret/password"),
    ("REDIS_ACL_DIR", "/opt/redis-ha/acl"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Redis,
    Sentinel,
    /// The master endpoint (a Deployment).
    Haproxy,
}

pub struct Pod {
    pub name: String,
    pub role: Role,
    /// `<pod>.<headless service>.<namespace>.svc.<cluster domain>`.
    pub host: String,
    pub addr: SocketAddr,
    pub command: Vec<String>,
    /// `startup`, `liveness`, `readiness`: the exec command and its timeout.
    pub probes: BTreeMap<&'static str, (Vec<String>, Duration)>,
    pub pre_stop: Option<Vec<String>>,
    /// `terminationGracePeriodSeconds`: the preStop hook and the shutdown must fit in it.
    pub grace: Duration,
    pub env: Vec<(String, String)>,
    /// emptyDir volumes: gone when the pod is recreated, kept across container restarts.
    pub empty_dirs: Vec<PathBuf>,
    /// The claims of the volumeClaimTemplates: kept unless the volume is lost.
    pub claims: Vec<PathBuf>,
}

impl Pod {
    /// `<host>:<port>`, as Sentinel and Redis name this pod.
    pub fn endpoint(&self) -> String {
        format!("{}:{}", self.host, self.addr.port())
    }
}

/// The password `add_missing_secrets` gives key `key` of a Secret other than the release's
/// password: it contains the release's password, so the command-line watcher catches it too.
pub fn secret_of(password: &str, key: &str) -> String {
    format!("{password}-{key}")
}

/// The objects `redis-ha render` prints.
pub struct Render {
    objects: Vec<Value>,
}

impl Render {
    pub fn run(args: &[&str]) -> Render {
        let output = Command::new(env!("CARGO_BIN_EXE_redis-ha"))
            .arg("render")
            .args(args)
            .output()
            .expect("run redis-ha render");
        assert!(
            output.status.success(),
            "redis-ha render {} failed:\n{}",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
        let text = String::from_utf8(output.stdout).expect("render output is UTF-8");
        let objects: Vec<Value> = serde_saphyr::from_multiple(&text).expect("parse the render");
        Render { objects }
    }

    /// Adds each Secret a StatefulSet mounts but the render does not hold (its owner creates
    /// it: `auth.existingSecret`), the key of the `auth` volume holding `password` and every
    /// other key `<password>-<key>` (see `secret_of`).
    pub fn add_missing_secrets(&mut self, password: &str) {
        let encoded = base64::engine::general_purpose::STANDARD.encode(password);
        let mut missing: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
        for set in self.all("StatefulSet") {
            for volume in list(&set["spec"]["template"]["spec"]["volumes"]) {
                let Some(name) = volume["secret"]["secretName"].as_str() else {
                    continue;
                };
                if self.all("Secret").any(|o| o["metadata"]["name"] == name) {
                    continue;
                }
                let data = missing.entry(name.to_owned()).or_default();
                for item in list(&volume["secret"]["items"]) {
                    let key = text(&item["key"]);
                    let value = if volume["name"] == "auth" {
                        encoded.clone()
                    } else {
                        base64::engine::general_purpose::STANDARD.encode(secret_of(password, key))
                    };
                    data.insert(key.to_owned(), Value::from(value));
                }
            }
        }
        for (name, data) in missing {
            self.objects.push(serde_json::json!({
                "kind": "Secret",
                "metadata": { "name": name },
                "data": data,
            }));
        }
    }

    fn all(&self, kind: &str) -> impl Iterator<Item = &Value> {
        self.objects.iter().filter(move |o| o["kind"] == kind)
    }

    fn get(&self, kind: &str, name: &str) -> &Value {
        self.all(kind)
            .find(|o| o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("the render has no {kind} `{name}`"))
    }

    /// The one ConfigMap entry named `key`, from whichever ConfigMap holds it, if one does.
    pub fn try_config_file(&self, key: &str) -> Option<&str> {
        self.all("ConfigMap").find_map(|o| o["data"][key].as_str())
    }

    /// Every pod of every StatefulSet, laid out under `root`; `ip` gives each its address.
    pub fn lay_out(&self, root: &Path, ip: impl Fn(Role, usize) -> Ipv4Addr) -> Vec<Pod> {
        let mut pods = Vec::new();
        for set in self.all("StatefulSet") {
            let role = match text(
                &set["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"],
            ) {
                "redis" => Role::Redis,
                "sentinel" => Role::Sentinel,
                other => panic!("StatefulSet with an unknown component `{other}`"),
            };
            let replicas = set["spec"]["replicas"].as_u64().expect("spec.replicas");
            for ordinal in 0..usize::try_from(replicas).expect("replicas") {
                pods.push(self.pod(set, role, ordinal, ip(role, ordinal), root));
            }
        }
        pods
    }

    /// The pods of the Deployments of one component (`haproxy`), named `<deployment>-<n>`.
    pub fn lay_out_deployments(
        &self,
        root: &Path,
        role: Role,
        component: &str,
        ip: impl Fn(usize) -> Ipv4Addr,
    ) -> Vec<Pod> {
        let mut pods = Vec::new();
        for set in self.all("Deployment").filter(|d| {
            d["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == component
        }) {
            let replicas = set["spec"]["replicas"].as_u64().expect("spec.replicas");
            for n in 0..usize::try_from(replicas).expect("replicas") {
                pods.push(self.pod(set, role, n, ip(n), root));
            }
        }
        pods
    }

    fn pod(&self, set: &Value, role: Role, ordinal: usize, ip: Ipv4Addr, root: &Path) -> Pod {
        let namespace = text(&set["metadata"]["namespace"]);
        let name = format!("{}-{ordinal}", text(&set["metadata"]["name"]));
        let host = match set["spec"]["serviceName"].as_str() {
            Some(service) => format!("{name}.{service}.{namespace}.svc.{CLUSTER_DOMAIN}"),
            None => name.clone(),
        };
        let spec = &set["spec"]["template"]["spec"];
        let container = &spec["containers"][0];
        let port = container["ports"][0]["containerPort"]
            .as_u64()
            .expect("containerPort");
        let addr = SocketAddr::from((ip, u16::try_from(port).expect("port")));

        let mut mounts = Vec::new();
        let mut empty_dirs = Vec::new();
        let mut claims = Vec::new();
        let claim_names: Vec<&str> = list(&set["spec"]["volumeClaimTemplates"])
            .iter()
            .map(|claim| text(&claim["metadata"]["name"]))
            .collect();
        for mount in list(&container["volumeMounts"]) {
            let volume_name = text(&mount["name"]);
            let dir = if claim_names.contains(&volume_name) {
                let dir = root.join("volumes").join(format!("{volume_name}-{name}"));
                claims.push(dir.clone());
                dir
            } else {
                let volume = list(&spec["volumes"])
                    .iter()
                    .find(|v| v["name"] == volume_name)
                    .unwrap_or_else(|| panic!("{name}: no volume `{volume_name}`"));
                let dir = self.volume(volume, &name, root);
                if volume.get("emptyDir").is_some() {
                    empty_dirs.push(dir.clone());
                }
                dir
            };
            fs::create_dir_all(&dir).expect("create a volume directory");
            mounts.push((text(&mount["mountPath"]).to_owned(), dir));
        }
        let remap = |arg: &str| remap(&mounts, arg).unwrap_or_else(|| arg.to_owned());
        let exec = |command: &Value| -> Vec<String> {
            list(command).iter().map(|arg| remap(text(arg))).collect()
        };

        let mut env = vec![
            ("PATH".to_owned(), std::env::var("PATH").unwrap_or_default()),
            ("HOSTNAME".to_owned(), name.clone()),
        ];
        for var in list(&container["env"]) {
            let value = match var["valueFrom"]["fieldRef"]["fieldPath"].as_str() {
                Some("metadata.name") => name.clone(),
                Some("metadata.namespace") => namespace.to_owned(),
                Some("status.podIP") => ip.to_string(),
                Some(other) => panic!("{name}: unsupported fieldRef `{other}`"),
                None => text(&var["value"]).to_owned(),
            };
            env.push((text(&var["name"]).to_owned(), value));
        }
        for (variable, path) in PATH_VARIABLES {
            if let Some(local) = remap_path(&mounts, path) {
                env.push(((*variable).to_owned(), local));
            }
        }
        // The pod's one address: both servers' `bind`, and where its probes connect.
        env.push(("REDIS_BIND".to_owned(), ip.to_string()));
        env.push(("SENTINEL_BIND".to_owned(), ip.to_string()));
        env.push(("HAPROXY_BIND".to_owned(), ip.to_string()));

        let mut probes = BTreeMap::new();
        for (kind, key) in [
            ("startup", "startupProbe"),
            ("liveness", "livenessProbe"),
            ("readiness", "readinessProbe"),
        ] {
            let probe = &container[key];
            // Only exec probes: a tcpSocket probe (HAProxy's) is the test's own connection.
            if probe["exec"].is_object() {
                let timeout = probe["timeoutSeconds"].as_u64().unwrap_or(1);
                probes.insert(
                    kind,
                    (
                        exec(&probe["exec"]["command"]),
                        Duration::from_secs(timeout),
                    ),
                );
            }
        }
        let pre_stop = container["lifecycle"]["preStop"]["exec"]["command"]
            .is_array()
            .then(|| exec(&container["lifecycle"]["preStop"]["exec"]["command"]));
        let grace =
            Duration::from_secs(spec["terminationGracePeriodSeconds"].as_u64().unwrap_or(30));
        let mut command = exec(&container["command"]);
        command.extend(list(&container["args"]).iter().map(|arg| remap(text(arg))));

        Pod {
            name,
            role,
            host,
            addr,
            command,
            probes,
            pre_stop,
            grace,
            env,
            empty_dirs,
            claims,
        }
    }

    /// The directory holding one volume's files.
    fn volume(&self, volume: &Value, pod: &str, root: &Path) -> PathBuf {
        if let Some(name) = volume["configMap"]["name"].as_str() {
            let data = &self.get("ConfigMap", name)["data"];
            let dir = root.join("configmaps").join(name);
            write_items(&dir, &volume["configMap"]["items"], data, |v| {
                text(v).as_bytes().to_vec()
            });
            dir
        } else if let Some(name) = volume["secret"]["secretName"].as_str() {
            let data = &self.get("Secret", name)["data"];
            let dir = root.join("secrets").join(name);
            write_items(&dir, &volume["secret"]["items"], data, |v| {
                base64::engine::general_purpose::STANDARD
                    .decode(text(v))
                    .expect("Secret data is base64")
            });
            dir
        } else if volume.get("emptyDir").is_some() {
            root.join("pods").join(pod).join(text(&volume["name"]))
        } else {
            panic!("{pod}: unsupported volume {volume}")
        }
    }

    /// `(ip, name)` for /etc/hosts: each pod's DNS name, and each Service with a selector
    /// (standing in for its cluster IP) the first pod it selects.
    pub fn hosts_entries(&self, pods: &[Pod]) -> Vec<(Ipv4Addr, String)> {
        let ip = |pod: &Pod| match pod.addr {
            SocketAddr::V4(v4) => *v4.ip(),
            SocketAddr::V6(_) => unreachable!("the test uses IPv4 loopback"),
        };
        let mut entries: Vec<_> = pods.iter().map(|pod| (ip(pod), pod.host.clone())).collect();
        for service in self.all("Service") {
            let Some(selector) = service["spec"]["selector"].as_object() else {
                continue;
            };
            if service["spec"]["clusterIP"] == "None" {
                continue;
            }
            let selected = self.all("StatefulSet").find(|set| {
                let labels = &set["spec"]["template"]["metadata"]["labels"];
                selector.iter().all(|(key, value)| &labels[key] == value)
            });
            if let Some(set) = selected {
                let first = format!("{}-0", text(&set["metadata"]["name"]));
                let pod = pods.iter().find(|pod| pod.name == first).expect("pod 0");
                entries.push((
                    ip(pod),
                    format!(
                        "{}.{}.svc.{CLUSTER_DOMAIN}",
                        text(&service["metadata"]["name"]),
                        text(&service["metadata"]["namespace"])
                    ),
                ));
            }
        }
        entries
    }
}

/// Writes a ConfigMap's or Secret's entries as a volume shows them: every key, or only the
/// `items` (key -> path) when the volume lists them.
fn write_items(dir: &Path, items: &Value, data: &Value, decode: impl Fn(&Value) -> Vec<u8>) {
    fs::create_dir_all(dir).expect("create a volume directory");
    let entries: Vec<(&str, &str)> = match items.as_array() {
        Some(items) => items
            .iter()
            .map(|i| (text(&i["key"]), text(&i["path"])))
            .collect(),
        None => data
            .as_object()
            .expect("data")
            .keys()
            .map(|k| (k.as_str(), k.as_str()))
            .collect(),
    };
    for (key, path) in entries {
        fs::write(dir.join(path), decode(&data[key])).expect("write a volume file");
    }
}

/// `arg` moved from under a mount path to the test's directory for that mount.
fn remap(mounts: &[(String, PathBuf)], arg: &str) -> Option<String> {
    if arg.starts_with('/') {
        remap_path(mounts, arg)
    } else {
        None
    }
}

fn remap_path(mounts: &[(String, PathBuf)], path: &str) -> Option<String> {
    mounts
        .iter()
        .filter_map(|(mount, dir)| {
            let rest = path.strip_prefix(mount.as_str())?;
            (rest.is_empty() || rest.starts_with('/')).then_some((mount.len(), dir, rest))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, dir, rest)| format!("{}{rest}", dir.display()))
}

fn text(value: &Value) -> &str {
    value
        .as_str()
        .unwrap_or_else(|| panic!("expected a string, found {value}"))
}

fn list(value: &Value) -> &[Value] {
    value.as_array().map_or(&[], Vec::as_slice)
}
