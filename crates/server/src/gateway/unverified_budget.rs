//! The memory callbacks may hold before their signature is verified: a server-wide budget, and
//! a share of it per restaurant.
//!
//! Why this exists: a callback body must be read whole before its signature can be checked
//! (the signature covers the exact bytes), and anyone who knows a restaurant id (it is in every
//! table's QR link) can send 16 MiB bodies with a wrong signature. Without a budget, 100 of them
//! at once hold 1.6 GB. With it, bytes are taken from the budget as they arrive; a body that
//! cannot get room within [`WAIT`] is answered 503 with `Retry-After` and never read further,
//! and one restaurant's flood can use only its share, so callbacks of the others still get in.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The budget is counted in KiB (a semaphore's permits are `u32`).
const UNIT: usize = 1024;
/// How long a chunk may wait for room before the callback is refused.
pub const WAIT: Duration = Duration::from_secs(2);

/// The budget (see the module docs).
pub struct UnverifiedBudget {
    total: Arc<Semaphore>,
    per_restaurant_units: u32,
    restaurants: Mutex<HashMap<String, Arc<Semaphore>>>,
}

/// Room held for one body; given back when dropped (after verification or refusal).
pub struct HeldRoom {
    bytes: usize,
    units: u32,
    total: Option<OwnedSemaphorePermit>,
    restaurant: Option<OwnedSemaphorePermit>,
}

/// No room within [`WAIT`].
#[derive(Debug)]
pub struct NoRoom;

impl UnverifiedBudget {
    /// `total_bytes` for the whole server; `per_restaurant_bytes` for any one restaurant.
    pub fn new(total_bytes: usize, per_restaurant_bytes: usize) -> UnverifiedBudget {
        let units = |bytes: usize| u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX).max(1);
        UnverifiedBudget {
            total: Arc::new(Semaphore::new(units(total_bytes) as usize)),
            per_restaurant_units: units(per_restaurant_bytes).min(units(total_bytes)),
            restaurants: Mutex::new(HashMap::new()),
        }
    }

    /// Empty room for one body.
    pub fn room(&self) -> HeldRoom {
        HeldRoom { bytes: 0, units: 0, total: None, restaurant: None }
    }

    /// Takes room for `bytes` more of `resto_id`'s body, waiting at most `WAIT`. The room
    /// held is the body's length rounded up to a whole KiB, however it arrives in pieces.
    pub async fn grow(&self, room: &mut HeldRoom, resto_id: &str, bytes: usize) -> Result<(), NoRoom> {
        let needed = u32::try_from((room.bytes + bytes).div_ceil(UNIT)).map_err(|_| NoRoom)?;
        let units = needed - room.units;
        room.bytes += bytes;
        if units == 0 {
            return Ok(());
        }
        let restaurant = self.restaurant(resto_id);
        let taken = tokio::time::timeout(WAIT, async {
            let mine = restaurant.acquire_many_owned(units).await.map_err(|_| NoRoom)?;
            let shared = self.total.clone().acquire_many_owned(units).await.map_err(|_| NoRoom)?;
            Ok::<_, NoRoom>((mine, shared))
        })
        .await
        .map_err(|_| NoRoom)??;
        merge(&mut room.restaurant, taken.0);
        merge(&mut room.total, taken.1);
        room.units = needed;
        Ok(())
    }

    fn restaurant(&self, resto_id: &str) -> Arc<Semaphore> {
        let mut restaurants = self.restaurants.lock().unwrap_or_else(|p| p.into_inner());
        restaurants
            .entry(resto_id.to_string())
            .or_insert_with(|| Arc::new(Semaphore::new(self.per_restaurant_units as usize)))
            .clone()
    }
}

fn merge(held: &mut Option<OwnedSemaphorePermit>, more: OwnedSemaphorePermit) {
    match held {
        Some(permit) => permit.merge(more),
        None => *held = Some(more),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_restaurant_cannot_take_the_whole_budget_and_room_comes_back_on_drop() {
        let budget = UnverifiedBudget::new(64 * UNIT, 16 * UNIT);
        let mut flood = budget.room();
        for _ in 0..16 {
            budget.grow(&mut flood, "a", UNIT / 4).await.unwrap();
        }
        for _ in 0..12 {
            budget.grow(&mut flood, "a", UNIT).await.expect("pieces add up exactly: 16 KiB fit a 16 KiB share");
        }
        let mut more = budget.room();
        assert!(budget.grow(&mut more, "a", UNIT).await.is_err(), "a's share is spent");
        let mut other = budget.room();
        budget.grow(&mut other, "b", 16 * UNIT).await.expect("b still gets in");
        drop(flood);
        let mut again = budget.room();
        budget.grow(&mut again, "a", 16 * UNIT).await.expect("room came back");
    }
}
