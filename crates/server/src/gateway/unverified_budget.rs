//! The memory callbacks may hold before their signature is verified: a server-wide budget, a
//! share of it per restaurant, and a share per client address.
//!
//! Why this exists: a callback body must be read whole before its signature can be checked
//! (the signature covers the exact bytes), and anyone who knows a restaurant id (it is in every
//! table's QR link) can send 16 MiB bodies with a wrong signature. Without a budget, 100 of them
//! at once hold 1.6 GB. With it, bytes are taken from the budget as they arrive; a body that
//! cannot get room within [`WAIT`] is answered 503 with `Retry-After` and never read further,
//! and one restaurant's flood can use only its share, so callbacks of the others still get in.
//! Restaurant ids are public, so one client could flood under every id at once: the share per
//! client address (`crate::client_address`) bounds what one client holds whatever ids it names.
//! What a body holds comes back when its reading ends, however it ends — verified, refused, or
//! cut by its deadline (`crate::body_deadline`) when it stops arriving.

use std::collections::HashMap;
use std::net::IpAddr;
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
    per_address_units: u32,
    addresses: Mutex<Shares<IpAddr>>,
}

/// The shares of one kind (per address), forgetting those nobody holds once they pile up: any
/// client can name a fresh address (an IPv6 /64 after another), so they must not stay for ever.
struct Shares<K> {
    held: HashMap<K, Arc<Semaphore>>,
    /// How many shares may be kept before the unheld are forgotten.
    forget_past: usize,
}

/// Shares kept, at least, before any is forgotten.
const SHARES_KEPT: usize = 1024;

/// Room held for one body; given back when dropped (after verification or refusal).
pub struct HeldRoom {
    bytes: usize,
    units: u32,
    total: Option<OwnedSemaphorePermit>,
    restaurant: Option<OwnedSemaphorePermit>,
    address: Option<OwnedSemaphorePermit>,
}

/// No room within [`WAIT`].
#[derive(Debug)]
pub struct NoRoom;

impl UnverifiedBudget {
    /// `total_bytes` for the whole server; `per_restaurant_bytes` for any one restaurant and
    /// `per_address_bytes` for any one client address (each at most the whole).
    pub fn new(total_bytes: usize, per_restaurant_bytes: usize, per_address_bytes: usize) -> UnverifiedBudget {
        let units = |bytes: usize| u32::try_from(bytes.div_ceil(UNIT)).unwrap_or(u32::MAX).max(1);
        UnverifiedBudget {
            total: Arc::new(Semaphore::new(units(total_bytes) as usize)),
            per_restaurant_units: units(per_restaurant_bytes).min(units(total_bytes)),
            restaurants: Mutex::new(HashMap::new()),
            per_address_units: units(per_address_bytes).min(units(total_bytes)),
            addresses: Mutex::new(Shares { held: HashMap::new(), forget_past: SHARES_KEPT }),
        }
    }

    /// Empty room for one body.
    pub fn room(&self) -> HeldRoom {
        HeldRoom { bytes: 0, units: 0, total: None, restaurant: None, address: None }
    }

    /// Takes room for `bytes` more of a body for `resto_id` sent from `address`, waiting at
    /// most `WAIT`. The room held is the body's length rounded up to a whole KiB, however it
    /// arrives in pieces.
    pub async fn grow(&self, room: &mut HeldRoom, resto_id: &str, address: IpAddr, bytes: usize) -> Result<(), NoRoom> {
        let needed = u32::try_from((room.bytes + bytes).div_ceil(UNIT)).map_err(|_| NoRoom)?;
        let units = needed - room.units;
        room.bytes += bytes;
        if units == 0 {
            return Ok(());
        }
        let restaurant = self.restaurant(resto_id);
        let client = self.address(address);
        let taken = tokio::time::timeout(WAIT, async {
            let restaurants = restaurant.acquire_many_owned(units).await.map_err(|_| NoRoom)?;
            let clients = client.acquire_many_owned(units).await.map_err(|_| NoRoom)?;
            let shared = self.total.clone().acquire_many_owned(units).await.map_err(|_| NoRoom)?;
            Ok::<_, NoRoom>((restaurants, clients, shared))
        })
        .await
        .map_err(|_| NoRoom)??;
        merge(&mut room.restaurant, taken.0);
        merge(&mut room.address, taken.1);
        merge(&mut room.total, taken.2);
        room.units = needed;
        Ok(())
    }

