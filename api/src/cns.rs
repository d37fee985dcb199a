//! CNS login (Carta Nazionale dei Servizi): a TLS client certificate on a smart card whose subject
//! carries the codice fiscale.
//!
//! [`verify_cns_certificate`] is the one check, shared by both ways a certificate arrives: the
//! local server's own TLS listener ([`serve_tls`], `SPORTELLO_CNS_ADDR`), which asks the browser for
//! a client certificate, and API Gateway's mutual TLS, which forwards the certificate it verified
//! to Lambda (the Lambda adapter puts it in the request as a [`ClientCertificate`] extension). The
//! certificate's chain is verified against the configured CA bundle (`SPORTELLO_CNS_CA`), then its
//! validity, the CNS certificate policy (OID 1.3.76.16.2.1) and the subject's common name
//! `<CF>/<serial>.<hash>`; a good one opens a full session.
//!
//! The TLS listener accepts any client certificate during the handshake (it still checks that the
//! browser holds the certificate's key) so that a wrong one gets a page that says what is wrong,
//! rather than a browser-level TLS error.
//!
//! The login is bound to the browser that starts it: [`CNS_START_PATH`], on the service's own
//! host, sets a short-lived HttpOnly cookie and sends the browser to the card's host with the
//! cookie's hash (`legame`); the card's host keeps that hash in the handoff, and
//! [`CNS_COMPLETE_PATH`] opens the session only for the browser holding the cookie. A handoff link
//! opened anywhere else (an attacker's card, a victim's browser; or a link seen over a shoulder) is
//! refused with `auth.cns_other_browser`. The card's host serves the card step and nothing else.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::extract::{ConnectInfo, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use domain::{CodiceFiscale, ErrorCode, Scope};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use serde::Deserialize;
use tokio::net::TcpListener;

use crate::auth::cookie_value;
use crate::config::ConfigError;
use crate::rate_limit::ClientAddr;
use crate::routes::start_session;
use crate::secrets::{constant_time_eq, new_session_token, session_token_hash};
use crate::store::SessionRecord;
use crate::{ApiError, AppState};

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

/// How long the binding cookie lasts: the card step (reader, card PIN) and the handoff back.
const BINDING_LIFETIME_SECS: i64 = 300;

/// The `method` of a handoff record. It lives with the sessions (it expires like one) but is never
/// one: `auth::current_session` refuses it, and [`CNS_COMPLETE_PATH`] redeems it once.
pub const HANDOFF_METHOD: &str = crate::store::CNS_HANDOFF_METHOD;

/// How long a handoff can be redeemed: one redirect, with room for a slow phone.
const HANDOFF_LIFETIME: chrono::Duration = chrono::Duration::seconds(60);

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

/// A client certificate (PEM or DER) that a trusted TLS terminator verified possession of: the
/// local TLS listener, or API Gateway's mutual TLS through the Lambda adapter. Only server code
/// inserts it; nothing from the request's headers ever becomes one.
#[derive(Debug, Clone)]
pub struct ClientCertificate(pub Vec<u8>);

/// Why a certificate does not open a session.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CnsRefusal {
    /// No certificate was presented.
    #[error("no client certificate")]
    Missing,
    /// Not parseable, or not issued by a trusted CNS authority.
    #[error("certificate not trusted: {0}")]
    Untrusted(String),
    /// Outside its validity period.
    #[error("certificate expired or not yet valid")]
    Expired,
    /// Without the CNS certificate policy.
    #[error("certificate without the CNS policy")]
    Policy,
    /// The subject's common name is not `<CF>/<serial>.<hash>` with a valid codice fiscale.
    #[error("subject not a CNS one: {0}")]
    Subject(String),
}

impl CnsRefusal {
    /// The stable code shown to the citizen.
    pub fn code(&self) -> ErrorCode {
        match self {
            CnsRefusal::Missing => ErrorCode::AuthCertificateMissing,
            CnsRefusal::Untrusted(_) => ErrorCode::AuthCertificateInvalid,
            CnsRefusal::Expired => ErrorCode::AuthCertificateExpired,
            CnsRefusal::Policy => ErrorCode::AuthCertificatePolicy,
            CnsRefusal::Subject(_) => ErrorCode::AuthIdentityInvalid,
        }
    }
}

