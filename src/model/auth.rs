//! `auth`: where the password comes from. The password itself is only ever rendered into the
//! chart's Secret; the scripts read it from the mounted Secret file at start.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::acl::{Acl, AclLogin, AclUser};

/// Password authentication of Redis and Sentinel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Auth {
    /// Require a password (`requirepass`, `masterauth`, `sentinel auth-pass`). With neither `auth.password` nor `auth.existingSecret`, the pods read the key `auth.existingSecretPasswordKey` of the Secret `<release>-auth`, which you create before installing.
    pub enabled: bool,
    /// The password, stored in the Secret `<release>-redis-auth`. Fine for development; use `auth.existingSecret` elsewhere so the password is not in a values file.
    pub password: String,
    /// Name of an existing Secret holding the password (in the release namespace); when set, the chart renders no Secret and ignores `auth.password`.
    #[schemars(
        pattern(r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$"),
        length(max = 253)
    )]
    pub existing_secret: String,
    /// Key of the password in `auth.existingSecret`.
    #[schemars(length(min = 1))]
    pub existing_secret_password_key: String,
    /// Require the same password on Sentinel (its `requirepass`); clients must then authenticate to Sentinel too.
    pub sentinel: bool,
    /// ACL users (Redis 6+).
    pub acl: Acl,
}

impl Default for Auth {
    fn default() -> Self {
        Self {
            enabled: true,
            password: String::new(),
            existing_secret: String::new(),
            existing_secret_password_key: "redis-password".to_owned(),
            sentinel: true,
            acl: Acl::default(),
        }
    }
}
