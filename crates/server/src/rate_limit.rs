//! Keyed rate limits as the gateway (wrong POS credentials) and the panel (sign-in attempts)
//! count them: `governor`'s GCRA, one limiter per kind of key, and a sweep that keeps the
//! memory bounded.
//!
//! Why this exists: both counters were built the same way (the same limiter type, quota and
//! sweep threshold) in their own modules; the rules for building and sweeping live here once.

use governor::clock::DefaultClock;
use governor::state::keyed::HashMapStateStore;
use governor::{Quota, RateLimiter};
use std::hash::Hash;
use std::num::NonZeroU32;
use std::time::Duration;

/// A limiter counting each key on its own.
pub type Keyed<K> = RateLimiter<K, HashMapStateStore<K>, DefaultClock>;

/// Above this many tracked keys, keys whose allowance has refilled are dropped.
const TRACKED_KEYS_BEFORE_SWEEP: usize = 100_000;

/// `burst` at once (at least one), then one more every `every` (at least a millisecond).
pub fn quota(burst: u32, every: Duration) -> Quota {
    let burst = NonZeroU32::new(burst.max(1)).expect("at least one");
    Quota::with_period(every.max(Duration::from_millis(1))).expect("a positive period").allow_burst(burst)
}

/// A keyed limiter with `quota` for every key.
pub fn keyed<K: Hash + Eq + Clone>(quota: Quota) -> Keyed<K> {
    RateLimiter::hashmap(quota)
}

/// A keyed limiter, whatever its key.
pub trait Tracked {
    /// How many keys it tracks.
    fn tracked(&self) -> usize;
    /// Drops the keys whose allowance has refilled.
    fn forget_refilled(&self);
}

impl<K: Hash + Eq + Clone> Tracked for Keyed<K> {
    fn tracked(&self) -> usize {
        self.len()
    }

    fn forget_refilled(&self) {
        self.retain_recent();
    }
}

/// Once `limiters` track more than `TRACKED_KEYS_BEFORE_SWEEP` keys together, drops the keys
/// whose allowance has refilled from each (their counts start afresh anyway).
pub fn sweep(limiters: &[&dyn Tracked]) {
    if limiters.iter().map(|l| l.tracked()).sum::<usize>() > TRACKED_KEYS_BEFORE_SWEEP {
        limiters.iter().for_each(|l| l.forget_refilled());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quota_allows_its_burst_then_one_per_period_and_is_never_zero() {
        let limiter: Keyed<u8> = keyed(quota(2, Duration::from_secs(60)));
        assert!(limiter.check_key(&1).is_ok() && limiter.check_key(&1).is_ok());
        assert!(limiter.check_key(&1).is_err(), "the third at once");
        assert!(limiter.check_key(&2).is_ok(), "another key is counted apart");
        let none: Keyed<u8> = keyed(quota(0, Duration::ZERO));
        assert!(none.check_key(&1).is_ok(), "a zero burst still allows one");
    }

    #[test]
    fn a_sweep_keeps_every_key_while_few_are_tracked() {
        let limiter: Keyed<u32> = keyed(quota(1, Duration::from_secs(60)));
        (0..10).for_each(|k| drop(limiter.check_key(&k)));
        sweep(&[&limiter]);
        assert_eq!(limiter.tracked(), 10);
    }
}
