//! Requests sent to a POS and waiting for their callback, keyed by `rID`.
//!
//! Why this exists: the answer to a socket frame arrives on a different connection (an HTTP
//! callback, possibly to a different node). `PendingRequests` wakes the waiter when it does and
//! remembers, for a while, requests that already finished — so a late callback gets 410 and a
//! retried one 200 or 409 instead of a confusing 404. An answer refused as unusable ends the
//! request at once (the waiter learns why), and any later answer for it gets 409.
//!
//! Finished requests are remembered for a time and up to a count, whichever ends first: at
//! ~380 bytes each, a time alone would hold 220 MiB at 1 000 requests/s. Past the count the
//! oldest are forgotten first (a callback for one of those gets the 404 of an unknown `rID`).
//!
//! An answered request keeps a fingerprint of its body, not the body: a keyed 64-bit hash
//! whose key is drawn at random for each registry, so no POS can make two bodies share one.
//! (SHA-256 of every answer was 1 % of a round trip's CPU; the chance that two different
//! answers to the same `rID` meet by accident is 2⁻⁶⁴.)

use rahunok_protocol::{FieldError, Operation};
use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasher;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The callback body that answered a request.
pub type AnswerBytes = axum::body::Bytes;

/// What a waiter receives.
#[derive(Debug)]
pub enum Delivery {
    /// A usable answer.
    Answered {
        /// The body as the POS sent it.
        body: AnswerBytes,
        /// The substate when the POS answered `FAIL` (read when the body was validated).
        failure: Option<String>,
    },
    /// An answer refused as unusable for its operation, with why.
    Refused {
        /// The body as the POS sent it.
        body: AnswerBytes,
        /// What made it unusable.
        errors: Vec<FieldError>,
    },
}

struct Waiting {
    resto_id: String,
    operation: Operation,
    reply: oneshot::Sender<Delivery>,
}

#[derive(Clone, Copy)]
enum Ending {
    Answered(u64),
    Refused,
    Expired,
    Abandoned,
}

struct Finished {
    resto_id: String,
    operation: Operation,
    ending: Ending,
}

/// What a callback's `rID` refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// Waiting for exactly this callback.
    Waiting,
    /// No such request for this restaurant and operation.
    Unknown,
    /// It timed out before the callback came.
    Expired,
    /// Already answered with the same body.
    AnsweredSame,
    /// Already answered with a different body.
    AnsweredDifferent,
    /// Already answered with a body that was refused as unusable.
    Refused,
}

/// Keyed by rID with foldhash, seeded at random per map: the keys are ours (a callback can only
/// look one up), and SipHash's cost showed in the round trip's profile (BENCHMARKS.md).
type ByRid<V> = HashMap<String, V, foldhash::fast::RandomState>;

#[derive(Default)]
struct Inner {
    waiting: ByRid<Waiting>,
    finished: ByRid<Finished>,
    finished_order: VecDeque<(Instant, String)>,
}

/// The registry of waiting requests (see the module docs).
pub struct PendingRequests {
    inner: Mutex<Inner>,
    /// Fingerprints answered bodies (see the module docs).
    fingerprint: foldhash::quality::RandomState,
    remember_finished: Duration,
    finished_kept: usize,
}

impl PendingRequests {
    /// A registry that remembers finished requests for `remember_finished`, `finished_kept` of
    /// them at most.
    pub fn new(remember_finished: Duration, finished_kept: usize) -> PendingRequests {
        PendingRequests {
            inner: Mutex::new(Inner::default()),
            fingerprint: foldhash::quality::RandomState::default(),
            remember_finished,
            finished_kept,
        }
    }

    /// Registers a request about to be sent; the receiver gets the callback body.
    pub fn register(&self, rid: &str, resto_id: &str, operation: Operation) -> oneshot::Receiver<Delivery> {
        let (reply, receiver) = oneshot::channel();
        let waiting = Waiting { resto_id: resto_id.to_string(), operation, reply };
        self.lock().waiting.insert(rid.to_string(), waiting);
        receiver
    }

    /// What `rid` refers to, for a callback from `resto_id` on `operation`'s path.
    pub fn lookup(&self, rid: &str, resto_id: &str, operation: Operation, body: &[u8]) -> Lookup {
        let inner = self.lock();
        if let Some(w) = inner.waiting.get(rid) {
            return if w.resto_id == resto_id && w.operation == operation { Lookup::Waiting } else { Lookup::Unknown };
        }
        match inner.finished.get(rid) {
            Some(f) if f.resto_id == resto_id && f.operation == operation => match f.ending {
                Ending::Answered(fingerprint) if fingerprint == self.fingerprint_of(body) => Lookup::AnsweredSame,
                Ending::Answered(_) => Lookup::AnsweredDifferent,
                Ending::Refused => Lookup::Refused,
                Ending::Expired | Ending::Abandoned => Lookup::Expired,
            },
            _ => Lookup::Unknown,
        }
    }

