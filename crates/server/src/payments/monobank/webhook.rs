//! `POST /acquirer/monobank/webhook/{paymentId}`: where monobank tells about an invoice. The
//! signature is checked over the raw bytes before anything is read; an unverifiable webhook is
//! answered 400 and changes nothing, and monobank (which retries until 200) can send it again.

use super::{NAME, SIGNATURE_HEADER, WEBHOOK_PATH};
use crate::payments::acquirer::AcquirerError;
use crate::payments::{PaymentError, PaymentsState};
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
    match state.payments.on_notification(NAME, Some(&payment_id), &body, signature).await {
        Ok(()) => StatusCode::OK,
        Err(PaymentError::Acquirer(AcquirerError::BadSignature)) => {
            tracing::warn!(payment = payment_id, "a monobank webhook did not verify; ignored");
            StatusCode::BAD_REQUEST
        }
        Err(PaymentError::NotFound | PaymentError::Acquirer(AcquirerError::UnknownCharge(_))) => StatusCode::NOT_FOUND,
        Err(PaymentError::Acquirer(AcquirerError::Refused(reason))) => {
            tracing::warn!(payment = payment_id, reason, "a monobank webhook was not usable");
            StatusCode::BAD_REQUEST
        }
        Err(error) => {
            tracing::warn!(payment = payment_id, %error, "a monobank webhook was not processed; monobank will retry");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
