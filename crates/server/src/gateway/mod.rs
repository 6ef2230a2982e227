//! The gateway: the POS side of the platform. The socket each POS keeps open, the callbacks
//! and webhooks it sends, and [`PosLink`], the one request path the rest of the server uses.

mod auth_limiter;
mod bus_seal;
mod callback_refusals;
mod callbacks;
mod cluster;
mod error;
mod journal;
mod link;
mod pending;
mod relay;
mod sessions;
mod signed_body;
mod socket;
mod unverified_budget;
mod warning_checks;
mod webhooks;

pub use auth_limiter::AuthLimiter;
pub use cluster::{Cluster, ClusterError, LocalNode};
pub use error::GatewayError;
pub use journal::JournalWriter;
pub use link::{LinkError, PosLink};
pub use sessions::{ConnectionInfo, CLOSE_GOING_AWAY, CLOSE_REPLACED, CLOSE_SILENT};
pub use unverified_budget::UnverifiedBudget;

use crate::config::Config;
use crate::store::Store;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// What the gateway's handlers use: the store, the request path, and the limits that keep
/// unauthenticated traffic in bounds.
#[derive(Clone)]
pub struct GatewayState {
    /// The store.
    pub store: Store,
    /// The request path to POS systems.
    pub link: Arc<PosLink>,
    /// Failed-authentication limits for POS sockets.
    pub auth_limiter: Arc<AuthLimiter>,
    /// Room for callback bodies whose signature is not verified yet.
    pub unverified_budget: Arc<UnverifiedBudget>,
    /// The configuration in force.
    pub config: Arc<Config>,
}

/// The gateway's routes.
pub fn routes() -> Router<GatewayState> {
    Router::new()
        .route("/restaurantEntryPoint", get(socket::restaurant_entry_point))
        .route("/callback/webhook", post(webhooks::webhook))
        .route("/callback/{operation}", post(callbacks::callback))
}
