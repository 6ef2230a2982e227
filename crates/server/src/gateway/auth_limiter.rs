//! Slows down wrong POS credentials **[ours]** (spec section 2): after too many failed
//! authentications from one client address (as `crate::client_address` counts it: behind a
//! trusted proxy, the address the proxy forwards), or for one known `RESTO_ID`, within a window,
//! further *wrong* attempts get 429 instead of 401.
//!
//! Why it only ever answers failures: the credentials are checked first, and the right ones are
//! accepted whoever failed before from the same address or for the same restaurant. Secrets are
//! long and random, so guessing is not the risk; locking a restaurant's real POS out (behind a
//! reverse proxy not named in `--trusted-proxies`, every POS shares one address) is. The counting is `governor`'s keyed GCRA
//! limiter: `failures_allowed` at once, then one more per `window / failures_allowed`.

use crate::rate_limit::{keyed, quota, sweep, Keyed};
use std::net::IpAddr;
use std::time::Duration;

/// Failure allowances per address and per restaurant (see the module docs).
pub struct AuthLimiter {
    by_address: Keyed<IpAddr>,
    by_restaurant: Keyed<String>,
}

impl AuthLimiter {
    /// Allows `failures_allowed` failures per `window` for each address and each restaurant.
    pub fn new(failures_allowed: u32, window: Duration) -> AuthLimiter {
        let burst = failures_allowed.max(1);
        let quota = quota(burst, window / burst);
        AuthLimiter { by_address: keyed(quota), by_restaurant: keyed(quota) }
    }

    /// Counts a failed authentication from `address` (for `known_restaurant` when the id named
    /// one); false when the allowance of either is spent, so the answer is 429, not 401.
    pub fn failure_allowed(&self, address: IpAddr, known_restaurant: Option<&str>) -> bool {
        sweep(&[&self.by_address, &self.by_restaurant]);
        let address_allowed = self.by_address.check_key(&address).is_ok();
        let restaurant_allowed =
            known_restaurant.is_none_or(|id| self.by_restaurant.check_key(&id.to_string()).is_ok());
        address_allowed && restaurant_allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_beyond_the_allowance_are_refused_per_address_and_per_restaurant() {
        let limiter = AuthLimiter::new(3, Duration::from_secs(60));
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!((0..3).all(|_| limiter.failure_allowed(a, None)));
        assert!(!limiter.failure_allowed(a, None), "the fourth from one address");
        assert!(limiter.failure_allowed(b, Some("r1")), "another address is counted apart");
        assert!(limiter.failure_allowed(b, Some("r1")));
        assert!(limiter.failure_allowed("10.0.0.3".parse().unwrap(), Some("r1")));
        assert!(!limiter.failure_allowed("10.0.0.4".parse().unwrap(), Some("r1")), "the fourth for one restaurant");
    }
}
