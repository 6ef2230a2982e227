//! Who a request comes from, as the per-address limits count it: the connection cap per address
//! (`crate::serving`) and each address's share of the unverified-body budget (the gateway).
//!
//! Why one place: behind a reverse proxy every client has the proxy's address. Trusting the
//! proxy's `X-Forwarded-For` is a change to [`of_request`] alone (the connection cap, counted
//! before any header is read, can only ever see the peer: `docs/deploying.md` says how to set it
//! behind a proxy). An IPv6 client is counted by its /64 network, since one machine is usually
//! given a whole /64 and could otherwise take a fresh address for every connection.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

/// The address a connection from `peer` is counted under (IPv4-mapped IPv6 as IPv4; IPv6 cut
/// to its /64).
pub fn of_peer(peer: SocketAddr) -> IpAddr {
    match peer.ip().to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

/// The address a request is counted under. Today the peer's (see the module docs); the one
/// function to change when a proxy's word is trusted.
pub fn of_request(peer: SocketAddr, _headers: &HeaderMap) -> IpAddr {
    of_peer(peer)
}

/// The address a request is counted under, as an extractor ([`of_request`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // `crate::serving` gives every request its peer; a server built otherwise is a bug.
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or((StatusCode::INTERNAL_SERVER_ERROR, "the server does not know the client's address"))?;
        Ok(ClientAddress(of_request(peer, &parts.headers)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_is_counted_as_it_is_and_ipv6_by_its_64_network() {
        let v4: SocketAddr = "203.0.113.7:5000".parse().unwrap();
        assert_eq!(of_peer(v4), "203.0.113.7".parse::<IpAddr>().unwrap());
        let mapped: SocketAddr = "[::ffff:203.0.113.7]:5000".parse().unwrap();
        assert_eq!(of_peer(mapped), "203.0.113.7".parse::<IpAddr>().unwrap());
        let one: SocketAddr = "[2001:db8:1:2:aaaa::1]:5000".parse().unwrap();
        let other: SocketAddr = "[2001:db8:1:2:bbbb::9]:5000".parse().unwrap();
        assert_eq!(of_peer(one), of_peer(other));
        assert_eq!(of_peer(one), "2001:db8:1:2::".parse::<IpAddr>().unwrap());
        let elsewhere: SocketAddr = "[2001:db8:1:3::1]:5000".parse().unwrap();
        assert_ne!(of_peer(one), of_peer(elsewhere));
    }
}
