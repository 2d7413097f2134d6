//! The effective `redis.conf` and `sentinel.conf` the pods will run, read from the rendered
//! ConfigMaps rather than from the values.
//!
//! Free-form values (`redis.extraConfig`, `sentinel.extraConfig`) end up in those files after
//! the chart's own directives, and Redis keeps the last of a repeated single-valued directive:
//! rules that look here see what the server sees, whichever value wrote it. This module owns
//! parsing the files; which directive matters is the rules' business.

use crate::manifest::Manifest;
use crate::redis_conf::{Directive, parse};

/// The ConfigMap keys that hold each server's configuration.
const REDIS_FILES: &[&str] = &["redis.conf"];
const SENTINEL_FILES: &[&str] = &["sentinel.conf", "master.conf"];

/// One configuration file set, directives in file order.
#[derive(Debug, Default)]
pub struct Conf {
    directives: Vec<Directive>,
}

impl Conf {
    /// Redis' configuration from these manifests (empty when no ConfigMap holds one).
    pub fn redis(manifests: &[Manifest]) -> Conf {
        Conf::from_manifests(manifests, REDIS_FILES)
    }

    /// Sentinel's configuration from these manifests.
    pub fn sentinel(manifests: &[Manifest]) -> Conf {
        Conf::from_manifests(manifests, SENTINEL_FILES)
    }

    fn from_manifests(manifests: &[Manifest], files: &[&str]) -> Conf {
        let mut conf = Conf::default();
        for manifest in manifests.iter().filter(|m| m.kind() == "ConfigMap") {
            let Some(data) = manifest.object.get("data").and_then(|d| d.as_object()) else {
                continue;
            };
            for file in files {
                if let Some(text) = data.get(*file).and_then(|t| t.as_str()) {
                    conf.directives.extend(parse(text));
                }
            }
        }
        conf
    }

    pub fn is_empty(&self) -> bool {
        self.directives.is_empty()
    }

    /// The arguments of the last directive with this name (the one Redis keeps); a
    /// `sentinel` sub-directive is named `sentinel resolve-hostnames`.
    pub fn last(&self, name: &str) -> Option<&[String]> {
        self.directives
            .iter()
            .rev()
            .find(|d| d.name == name)
            .map(|d| d.args.as_slice())
    }

    /// The arguments of every directive with this name, in file order (`rename-command`).
    pub fn all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s [String]> {
        self.directives
            .iter()
            .filter(move |d| d.name == name)
            .map(|d| d.args.as_slice())
    }

    /// The first argument of the last directive with this name.
    pub fn value(&self, name: &str) -> Option<&str> {
        self.last(name)?.first().map(String::as_str)
    }

    /// `maxmemory` in bytes, as Redis reads it; `None` when unset, unreadable or 0 (no limit).
    pub fn maxmemory(&self) -> Option<f64> {
        self.value("maxmemory")
            .and_then(crate::quantity::Quantity::redis_memory)
            .map(crate::quantity::Quantity::to_f64)
            .filter(|m| *m > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis_conf::text_sets;

    #[test]
    fn directives() {
        let conf = Conf {
            directives: parse(
                "# comment\nmaxmemory 2gb\n\nsentinel resolve-hostnames yes\nMAXMEMORY \"3gb\"\nsentinel RESOLVE-HOSTNAMES no\n",
            ),
        };
        assert_eq!(conf.value("maxmemory"), Some("3gb"));
        assert_eq!(conf.value("sentinel resolve-hostnames"), Some("no"));
        assert_eq!(conf.value("appendonly"), None);
        assert!(text_sets("maxmemory 6gb\n", "maxmemory"));
        assert!(!text_sets("# maxmemory 6gb\n", "maxmemory"));
    }
}
