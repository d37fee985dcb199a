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

pub mod certificate;
pub mod listener;

pub use certificate::{ClientCertificate, CnsRefusal, verify_cns_certificate};
pub use listener::{CnsStartError, TlsListener, TlsPeer, tls_listener};

pub use crate::config::cns::{
    CNS_BINDING_COOKIE, CNS_COMPLETE_PATH, CNS_LOGIN_PATH, CNS_POLICY_OID, CNS_START_PATH, CnsConfig,
};
/// The `method` of a handoff record: stored by its own aggregate, never a session's (a citizen
/// session with it is refused), redeemed once at [`CNS_COMPLETE_PATH`].
pub use crate::store::CNS_HANDOFF_METHOD as HANDOFF_METHOD;
