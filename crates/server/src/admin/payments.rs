//! Payments of a restaurant: list with filters, one with its timeline, refund, retry closing.

use super::openapi::AdminErrors;
use super::restaurants::known_restaurant;
use super::AdminError;
use super::AdminState;
use crate::payments::{PaymentError, RefundRequest};
use crate::store::{PaymentFilter, PaymentRecord, PaymentStatus, PaymentTransition};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use rahunok_protocol::Money;
use serde::{Deserialize, Serialize};

/// `?status=&from=&to=&limit=` (times in unix ms).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentQuery {
    /// Only this status (`created`, `paid`, `closing_on_pos`, `closed`, `failed`, `expired`,
    /// `paid_not_closed`, `refunded`).
    status: Option<String>,
    /// Created at or after, unix ms.
    from: Option<i64>,
    /// Created before, unix ms.
    to: Option<i64>,
    /// At most this many (default 100).
    limit: Option<i64>,
}

/// A payment as the admin API shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    id: String,
    resto_id: String,
    bill_id: String,
    table_number: Option<String>,
    status: PaymentStatus,
    sum: Money,
    tips: Money,
    acquirer: String,
    acquirer_ref: Option<String>,
    checkout_url: Option<String>,
    receipt: String,
    fiscal: Option<String>,
    attempts: i64,
    next_attempt_at: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    /// The guest's 1–5 rating, once given.
    rating: Option<i64>,
}

impl From<PaymentRecord> for PaymentView {
    fn from(p: PaymentRecord) -> PaymentView {
        PaymentView {
            id: p.id,
            resto_id: p.resto_id,
            bill_id: p.bill_id,
            table_number: p.table_number,
            status: p.status,
            sum: p.sum,
            tips: p.tips,
            acquirer: p.acquirer,
            acquirer_ref: p.acquirer_ref,
            checkout_url: p.checkout_url,
            receipt: p.receipt,
            fiscal: p.fiscal,
            attempts: p.attempts,
            next_attempt_at: p.next_attempt_at,
            last_error: p.last_error,
            created_at: p.created_at,
            updated_at: p.updated_at,
            rating: p.rating,
        }
    }
}

/// One step of a payment's timeline.
#[derive(Serialize)]
pub struct TransitionView {
    from: Option<PaymentStatus>,
    to: PaymentStatus,
    at: i64,
    note: Option<String>,
}

impl From<PaymentTransition> for TransitionView {
    fn from(t: PaymentTransition) -> TransitionView {
        TransitionView { from: t.from, to: t.to, at: t.at, note: t.note }
    }
}

/// A payment with its timeline.
#[derive(Serialize)]
pub struct PaymentDetail {
    #[serde(flatten)]
    payment: PaymentView,
    transitions: Vec<TransitionView>,
}

/// The list.
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/payments",
    summary = "Payments, newest first",
    params(("resto_id" = String, Path, description = "the RESTO_ID"), PaymentQuery),
    responses((status = 200, description = "an array of payments", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn list(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
    query: Result<Query<PaymentQuery>, QueryRejection>,
) -> Result<Json<Vec<PaymentView>>, AdminError> {
    let Query(query) = query?;
    known_restaurant(&state, &resto_id).await?;
    let known = |name: &str| {
        PaymentStatus::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = PaymentStatus::ALL.iter().map(|s| s.as_str()).collect();
            AdminError::BadRequest(format!("unknown status `{name}`; use one of {}", known.join(", ")))
        })
    };
    let status = query.status.as_deref().filter(|s| !s.is_empty()).map(known).transpose()?;
    let filter = PaymentFilter { status, from_ms: query.from, to_ms: query.to, limit: query.limit.unwrap_or(100) };
    let payments = state.store.payments(&resto_id, &filter).await?;
    Ok(Json(payments.into_iter().map(PaymentView::from).collect()))
}

/// One payment.
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/payments/{payment_id}",
    summary = "One payment with its timeline",
    params(("resto_id" = String, Path, description = "the RESTO_ID"), ("payment_id" = String, Path, description = "the payment id")),
    responses((status = 200, description = "the payment with `transitions`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn show(
    State(state): State<AdminState>,
    Path((resto_id, payment_id)): Path<(String, String)>,
) -> Result<Json<PaymentDetail>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let (payment, transitions) =
        state.store.payment(&resto_id, &payment_id).await?.ok_or(AdminError::UnknownPayment(payment_id))?;
    let transitions = transitions.into_iter().map(TransitionView::from).collect();
    Ok(Json(PaymentDetail { payment: payment.into(), transitions }))
}

/// `{"amount": "100.00", "idempotencyKey": "…"}`, both optional: everything left, once.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RefundBody {
    /// How much, as a decimal string in hryvnias (`"100.00"`); everything left when absent.
    #[serde(default, deserialize_with = "rahunok_protocol::money::optional")]
    #[schema(value_type = Option<String>)]
    amount: Option<Money>,
    /// The caller's key for this refund (1 to 64 characters).
    idempotency_key: Option<String>,
}

/// Refund (all or part) through the acquirer, then tell the POS.
#[utoipa::path(
    post,
    path = "/api/admin/restaurants/{resto_id}/payments/{payment_id}/refund",
    summary = "Refund all that is left, or `amount`, once per idempotency key",
    params(("resto_id" = String, Path, description = "the RESTO_ID"), ("payment_id" = String, Path, description = "the payment id")),
    request_body(content = Option<RefundBody>, content_type = "application/json"),
    responses((status = 200, description = "the payment", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn refund(
    State(state): State<AdminState>,
    Path((resto_id, payment_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<Json<PaymentView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let body: RefundBody = if body.iter().all(u8::is_ascii_whitespace) {
        RefundBody::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| {
            AdminError::BadRequest(format!(
                "send {{\"amount\": \"100.00\", \"idempotencyKey\": \"…\"}} or nothing: {e}"
            ))
        })?
    };
    if body.idempotency_key.as_deref().is_some_and(|k| k.trim().is_empty() || k.len() > 64) {
        return Err(AdminError::BadRequest("`idempotencyKey` is 1 to 64 characters".into()));
    }
    let request = RefundRequest { amount: body.amount, key: body.idempotency_key.map(|k| k.trim().to_string()) };
    let refunded = state.payments.refund(&resto_id, &payment_id, request).await;
    refunded.map(|p| Json(p.into())).map_err(|e| payment_error(e, payment_id))
}

/// Try closing a `paid_not_closed` payment now.
#[utoipa::path(
    post,
    path = "/api/admin/restaurants/{resto_id}/payments/{payment_id}/retry",
    summary = "Try closing a `paid_not_closed` payment now",
    params(("resto_id" = String, Path, description = "the RESTO_ID"), ("payment_id" = String, Path, description = "the payment id")),
    responses((status = 200, description = "the payment", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn retry(
    State(state): State<AdminState>,
    Path((resto_id, payment_id)): Path<(String, String)>,
) -> Result<Json<PaymentView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let retried = state.payments.retry_close_now(&resto_id, &payment_id).await;
    retried.map(|p| Json(p.into())).map_err(|e| payment_error(e, payment_id))
}

fn payment_error(error: PaymentError, payment_id: String) -> AdminError {
    match error {
        PaymentError::NotFound => AdminError::UnknownPayment(payment_id),
        other => AdminError::Payment(other),
    }
}
