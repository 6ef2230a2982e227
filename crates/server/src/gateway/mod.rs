//! The gateway: the POS side of the platform. The socket each POS keeps open, the callbacks
//! and webhooks it sends, and [`PosLink`], the one request path the rest of the server uses.

mod auth_limiter;
mod callback_refusals;
mod callbacks;
mod cluster;
mod error;
mod journal;
mod link;
mod pending;
mod sessions;
mod signed_body;
mod socket;
mod unverified_budget;
mod warning_checks;
mod webhooks;

pub use auth_limiter::AuthLimiter;
pub use cluster::{Cluster, ClusterError};
pub use error::GatewayError;
pub use journal::JournalWriter;
pub use link::{LinkError, PosLink};
pub use sessions::{ConnectionInfo, CLOSE_GOING_AWAY, CLOSE_REPLACED, CLOSE_SILENT};
pub use unverified_budget::UnverifiedBudget;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The gateway's routes.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/restaurantEntryPoint", get(socket::restaurant_entry_point))
        .route("/callback/webhook", post(webhooks::webhook))
        .route("/callback/{operation}", post(callbacks::callback))
}