/// Checks a CNS client certificate (`certificate`: DER, or PEM with the end-entity first and any
/// intermediates after it) against the trusted authorities `roots` (DER) at `now`, and returns the
/// codice fiscale of its holder.
pub fn verify_cns_certificate(
    certificate: &[u8],
    roots: &[Vec<u8>],
    now: DateTime<Utc>,
) -> Result<CodiceFiscale, CnsRefusal> {
    let chain: Vec<CertificateDer<'static>> = if certificate.starts_with(b"-----BEGIN") {
        CertificateDer::pem_slice_iter(certificate)
            .collect::<Result<_, _>>()
            .map_err(|e| CnsRefusal::Untrusted(format!("PEM: {e:?}")))?
    } else {
        vec![CertificateDer::from(certificate.to_vec())]
    };
    let (leaf, intermediates) = chain.split_first().ok_or(CnsRefusal::Missing)?;
    let roots: Vec<CertificateDer<'_>> = roots.iter().map(|der| CertificateDer::from(der.as_slice())).collect();
    let anchors: Vec<_> = roots
        .iter()
        .filter_map(|der| webpki::anchor_from_trusted_cert(der).ok())
        .collect();
    let end_entity = webpki::EndEntityCert::try_from(leaf).map_err(|e| CnsRefusal::Untrusted(format!("parse: {e}")))?;
    let time = UnixTime::since_unix_epoch(std::time::Duration::from_secs(now.timestamp().max(0) as u64));
    end_entity
        .verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &anchors,
            intermediates,
            time,
            webpki::KeyUsage::client_auth(),
            None,
            None,
        )
        .map_err(|e| match e {
            webpki::Error::CertExpired { .. } | webpki::Error::CertNotValidYet { .. } => CnsRefusal::Expired,
            other => CnsRefusal::Untrusted(other.to_string()),
        })?;
    let (_, parsed) =
        x509_parser::parse_x509_certificate(leaf.as_ref()).map_err(|e| CnsRefusal::Untrusted(format!("parse: {e}")))?;
    let has_policy = parsed.iter_extensions().any(|ext| match ext.parsed_extension() {
        x509_parser::extensions::ParsedExtension::CertificatePolicies(policies) => {
            policies.iter().any(|p| p.policy_id.to_id_string() == CNS_POLICY_OID)
        }
        _ => false,
    });
    if !has_policy {
        return Err(CnsRefusal::Policy);
    }
    let cn = parsed
        .subject()
        .iter_common_name()
        .next()
        .and_then(|cn| cn.as_str().ok())
        .ok_or_else(|| CnsRefusal::Subject("no common name".into()))?;
    codice_fiscale_of_common_name(cn)
}

/// The codice fiscale in a CNS common name `<CF>/<serial>.<hash>`.
fn codice_fiscale_of_common_name(cn: &str) -> Result<CodiceFiscale, CnsRefusal> {
    let malformed = || CnsRefusal::Subject(format!("common name {cn:?} is not <CF>/<serial>.<hash>"));
    let (cf, rest) = cn.split_once('/').ok_or_else(malformed)?;
    let (serial, hash) = rest.split_once('.').ok_or_else(malformed)?;
    if serial.is_empty() || hash.is_empty() || cf.len() != 16 {
        return Err(malformed());
    }
    CodiceFiscale::parse(cf).map_err(|e| CnsRefusal::Subject(format!("codice fiscale: {e:?}")))
}

/// The connection's client certificate, on the local TLS listener.
#[derive(Debug, Clone)]
pub struct TlsPeer {
    /// The client's address.
    pub addr: SocketAddr,
    /// The end-entity certificate and any intermediates the client sent, DER.
    pub certificates: Vec<Vec<u8>>,
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, TlsListener>> for TlsPeer {
    fn connect_info(stream: axum::serve::IncomingStream<'_, TlsListener>) -> TlsPeer {
        let (_, connection) = stream.io().get_ref();
        TlsPeer {
            addr: *stream.remote_addr(),
            certificates: connection
                .peer_certificates()
                .unwrap_or_default()
                .iter()
                .map(|c| c.to_vec())
                .collect(),
        }
    }
}

/// The `Set-Cookie` value of the binding cookie (`max_age_secs` 0 clears it). `SameSite=Lax`, not
/// Strict: the completion is a top-level navigation redirected from the card's host, which may be
/// another site, and Strict would withhold the cookie there; Lax is still never sent with a
/// cross-site subrequest or POST. The path keeps it to the CNS routes.
pub fn binding_cookie(value: &str, max_age_secs: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{CNS_BINDING_COOKIE}={value}; Path={CNS_LOGIN_PATH}; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}"
    ))
    .expect("the value is hex")
}

