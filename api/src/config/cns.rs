//! Where CNS logins are served and which certification authorities are trusted
//! (`SPORTELLO_CNS_*`), and the paths of the CNS login, which the configuration's URLs name.

use std::net::SocketAddr;
use std::path::PathBuf;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::error::ConfigError;

/// The CNS certificate policy (AgID, "Carta Nazionale dei Servizi").
pub const CNS_POLICY_OID: &str = "1.3.76.16.2.1";
/// The login path, on the CNS listener or the mutual-TLS domain.
pub const CNS_LOGIN_PATH: &str = "/api/auth/cns";

/// Where the card's host hands a CNS login over to the service's own host. The card is read on
/// a host of its own (mutual TLS cannot be asked of every visitor), whose cookies the service's
/// host never sees: so that host stores a one-use handoff and sends the browser here, where the
/// session cookie is set on the right host.
pub const CNS_COMPLETE_PATH: &str = "/api/auth/cns/complete";

/// Where a CNS login starts, on the service's own host: it sets [`CNS_BINDING_COOKIE`] and sends
/// the browser on to the card's host. The login page links here.
pub const CNS_START_PATH: &str = "/api/auth/cns/start";

/// The cookie that binds a CNS login to the browser that started it; only its hash travels.
pub const CNS_BINDING_COOKIE: &str = "sportello_cns";

/// Where CNS logins are served and which authorities are trusted.
#[derive(Debug, Clone, Default)]
pub struct CnsConfig {
    /// The local TLS listener (`SPORTELLO_CNS_ADDR`, e.g. `127.0.0.1:8443`); unset: none.
    pub addr: Option<SocketAddr>,
    /// The trusted CNS certification authorities, DER (`SPORTELLO_CNS_CA`: a PEM bundle file).
    pub ca_certificates: Vec<Vec<u8>>,
    /// The listener's own certificate chain, PEM file (`SPORTELLO_CNS_TLS_CERT`).
    pub tls_cert_file: Option<PathBuf>,
    /// The listener's private key, PEM file (`SPORTELLO_CNS_TLS_KEY`).
    pub tls_key_file: Option<PathBuf>,
    /// The public base URL of the CNS login (`SPORTELLO_CNS_URL`; default `https://{SPORTELLO_CNS_ADDR}`),
    /// e.g. the API Gateway mutual-TLS custom domain.
    pub public_url: Option<String>,
}

impl CnsConfig {
    /// Reads the CNS part of the configuration.
    pub fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<CnsConfig, ConfigError> {
        let get = |var: &str| lookup(var).filter(|v| !v.is_empty());
        let addr = match get("SPORTELLO_CNS_ADDR") {
            None => None,
            Some(value) => Some(value.parse().map_err(|_| ConfigError::Invalid {
                var: "SPORTELLO_CNS_ADDR",
                value,
                reason: "expected host:port, e.g. 127.0.0.1:8443",
            })?),
        };
        let ca_certificates = match get("SPORTELLO_CNS_CA") {
            None => Vec::new(),
            Some(path) => {
                let pem = std::fs::read(&path).map_err(|_| ConfigError::Invalid {
                    var: "SPORTELLO_CNS_CA",
                    value: path.clone(),
                    reason: "cannot read the file",
                })?;
                let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(&pem)
                    .filter_map(Result::ok)
                    .map(|c| c.to_vec())
                    .collect();
                if certs.is_empty() {
                    return Err(ConfigError::Invalid {
                        var: "SPORTELLO_CNS_CA",
                        value: path,
                        reason: "expected PEM certificates",
                    });
                }
                certs
            }
        };
        let config = CnsConfig {
            addr,
            ca_certificates,
            tls_cert_file: get("SPORTELLO_CNS_TLS_CERT").map(PathBuf::from),
            tls_key_file: get("SPORTELLO_CNS_TLS_KEY").map(PathBuf::from),
            public_url: get("SPORTELLO_CNS_URL").map(|u| u.trim_end_matches('/').to_owned()),
        };
        if config.addr.is_some() && (config.tls_cert_file.is_none() || config.tls_key_file.is_none()) {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_CNS_TLS_CERT",
                value: String::new(),
                reason: "the CNS listener needs SPORTELLO_CNS_TLS_CERT and SPORTELLO_CNS_TLS_KEY",
            });
        }
        if (config.addr.is_some() || config.public_url.is_some()) && config.ca_certificates.is_empty() {
            return Err(ConfigError::Invalid {
                var: "SPORTELLO_CNS_CA",
                value: String::new(),
                reason: "CNS login needs the CA bundle that issues CNS certificates",
            });
        }
        Ok(config)
    }

    /// The card step's URL on the card's host, when CNS is configured: where
    /// [`CNS_START_PATH`] sends the browser (the login page links to that start, not here).
    pub fn login_url(&self) -> Option<String> {
        let base = self
            .public_url
            .clone()
            .or_else(|| self.addr.map(|a| format!("https://{a}")))?;
        Some(format!("{base}{CNS_LOGIN_PATH}"))
    }
}
