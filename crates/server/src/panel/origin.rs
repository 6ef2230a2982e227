//! The server's address as the browser sees it (from the `Host` header, and
//! `X-Forwarded-Proto` behind a TLS proxy): the base of the guest URLs in the QR codes and of
//! the socket URL shown with POS credentials. A phone that scans a code must reach the same
//! host the admin used, so the listen address is no good here.

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
pub fn public_base(headers: &HeaderMap) -> String {
    let scheme = if over_https(headers) { "https" } else { "http" };
    format!("{scheme}://{}", host(headers))
}

/// Where a POS opens its socket.
pub fn socket_url(headers: &HeaderMap) -> String {
    let scheme = if over_https(headers) { "wss" } else { "ws" };
    format!("{scheme}://{}/restaurantEntryPoint", host(headers))
}

/// The guest page a table's QR code opens.
pub fn guest_table_url(base: &str, resto_id: &str, table_number: &str) -> String {
    format!("{base}/t/{resto_id}/{table_number}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn the_base_follows_the_host_and_the_proxy() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("cafe.example:8443"));
        assert_eq!(public_base(&headers), "http://cafe.example:8443");
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert_eq!(public_base(&headers), "https://cafe.example:8443");
        assert_eq!(socket_url(&headers), "wss://cafe.example:8443/restaurantEntryPoint");
    }

    #[test]
    fn a_strange_host_is_not_copied_into_codes() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("evil.example/phish?"));
        assert_eq!(public_base(&headers), "http://localhost");
    }
}
