//! What the three faces of the platform — the guest pages, the panel and the admin API — all
//! work with: the store, the request path to POS systems, the POS's data, payments and the
//! configuration. Each face's own state holds these and adds what is only its own (the public
//! URL, the sign-in throttle, the admin token), so the shared part is written once, below the
//! faces, instead of three times beside them.

use crate::config::Config;
use crate::gateway::PosLink;
use crate::payments::Payments;
use crate::pos_data::PosData;
use crate::store::Store;
use std::sync::Arc;

/// The services every face uses; cheap to clone (reference counts).
#[derive(Clone)]
pub struct FaceServices {
    /// The store.
    pub store: Store,
    /// The request path to POS systems.
    pub link: Arc<PosLink>,
    /// The POS's data about each restaurant, asked for or as stored.
    pub pos_data: PosData,
    /// Payments and the acquirers.
    pub payments: Arc<Payments>,
    /// The configuration in force.
    pub config: Arc<Config>,
}

/// A face's state reads the shared services as its own fields (`state.store`).
macro_rules! face_state {
    ($state:ident) => {
        impl std::ops::Deref for $state {
            type Target = $crate::services::FaceServices;

            fn deref(&self) -> &$crate::services::FaceServices {
                &self.services
            }
        }
    };
}
pub(crate) use face_state;