/// A binding as the card's host receives it: the SHA-256 of the cookie, 64 lowercase hex digits.
fn is_binding(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `GET /api/auth/cns/start`, on the service's host: a new binding cookie, then the card's host
/// with the cookie's hash. Not found when CNS is not configured.
async fn start(State(state): State<AppState>) -> Result<Response, ApiError> {
    let card_step = state.config.cns.login_url().ok_or(ApiError::NotFound)?;
    let (value, binding) = new_session_token();
    let location = format!("{card_step}?legame={binding}");
    let cookie = binding_cookie(&value, BINDING_LIFETIME_SECS, state.config.secure_cookies);
    Ok((
        StatusCode::SEE_OTHER,
        [(header::LOCATION, location)],
        [(header::SET_COOKIE, cookie)],
    )
        .into_response())
}

fn redirect(state: &AppState, path: &str) -> Response {
    let location = format!("{}{path}", state.config.oidc.public_url);
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}

/// What the service's host sent along to the card step.
#[derive(Deserialize)]
struct CardStep {
    legame: Option<String>,
}

/// `GET /api/auth/cns` on the card's host: a handoff to a full session for the holder of a valid
/// CNS, bound to the browser that started the login; or back to the login page with the reason.
async fn login(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    Query(step): Query<CardStep>,
    request: Request,
) -> Result<Response, ApiError> {
    if !state.rate_limiter.allow(client, state.clock.now()) {
        return Err(ApiError::RateLimited {
            retry_after: std::time::Duration::from_secs(60),
        });
    }
    // Reached without going through the service's host (a bookmark, a link from elsewhere):
    // nothing to bind the login to, so it starts again from the login page.
    let Some(binding) = step.legame.filter(|b| is_binding(b)) else {
        tracing::warn!("CNS card step without a browser binding");
        return Ok(redirect(
            &state,
            &format!("/accedi?errore={}", ErrorCode::AuthFlowInvalid.as_str()),
        ));
    };
    let certificate = if let Some(ClientCertificate(bytes)) = request.extensions().get::<ClientCertificate>() {
        Some(bytes.clone())
    } else {
        request
            .extensions()
            .get::<ConnectInfo<TlsPeer>>()
            .filter(|peer| !peer.0.certificates.is_empty())
            .map(|peer| pem_chain(&peer.0.certificates))
    };
    let verified = match certificate {
        None => Err(CnsRefusal::Missing),
        Some(bytes) => verify_cns_certificate(&bytes, &state.config.cns.ca_certificates, state.clock.now()),
    };
    match verified {
        Ok(cf) => {
            tracing::info!("CNS login: handing over to the service's host");
            let now = state.clock.now();
            let (token, token_hash) = new_session_token();
            let handoff = SessionRecord {
                token_hash,
                codice_fiscale: cf.to_string(),
                scope: Scope::Full,
                method: HANDOFF_METHOD.into(),
                created_at: now,
                expires_at: now + HANDOFF_LIFETIME,
                absolute_expires_at: now + HANDOFF_LIFETIME,
                handoff_binding: Some(binding),
                credential: Some(domain::Credential::Cns),
            };
            state.store.put_handoff(&handoff).await?;
            Ok(redirect(&state, &format!("{CNS_COMPLETE_PATH}?passaggio={token}")))
        }
        Err(refusal) => {
            tracing::warn!(error = %refusal, "CNS login refused");
            Ok(redirect(&state, &format!("/accedi?errore={}", refusal.code().as_str())))
        }
    }
}

/// The handoff's token, as the card's host put it in the address.
#[derive(Deserialize)]
struct Handoff {
    passaggio: Option<String>,
}

/// `GET /api/auth/cns/complete?passaggio=…`: redeems a handoff once and opens the full session on
/// this host, for the browser that started the login; an unknown, used or stale handoff, or one
/// opened in another browser, goes back to the login page with the reason. The binding cookie is
/// cleared either way.
async fn complete(
    State(state): State<AppState>,
    Query(handoff): Query<Handoff>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let clear = binding_cookie("", 0, state.config.secure_cookies);
    let refuse = |code: ErrorCode| {
        let mut response = redirect(&state, &format!("/accedi?errore={}", code.as_str()));
        response.headers_mut().append(header::SET_COOKIE, clear.clone());
        response
    };
    let hash = session_token_hash(handoff.passaggio.as_deref().unwrap_or_default());
    // One use, in one atomic step: of two redemptions racing each other, one takes it.
    let Some(record) = state.store.take_handoff(&hash, state.clock.now()).await? else {
        tracing::warn!("CNS handoff unknown, already used or expired");
        return Ok(refuse(ErrorCode::AuthFlowInvalid));
    };
    let same_browser = cookie_value(&headers, CNS_BINDING_COOKIE)
        .map(|value| session_token_hash(&value))
        .zip(record.handoff_binding.as_deref())
        .is_some_and(|(held, bound)| constant_time_eq(held.as_bytes(), bound.as_bytes()));
    if !same_browser {
        tracing::warn!("CNS handoff opened in a browser that did not start the login");
        return Ok(refuse(ErrorCode::AuthCnsOtherBrowser));
    }
    let (_, cookie) = start_session(&state, record.codice_fiscale, domain::Credential::Cns).await?;
    let mut response = redirect(&state, crate::routes::AFTER_LOGIN);
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response.headers_mut().append(header::SET_COOKIE, clear);
    Ok(response)
}

fn pem_chain(certificates: &[Vec<u8>]) -> Vec<u8> {
    use base64::Engine;
    let mut pem = String::new();
    for der in certificates {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        pem.push_str("-----BEGIN CERTIFICATE-----\n");
        for line in b64.as_bytes().chunks(64) {
            pem.push_str(std::str::from_utf8(line).expect("base64 is ASCII"));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
    }
    pem.into_bytes()
}

/// The CNS routes of the API: the start and the completion on the service's host, and the card
/// step for the API Gateway mutual-TLS path, which reaches the same function (`api::lambda` lets
/// requests of that domain reach only the card step).
pub fn router() -> Router<AppState> {
    card_router()
        .route(CNS_START_PATH.trim_start_matches("/api"), get(start))
        .route(CNS_COMPLETE_PATH.trim_start_matches("/api"), get(complete))
}

/// What the card's host serves: the card step, and nothing else.
pub fn card_router() -> Router<AppState> {
    Router::new().route(CNS_LOGIN_PATH.trim_start_matches("/api"), get(login))
}

/// Accepts TLS connections, asking every client for a certificate; the handshakes run off the
/// accept loop so that a slow client cannot hold up the others.
pub struct TlsListener {
    local_addr: SocketAddr,
    accepted: tokio::sync::mpsc::Receiver<(tokio_rustls::server::TlsStream<tokio::net::TcpStream>, SocketAddr)>,
}

impl axum::serve::Listener for TlsListener {
    type Io = tokio_rustls::server::TlsStream<tokio::net::TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        match self.accepted.recv().await {
            Some(connection) => connection,
            // The accept loop ended (its socket failed): serve nothing more.
            None => std::future::pending().await,
        }
    }

    fn local_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.local_addr)
    }
}

