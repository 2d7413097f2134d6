//! `tls`: TLS for Redis, replication, Sentinel and the exporter, from an existing Secret.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// TLS on every connection; the plain-text ports are closed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields, rename_all = "camelCase")]
pub struct Tls {
    /// Serve TLS only (`tls-port`, `port 0`, `tls-replication yes`) on Redis and Sentinel.
    pub enabled: bool,
    /// Secret with the certificate, its key and the CA (for example one written by cert-manager); required when `tls.enabled`. The certificate should name the pods' DNS names (`*.<release>-redis-headless.<namespace>.svc.<clusterDomain>` and the Sentinel ones).
    #[schemars(
        pattern(r"^(|[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)$"),
        length(max = 253)
    )]
    pub existing_secret: String,
    /// Key of the certificate in the Secret.
    #[schemars(length(min = 1, max = 253), pattern(r"^[-._a-zA-Z0-9]+$"))]
    pub cert_filename: String,
    /// Key of the private key in the Secret.
    #[schemars(length(min = 1, max = 253), pattern(r"^[-._a-zA-Z0-9]+$"))]
    pub key_filename: String,
    /// Key of the CA certificate in the Secret.
    #[schemars(length(min = 1, max = 253), pattern(r"^[-._a-zA-Z0-9]+$"))]
    pub ca_filename: String,
    /// `tls-auth-clients`: require clients to present a certificate signed by the CA.
    pub auth_clients: bool,
}

impl Default for Tls {
    fn default() -> Self {
        Self {
            enabled: false,
            existing_secret: String::new(),
            cert_filename: "tls.crt".to_owned(),
            key_filename: "tls.key".to_owned(),
            ca_filename: "ca.crt".to_owned(),
            auth_clients: true,
        }
    }
}
