//! Slowing down password guessing at the panel's sign-in, per (name, client address) and per
//! client address across names, without ever locking the real user out from elsewhere.
//!
//! Why not a lock on the name: five wrong passwords from anywhere would lock the owner out for
//! fifteen minutes, whoever they are and wherever they sign in from. Counting per (name,
//! address) slows the guesser only; counting per address across names stops one address from
//! trying a name once each. The right password from another address always signs in.
//!
//! Delays grow in steps (`governor`'s GCRA, two quotas per (name, address)): five attempts at
//! once, then one per 30 s; past ten within ten minutes, one per 10 minutes. Per address:
//! twenty at once, then one per 10 s. The check runs before the password hash is computed,
//! so a refused attempt costs the server nothing.

use crate::rate_limit::{keyed, quota, sweep, Keyed};
use governor::clock::{Clock, DefaultClock};
use std::net::IpAddr;
use std::time::Duration;

/// The counters (see the module docs).
pub struct SignInThrottle {
    name_at_address: Keyed<(String, IpAddr)>,
    name_at_address_slow: Keyed<(String, IpAddr)>,
    address: Keyed<IpAddr>,
    clock: DefaultClock,
}

impl Default for SignInThrottle {
    fn default() -> SignInThrottle {
        SignInThrottle {
            name_at_address: keyed(quota(5, Duration::from_secs(30))),
            name_at_address_slow: keyed(quota(10, Duration::from_secs(600))),
            address: keyed(quota(20, Duration::from_secs(10))),
            clock: DefaultClock::default(),
        }
    }
}

impl SignInThrottle {
    /// Counts an attempt to sign in as `name` from `address`: `Err(wait)` when it must wait.
    pub fn attempt(&self, name: &str, address: IpAddr) -> Result<(), Duration> {
        sweep(&[&self.name_at_address, &self.name_at_address_slow, &self.address]);
        let now = self.clock.now();
        let key = (name.to_string(), address);
        let waits = [
            self.address.check_key(&address).err().map(|n| n.wait_time_from(now)),
            self.name_at_address.check_key(&key).err().map(|n| n.wait_time_from(now)),
            self.name_at_address_slow.check_key(&key).err().map(|n| n.wait_time_from(now)),
        ];
        match waits.into_iter().flatten().max() {
            Some(wait) => Err(wait.max(Duration::from_secs(1))),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_slowed_per_address_and_an_address_across_names() {
        let throttle = SignInThrottle::default();
        let (here, there): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        assert!((0..5).all(|_| throttle.attempt("olena", here).is_ok()));
        let wait = throttle.attempt("olena", here).unwrap_err();
        assert!(wait > Duration::from_secs(20), "{wait:?}");
        assert!(throttle.attempt("olena", there).is_ok(), "another address is not slowed");
        let names: Vec<String> = (0..14).map(|i| format!("name{i}")).collect();
        assert!(names.iter().all(|n| throttle.attempt(n, here).is_ok()), "20 attempts from one address pass");
        assert!(throttle.attempt("one-more", here).is_err(), "the 21st from that address waits");
    }
}
