//! `POST /acquirer/liqpay/notify`: where LiqPay posts the outcome of a payment (`server_url`), a
//! form of `data` and `signature`. The order the `data` names is read first only to find its
//! payment and so the restaurant's keys; nothing in it is believed until the signature over the
//! raw `data` holds with those keys. A wrong signature is answered 400 and changes nothing, and
//! the notification must name the restaurant's public key. Repeats and notifications out of
//! order are harmless (see `super`); LiqPay may send one again, and status polling settles the
//! payment meanwhile.

use super::{decode, PaymentState, NAME, NOTIFY_PATH};
use crate::payments::{notification_answer, PaymentsState};
use axum::extract::rejection::FormRejection;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Form, Router};
use serde::Deserialize;

/// The largest notification read: a status object is a few kilobytes in base64.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The notification route.
pub fn routes() -> Router<PaymentsState> {
    Router::new().route(NOTIFY_PATH, post(notification)).layer(DefaultBodyLimit::max(BODY_LIMIT))
}

/// The form LiqPay posts.
#[derive(Debug, Deserialize)]
pub struct Notification {
    #[serde(default)]
    data: String,
    #[serde(default)]
    signature: String,
}

/// The handler.
pub async fn notification(
    State(state): State<PaymentsState>,
    form: Result<Form<Notification>, FormRejection>,
) -> StatusCode {
    let Ok(Form(form)) = form else {
        tracing::warn!("a LiqPay notification was not a form of data and signature; ignored");
        return StatusCode::BAD_REQUEST;
    };
    // Unverified: only which payment (so which keys) to verify it with.
    let Some(order_id) = decode::<PaymentState>(&form.data).ok().and_then(|state| state.order_id) else {
        tracing::warn!("a LiqPay notification names no order; ignored");
        return StatusCode::BAD_REQUEST;
    };
    let signature = Some(form.signature.as_str()).filter(|s| !s.is_empty());
    let outcome = state.payments.on_notification(NAME, Some(&order_id), form.data.as_bytes(), signature).await;
    // Logged only as the characters a payment id has: the text is whatever the sender wrote.
    let order_id: String = order_id.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').take(64).collect();
    notification_answer(NAME, &order_id, outcome)
}
