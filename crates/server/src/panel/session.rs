//! Panel sessions and CSRF protection.
//!
//! A session is a random token in an `HttpOnly; SameSite=Lax` cookie; the store keeps only its
//! SHA-256, so a copy of the database signs nobody in. Every state-changing request must carry
//! a CSRF token (form field `csrf` or header `x-csrf-token`): for a signed-in viewer it is
//! derived from the session token, so another site, which cannot read the cookie, cannot forge
//! it; before sign-in it is the random value of a separate sign-in cookie (double submit). The
//! check is one middleware in front of every panel route, so no handler can forget it.

use super::origin::over_https;
use super::PanelError;
use super::PanelState;
use crate::store::{now_ms, PanelUser, StoreError};
use crate::web::cookies;
use axum::body::Body;
use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The session cookie.
pub const SESSION_COOKIE: &str = "rahunok_session";
/// The cookie holding the CSRF token of the sign-in form.
pub const SIGN_IN_COOKIE: &str = "rahunok_sign_in";
/// The form field that carries the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// The header that carries the CSRF token (for the panel's scripts).
pub const CSRF_HEADER: &str = "x-csrf-token";
/// How long a session lasts.
const SESSION_LIFETIME_MS: i64 = 12 * 3600 * 1000;
/// The largest form the panel reads (the console's JSON editor).
const FORM_LIMIT: usize = 1024 * 1024;

/// 32 random bytes, URL-safe base64.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn sha256_text(parts: &[&[u8]]) -> [u8; 32] {
    let mut digest = Sha256::new();
    for part in parts {
        digest.update(part);
    }
    digest.finalize().into()
}

/// The secret value of a session cookie.
pub struct SessionToken(String);

impl SessionToken {
    /// The cookie value: the secret itself.
    pub fn cookie_value(&self) -> &str {
        &self.0
    }

    /// What the store keeps: the SHA-256 of the token, hex.
    pub fn store_key(&self) -> String {
        sha256_text(&[self.0.as_bytes()]).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The CSRF token of this session.
    pub fn csrf(&self) -> String {
        URL_SAFE_NO_PAD.encode(sha256_text(&[b"rahunok panel csrf\0", self.0.as_bytes()]))
    }
}

/// A `Set-Cookie` value for a panel cookie (`HttpOnly`, under `/panel`, `Secure` over HTTPS,
/// kept as long as a session); `None` clears it.
pub fn set_cookie(headers: &HeaderMap, name: &str, value: Option<&str>) -> HeaderValue {
    let lifetime = match value {
        Some(_) => Duration::from_millis(SESSION_LIFETIME_MS as u64),
        None => Duration::ZERO,
    };
    let cookie = cookies::ours(name, value.unwrap_or_default(), "/panel", lifetime);
    cookies::set_cookie(cookie.http_only(true).secure(over_https(headers)))
}

/// Starts a session for `user_name`; the token goes into the cookie, its hash into the store.
pub async fn start(state: &PanelState, user_name: &str) -> Result<SessionToken, StoreError> {
    let token = SessionToken(random_token());
    let now = now_ms();
    state.store.insert_panel_session(&token.store_key(), user_name, now, now + SESSION_LIFETIME_MS).await?;
    Ok(token)
}

/// The session token the request carries, if any.
pub fn presented(headers: &HeaderMap) -> Option<SessionToken> {
    cookies::value(headers, SESSION_COOKIE).map(|value| SessionToken(value.to_string()))
}

/// A signed-in viewer: the user and the CSRF token their forms must carry.
pub struct SignedIn {
    /// Who.
    pub user: PanelUser,
    /// The CSRF token for this session's forms.
    pub csrf: String,
}

impl FromRequestParts<PanelState> for SignedIn {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, state: &PanelState) -> Result<SignedIn, PanelError> {
        if let Some(signed_in) = parts.extensions.get::<SignedInUser>() {
            return Ok(SignedIn { user: signed_in.0.clone(), csrf: signed_in.1.clone() });
        }
        let token = presented(&parts.headers).ok_or(PanelError::NotSignedIn)?;
        let user =
            state.store.panel_session_user(&token.store_key(), now_ms()).await?.ok_or(PanelError::NotSignedIn)?;
        parts.extensions.insert(SignedInUser(user.clone(), token.csrf()));
        Ok(SignedIn { user, csrf: token.csrf() })
    }
}

/// Caches the viewer for the other extractors of the same request.
#[derive(Clone)]
struct SignedInUser(PanelUser, String);

/// Where to go after signing in: a panel path from `next`, else the panel's start.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path) if path.starts_with("/panel") && !path.contains("//") && !path.contains('\\') => path.to_string(),
        _ => "/panel".to_string(),
    }
}

/// The CSRF tokens this request may present: its session's, and on the sign-in form the
/// sign-in cookie's.
fn expected_tokens(request: &Request) -> Vec<String> {
    let headers = request.headers();
    let mut expected: Vec<String> = presented(headers).map(|t| t.csrf()).into_iter().collect();
    if request.uri().path() == "/panel/sign-in" {
        expected.extend(cookies::value(headers, SIGN_IN_COOKIE).map(str::to_string));
    }
    expected
}

/// The `csrf` field of a URL-encoded form (tokens are URL-safe base64, never escaped).
fn form_token(body: &[u8]) -> Option<String> {
    std::str::from_utf8(body)
        .ok()?
        .split('&')
        .find_map(|pair| pair.strip_prefix(CSRF_FIELD).and_then(|rest| rest.strip_prefix('=')))
        .map(str::to_string)
}

fn matches_any(presented: &str, expected: &[String]) -> bool {
    expected.iter().fold(false, |found, token| bool::from(presented.as_bytes().ct_eq(token.as_bytes())) | found)
}

/// Refuses every state-changing request without the right CSRF token (see the module docs).
pub async fn require_csrf_token(request: Request, next: Next) -> Result<Response, PanelError> {
    if matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return Ok(next.run(request).await);
    }
    let expected = expected_tokens(&request);
    let from_header = request.headers().get(CSRF_HEADER).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, FORM_LIMIT)
        .await
        .map_err(|_| PanelError::BadRequest(format!("the form is larger than {FORM_LIMIT} bytes")))?;
    let presented = from_header.or_else(|| form_token(&body)).unwrap_or_default();
    if presented.is_empty() || !matches_any(&presented, &expected) {
        return Err(PanelError::BadCsrf);
    }
    Ok(next.run(Request::from_parts(parts, Body::from(body))).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_csrf_field_is_found_among_other_fields() {
        assert_eq!(form_token(b"name=olena&csrf=abc-_1&x=2").as_deref(), Some("abc-_1"));
        assert_eq!(form_token(b"csrfx=abc"), None);
    }

    #[test]
    fn only_panel_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/panel/r/abc/tables")), "/panel/r/abc/tables");
        assert_eq!(safe_next(Some("https://evil.example/")), "/panel");
        assert_eq!(safe_next(Some("/panel//evil.example")), "/panel");
        assert_eq!(safe_next(None), "/panel");
    }

    #[test]
    fn the_store_never_sees_the_session_token() {
        let token = SessionToken("secret-token".into());
        assert!(!token.store_key().contains("secret"));
        assert_ne!(token.csrf(), token.store_key());
    }
}
