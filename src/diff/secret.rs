//! Keeping Secret values out of every output format.
//!
//! A Secret's `data` values are replaced by what happened to each key (`(changed)`,
//! `(unchanged)`, `(added)`, `(removed)`), so a reviewer still sees that something changed.
//! Then every line of every other string that holds a known secret (each Secret value,
//! decoded and encoded, and secrets from the values, in clear or in base64) is hidden,
//! wherever a chart may have copied it, as [`crate::secrets`] hides them: the mask tells
//! neither the length nor the letters. A checksum of a secret is harmless and stays. This
//! module owns both steps; `--show-secrets` skips them (decided in [`super`]).

use base64::Engine as _;
use serde::Serialize;
use serde_json::Value;

use super::normalize::is_secret;
use crate::secrets::Needles;

/// What stands in for a secret copied somewhere it should not be.
pub const HIDDEN: &str = crate::secrets::MASK;

/// What happened to one key of a Secret's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    Changed,
    Unchanged,
    Added,
    Removed,
}

/// One key of a Secret's data and what happened to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SecretKey {
    pub key: String,
    pub status: KeyStatus,
}

/// Every secret string that must not be printed.
#[derive(Clone, Debug, Default)]
pub struct Secrets {
    needles: Needles,
}

impl Secrets {
    /// Collects the values of every Secret among `objects`, plus `extra` plain-text secrets.
    pub fn collect<'a>(objects: impl IntoIterator<Item = &'a Value>, extra: &[String]) -> Secrets {
        let mut values: Vec<String> = extra.iter().filter(|s| !s.is_empty()).cloned().collect();
        values.extend(values_of_secrets(objects));
        Secrets {
            needles: Needles::new(values),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    /// `text` with every line that holds a secret hidden.
    pub fn mask_str(&self, text: &str) -> String {
        self.needles.mask(text)
    }

    /// Hides secrets in every string (and map key) of `value`.
    pub fn mask_value(&self, value: &mut Value) {
        if self.needles.is_empty() {
            return;
        }
        match value {
            Value::String(s) => {
                let masked = self.mask_str(s);
                if masked != *s {
                    *s = masked;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.mask_value(v)),
            Value::Object(map) => {
                if map.keys().any(|k| self.mask_str(k) != *k) {
                    let old = std::mem::take(map);
                    for (k, mut v) in old {
                        self.mask_value(&mut v);
                        map.insert(self.mask_str(&k), v);
                    }
                } else {
                    map.values_mut().for_each(|v| self.mask_value(v));
                }
            }
            _ => {}
        }
    }
}

/// The values of every Secret among `objects`: each `data` value, encoded and decoded, and
/// each `stringData` value.
pub fn values_of_secrets<'a>(objects: impl IntoIterator<Item = &'a Value>) -> Vec<String> {
    let mut values = Vec::new();
    for object in objects {
        if !is_secret(object) {
            continue;
        }
        for field in ["data", "stringData"] {
            let Some(map) = object.get(field).and_then(Value::as_object) else {
                continue;
            };
            for value in map.values().filter_map(Value::as_str) {
                if value.is_empty() {
                    continue;
                }
                values.push(value.to_owned());
                if field == "data"
                    && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(value)
                    && let Ok(text) = String::from_utf8(bytes)
                    && !text.is_empty()
                {
                    values.push(text.trim_end_matches('\n').to_owned());
                    values.push(text);
                }
            }
        }
    }
    values
}

/// Replaces the `data` values of a Secret (either side may be missing) with what happened to
/// each key; returns the keys, sorted.
pub fn mask_secret_data(old: Option<&mut Value>, new: Option<&mut Value>) -> Vec<SecretKey> {
    let data = |object: &Option<&mut Value>| {
        object
            .as_ref()
            .and_then(|o| o.get("data"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default()
    };
    let (old_data, new_data) = (data(&old), data(&new));
    let mut keys: Vec<SecretKey> = Vec::new();
    for (key, value) in &old_data {
        let status = match new_data.get(key) {
            None => KeyStatus::Removed,
            Some(v) if v == value => KeyStatus::Unchanged,
            Some(_) => KeyStatus::Changed,
        };
        keys.push(SecretKey {
            key: key.clone(),
            status,
        });
    }
    for key in new_data.keys().filter(|k| !old_data.contains_key(*k)) {
        keys.push(SecretKey {
            key: key.clone(),
            status: KeyStatus::Added,
        });
    }
    keys.sort_by(|a, b| a.key.cmp(&b.key));
    let marker = |status: KeyStatus, is_new: bool| match (status, is_new) {
        (KeyStatus::Unchanged, _) => "(unchanged)",
        (KeyStatus::Changed, false) => "(changed; old value hidden)",
        (KeyStatus::Changed, true) => "(changed; new value hidden)",
        (KeyStatus::Added, _) => "(added)",
        (KeyStatus::Removed, _) => "(removed)",
    };
    for (object, is_new) in [(old, false), (new, true)] {
        let Some(Value::Object(map)) = object.and_then(|o| o.get_mut("data")) else {
            continue;
        };
        for (key, value) in map.iter_mut() {
            if let Some(k) = keys.iter().find(|k| k.key == *key) {
                *value = Value::String(marker(k.status, is_new).to_owned());
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[expect(clippy::needless_pass_by_value, reason = "tests pass `json!` literals")]
    fn secret(data: Value) -> Value {
        json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": data})
    }

    #[test]
    fn key_statuses() {
        let mut old = secret(json!({"a": "MQ==", "b": "Mg==", "c": "Mw=="}));
        let mut new = secret(json!({"a": "MQ==", "b": "OQ==", "d": "NA=="}));
        let keys = mask_secret_data(Some(&mut old), Some(&mut new));
        let got: Vec<_> = keys.iter().map(|k| (&*k.key, k.status)).collect();
        assert_eq!(
            got,
            [
                ("a", KeyStatus::Unchanged),
                ("b", KeyStatus::Changed),
                ("c", KeyStatus::Removed),
                ("d", KeyStatus::Added),
            ]
        );
        assert_eq!(
            old["data"],
            json!({"a": "(unchanged)", "b": "(changed; old value hidden)", "c": "(removed)"})
        );
        assert_eq!(
            new["data"],
            json!({"a": "(unchanged)", "b": "(changed; new value hidden)", "d": "(added)"})
        );
    }

    #[test]
    fn whole_secret_added() {
        let mut new = secret(json!({"password": "cGFzcw=="}));
        let keys = mask_secret_data(None, Some(&mut new));
        assert_eq!(keys[0].status, KeyStatus::Added);
        assert_eq!(new["data"]["password"], "(added)");
    }

    #[test]
    fn secrets_are_cut_out_everywhere() {
        // "hunter22" in base64.
        let objects = [secret(json!({"password": "aHVudGVyMjI="}))];
        let secrets = Secrets::collect(&objects, &["from-values".to_owned()]);
        let mut value = json!({
            "args": ["--requirepass", "hunter22"],
            "env": [{"name": "P", "value": "x-hunter22-y"}],
            "b64": "aHVudGVyMjI=",
            "other": "from-values",
            "checksum": "9f86d081884c7d659a2feaa0c55ad015",
            "hunter22": 1,
        });
        secrets.mask_value(&mut value);
        let text = value.to_string();
        assert!(!text.contains("hunter22"), "{text}");
        assert!(!text.contains("aHVudGVyMjI="), "{text}");
        assert!(!text.contains("from-values"), "{text}");
        assert!(text.contains("9f86d081884c7d659a2feaa0c55ad015"), "{text}");
        assert_eq!(
            value["env"][0]["value"], HIDDEN,
            "the text around a secret goes too"
        );
        assert_eq!(value["args"][0], "--requirepass");
    }

    #[test]
    fn short_secrets_only_as_whole_values() {
        let secrets = Secrets::collect([], &["ab".to_owned()]);
        assert_eq!(secrets.mask_str("ab"), HIDDEN);
        assert_eq!(secrets.mask_str("tab"), "tab");
    }
}
