//! `auth.acl`: named Redis users with their command and key rules, and the logins the chart's
//! own processes use. The rules are not secret and are rendered into the scripts; the passwords
//! stay in the Secret, and the start-up script writes only their SHA-256 into the `aclfile`.
//! What a rule set allows is the job of [`crate::acl`].

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::acl::{CHART_RULES, REPLICATION_RULES, SENTINEL_RULES};

/// ACL users (Redis 6+): the application's users, least-privileged logins for replication and Sentinel, and the default user switched off if asked. Needs `auth.enabled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Acl {
    /// Write an `aclfile` at start (`user` lines with SHA-256 hashed passwords) and log the replicas, the sentinels and the chart's tools in as the users below.
    pub enabled: bool,
    /// Secret holding the passwords of the ACL users (the keys `passwordKey` name); empty is the release's password Secret (`auth.existingSecret`, or `<release>-auth`).
    #[schemars(
        pattern(r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$"),
        length(max = 253)
    )]
    pub existing_secret: String,
    /// The application's users: a name, ACL rules (`~app:* +@read +@write -@dangerous`) and the key of the password in the Secret.
    pub users: Vec<AclUser>,
    /// The login of the replicas on their master (`masteruser`, `masterauth`).
    pub replication_user: AclUser,
    /// The login of the sentinels on Redis (`sentinel auth-user`, `sentinel auth-pass`).
    pub sentinel_user: AclUser,
    /// The login of the chart's own tools on Redis: the start-up script, the probes, the preStop hook, the exporter and the master endpoint's health checks. Its password is the release's password (`auth.existingSecretPasswordKey`).
    pub chart_user: AclLogin,
    /// Switch the `default` user off (`user default off`): a client must log in as a named user. Left on, `default` keeps the release's password and every command, as without ACL.
    pub disable_default_user: bool,
}

impl Default for Acl {
    fn default() -> Self {
        Self {
            enabled: false,
            existing_secret: String::new(),
            users: Vec::new(),
            replication_user: AclUser {
                name: "replication".to_owned(),
                rules: REPLICATION_RULES.to_owned(),
                password_key: "replication-password".to_owned(),
            },
            sentinel_user: AclUser {
                name: "sentinel".to_owned(),
                rules: SENTINEL_RULES.to_owned(),
                password_key: "sentinel-password".to_owned(),
            },
            chart_user: AclLogin {
                name: "redis-ha".to_owned(),
                rules: CHART_RULES.to_owned(),
            },
            disable_default_user: false,
        }
    }
}

/// A Redis user whose password is a key of the ACL Secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AclUser {
    /// User name.
    #[schemars(pattern(r"^[A-Za-z0-9][-_.A-Za-z0-9]*$"), length(max = 64))]
    pub name: String,
    /// ACL rules, as after `ACL SETUSER <name> on`: commands (`+get`, `-@dangerous`, `+config|get`), keys (`~app:*`, `%R~cache:*`), channels (`&events:*`). Passwords never go here (no `>`, `<`, `#` or `!`).
    #[schemars(pattern(r"^[^\n\r<>#!]*$"), length(max = 4096))]
    pub rules: String,
    /// Key of the user's password in the ACL Secret.
    #[schemars(length(min = 1, max = 253), pattern(r"^[-._a-zA-Z0-9]+$"))]
    pub password_key: String,
}

/// A Redis user that logs in with the release's password.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AclLogin {
    /// User name.
    #[schemars(pattern(r"^[A-Za-z0-9][-_.A-Za-z0-9]*$"), length(max = 64))]
    pub name: String,
    /// ACL rules, as after `ACL SETUSER <name> on`; no passwords (`>`, `<`, `#`, `!`).
    #[schemars(pattern(r"^[^\n\r<>#!]*$"), length(max = 4096))]
    pub rules: String,
}
