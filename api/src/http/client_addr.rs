//! The client's address, as far as it can be believed: what per-client limits count by.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;

/// The client's address: the socket peer locally (the API's listener or the CNS TLS listener); on
/// Lambda, the CNS domain's peer ([`MutualTlsPeer`]) or else the entry our proxies wrote in
/// `X-Forwarded-For`, falling back to "unspecified" (one shared bucket).
pub struct ClientAddr(pub IpAddr);

/// The client's address as API Gateway saw it on the CNS mutual-TLS domain (the request context's
/// `sourceIp`, which no client writes). Nothing stands between the browser and that domain, so
/// this is the client itself, whereas `X-Forwarded-For` there holds only what the client wrote
/// and API Gateway's own entry: read with CloudFront's hop count, it would pick a client-written
/// value. Only `api::lambda` inserts it.
#[derive(Debug, Clone, Copy)]
pub struct MutualTlsPeer(pub IpAddr);

/// The client's address from `X-Forwarded-For` when `hops` proxies we run appended to it (API
/// Gateway: 1; CloudFront in front of it: 2). Entries further left were written by the client
/// itself and prove nothing, so they are never used: a forged header cannot dodge the limit.
pub fn forwarded_client(header: &str, hops: usize) -> Option<IpAddr> {
    let entries: Vec<&str> = header.split(',').map(str::trim).collect();
    let index = entries.len().checked_sub(hops.max(1))?;
    entries[index].parse().ok()
}

impl FromRequestParts<crate::AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &crate::AppState) -> Result<Self, Self::Rejection> {
        if let Some(ConnectInfo(addr)) = parts.extensions.get::<ConnectInfo<SocketAddr>>() {
            return Ok(ClientAddr(addr.ip()));
        }
        if let Some(ConnectInfo(peer)) = parts.extensions.get::<ConnectInfo<crate::cns::TlsPeer>>() {
            return Ok(ClientAddr(peer.addr.ip()));
        }
        if let Some(MutualTlsPeer(ip)) = parts.extensions.get::<MutualTlsPeer>() {
            return Ok(ClientAddr(*ip));
        }
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| forwarded_client(v, state.config.trusted_proxy_hops));
        Ok(ClientAddr(forwarded.unwrap_or(IpAddr::from([0, 0, 0, 0]))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_addresses_our_proxies_wrote_are_believed() {
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        // Direct to API Gateway: it appended the caller's address last.
        assert_eq!(forwarded_client("203.0.113.7", 1), ip("203.0.113.7"));
        assert_eq!(forwarded_client("1.2.3.4, 203.0.113.7", 1), ip("203.0.113.7"));
        // Through CloudFront: the viewer, then CloudFront's edge.
        assert_eq!(
            forwarded_client("1.2.3.4, 203.0.113.7, 130.176.0.1", 2),
            ip("203.0.113.7")
        );
        assert_eq!(forwarded_client("203.0.113.7", 2), None, "fewer entries than proxies");
        assert_eq!(forwarded_client("not-an-ip", 1), None);
    }
}
