//! OpenID Connect Federation 1.0 as SPID's and CIE's OIDC profiles use it (ADR 0024): our entity
//! configuration, the providers' trust chains and metadata policy.

pub mod chain;
pub mod policy;