/// Asks for a client certificate without judging it during the handshake (the route does, and
/// says why); the handshake signature is still checked, proving the client holds the key.
#[derive(Debug)]
struct AskForAnyClientCertificate {
    hints: Vec<rustls::DistinguishedName>,
    algorithms: rustls::crypto::WebPkiSupportedAlgorithms,
}

impl rustls::server::danger::ClientCertVerifier for AskForAnyClientCertificate {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[rustls::DistinguishedName] {
        &self.hints
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<rustls::server::danger::ClientCertVerified, rustls::Error> {
        Ok(rustls::server::danger::ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

/// Why the CNS listener cannot start.
#[derive(Debug, thiserror::Error)]
pub enum CnsStartError {
    /// The listener's certificate or key cannot be read.
    #[error("CNS TLS certificate or key: {0}")]
    Identity(String),
    /// rustls refused the configuration.
    #[error("CNS TLS: {0}")]
    Tls(#[from] rustls::Error),
}

/// Wraps `listener` in TLS with the configured certificate, asking clients for a CNS certificate.
pub fn tls_listener(listener: TcpListener, config: &CnsConfig) -> Result<TlsListener, CnsStartError> {
    let missing = || CnsStartError::Identity("SPORTELLO_CNS_TLS_CERT and SPORTELLO_CNS_TLS_KEY are required".into());
    let cert_file = config.tls_cert_file.as_ref().ok_or_else(missing)?;
    let key_file = config.tls_key_file.as_ref().ok_or_else(missing)?;
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert_file)
        .and_then(|certs| certs.collect())
        .map_err(|e| CnsStartError::Identity(format!("{}: {e:?}", cert_file.display())))?;
    let key = PrivateKeyDer::from_pem_file(key_file)
        .map_err(|e| CnsStartError::Identity(format!("{}: {e:?}", key_file.display())))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let hints = config
        .ca_certificates
        .iter()
        .filter_map(|der| x509_parser::parse_x509_certificate(der).ok())
        .map(|(_, c)| rustls::DistinguishedName::from(c.subject().as_raw().to_vec()))
        .collect();
    let verifier = AskForAnyClientCertificate {
        hints,
        algorithms: provider.signature_verification_algorithms,
    };
    let tls = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(chain, key)?;
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(tls));
    let local_addr = listener
        .local_addr()
        .map_err(|e| CnsStartError::Identity(e.to_string()))?;
    let (sender, accepted) = tokio::sync::mpsc::channel(64);
    tokio::spawn(async move {
        loop {
            let (tcp, addr) = match listener.accept().await {
                Ok(v) => v,
                Err(e) => {
                    tracing::warn!(error = %e, "CNS accept failed");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            };
            let (acceptor, sender) = (acceptor.clone(), sender.clone());
            tokio::spawn(async move {
                let handshake = tokio::time::timeout(std::time::Duration::from_secs(10), acceptor.accept(tcp));
                if let Ok(Ok(tls)) = handshake.await {
                    let _ = sender.send((tls, addr)).await;
                }
            });
        }
    });
    Ok(TlsListener { local_addr, accepted })
}

/// Serves the CNS login on `listener` (TLS, client certificate requested) until the task ends.
pub async fn serve_tls(listener: TlsListener, state: AppState) -> std::io::Result<()> {
    let app = Router::new()
        .nest("/api", card_router())
        .fallback(|| async { ApiError::NotFound })
        .layer(axum::middleware::from_fn(crate::personal_headers::no_shared_caching))
        .with_state(state);
    axum::serve(listener, app.into_make_service_with_connect_info::<TlsPeer>()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_binding_cookie_is_http_only_lax_on_the_cns_path_and_secure_when_asked() {
        let set = binding_cookie("abc", 300, true);
        let set = set.to_str().unwrap();
        assert_eq!(
            set,
            "sportello_cns=abc; Path=/api/auth/cns; HttpOnly; SameSite=Lax; Max-Age=300; Secure"
        );
        assert!(!binding_cookie("abc", 300, false).to_str().unwrap().contains("Secure"));
        assert!(is_binding(&"0a".repeat(32)));
        assert!(!is_binding(&"0A".repeat(32)) && !is_binding("0a") && !is_binding(&"zz".repeat(32)));
    }

    #[test]
    fn the_common_name_must_be_cf_slash_serial_dot_hash() {
        let cf = "RSSMRA85T10A562S";
        assert_eq!(
            codice_fiscale_of_common_name(&format!("{cf}/7420091000049623.FmN6aCXvxGBXzpP3e4hpwBKwHH4="))
                .unwrap()
                .as_str(),
            cf
        );
        assert!(codice_fiscale_of_common_name(cf).is_err());
        assert!(codice_fiscale_of_common_name(&format!("{cf}/12345")).is_err());
        assert!(matches!(
            codice_fiscale_of_common_name("RSSMRA85T10A562X/1.a"),
            Err(CnsRefusal::Subject(_))
        ));
    }
}
