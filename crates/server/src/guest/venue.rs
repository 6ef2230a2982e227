//! The restaurant a QR code leads to and where its tables' pages live: what every guest page
//! starts from.

use super::{GuestError, GuestState};
use crate::store::{GuestSettings, Restaurant};

/// The restaurant a QR code leads to, with what it lets guests do.
pub struct Venue {
    /// The restaurant.
    pub restaurant: Restaurant,
    /// Tip presets and split on/off, as set in the admin panel.
    pub settings: GuestSettings,
}

/// The venue, or the guest's "unknown restaurant" page.
pub async fn known_venue(state: &GuestState, resto_id: &str) -> Result<Venue, GuestError> {
    let restaurant = state.store.restaurant(resto_id).await?.ok_or(GuestError::UnknownRestaurant)?;
    let settings = state.store.guest_settings(resto_id).await?;
    Ok(Venue { restaurant, settings })
}

/// Where a table's pages live ([`crate::web::paths::table`]).
pub fn table_path(resto_id: &str, table: &str) -> String {
    crate::web::paths::table(resto_id, table)
}