    /// Completes a waiting request with its callback body (and its `FAIL` substate, if any).
    /// Returns the lookup result that applied at that moment (it may have expired since
    /// [`PendingRequests::lookup`]).
    pub fn complete(
        &self,
        rid: &str,
        resto_id: &str,
        operation: Operation,
        body: AnswerBytes,
        failure: Option<String>,
    ) -> Lookup {
        let ending = Ending::Answered(self.fingerprint_of(&body));
        self.deliver(rid, resto_id, operation, ending, Delivery::Answered { body, failure })
    }

    /// Ends a waiting request with an answer refused as unusable: the waiter gets the field
    /// errors at once instead of waiting for its deadline.
    pub fn refuse(
        &self,
        rid: &str,
        resto_id: &str,
        operation: Operation,
        body: AnswerBytes,
        errors: Vec<FieldError>,
    ) -> Lookup {
        self.deliver(rid, resto_id, operation, Ending::Refused, Delivery::Refused { body, errors })
    }

    fn deliver(&self, rid: &str, resto_id: &str, operation: Operation, ending: Ending, delivery: Delivery) -> Lookup {
        let mut inner = self.lock();
        match inner.waiting.get(rid) {
            Some(w) if w.resto_id == resto_id && w.operation == operation => {}
            _ => {
                drop(inner);
                let body = match &delivery {
                    Delivery::Answered { body, .. } | Delivery::Refused { body, .. } => body,
                };
                return self.lookup(rid, resto_id, operation, body);
            }
        }
        let waiting = inner.waiting.remove(rid).expect("checked above");
        self.remember(&mut inner, rid, &waiting, ending);
        // The waiter may have given up this very instant; the ending is recorded anyway.
        let _ = waiting.reply.send(delivery);
        Lookup::Waiting
    }

    /// Marks a request as timed out (its deadline passed). Returns false if it had already
    /// been answered.
    pub fn expire(&self, rid: &str) -> bool {
        self.finish_unanswered(rid, Ending::Expired)
    }

    /// Forgets a request that could not be sent.
    pub fn abandon(&self, rid: &str) {
        self.finish_unanswered(rid, Ending::Abandoned);
    }

    /// How many requests are waiting for a callback.
    pub fn waiting_count(&self) -> usize {
        self.lock().waiting.len()
    }

    fn finish_unanswered(&self, rid: &str, ending: Ending) -> bool {
        let mut inner = self.lock();
        match inner.waiting.remove(rid) {
            Some(waiting) => {
                self.remember(&mut inner, rid, &waiting, ending);
                true
            }
            None => false,
        }
    }

    fn remember(&self, inner: &mut Inner, rid: &str, waiting: &Waiting, ending: Ending) {
        let now = Instant::now();
        while let Some((at, old)) = inner.finished_order.front() {
            let full = inner.finished_order.len() >= self.finished_kept;
            if !full && now.duration_since(*at) < self.remember_finished {
                break;
            }
            inner.finished.remove(old);
            inner.finished_order.pop_front();
        }
        if self.finished_kept == 0 {
            return;
        }
        let finished = Finished { resto_id: waiting.resto_id.clone(), operation: waiting.operation, ending };
        inner.finished.insert(rid.to_string(), finished);
        inner.finished_order.push_back((now, rid.to_string()));
    }

    fn fingerprint_of(&self, body: &[u8]) -> u64 {
        self.fingerprint.hash_one(body)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(pending: &PendingRequests, rid: &str) {
        let _receiver = pending.register(rid, "r1", Operation::GetBill);
        assert_eq!(
            pending.complete(rid, "r1", Operation::GetBill, AnswerBytes::from(rid.to_string()), None),
            Lookup::Waiting
        );
    }

    #[test]
    fn finished_requests_are_remembered_up_to_the_count_the_oldest_forgotten_first() {
        let pending = PendingRequests::new(Duration::from_secs(600), 3);
        for rid in ["a", "b", "c", "d", "e"] {
            answer(&pending, rid);
        }
        let lookup = |rid: &str| pending.lookup(rid, "r1", Operation::GetBill, rid.as_bytes());
        assert_eq!(lookup("a"), Lookup::Unknown);
        assert_eq!(lookup("b"), Lookup::Unknown);
        for rid in ["c", "d", "e"] {
            assert_eq!(lookup(rid), Lookup::AnsweredSame, "{rid} is among the newest three");
        }
        assert_eq!(pending.lock().finished.len(), 3);
    }
}
