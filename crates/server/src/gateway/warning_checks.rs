//! Which accepted answers are checked for conformance warnings (spec section 4).
//!
//! Why: finding the warnings walks the raw body and the typed answer written back side by side,
//! which cost more than everything else a callback does (`BENCHMARKS.md`). A restaurant's POS
//! sends a few answers a second, and each of them is checked; a POS flooding one operation has
//! at most [`CHECKS_PER_SECOND`] of its answers a second checked — the warnings are what its
//! answers look like, and a handful a second show it as well as all of them. The counts the
//! panel shows are of checked answers.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Answers of one restaurant and operation checked per second, at most.
pub const CHECKS_PER_SECOND: u32 = 20;

/// Past this many (restaurant, operation) pairs seen in the current second the table starts
/// again (a second's counts are all it keeps).
const MOST_TRACKED: usize = 100_000;

/// A restaurant and what it sent: an operation's answer, or a webhook of a kind.
type Source = (String, &'static str);

/// See the module docs.
#[derive(Default)]
pub struct WarningChecks {
    /// When each source's current second started, and how many of its bodies were checked in it.
    seconds: Mutex<HashMap<Source, (Instant, u32)>>,
}

impl WarningChecks {
    /// True when this body of `resto_id` — an answer to the operation, or a webhook of the
    /// kind, `what` names — is to be checked.
    pub fn check_this_one(&self, resto_id: &str, what: &'static str) -> bool {
        let now = Instant::now();
        let mut seconds = self.seconds.lock().unwrap_or_else(|p| p.into_inner());
        if seconds.len() >= MOST_TRACKED {
            seconds.clear();
        }
        let (started, checked) = seconds.entry((resto_id.to_string(), what)).or_insert((now, 0));
        if now.duration_since(*started) >= Duration::from_secs(1) {
            (*started, *checked) = (now, 0);
        }
        *checked += 1;
        *checked <= CHECKS_PER_SECOND
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rahunok_protocol::Operation;

    #[test]
    fn every_answer_is_checked_up_to_the_rate_then_some_are_skipped_per_restaurant_and_operation() {
        let checks = WarningChecks::default();
        let checked = (0..100).filter(|_| checks.check_this_one("r1", Operation::GetBill.name())).count();
        assert_eq!(checked, CHECKS_PER_SECOND as usize);
        assert!(checks.check_this_one("r2", Operation::GetBill.name()), "another restaurant has its own count");
        assert!(checks.check_this_one("r1", Operation::TablesInfo.name()), "another operation has its own count");
    }
}
