//! Cookies, read and written in one place.
//!
//! Why this exists: the guest's browser cookie, the panel's session and sign-in cookies, the
//! page language and the POS's `system` cookie are all read from the same `Cookie` headers, and
//! three of them are set the same way (`SameSite=Lax`, a path, a lifetime). Reading them by hand
//! in each place let the rules drift (which whitespace counts, what an empty value means); here
//! the `cookie` crate parses and prints them, once.

use axum::http::header::COOKIE;
use axum::http::{HeaderMap, HeaderValue};
use cookie::{Cookie, CookieBuilder, SameSite};
use std::time::Duration;

/// The value of the cookie `name` as the request sent it (surrounding whitespace dropped,
/// quotes kept), from any of its `Cookie` headers; the first one sent wins. An empty value is
/// as good as none.
///
/// ```
/// use axum::http::{header::COOKIE, HeaderMap, HeaderValue};
/// use rahunok_server::web::cookies;
/// let mut headers = HeaderMap::new();
/// headers.append(COOKIE, HeaderValue::from_static("lang=en; empty=; system=\"Poster\""));
/// headers.append(COOKIE, HeaderValue::from_static("lang=uk; other=1"));
/// assert_eq!(cookies::value(&headers, "lang"), Some("en"));
/// assert_eq!(cookies::value(&headers, "other"), Some("1"));
/// assert_eq!(cookies::value(&headers, "system"), Some("\"Poster\""));
/// assert_eq!(cookies::value(&headers, "empty"), None);
/// assert_eq!(cookies::value(&headers, "missing"), None);
/// ```
pub fn value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|header| header.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name_raw() == Some(name))
        .and_then(|cookie| cookie.value_raw())
        .filter(|value| !value.is_empty())
}

/// A cookie of ours: `SameSite=Lax`, for the pages under `path`, kept for `max_age` (zero
/// clears it). Add `http_only`, `secure` and the like before [`set_cookie`].
pub fn ours<'c>(name: &'c str, value: &'c str, path: &'c str, max_age: Duration) -> CookieBuilder<'c> {
    let max_age = cookie::time::Duration::try_from(max_age).unwrap_or(cookie::time::Duration::MAX);
    Cookie::build((name, value)).path(path).same_site(SameSite::Lax).max_age(max_age)
}

/// The `Set-Cookie` header value for `cookie`.
///
/// ```
/// use rahunok_server::web::cookies::{ours, set_cookie};
/// use std::time::Duration;
/// let header = set_cookie(ours("lang", "en", "/", Duration::from_secs(60)).http_only(true));
/// assert_eq!(header.to_str().unwrap(), "lang=en; HttpOnly; SameSite=Lax; Path=/; Max-Age=60");
/// ```
pub fn set_cookie<'c>(cookie: impl Into<Cookie<'c>>) -> HeaderValue {
    HeaderValue::from_str(&cookie.into().to_string()).expect("our cookie names and values are plain ASCII")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(cookie_headers: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for text in cookie_headers {
            headers.append(COOKIE, HeaderValue::from_static(text));
        }
        headers
    }

    #[test]
    fn a_cookie_is_found_by_its_whole_name_among_others_and_across_headers() {
        let sent = headers(&["rahunok_guest_x=1;  rahunok_guest = abc ;junk; =nameless", "lang=en"]);
        assert_eq!(value(&sent, "rahunok_guest"), Some("abc"));
        assert_eq!(value(&sent, "rahunok_guest_x"), Some("1"));
        assert_eq!(value(&sent, "lang"), Some("en"));
        assert_eq!(value(&sent, "rahunok"), None);
        assert_eq!(value(&headers(&[]), "lang"), None);
    }

    #[test]
    fn a_cleared_cookie_has_no_value_and_no_lifetime() {
        let header = set_cookie(ours("rahunok_session", "", "/panel", Duration::ZERO).http_only(true).secure(true));
        assert_eq!(
            header.to_str().unwrap(),
            "rahunok_session=; HttpOnly; SameSite=Lax; Secure; Path=/panel; Max-Age=0"
        );
    }
}
