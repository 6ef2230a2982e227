//! Rows read often and changed rarely, kept in memory for a few seconds.
//!
//! Why: every POS callback needs its restaurant's signing keys, and every guest page its
//! restaurant, guest settings and `ORDERS_CACHE`. Reading them from the store each time (a trip
//! to sqlx's worker thread and back, and unsealing the keys) was most of the server's CPU for
//! those requests (`BENCHMARKS.md`). A change made through this store drops the entry at once;
//! a change made by another node or process is seen within the entry's time to live. A read
//! that started before a change cannot keep what it read.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most this many restaurants are kept; past it the map starts again empty (a full sweep is
/// cheaper than tracking use).
const MOST_KEPT: usize = 10_000;

/// One kind of row per restaurant, kept for `time_to_live`.
pub(super) struct Kept<V> {
    time_to_live: Duration,
    entries: Mutex<HashMap<String, (Instant, V)>>,
    /// Grows at every change, so a read that started before a change cannot keep what it read.
    changes: AtomicU64,
}

/// When a read from the store started, as far as a [`Kept`] can tell.
#[derive(Clone, Copy)]
pub(super) struct ReadStarted(u64);

impl<V: Clone> Kept<V> {
    /// Keeps rows for `time_to_live`.
    pub fn new(time_to_live: Duration) -> Kept<V> {
        Kept { time_to_live, entries: Mutex::default(), changes: AtomicU64::new(0) }
    }

    /// The row, when read within the time to live.
    pub fn get(&self, resto_id: &str) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (read_at, value) = entries.get(resto_id)?;
        (read_at.elapsed() < self.time_to_live).then(|| value.clone())
    }

    /// Call before reading the row from the store.
    pub fn read_starts(&self) -> ReadStarted {
        ReadStarted(self.changes.load(Ordering::Acquire))
    }

    /// Keeps a row just read from the store, unless a row changed since the read started.
    pub fn keep(&self, resto_id: &str, value: V, started: ReadStarted) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if self.changes.load(Ordering::Acquire) != started.0 {
            return;
        }
        if entries.len() >= MOST_KEPT && !entries.contains_key(resto_id) {
            entries.clear();
        }
        entries.insert(resto_id.to_string(), (Instant::now(), value));
    }

    /// Drops every row (one of them changed, and which is not known here).
    pub fn forget_all(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        self.changes.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }

    /// Drops a restaurant's row (it was just changed).
    pub fn forget(&self, resto_id: &str) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        self.changes.fetch_add(1, Ordering::AcqRel);
        entries.remove(resto_id);
    }
}

impl<V> std::fmt::Debug for Kept<V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Kept({:?})", self.time_to_live)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_row_is_given_back_until_forgotten() {
        let kept = Kept::new(Duration::from_secs(60));
        assert_eq!(kept.get("r1"), None);
        kept.keep("r1", 7, kept.read_starts());
        assert_eq!(kept.get("r1"), Some(7));
        kept.forget("r1");
        assert_eq!(kept.get("r1"), None);
    }

    #[test]
    fn a_row_read_before_a_change_is_not_kept() {
        let kept = Kept::new(Duration::from_secs(60));
        let started = kept.read_starts();
        kept.forget("r1");
        kept.keep("r1", 7, started);
        assert_eq!(kept.get("r1"), None);
    }

    #[test]
    fn a_row_older_than_its_time_to_live_is_read_again() {
        let kept = Kept::new(Duration::ZERO);
        kept.keep("r1", 7, kept.read_starts());
        assert_eq!(kept.get("r1"), None);
    }
}
