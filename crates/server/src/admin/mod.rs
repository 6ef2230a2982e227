//! The admin JSON API: restaurants and their credentials, POS data (tables, halls, staff,
//! menu...), an operations console that replaces hand-signing in Postman, and the request log.
//! Every route needs `Authorization: Bearer <admin token>`.

mod acquirer;
mod auth;
mod error;
mod operations;
mod payments;
mod pos_data;
mod restaurants;

pub use error::AdminError;

use crate::state::AppState;
use axum::routing::{delete, get, post, put};
use axum::Router;
use rahunok_protocol::ops::{CategoriesInfo, HallplansInfo, MenuInfo, StopList, TablesInfo, UsersInfo};

/// The admin API routes, behind the bearer-token check.
pub fn routes(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/api/admin/health", get(restaurants::health))
        .route("/api/admin/restaurants", post(restaurants::create).get(restaurants::list))
        .route("/api/admin/restaurants/{resto_id}", get(restaurants::show))
        .route("/api/admin/restaurants/{resto_id}/connection", delete(restaurants::disconnect))
        .route("/api/admin/restaurants/{resto_id}/acquirer", put(acquirer::choose).get(acquirer::show))
        .route("/api/admin/restaurants/{resto_id}/rotate-secret", post(restaurants::rotate_secret))
        .route("/api/admin/restaurants/{resto_id}/tables", get(pos_data::snapshot::<TablesInfo>))
        .route("/api/admin/restaurants/{resto_id}/halls", get(pos_data::snapshot::<HallplansInfo>))
        .route("/api/admin/restaurants/{resto_id}/staff", get(pos_data::snapshot::<UsersInfo>))
        .route("/api/admin/restaurants/{resto_id}/categories", get(pos_data::snapshot::<CategoriesInfo>))
        .route("/api/admin/restaurants/{resto_id}/menu", get(pos_data::snapshot::<MenuInfo>))
        .route("/api/admin/restaurants/{resto_id}/stop-list", get(pos_data::snapshot::<StopList>))
        .route("/api/admin/restaurants/{resto_id}/orders", get(pos_data::cached_orders))
        .route("/api/admin/restaurants/{resto_id}/operations/{operation}", post(operations::send))
        .route("/api/admin/restaurants/{resto_id}/requests", get(operations::request_log))
        .route("/api/admin/restaurants/{resto_id}/payments", get(payments::list))
        .route("/api/admin/restaurants/{resto_id}/payments/{payment_id}", get(payments::show))
        .route("/api/admin/restaurants/{resto_id}/payments/{payment_id}/refund", post(payments::refund))
        .route("/api/admin/restaurants/{resto_id}/payments/{payment_id}/retry", post(payments::retry))
        .route("/api/admin/restaurants/{resto_id}/callback-refusals", get(restaurants::callback_refusals))
        .route("/api/admin/restaurants/{resto_id}/conformance-warnings", get(restaurants::conformance_warnings))
        .route_layer(axum::middleware::from_fn_with_state(state, auth::require_admin_token))
}
