//! The one check of a CNS client certificate, whichever way it arrived.

use chrono::{DateTime, Utc};
use domain::{CodiceFiscale, ErrorCode};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, UnixTime};

use crate::config::cns::CNS_POLICY_OID;

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

/// The chain a TLS peer sent, as PEM (what [`verify_cns_certificate`] reads).
pub fn pem_chain(certificates: &[Vec<u8>]) -> Vec<u8> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
