//! Every service of a running server, wired together (see `startup.rs`). Only the wiring sees
//! this type: each area's routes are given their own state, holding just what that area uses
//! (`GatewayState`, `GuestState`, …), made here.

use crate::admin::AdminState;
use crate::config::Config;
use crate::gateway::{AuthLimiter, GatewayState, PosLink};
use crate::guest::GuestState;
use crate::panel::PanelState;
use crate::payments::{Payments, PaymentsState};
use crate::pos_data::PosData;
use crate::services::FaceServices;
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
    pub sign_in_throttle: Arc<crate::panel::SignInThrottle>,
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

impl AppState {
    /// The gateway's state.
    pub fn gateway(&self) -> GatewayState {
        GatewayState {
            store: self.store.clone(),
            link: self.link.clone(),
            auth_limiter: self.auth_limiter.clone(),
            unverified_budget: self.unverified_budget.clone(),
            config: self.config.clone(),
        }
    }

    /// What the faces share.
    fn face_services(&self) -> FaceServices {
        FaceServices {
            store: self.store.clone(),
            link: self.link.clone(),
            pos_data: self.pos_data.clone(),
            payments: self.payments.clone(),
            config: self.config.clone(),
        }
    }

    /// The guest pages' state.
    pub fn guest(&self) -> GuestState {
        GuestState { services: self.face_services(), base_url: self.base_url.clone() }
    }

    /// The acquirers' routes' state.
    pub fn payment_routes(&self) -> PaymentsState {
        PaymentsState { payments: self.payments.clone(), store: self.store.clone() }
    }

    /// The admin API's state.
    pub fn admin(&self) -> AdminState {
        AdminState { services: self.face_services(), admin_token: self.admin_token.clone() }
    }

    /// The panel's state.
    pub fn panel(&self) -> PanelState {
        PanelState { services: self.face_services(), sign_in_throttle: self.sign_in_throttle.clone() }
    }
}
