//! `POST /acquirer/monobank/webhook/{paymentId}`: where monobank tells about an invoice. The
//! signature is checked over the raw bytes before anything is read; an unverifiable webhook is
//! answered 400 and changes nothing, and monobank (which retries until 200) can send it again.

use super::{NAME, SIGNATURE_HEADER, WEBHOOK_PATH};
use crate::payments::{notification_answer, PaymentsState};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;

/// The largest webhook body read: a status object is a few kilobytes, and nothing is verified
/// before it is read whole.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The webhook route.
pub fn routes() -> Router<PaymentsState> {
    Router::new()
        .route(&format!("{WEBHOOK_PATH}/{{payment_id}}"), post(webhook))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The handler.
pub async fn webhook(
    State(state): State<PaymentsState>,
    Path(payment_id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    let outcome = state.payments.on_notification(NAME, Some(&payment_id), &body, signature).await;
    notification_answer(NAME, &payment_id, outcome)
}
