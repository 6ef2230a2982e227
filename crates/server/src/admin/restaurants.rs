//! Restaurants: create (the secret is shown only in that answer), list, show with the live
//! connection, rotate the secret.

use super::openapi::AdminErrors;
use super::AdminError;
use super::AdminState;
use crate::gateway::{ConnectionInfo, LinkError, CLOSE_GOING_AWAY};
use crate::store::{CallbackRefusal, Restaurant, RestaurantName, StoredWarning};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};

/// What `POST /api/admin/restaurants` takes.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct NewRestaurant {
    /// The restaurant's name.
    name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IssuedCredentials {
    secret_key: String,
    #[serde(flatten)]
    restaurant: Restaurant,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestaurantView {
    #[serde(flatten)]
    restaurant: Restaurant,
    connection: Connection,
}

/// Either the live connection or `{"connected": false}`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Connection {
    Live(Box<ConnectionInfo>),
    Offline { connected: bool },
}

#[utoipa::path(
    post,
    path = "/api/admin/restaurants",
    summary = "Create a restaurant (the only time its secret is shown)",
    request_body(content = NewRestaurant, content_type = "application/json"),
    responses((status = 201, description = "`{restoId, secretKey, name, ...}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn create(
    State(state): State<AdminState>,
    body: Result<Json<NewRestaurant>, axum::extract::rejection::JsonRejection>,
) -> Result<(StatusCode, Json<IssuedCredentials>), AdminError> {
    let Json(body) =
        body.map_err(|e| AdminError::BadRequest(format!("send {{\"name\": \"…\"}}: {}", e.body_text())))?;
    let name = RestaurantName::parse(&body.name).map_err(|e| AdminError::BadRequest(format!("`name`: {e}")))?;
    let (restaurant, secret_key) = state.store.create_restaurant(&name).await?;
    let issued = IssuedCredentials { secret_key, restaurant };
    Ok((StatusCode::CREATED, Json(issued)))
}

#[utoipa::path(
    get,
    path = "/api/admin/restaurants",
    summary = "Every restaurant with its live connection",
    responses((status = 200, description = "an array of restaurants, each with `connection`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn list(State(state): State<AdminState>) -> Result<Json<Vec<RestaurantView>>, AdminError> {
    let restaurants = state.store.restaurants().await?;
    let connections = state.link.connections_anywhere(restaurants.iter().map(|r| r.resto_id.as_str())).await;
    Ok(Json(restaurants.into_iter().zip(connections).map(|(r, info)| view(r, info)).collect()))
}

#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}",
    summary = "One restaurant with its live connection",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    responses((status = 200, description = "the restaurant with `connection`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn show(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
) -> Result<Json<RestaurantView>, AdminError> {
    let restaurant = known_restaurant(&state, &resto_id).await?;
    let connection = state.link.connection_info_anywhere(&restaurant.resto_id).await;
    Ok(Json(view(restaurant, connection)))
}

/// The longest an old secret may keep working after a rotation.
const MAX_GRACE_SECONDS: u64 = 30 * 24 * 3600;

/// What `rotate-secret` takes (or no body).
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rotation {
    /// Seconds the old secret keeps working (default 24 h, at most 30 days).
    #[schema(maximum = 2592000)]
    grace_seconds: Option<u64>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rotated {
    resto_id: String,
    secret_key: String,
    previous_secret_valid_until: i64,
}

#[utoipa::path(
    post,
    path = "/api/admin/restaurants/{resto_id}/rotate-secret",
    summary = "Issue a new secret; the old one works for the grace period",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    request_body(content = Option<Rotation>, content_type = "application/json"),
    responses((status = 200, description = "`{restoId, secretKey, previousSecretValidUntil}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn rotate_secret(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<Rotated>, AdminError> {
    let rotation: Rotation = if body.iter().all(u8::is_ascii_whitespace) {
        Rotation::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| AdminError::BadRequest(format!("send {{\"graceSeconds\": <seconds>}} or no body: {e}")))?
    };
    let grace = match rotation.grace_seconds {
        Some(seconds) if seconds > MAX_GRACE_SECONDS => {
            return Err(AdminError::BadRequest(format!(
                "`graceSeconds` is at most {MAX_GRACE_SECONDS} (30 days): the old secret must stop working"
            )))
        }
        Some(seconds) => seconds as i64 * 1000,
        None => state.config.secret_grace.as_millis() as i64,
    };
    let (secret_key, valid_until) = state
        .store
        .rotate_secret(&resto_id, grace)
        .await?
        .ok_or_else(|| AdminError::UnknownRestaurant(resto_id.clone()))?;
    Ok(Json(Rotated { resto_id, secret_key, previous_secret_valid_until: valid_until }))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Disconnected {
    closed_with: u16,
}

/// `DELETE /api/admin/restaurants/{id}/connection`: closes the POS's socket with `1001` (going
/// away), as this node does when it shuts down, so the POS reconnects. For operators draining a
/// node, and for `check-pos` to see that a POS comes back after `1001`. 503 `POS_OFFLINE` when
/// the POS holds no socket here.
#[utoipa::path(
    delete,
    path = "/api/admin/restaurants/{resto_id}/connection",
    summary = "Close the POS's socket with 1001 so it reconnects",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    responses((status = 202, description = "`{closedWith: 1001}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn disconnect(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
) -> Result<(StatusCode, Json<Disconnected>), AdminError> {
    known_restaurant(&state, &resto_id).await?;
    if !state.link.close_socket_anywhere(&resto_id, CLOSE_GOING_AWAY, "closed by an operator; connect again").await {
        return Err(AdminError::Link(LinkError::Offline));
    }
    Ok((StatusCode::ACCEPTED, Json(Disconnected { closed_with: CLOSE_GOING_AWAY })))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Health {
    pending_requests: usize,
    connected_restaurants: usize,
}

#[utoipa::path(
    get,
    path = "/api/admin/health",
    summary = "Pending requests and connected restaurants on this node",
    responses((status = 200, description = "`{pendingRequests, connectedRestaurants}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn health(State(state): State<AdminState>) -> Json<Health> {
    Json(Health { pending_requests: state.link.waiting_count(), connected_restaurants: state.link.connected_count() })
}

pub(super) async fn known_restaurant(state: &AdminState, resto_id: &str) -> Result<Restaurant, AdminError> {
    state.store.restaurant(resto_id).await?.ok_or_else(|| AdminError::UnknownRestaurant(resto_id.to_string()))
}

/// A restaurant with its connection on whichever node holds it.
fn view(restaurant: Restaurant, connection: Option<ConnectionInfo>) -> RestaurantView {
    let connection = match connection {
        Some(info) => Connection::Live(Box::new(info)),
        None => Connection::Offline { connected: false },
    };
    RestaurantView { restaurant, connection }
}

/// `GET /api/admin/restaurants/{id}/callback-refusals`: the callbacks and webhooks refused
/// lately, newest first (what `check-pos` reads to name a failure).
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/callback-refusals",
    summary = "Callbacks and webhooks refused lately, newest first",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    responses((status = 200, description = "an array of refusals with the body and signature as sent", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn callback_refusals(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
) -> Result<Json<Vec<CallbackRefusal>>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    state.link.flush_journal().await;
    Ok(Json(state.store.callback_refusals(&resto_id).await?))
}

/// `GET /api/admin/restaurants/{id}/conformance-warnings`: the loose forms the POS sends that a
/// strict reader would refuse (normalised and accepted), one entry per operation, kind and
/// field, with a count and the latest body; most recently seen first.
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/conformance-warnings",
    summary = "Loose forms the POS sends that a strict reader would refuse",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    responses((status = 200, description = "an array of warnings by operation, kind and field", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn conformance_warnings(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
) -> Result<Json<Vec<StoredWarning>>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    state.link.flush_journal().await;
    Ok(Json(state.store.conformance_warnings(&resto_id).await?))
}
