//! The admin JSON API: restaurants and their credentials, POS data (tables, halls, staff,
//! menu...), an operations console that replaces hand-signing in Postman, and the request log.
//! Every route needs `Authorization: Bearer <admin token>`.

mod acquirer;
mod auth;
mod error;
mod openapi;
mod operations;
mod payments;
mod pos_data;
mod restaurants;

pub use error::AdminError;

use crate::secrets::AdminToken;
use crate::services::FaceServices;
use axum::routing::get;
use axum::{Json, Router};
use std::sync::Arc;
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// What the admin API's handlers use.
#[derive(Clone)]
pub struct AdminState {
    /// The services every face uses (read as this state's own fields).
    pub services: FaceServices,
    /// The admin API bearer token.
    pub admin_token: Arc<AdminToken>,
}

crate::services::face_state!(AdminState);

/// Where the OpenAPI document is served (without the token: it holds nothing secret).
pub const OPENAPI_PATH: &str = "/api/admin/openapi.json";

/// Every admin route with its OpenAPI description, registered together.
fn documented() -> OpenApiRouter<AdminState> {
    OpenApiRouter::with_openapi(openapi::AdminApi::openapi())
        .routes(routes!(restaurants::health))
        .routes(routes!(restaurants::create, restaurants::list))
        .routes(routes!(restaurants::show))
        .routes(routes!(restaurants::disconnect))
        .routes(routes!(acquirer::choose, acquirer::show))
        .routes(routes!(restaurants::rotate_secret))
        .routes(routes!(pos_data::tables))
        .routes(routes!(pos_data::halls))
        .routes(routes!(pos_data::staff))
        .routes(routes!(pos_data::categories))
        .routes(routes!(pos_data::menu))
        .routes(routes!(pos_data::stop_list))
        .routes(routes!(pos_data::cached_orders))
        .routes(routes!(operations::send))
        .routes(routes!(operations::request_log))
        .routes(routes!(payments::list))
        .routes(routes!(payments::show))
        .routes(routes!(payments::refund))
        .routes(routes!(payments::retry))
        .routes(routes!(restaurants::callback_refusals))
        .routes(routes!(restaurants::conformance_warnings))
}

/// The admin API's OpenAPI 3.1 document (built once).
pub fn openapi_document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: OnceLock<utoipa::openapi::OpenApi> = OnceLock::new();
    DOCUMENT.get_or_init(|| documented().split_for_parts().1)
}

/// The admin API routes, behind the bearer-token check, and the OpenAPI document.
pub fn routes(state: AdminState) -> Router {
    let (api, _) = documented().split_for_parts();
    api.route_layer(axum::middleware::from_fn_with_state(state.clone(), auth::require_admin_token))
        .route(OPENAPI_PATH, get(|| async { Json(openapi_document()) }))
        .with_state(state)
}
