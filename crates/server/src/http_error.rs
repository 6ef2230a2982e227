//! The protocol's error body (`docs/pos-protocol.md` section 7) as an HTTP answer: the pieces
//! every area's error mapping is built from. Each area's error enum has its own mapping beside
//! it (`gateway/error.rs`, `payments/error.rs`, `admin/error.rs`, `panel/error.rs`); what they
//! share — a store failure, the answer's shape — is here, below all of them.

use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rahunok_protocol::ErrorBody;

/// A refusal with the protocol's error body.
pub fn answer(status: StatusCode, code: &str, title: &str, kind: &str, text: String) -> Response {
    (status, Json(ErrorBody::new(code, title, kind, text))).into_response()
}

/// The answer to a store failure (logged here, once): nothing was changed.
pub fn store_failure_body(error: &StoreError) -> (StatusCode, ErrorBody) {
    tracing::error!(%error, "store failure");
    let text = "the server could not read or write its store; nothing was changed, try again";
    (StatusCode::INTERNAL_SERVER_ERROR, ErrorBody::new("STORE_ERROR", "Server error", "server", text))
}

/// [`store_failure_body`] as a response.
pub fn store_failure(error: &StoreError) -> Response {
    let (status, body) = store_failure_body(error);
    (status, Json(body)).into_response()
}

/// A body refused before any handler read it, with the protocol's error body.
pub fn body_refused(status: StatusCode, code: &str, why: &str) -> Response {
    answer(status, code, "Bad request", "request", why.to_string())
}

/// A known path with the wrong method.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let text = format!("{method} is not allowed on {}", uri.path());
    answer(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "Method not allowed", "request", text)
}
