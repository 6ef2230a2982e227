//! What every handler can reach.

use crate::config::Config;
use crate::gateway::{AuthLimiter, PosLink};
use crate::payments::Payments;
use crate::store::Store;
use std::sync::Arc;

/// Shared application state; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The store.
    pub store: Store,
    /// The request path to POS systems.
    pub link: Arc<PosLink>,
    /// The configuration in force.
    pub config: Arc<Config>,
    /// Failed-authentication limits for POS sockets.
    pub auth_limiter: Arc<AuthLimiter>,
    /// The admin API bearer token.
    pub admin_token: Arc<str>,
    /// Payments and the acquirer.
    pub payments: Arc<Payments>,
    /// Where guests and the acquirer reach this server (no trailing slash).
    pub base_url: Arc<str>,
}