    fn address(&self, address: IpAddr) -> Arc<Semaphore> {
        let mut addresses = self.addresses.lock().unwrap_or_else(|p| p.into_inner());
        let shares = &mut *addresses;
        if shares.held.len() >= shares.forget_past && !shares.held.contains_key(&address) {
            // A share only this map refers to is held by no body and waited for by none.
            shares.held.retain(|_, share| Arc::strong_count(share) > 1);
            shares.forget_past = (2 * shares.held.len()).max(SHARES_KEPT);
        }
        let units = self.per_address_units as usize;
        shares.held.entry(address).or_insert_with(|| Arc::new(Semaphore::new(units))).clone()
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

    fn address(last: u8) -> IpAddr {
        IpAddr::from([192, 0, 2, last])
    }

    #[tokio::test(start_paused = true)]
    async fn one_restaurant_cannot_take_the_whole_budget_and_room_comes_back_on_drop() {
        let budget = UnverifiedBudget::new(64 * UNIT, 16 * UNIT, 64 * UNIT);
        let mut flood = budget.room();
        for _ in 0..16 {
            budget.grow(&mut flood, "a", address(1), UNIT / 4).await.unwrap();
        }
        for _ in 0..12 {
            let grown = budget.grow(&mut flood, "a", address(1), UNIT).await;
            grown.expect("pieces add up exactly: 16 KiB fit a 16 KiB share");
        }
        let mut more = budget.room();
        assert!(budget.grow(&mut more, "a", address(2), UNIT).await.is_err(), "a's share is spent");
        let mut other = budget.room();
        budget.grow(&mut other, "b", address(1), 16 * UNIT).await.expect("b still gets in");
        drop(flood);
        let mut again = budget.room();
        budget.grow(&mut again, "a", address(1), 16 * UNIT).await.expect("room came back");
    }

    #[tokio::test(start_paused = true)]
    async fn one_address_cannot_take_the_whole_budget_whatever_restaurants_it_names() {
        let budget = UnverifiedBudget::new(64 * UNIT, 16 * UNIT, 16 * UNIT);
        let mut flood = budget.room();
        budget.grow(&mut flood, "a", address(9), 16 * UNIT).await.unwrap();
        let mut second = budget.room();
        let refused = budget.grow(&mut second, "b", address(9), UNIT).await;
        assert!(refused.is_err(), "the address's share is spent, though b's is not");
        for (id, last) in [("b", 1), ("c", 2), ("d", 3)] {
            let mut genuine = budget.room();
            budget.grow(&mut genuine, id, address(last), 16 * UNIT).await.expect("other clients get in");
        }
        drop(flood);
        budget.grow(&mut second, "b", address(9), UNIT).await.expect("the address's room came back");
    }

    #[tokio::test(start_paused = true)]
    async fn shares_of_addresses_holding_nothing_are_forgotten() {
        let budget = UnverifiedBudget::new(64 * UNIT, 64 * UNIT, UNIT);
        let mut held = budget.room();
        budget.grow(&mut held, "a", address(0), UNIT).await.unwrap();
        for n in 0..10 * SHARES_KEPT as u32 {
            let mut room = budget.room();
            budget.grow(&mut room, "a", IpAddr::from((n + 1).to_be_bytes()), UNIT).await.unwrap();
        }
        let shares = budget.addresses.lock().unwrap();
        assert!(shares.held.len() <= 2 * SHARES_KEPT, "{} shares kept", shares.held.len());
        assert!(shares.held.contains_key(&address(0)), "a share still held is kept");
    }
}
