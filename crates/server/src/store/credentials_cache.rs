//! Restaurants' signing keys kept in memory for a few seconds.
//!
//! Why: every POS callback and socket sign-in needs its restaurant's keys, and reading (and
//! unsealing) them from the store each time was a third of the server's CPU per getBill round
//! trip (`BENCHMARKS.md`). A change made through this store (a rotated secret) drops the entry
//! at once; a change made by another node or process is seen within [`KEPT_FOR`]. A previous
//! key's grace period is checked at each use, not when the entry was read.

use super::now_ms;
use super::restaurants::RestaurantCredentials;
use rahunok_protocol::signing::SigningKey;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long keys read from the store are trusted without reading them again.
pub const KEPT_FOR: Duration = Duration::from_secs(5);

/// At most this many restaurants are kept; past it the cache starts again empty (a full sweep
/// is cheaper than tracking use, and 10 000 entries are ~1 MiB).
const MOST_KEPT: usize = 10_000;

/// A restaurant's keys as stored: the previous key with the end of its grace period.
#[derive(Clone)]
pub(super) struct StoredKeys {
    pub current: SigningKey,
    pub previous: Option<(SigningKey, i64)>,
}

impl StoredKeys {
    /// The keys valid now.
    fn valid_now(&self) -> RestaurantCredentials {
        let previous = self.previous.as_ref().filter(|(_, until)| *until > now_ms()).map(|(key, _)| key.clone());
        RestaurantCredentials { current: self.current.clone(), previous }
    }
}

/// See the module docs.
#[derive(Default)]
pub(super) struct CredentialsCache {
    entries: Mutex<HashMap<String, (Instant, StoredKeys)>>,
    /// Grows at every change, so a read that started before a change cannot keep what it read.
    changes: AtomicU64,
}

/// When a read from the store started, as far as the cache can tell (see [`CredentialsCache::keep`]).
#[derive(Clone, Copy)]
pub(super) struct ReadStarted(u64);

impl std::fmt::Debug for CredentialsCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CredentialsCache(..)")
    }
}

impl CredentialsCache {
    /// The keys valid now, when read within [`KEPT_FOR`].
    pub fn get(&self, resto_id: &str) -> Option<RestaurantCredentials> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (read_at, keys) = entries.get(resto_id)?;
        (read_at.elapsed() < KEPT_FOR).then(|| keys.valid_now())
    }

    /// Call before reading keys from the store.
    pub fn read_starts(&self) -> ReadStarted {
        ReadStarted(self.changes.load(Ordering::Acquire))
    }

    /// Keeps keys just read from the store, unless some keys changed since the read started;
    /// the keys valid now.
    pub fn keep(&self, resto_id: &str, keys: StoredKeys, started: ReadStarted) -> RestaurantCredentials {
        let valid = keys.valid_now();
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if self.changes.load(Ordering::Acquire) != started.0 {
            return valid;
        }
        if entries.len() >= MOST_KEPT && !entries.contains_key(resto_id) {
            entries.clear();
        }
        entries.insert(resto_id.to_string(), (Instant::now(), keys));
        valid
    }

    /// Drops a restaurant's keys (they were just changed).
    pub fn forget(&self, resto_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        self.changes.fetch_add(1, Ordering::AcqRel);
        entries.remove(resto_id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(previous_until: Option<i64>) -> StoredKeys {
        let key = || SigningKey::from_bytes([7; 32]);
        StoredKeys { current: key(), previous: previous_until.map(|until| (key(), until)) }
    }

    #[test]
    fn kept_keys_are_given_back_until_forgotten() {
        let cache = CredentialsCache::default();
        assert!(cache.get("r1").is_none());
        cache.keep("r1", keys(None), cache.read_starts());
        assert!(cache.get("r1").is_some());
        cache.forget("r1");
        assert!(cache.get("r1").is_none());
    }

    #[test]
    fn keys_read_before_a_change_are_not_kept() {
        let cache = CredentialsCache::default();
        let started = cache.read_starts();
        cache.forget("r1");
        cache.keep("r1", keys(None), started);
        assert!(cache.get("r1").is_none());
    }

    #[test]
    fn a_previous_key_stops_counting_when_its_grace_ends_even_while_kept() {
        let cache = CredentialsCache::default();
        cache.keep("live", keys(Some(now_ms() + 60_000)), cache.read_starts());
        cache.keep("ended", keys(Some(now_ms() - 1)), cache.read_starts());
        assert!(cache.get("live").unwrap().previous.is_some());
        assert!(cache.get("ended").unwrap().previous.is_none());
    }
}
