//! The guest's browser, known by a cookie. The payment a browser starts is its own: coming back
//! to the bill (Back, a refresh, the QR again) it may continue or cancel that payment, while the
//! others at the table are told that someone is paying. The cookie is a random token; payments
//! keep only its SHA-256, so the store alone cannot act as a guest's browser.

use crate::web::cookies;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use rand::distributions::{Alphanumeric, DistString};
use sha2::{Digest, Sha256};
use std::convert::Infallible;
use std::time::Duration;

/// The cookie's name.
pub const GUEST_COOKIE: &str = "rahunok_guest";
/// How long a browser keeps its guest cookie: a day covers any meal.
const LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// The browser asking, as its guest cookie names it (a cookie we did not make is ignored).
#[derive(Debug, Clone, Default)]
pub struct GuestBrowser {
    token: Option<String>,
}

impl GuestBrowser {
    /// What a payment keeps to know this browser again, when it has a cookie.
    pub fn payer(&self) -> Option<String> {
        self.token.as_deref().map(payer_of)
    }

    /// This browser's payer key, giving it a cookie first when it has none; the `Set-Cookie`
    /// to send along when one was made.
    pub fn payer_or_new(&self) -> (String, Option<HeaderValue>) {
        if let Some(payer) = self.payer() {
            return (payer, None);
        }
        let token = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        let cookie = cookies::set_cookie(cookies::ours(GUEST_COOKIE, &token, "/", LIFETIME).http_only(true));
        (payer_of(&token), Some(cookie))
    }

    fn from_cookie_header(parts: &Parts) -> GuestBrowser {
        let token = cookies::value(&parts.headers, GUEST_COOKIE).filter(|value| well_formed(value)).map(str::to_string);
        GuestBrowser { token }
    }
}

/// Only tokens shaped like ours: anything else is as good as no cookie.
fn well_formed(token: &str) -> bool {
    (16..=64).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn payer_of(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
}

impl<S: Send + Sync> FromRequestParts<S> for GuestBrowser {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<GuestBrowser, Infallible> {
        Ok(GuestBrowser::from_cookie_header(parts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_browser_gets_a_cookie_and_a_known_one_keeps_its_key() {
        let (payer, cookie) = GuestBrowser::default().payer_or_new();
        let cookie = cookie.expect("a new cookie").to_str().unwrap().to_string();
        let token = cookie.strip_prefix("rahunok_guest=").unwrap().split(';').next().unwrap();
        assert_eq!(payer, payer_of(token));
        assert!(!payer.contains(token), "the key is a hash, not the token");
        let known = GuestBrowser { token: Some(token.to_string()) };
        assert_eq!(known.payer_or_new(), (payer, None));
    }

    #[test]
    fn cookies_we_did_not_make_are_ignored() {
        assert!(!well_formed("short"));
        assert!(!well_formed("abc def ghi jkl mno"));
        assert!(well_formed("abcdefghijklmnop1234"));
    }
}
