//! What every request and answer passes through, whatever the route: URLs holding text the
//! store cannot keep are refused before any handler runs, every answer carries the security
//! headers (no framing, no MIME sniffing, no referrer to other hosts; `Secure` cookies when the
//! public URL is https), and large answers go out compressed ([`super::compression`]).
//!
//! Why one layer: a header forgotten on one page (the checkout, an error page) is the page an
//! attacker frames; a NUL byte reaching PostgreSQL is a 500 for anyone who types `%00`. Doing it
//! once at the edge means a new route cannot forget either.

use super::compression;
use super::percent;
use super::{FormsPostTo, CSP};
use axum::extract::Request;
use axum::http::header::{
    CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, SET_COOKIE, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

/// The largest form or JSON body (other than callbacks and webhooks, which the gateway reads
/// itself after their signature) read here to look for unstorable text.
const CHECKED_BODY_LIMIT: usize = 1024 * 1024;

/// Refuses unstorable URLs and form or JSON bodies, then adds the security headers to the
/// answer (cookies `Secure` when `https`, the public URL's scheme) and compresses it when that
/// pays.
///
/// It is given the scheme, not the application's state: every request's copy of the state
/// touched one shared reference count from both cores (BENCHMARKS.md).
pub async fn harden(https: bool, request: Request, next: Next) -> Response {
    let accepted = compression::AcceptedEncodings::of(&request);
    let checked = match unstorable_url(&request) {
        Some(why) => Err(crate::web::unstorable_url(request.uri().path(), why)),
        None => checked_body(request).await,
    };
    let mut response = match checked {
        Ok(request) => next.run(request).await,
        Err(refused) => refused,
    };
    secure_headers(&mut response, https);
    compression::compress_if_worth_it(response, accepted).await
}

/// Reads a form or JSON body (not a callback's) and refuses it when it holds a NUL character
/// (`%00` in a form, `\u0000` in JSON): 400 with the protocol's error body.
async fn checked_body(request: Request) -> Result<Request, Response> {
    let content_type = request.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let form = content_type.starts_with("application/x-www-form-urlencoded");
    let json = content_type.starts_with("application/json");
    if !(form || json) || request.uri().path().starts_with("/callback/") {
        return Ok(request);
    }
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, CHECKED_BODY_LIMIT).await.map_err(|_| {
        crate::http_error::body_refused(StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE", "the body is over 1 MiB")
    })?;
    let refused = |why: &str| crate::http_error::body_refused(StatusCode::BAD_REQUEST, "UNACCEPTABLE_BODY", why);
    if form && percent::decoded_bytes(&bytes).any(|byte| byte == 0) {
        return Err(refused("a form field holds a NUL character (%00), which no field can keep"));
    }
    if json {
        rahunok_protocol::untrusted::check(&bytes).map_err(|why| refused(&why.to_string()))?;
    }
    Ok(Request::from_parts(parts, axum::body::Body::from(bytes)))
}

/// Why the URL cannot be served: a NUL character (or any C0 control other than tab) in the
/// percent-decoded path or query, which the store could not keep; invalid UTF-8 after
/// decoding is left to the routes (they answer 400 or 404 for it).
fn unstorable_url(request: &Request) -> Option<&'static str> {
    let uri = request.uri();
    let decoded = |text: &str| percent::decoded_bytes(text.as_bytes()).any(is_unstorable_byte);
    if decoded(uri.path()) {
        return Some("the address holds a control character (such as %00) that no page has");
    }
    if uri.query().is_some_and(decoded) {
        return Some("the query holds a control character (such as %00)");
    }
    None
}

/// Bytes no text field of ours may hold: NUL and the other C0 controls except tab, newline and
/// carriage return.
pub fn is_unstorable_byte(byte: u8) -> bool {
    byte < 0x20 && !matches!(byte, b'\t' | b'\n' | b'\r')
}

/// The security headers. Every HTML page gets every page's policy, widened only by the one
/// origin a page may name for its forms ([`FormsPostTo`]).
fn secure_headers(response: &mut Response, https: bool) {
    let widened = response.extensions().get::<FormsPostTo>().and_then(|to| HeaderValue::from_str(&to.policy()).ok());
    let headers = response.headers_mut();
    let is_html = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|t| t.starts_with("text/html"));
    if is_html || !headers.contains_key(CONTENT_SECURITY_POLICY) {
        headers.insert(CONTENT_SECURITY_POLICY, widened.unwrap_or(HeaderValue::from_static(CSP)));
    }
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if https {
        let cookies: Vec<HeaderValue> = headers.get_all(SET_COOKIE).iter().cloned().collect();
        headers.remove(SET_COOKIE);
        for cookie in cookies {
            let text = cookie.to_str().unwrap_or_default();
            let secured = if text.to_ascii_lowercase().contains("; secure") {
                text.to_string()
            } else {
                format!("{text}; Secure")
            };
            headers.append(SET_COOKIE, HeaderValue::from_str(&secured).unwrap_or(cookie));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_character_escaped_in_the_address_is_found_and_newlines_pass() {
        let unstorable =
            |path: &str| unstorable_url(&Request::builder().uri(path).body(axum::body::Body::empty()).unwrap());
        assert!(unstorable("/t/%01/3").is_some());
        assert!(unstorable("/t/1?q=%00").is_some());
        assert!(unstorable("/t/%0a/3").is_none());
        assert!(unstorable("/t/%4/3").is_none(), "a broken escape is kept as text");
    }

    #[test]
    fn cookies_get_secure_once_over_https() {
        let mut response = Response::new(axum::body::Body::empty());
        let headers = response.headers_mut();
        headers.append(SET_COOKIE, HeaderValue::from_static("a=1; Path=/"));
        headers.append(SET_COOKIE, HeaderValue::from_static("b=2; Secure"));
        secure_headers(&mut response, true);
        let headers = response.headers();
        let cookies: Vec<&str> = headers.get_all(SET_COOKIE).iter().map(|v| v.to_str().unwrap()).collect();
        assert_eq!(cookies, ["a=1; Path=/; Secure", "b=2; Secure"]);
        assert_eq!(headers[X_FRAME_OPTIONS], "DENY");
    }

    #[test]
    fn an_html_page_gets_every_pages_policy_widened_only_by_the_origin_it_names_for_its_forms() {
        let html = |target: Option<FormsPostTo>| {
            let mut response = Response::new(axum::body::Body::empty());
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
            response.headers_mut().insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("form-action *"));
            if let Some(target) = target {
                response.extensions_mut().insert(target);
            }
            secure_headers(&mut response, false);
            response.headers()[CONTENT_SECURITY_POLICY].to_str().unwrap().to_string()
        };
        assert_eq!(html(None), CSP, "a page's own policy is replaced");
        let widened = html(FormsPostTo::origin_of("https://www.liqpay.ua/api/3/checkout"));
        assert_eq!(widened, CSP.replace("form-action 'self'", "form-action 'self' https://www.liqpay.ua"));
    }
}
