//! Every way the gateway refuses a POS (socket upgrade, callback, webhook), and the HTTP status
//! and error body of each; and how a failed request to a POS ([`LinkError`]) is answered to
//! whoever asked for it.

use super::LinkError;
use crate::http_error::{answer, store_failure_body};
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rahunok_protocol::{ErrorBody, FieldError};

/// A refusal of the gateway.
#[derive(Debug, thiserror::Error)]
pub enum GatewayError {
    /// No or malformed `Authorization: Basic` header.
    #[error("send `Authorization: Basic base64(RESTO_ID:SECRET_KEY)`")]
    MissingBasicAuth,
    /// Unknown `RESTO_ID` or wrong `SECRET_KEY`.
    #[error("RESTO_ID or SECRET_KEY is wrong: check both in the admin panel (a rotated key stops working after its grace period)")]
    BadBasicAuth,
    /// Too many failures lately.
    #[error("too many failed authentications from this address or for this RESTO_ID; wait a minute and check the credentials")]
    TooManyFailedLogins,
    /// Strict mode and no `Cookie: system=<POS name>`.
    #[error("send `Cookie: system=<your POS product name>`; this server runs in strict mode")]
    MissingPosName,
    /// Authenticated, but not a WebSocket upgrade.
    #[error("this endpoint only accepts a WebSocket upgrade (GET with `Upgrade: websocket`)")]
    NotAWebSocket,
    /// Callback without `restoId`, or an unknown one.
    #[error("header `restoId` is missing or names no restaurant")]
    UnknownRestoId,
    /// Callback without `signature`.
    #[error("header `signature` is missing: send base64(HMAC-SHA256(SECRET_KEY, raw body))")]
    MissingSignature,
    /// Signature does not match the raw body.
    #[error("`signature` does not match the body: sign the exact bytes you send with HMAC-SHA256(SECRET_KEY) and base64, and do not re-serialise after signing")]
    BadSignature,
    /// No room in the budget for bodies whose signature is not verified yet.
    #[error("the server is busy reading other callbacks: send this one again in a moment")]
    Busy,
    /// Another node ruled on this callback (its `rID` waits there): its status and error body.
    #[error("{}", .body.err_text)]
    Relayed {
        /// The HTTP status that node chose.
        status: u16,
        /// Its error body.
        body: rahunok_protocol::ErrorBody,
    },
    /// The callback's request waits on another node, and the body is larger than the bus
    /// between nodes carries.
    #[error("the answer is larger than the bus between this server's nodes carries: raise NATS max_payload (docs/deploying.md)")]
    TooLargeToRelay,
    /// Body over the limit.
    #[error("the body is larger than the limit of {0} bytes")]
    BodyTooLarge(usize),
    /// The body could not be read off the connection.
    #[error("the body could not be read: {0}")]
    BodyUnreadable(String),
    /// The body stopped arriving, or came too slowly (`crate::body_deadline`); the connection
    /// is closed after this answer.
    #[error(transparent)]
    BodyTooSlow(crate::body_deadline::DeadlineMissed),
    /// Body is not a JSON object.
    #[error("the body must be a JSON object: {0}")]
    NotJsonObject(String),
    /// `/callback/<operation>` with an unknown operation.
    #[error("`{0}` is not an operation answered by callback")]
    UnknownOperation(String),
    /// `rID` names no request sent to this restaurant with this operation.
    #[error("rID `{0}` names no request sent to this restaurant with this operation")]
    UnknownRid(String),
    /// The request's deadline passed.
    #[error("rID `{0}` has passed its deadline; the request failed and this answer is not used")]
    RidExpired(String),
    /// Already answered with a different body.
    #[error("rID `{0}` was already answered with a different body")]
    RidConflict(String),
    /// Already answered with a body that was refused as unusable; the request failed then.
    #[error("rID `{0}` was already answered with an unusable body; that request failed and this answer is not used")]
    RidRefused(String),
    /// Body invalid for its operation.
    #[error("the body is not valid for this operation")]
    Invalid(Vec<FieldError>),
    /// Webhook with an unknown `webhookType`.
    #[error("unknown webhookType `{0}`: expected ORDERS_CACHE, ORDERS_CLOSED or USER_UPDATE")]
    UnknownWebhookType(String),
    /// The store failed.
    #[error("the server could not store this: {0}")]
    Store(#[from] StoreError),
}

impl GatewayError {
    /// The status and error body of this refusal: built once, answered to the POS and kept in
    /// the refusal log alike.
    pub fn status_and_body(&self) -> (StatusCode, ErrorBody) {
        use GatewayError::*;
        let text = self.to_string();
        let (status, code, title, kind) = match self {
            MissingBasicAuth => (StatusCode::UNAUTHORIZED, "MISSING_CREDENTIALS", "Unauthorized", "auth"),
            BadBasicAuth => (StatusCode::UNAUTHORIZED, "BAD_CREDENTIALS", "Unauthorized", "auth"),
            TooManyFailedLogins => (StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_FAILURES", "Too many attempts", "auth"),
            MissingPosName => (StatusCode::UNAUTHORIZED, "MISSING_POS_NAME", "Unauthorized", "auth"),
            NotAWebSocket => (StatusCode::BAD_REQUEST, "NOT_A_WEBSOCKET", "Bad request", "request"),
            UnknownRestoId => (StatusCode::UNAUTHORIZED, "UNKNOWN_RESTO_ID", "Unauthorized", "auth"),
            MissingSignature => (StatusCode::UNAUTHORIZED, "MISSING_SIGNATURE", "Unauthorized", "auth"),
            BadSignature => (StatusCode::UNAUTHORIZED, "BAD_SIGNATURE", "Unauthorized", "auth"),
            BodyTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE", "Body too large", "request"),
            Busy => (StatusCode::SERVICE_UNAVAILABLE, "SERVER_BUSY", "Busy", "server"),
            TooLargeToRelay => (StatusCode::SERVICE_UNAVAILABLE, "TOO_LARGE_TO_RELAY", "Busy", "server"),
            Relayed { status, body } => {
                return (StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY), body.clone());
            }
            BodyUnreadable(_) => (StatusCode::BAD_REQUEST, "BODY_UNREADABLE", "Bad request", "request"),
            BodyTooSlow(_) => (StatusCode::REQUEST_TIMEOUT, "BODY_TOO_SLOW", "Too slow", "request"),
            NotJsonObject(_) => (StatusCode::BAD_REQUEST, "NOT_JSON_OBJECT", "Bad request", "request"),
            UnknownOperation(_) => (StatusCode::NOT_FOUND, "UNKNOWN_OPERATION", "Not found", "request"),
            UnknownRid(_) => (StatusCode::NOT_FOUND, "UNKNOWN_RID", "Not found", "request"),
            RidExpired(_) => (StatusCode::GONE, "RID_EXPIRED", "Too late", "request"),
            RidConflict(_) => (StatusCode::CONFLICT, "RID_ALREADY_ANSWERED", "Conflict", "request"),
            RidRefused(_) => (StatusCode::CONFLICT, "RID_ALREADY_REFUSED", "Conflict", "request"),
            UnknownWebhookType(_) => (StatusCode::BAD_REQUEST, "UNKNOWN_WEBHOOK_TYPE", "Bad request", "request"),
            Invalid(errors) => {
                let body = ErrorBody::new("VALIDATION", "Invalid body", "request", validation_text(errors))
                    .with_field_errors(errors.clone());
                return (StatusCode::BAD_REQUEST, body);
            }
            Store(error) => return store_failure_body(error),
        };
        (status, ErrorBody::new(code, title, kind, text))
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        let mut response = (status, Json(body)).into_response();
        if matches!(self, GatewayError::Busy) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}

fn validation_text(errors: &[rahunok_protocol::FieldError]) -> String {
    let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!(
        "the body is not usable for this operation ({}); the waiting request failed with this reason",
        listed.join("; ")
    )
}

impl LinkError {
    /// The answer to a caller (the admin API, the panel, a payment action) whose request to the
    /// POS failed this way.
    pub fn answer(&self) -> Response {
        let error = self;
        let text = error.to_string();
        match error {
            LinkError::Offline => answer(
                StatusCode::SERVICE_UNAVAILABLE,
                "POS_OFFLINE",
                "POS offline",
                "pos",
                "the restaurant's POS is not connected: check that it runs and holds a socket to /restaurantEntryPoint"
                    .into(),
            ),
            LinkError::Timeout(_) => answer(StatusCode::GATEWAY_TIMEOUT, "POS_TIMEOUT", "POS too slow", "pos", text),
            LinkError::PosFail { substate, message } => {
                let text = match message {
                    Some(m) => format!("the POS answered FAIL ({substate}): {m}"),
                    None => format!("the POS answered FAIL ({substate})"),
                };
                answer(StatusCode::BAD_GATEWAY, "POS_FAIL", substate, "pos", text)
            }
            LinkError::AnswerInvalid(errors) => {
                let body = ErrorBody::new("POS_ANSWER_INVALID", "Bad POS answer", "pos", text)
                    .with_field_errors(errors.clone());
                (StatusCode::BAD_GATEWAY, Json(body)).into_response()
            }
            LinkError::Unreadable(_) => {
                answer(StatusCode::BAD_GATEWAY, "POS_ANSWER_UNREADABLE", "Bad POS answer", "pos", text)
            }
        }
    }
}
