//! Who a request comes from, as the per-address limits count it: the connection cap per address
//! (`crate::serving`), each address's share of the unverified-body budget and the POS socket's
//! failed-login allowance (the gateway).
//!
//! Why one place: behind a reverse proxy every client has the proxy's address, so one client's
//! failures would be everyone's. A proxy named in `--trusted-proxies` is believed: the client is
//! the address its `X-Forwarded-For` puts last before the trusted hops (what nginx's
//! `$proxy_add_x_forwarded_for` appends); anyone else's header is ignored, since a client can
//! write any header it likes. [`of_request`] is that rule, once. The connection cap, counted
//! before any header is read, can only ever see the peer (`docs/deploying.md` says how to set it
//! behind a proxy). An IPv6 client is counted by its /64 network, since one machine is usually
//! given a whole /64 and could otherwise take a fresh address for every connection.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use ipnet::IpNet;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

/// The proxies whose `X-Forwarded-For` is believed (`--trusted-proxies`): addresses and
/// networks. None by default. Cheap to clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Arc<[IpNet]>);

impl TrustedProxies {
    /// Reads addresses (`10.0.0.5`, `::1`) and networks (`10.0.0.0/8`), each of `items` one or
    /// several separated by commas; the item that is neither, as the error.
    ///
    /// ```
    /// use rahunok_server::client_address::TrustedProxies;
    /// let trusted = TrustedProxies::parse(&["127.0.0.1, 10.0.0.0/8"]).unwrap();
    /// assert!(trusted.trusts("10.1.2.3".parse().unwrap()));
    /// assert!(!trusted.trusts("192.0.2.1".parse().unwrap()));
    /// assert_eq!(TrustedProxies::parse(&["nginx"]).unwrap_err(), "nginx");
    /// ```
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<TrustedProxies, String> {
        let mut networks = Vec::new();
        for item in items.iter().flat_map(|i| i.as_ref().split(',')).map(str::trim).filter(|i| !i.is_empty()) {
            let network = match item.parse::<IpNet>() {
                Ok(network) => network.trunc(),
                Err(_) => item.parse::<IpAddr>().map(IpNet::from).map_err(|_| item.to_string())?,
            };
            networks.push(network);
        }
        Ok(TrustedProxies(networks.into()))
    }

    /// Whether a connection from `address` is one of the trusted proxies.
    pub fn trusts(&self, address: IpAddr) -> bool {
        let address = address.to_canonical();
        self.0.iter().any(|network| network.contains(&address))
    }

    /// Whether no proxy is trusted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The address a connection from `peer` is counted under (IPv4-mapped IPv6 as IPv4; IPv6 cut
/// to its /64).
pub fn of_peer(peer: SocketAddr) -> IpAddr {
    counted(peer.ip())
}

fn counted(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(network))
        }
        v4 => v4,
    }
}

/// The address a request is counted under: the peer's, unless the peer is a trusted proxy;
/// then the right-most `X-Forwarded-For` entry that is not itself a trusted proxy (the hops
/// right of it were added by proxies we trust; anything left of it was written by the client).
/// An entry that is not an address stops the walk at the last trusted hop, so a garbled header
/// counts the proxy, never a name the client chose.
pub fn of_request(peer: SocketAddr, headers: &HeaderMap, trusted: &TrustedProxies) -> IpAddr {
    if trusted.is_empty() || !trusted.trusts(peer.ip()) {
        return of_peer(peer);
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer.ip();
    for hop in hops.iter().rev() {
        let Ok(address) = hop.parse::<IpAddr>() else { break };
        client = address;
        if !trusted.trusts(address) {
            break;
        }
    }
    counted(client)
}

/// The address a request is counted under, as an extractor ([`of_request`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = (StatusCode, &'static str);

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // `crate::serving` gives every request its peer; a server built otherwise is a bug. The
        // router gives it the trusted proxies (`crate::routes`); without them, none is trusted.
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .copied()
            .ok_or((StatusCode::INTERNAL_SERVER_ERROR, "the server does not know the client's address"))?;
        let trusted = parts.extensions.get::<TrustedProxies>().cloned().unwrap_or_default();
        Ok(ClientAddress(of_request(peer, &parts.headers, &trusted)))
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

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append("x-forwarded-for", value.parse().unwrap());
        }
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn a_trusted_proxy_is_believed_and_anyone_else_is_not() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8", "::1"]).unwrap();
        let proxy: SocketAddr = "10.0.0.5:40000".parse().unwrap();
        let stranger: SocketAddr = "198.51.100.9:40000".parse().unwrap();
        let headers = forwarded(&["203.0.113.7"]);
        assert_eq!(of_request(proxy, &headers, &trusted), ip("203.0.113.7"));
        assert_eq!(of_request(stranger, &headers, &trusted), ip("198.51.100.9"), "a stranger's header is ignored");
        assert_eq!(of_request(proxy, &headers, &TrustedProxies::default()), ip("10.0.0.5"), "no proxy trusted");
        assert_eq!(of_request(proxy, &HeaderMap::new(), &trusted), ip("10.0.0.5"), "no header: the proxy");
        let v6: SocketAddr = "[::1]:40000".parse().unwrap();
        assert_eq!(of_request(v6, &forwarded(&["2001:db8:1:2::7"]), &trusted), ip("2001:db8:1:2::"), "by its /64");
    }

    #[test]
    fn the_client_is_the_last_hop_before_the_trusted_ones_whatever_it_wrote_before() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let proxy: SocketAddr = "10.0.0.5:40000".parse().unwrap();
        // The client wrote "1.1.1.1" itself; nginx appended the address it saw.
        assert_eq!(of_request(proxy, &forwarded(&["1.1.1.1, 203.0.113.7"]), &trusted), ip("203.0.113.7"));
        // Two proxies of ours in a row: the first one's entry is skipped.
        assert_eq!(of_request(proxy, &forwarded(&["1.1.1.1, 203.0.113.7, 10.0.0.9"]), &trusted), ip("203.0.113.7"));
        // Several header lines are one list.
        assert_eq!(of_request(proxy, &forwarded(&["1.1.1.1", "203.0.113.7"]), &trusted), ip("203.0.113.7"));
        // Garbage stops the walk at the last trusted hop.
        assert_eq!(of_request(proxy, &forwarded(&["203.0.113.7, not-an-ip"]), &trusted), ip("10.0.0.5"));
        assert_eq!(of_request(proxy, &forwarded(&["203.0.113.7, 10.0.0.9, junk"]), &trusted), ip("10.0.0.5"));
        assert_eq!(of_request(proxy, &forwarded(&["junk, 203.0.113.7"]), &trusted), ip("203.0.113.7"));
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        let trusted = TrustedProxies::parse(&["127.0.0.1,10.1.2.3/16", " ", "fd00::/8"]).unwrap();
        assert!(trusted.trusts(ip("127.0.0.1")));
        assert!(trusted.trusts(ip("::ffff:127.0.0.1")), "IPv4-mapped");
        assert!(trusted.trusts(ip("10.1.200.1")), "the network of 10.1.2.3/16");
        assert!(trusted.trusts(ip("fd12::1")));
        assert!(!trusted.trusts(ip("127.0.0.2")));
        assert_eq!(TrustedProxies::parse(&["10.0.0.0/33"]).unwrap_err(), "10.0.0.0/33");
        assert!(TrustedProxies::parse::<&str>(&[]).unwrap().is_empty());
    }
}
