//! Every way the gateway refuses a POS (socket upgrade, callback, webhook). The HTTP status and
//! error body of each live in `crate::http_error`.

use crate::store::StoreError;
use rahunok_protocol::FieldError;

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
    /// Body over the limit.
    #[error("the body is larger than the limit of {0} bytes")]
    BodyTooLarge(usize),
    /// The body could not be read off the connection.
    #[error("the body could not be read: {0}")]
    BodyUnreadable(String),
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
