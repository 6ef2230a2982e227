//! What every handler can reach. `AppState` only wires the services together (see
//! `startup.rs`); the services own what they use, and only handlers see this type.

use crate::config::Config;
use crate::gateway::{AuthLimiter, PosLink};
use crate::payments::Payments;
use crate::pos_data::PosData;
use crate::store::Store;
use std::sync::Arc;

/// Shared application state; cheap to clone (one reference count: every request clones it a few
/// times, once per layer that reads it).
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    /// Wires the services together.
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// The services every handler can reach (through [`AppState`]).
pub struct Services {
    /// The store.
    pub store: Store,
    /// The request path to POS systems.
    pub link: Arc<PosLink>,
    /// The POS's data about each restaurant, asked for or as stored.
    pub pos_data: PosData,
    /// Payments, the acquirer and the closer's work.
    pub payments: Arc<Payments>,
    /// Failed-authentication limits for POS sockets.
    pub auth_limiter: Arc<AuthLimiter>,
    /// Slows down password guessing at the panel's sign-in.
    pub sign_in_throttle: Arc<crate::panel::sign_in_throttle::SignInThrottle>,
    /// Room for callback bodies whose signature is not verified yet.
    pub unverified_budget: Arc<crate::gateway::UnverifiedBudget>,
    /// The configuration in force.
    pub config: Arc<Config>,
    /// The admin API bearer token.
    pub admin_token: Arc<crate::secrets::AdminToken>,
    /// What operators scrape at `/metrics`.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Where guests and the acquirer reach this server (no trailing slash).
    pub base_url: Arc<str>,
}
