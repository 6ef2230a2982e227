//! The server's public address: the base of the guest URLs in the QR codes and of the socket
//! URL shown with POS credentials. The configured public URL when there is one; otherwise the
//! address the browser used (the `Host` header, and `X-Forwarded-Proto` behind a TLS proxy) —
//! a phone that scans a code must reach the host the admin reached, so the listen address is
//! no good here.

use crate::config::Config;
use axum::http::{header, HeaderMap};

/// Whether the browser reached us over HTTPS (directly or through a proxy that says so).
pub fn over_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

fn host(headers: &HeaderMap) -> &str {
    headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
        .unwrap_or("localhost")
}

/// `http://host[:port]` or `https://…`, no trailing slash.
pub fn public_base(config: &Config, headers: &HeaderMap) -> String {
    if let Some(url) = config.public_url.as_deref().map(|u| u.trim_end_matches('/')).filter(|u| !u.is_empty()) {
        return url.to_string();
    }
    let scheme = if over_https(headers) { "https" } else { "http" };
    format!("{scheme}://{}", host(headers))
}

/// The base the QR codes would carry when phones cannot reach it: no public URL is set and the
/// panel was opened through a loopback or private address (`localhost`, `127.0.0.1`, `::1`,
/// `10.x`, `172.16–31.x`, `192.168.x`, `*.local`). A phone on the guest's mobile network cannot
/// open such a code (and on the restaurant's Wi-Fi only by luck).
pub fn unreachable_by_phones(config: &Config, headers: &HeaderMap) -> Option<String> {
    let configured = config.public_url.as_deref().is_some_and(|u| !u.trim().is_empty());
    (!configured && is_local_host(host(headers))).then(|| public_base(config, headers))
}

fn is_local_host(host_and_port: &str) -> bool {
    let host = match host_and_port.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host_and_port.rsplit_once(':').map_or(host_and_port, |(host, _)| host),
    };
    if host.eq_ignore_ascii_case("localhost") || host.to_ascii_lowercase().ends_with(".local") {
        return true;
    }
    match host.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => {
            ip.is_loopback() || ip.is_private() || ip.is_link_local() || ip.is_unspecified()
        }
        Ok(std::net::IpAddr::V6(ip)) => {
            ip.is_loopback() || ip.is_unspecified() || (ip.segments()[0] & 0xfe00) == 0xfc00
        }
        Err(_) => false,
    }
}

/// Where a POS opens its socket.
pub fn socket_url(config: &Config, headers: &HeaderMap) -> String {
    let base = public_base(config, headers);
    let base = base.strip_prefix("http").map(|rest| format!("ws{rest}")).unwrap_or(base);
    format!("{base}/restaurantEntryPoint")
}

/// The guest page a table's QR code opens.
pub fn guest_table_url(base: &str, resto_id: &str, table_number: &str) -> String {
    format!("{base}{}", crate::web::paths::table(resto_id, table_number))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Storage;
    use axum::http::HeaderValue;

    fn config(public_url: Option<&str>) -> Config {
        let mut config = Config::new(Storage::Sqlite("unused".into()));
        config.public_url = public_url.map(str::to_string);
        config
    }

    fn with_host(host: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static(host));
        headers
    }

    #[test]
    fn codes_for_loopback_and_private_addresses_are_flagged_unless_a_public_url_is_set() {
        for host in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080", "192.168.1.20", "10.0.0.5:80", "cafe.local"] {
            assert_eq!(
                unreachable_by_phones(&config(None), &with_host(host)).as_deref(),
                Some(format!("http://{host}").as_str()),
                "{host}"
            );
            assert_eq!(unreachable_by_phones(&config(Some("https://pay.example")), &with_host(host)), None);
        }
        for host in ["pay.example.com", "8.8.8.8:8080", "[2001:db8::1]:443"] {
            assert_eq!(unreachable_by_phones(&config(None), &with_host(host)), None, "{host}");
        }
    }

    #[test]
    fn the_base_follows_the_host_and_the_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("cafe.example:8443"));
        assert_eq!(public_base(&config(None), &headers), "http://cafe.example:8443");
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(public_base(&config(None), &headers), "https://cafe.example:8443");
        assert_eq!(socket_url(&config(None), &headers), "wss://cafe.example:8443/restaurantEntryPoint");
    }

    #[test]
    fn a_configured_public_url_wins() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("10.0.0.5:8080"));
        let config = config(Some("https://pay.cafe.example/"));
        assert_eq!(public_base(&config, &headers), "https://pay.cafe.example");
        assert_eq!(socket_url(&config, &headers), "wss://pay.cafe.example/restaurantEntryPoint");
    }

    #[test]
    fn a_strange_host_is_not_copied_into_codes() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("evil.example/phish?"));
        assert_eq!(public_base(&config(None), &headers), "http://localhost");
    }
}
