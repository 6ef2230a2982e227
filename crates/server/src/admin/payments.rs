//! Payments of a restaurant: list with filters, one with its timeline, refund, retry closing.

use super::restaurants::known_restaurant;
use super::AdminError;
use crate::payments::{self, PaymentError};
use crate::state::AppState;
use crate::store::{PaymentFilter, PaymentRecord, PaymentStatus, PaymentTransition};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::Json;
use serde::{Deserialize, Serialize};

/// `?status=&from=&to=&limit=` (times in unix ms).
#[derive(Deserialize)]
pub struct PaymentQuery {
    status: Option<String>,
    from: Option<i64>,
    to: Option<i64>,
    limit: Option<i64>,
}

/// A payment with its timeline.
#[derive(Serialize)]
pub struct PaymentDetail {
    #[serde(flatten)]
    payment: PaymentRecord,
    transitions: Vec<PaymentTransition>,
}

/// The list.
pub async fn list(
    State(state): State<AppState>,
    Path(resto_id): Path<String>,
    query: Result<Query<PaymentQuery>, QueryRejection>,
) -> Result<Json<Vec<PaymentRecord>>, AdminError> {
    let Query(query) = query?;
    known_restaurant(&state, &resto_id).await?;
    let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
        Some(name) => Some(PaymentStatus::from_name(name).ok_or_else(|| {
            let known: Vec<&str> = PaymentStatus::ALL.iter().map(|s| s.as_str()).collect();
            AdminError::BadRequest(format!("unknown status `{name}`; use one of {}", known.join(", ")))
        })?),
        None => None,
    };
    let filter = PaymentFilter { status, from_ms: query.from, to_ms: query.to, limit: query.limit.unwrap_or(100) };
    Ok(Json(state.store.payments(&resto_id, &filter).await?))
}

/// One payment.
pub async fn show(
    State(state): State<AppState>,
    Path((resto_id, payment_id)): Path<(String, String)>,
) -> Result<Json<PaymentDetail>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let (payment, transitions) =
        state.store.payment(&resto_id, &payment_id).await?.ok_or(AdminError::UnknownPayment(payment_id))?;
    Ok(Json(PaymentDetail { payment, transitions }))
}

/// Refund through the acquirer, then tell the POS.
pub async fn refund(
    State(state): State<AppState>,
    Path((resto_id, payment_id)): Path<(String, String)>,
) -> Result<Json<PaymentRecord>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    payments::refund(&state, &resto_id, &payment_id).await.map(Json).map_err(|e| payment_error(e, payment_id))
}

/// Try closing a `paid_not_closed` payment now.
pub async fn retry(
    State(state): State<AppState>,
    Path((resto_id, payment_id)): Path<(String, String)>,
) -> Result<Json<PaymentRecord>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    payments::retry_close_now(&state, &resto_id, &payment_id).await.map(Json).map_err(|e| payment_error(e, payment_id))
}

fn payment_error(error: PaymentError, payment_id: String) -> AdminError {
    match error {
        PaymentError::NotFound => AdminError::UnknownPayment(payment_id),
        PaymentError::Store(e) => AdminError::Store(e),
        other => AdminError::PaymentRefused(other.to_string()),
    }
}
