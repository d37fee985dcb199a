//! The local server's TLS listener for the card step: it asks every browser for a client
//! certificate and hands the connection's certificates to the route as a [`TlsPeer`].

use std::net::SocketAddr;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, UnixTime};
use tokio::net::TcpListener;

use crate::config::cns::CnsConfig;

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
