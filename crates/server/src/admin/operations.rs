//! The operations console and the request log: send any operation with the fields you give
//! and see the POS's callback body — no hand-signing, no 80-second race.

use super::openapi::AdminErrors;
use super::restaurants::known_restaurant;
use super::AdminError;
use super::AdminState;
use crate::store::{RequestLogEntry, RequestLogQuery};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use rahunok_protocol::Operation;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;

/// Sends `operation` with the JSON object in the body as its fields. Answers with the POS's
/// callback body (200), or 202 for operations that have no callback.
#[utoipa::path(
    post,
    path = "/api/admin/restaurants/{resto_id}/operations/{operation}",
    summary = "Send any operation with the body as its fields",
    params(("resto_id" = String, Path, description = "the RESTO_ID"), ("operation" = String, Path, description = "the operation name (`getBill`, `tablesInfo`, ...)")),
    request_body(content = Option<serde_json::Value>, description = "a JSON object of request fields", content_type = "application/json"),
    responses((status = 200, description = "the POS's callback body as sent (202 `{sent: true}` for operations without a callback)", body = serde_json::Value, content_type = "application/json"), (status = 202, description = "sent; the operation has no callback", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn send(
    State(state): State<AdminState>,
    Path((resto_id, operation)): Path<(String, String)>,
    body: Bytes,
) -> Result<Response, AdminError> {
    // A restaurant whose POS holds a socket here is known (it signed in); reading it from the
    // store for every operation was a third of a round trip's cost (BENCHMARKS.md).
    if !state.link.is_connected(&resto_id) {
        known_restaurant(&state, &resto_id).await?;
    }
    let operation = Operation::from_name(&operation).ok_or(AdminError::UnknownOperation(operation))?;
    let fields = request_fields(&body)?;
    let answer = state.link.request_raw(&resto_id, operation, fields).await?;
    if operation.expects_callback() {
        Ok(([(header::CONTENT_TYPE, "application/json")], answer).into_response())
    } else {
        Ok((StatusCode::ACCEPTED, Json(serde_json::json!({ "sent": true }))).into_response())
    }
}

/// The request fields, each kept as its exact JSON text (money stays `129.20`).
fn request_fields(body: &[u8]) -> Result<BTreeMap<String, Box<RawValue>>, AdminError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(BTreeMap::new());
    }
    serde_json::from_slice(body)
        .map_err(|e| AdminError::BadRequest(format!("the body must be a JSON object of request fields: {e}")))
}

/// `?limit=&operation=`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogQuery {
    /// At most this many (1 to 1 000, default 50).
    limit: Option<i64>,
    /// Only this operation.
    operation: Option<String>,
}

/// The newest requests to this restaurant's POS.
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/requests",
    summary = "The request log, newest first: both bodies, latency, outcome",
    params(("resto_id" = String, Path, description = "the RESTO_ID"), LogQuery),
    responses((status = 200, description = "an array of request-log entries", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn request_log(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
    query: Result<Query<LogQuery>, QueryRejection>,
) -> Result<Json<Vec<RequestLogEntry>>, AdminError> {
    let Query(query) = query?;
    known_restaurant(&state, &resto_id).await?;
    let known = |name: &str| Operation::from_name(name).ok_or_else(|| AdminError::UnknownOperation(name.into()));
    let operation = query.operation.as_deref().map(known).transpose()?.map(|op| op.name().to_string());
    let query = RequestLogQuery { operation, limit: query.limit.unwrap_or(50) };
    state.link.flush_journal().await;
    Ok(Json(state.store.request_log(&resto_id, &query).await?))
}
