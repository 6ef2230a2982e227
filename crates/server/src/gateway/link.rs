//! `PosLink`: the one request path to a restaurant's POS. A typed request goes in; the typed
//! answer, or a typed error (offline, timeout, POS FAIL), comes out.
//!
//! The path: find the restaurant's socket → register the `rID` with its deadline → send the
//! frame → wait for the callback (delivered by the callback handler through
//! [`PendingRequests`]) → record the round trip in the request log (off the hot path).
//! With several nodes, a restaurant whose socket is on another node is asked through that node
//! (`super::cluster`), which records the round trip.

use super::cluster::{Cluster, Forwarded};
use super::journal::JournalWriter;
use super::pending::{AnswerBytes, Delivery, PendingRequests};
use super::sessions::{ConnectionInfo, Outgoing, RestaurantSessions};
use super::warning_checks::WarningChecks;
use crate::store::{now_ms, RequestLogEntry, RequestOutcome};
use rahunok_protocol::envelope::{Callback, PosMessage, PosRequest, RequestFrame};
use rahunok_protocol::{rid, FieldError, Operation};

use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// Why a request to a POS produced no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// The restaurant's POS has no live socket.
    #[error("the restaurant's POS is not connected")]
    Offline,
    /// No callback before the deadline.
    #[error("the POS did not answer within {0:?}")]
    Timeout(Duration),
    /// The POS answered `FAIL`.
    #[error("the POS answered FAIL with substate {substate}")]
    PosFail {
        /// The substate (`TABLE_NOT_FOUND`, ...).
        substate: String,
        /// The POS's error message, if any.
        message: Option<String>,
    },
    /// The POS answered with a body that is unusable for the operation (refused with 400).
    #[error("the POS answered with a body that is not usable: {}", describe(.0))]
    AnswerInvalid(Vec<FieldError>),
    /// The answer passed validation for its operation but not this typed reading (a bug).
    #[error("the POS answer could not be read: {0:?}")]
    Unreadable(Vec<FieldError>),
}

/// The request path (see the module docs).
pub struct PosLink {
    /// Live sockets on this node.
    pub(super) sessions: RestaurantSessions,
    /// Requests waiting for callbacks.
    pub(super) pending: PendingRequests,
    /// Where requests, refusals and warnings are written (in the background).
    pub(super) journal: JournalWriter,
    /// Which accepted answers are checked for conformance warnings.
    pub(super) warning_checks: WarningChecks,
    deadline: Duration,
    /// The other nodes, when this server is one of several.
    cluster: OnceLock<Arc<Cluster>>,
}

/// What a request forwarded to another node came to, as this node's caller sees it.
fn answer_of(forwarded: Forwarded, deadline: Duration) -> Result<AnswerBytes, LinkError> {
    match forwarded {
        Forwarded::Answered(body) => Ok(AnswerBytes::from(body.into_bytes())),
        Forwarded::Refused(errors) => Err(LinkError::AnswerInvalid(errors)),
        Forwarded::Timeout => Err(LinkError::Timeout(deadline)),
        Forwarded::Offline => Err(LinkError::Offline),
        Forwarded::Sent => Ok(AnswerBytes::new()),
    }
}

impl PosLink {
    /// A link whose requests wait `deadline` for their callback; at most `finished_kept`
    /// finished requests are remembered to recognise repeated and late callbacks.
    pub fn new(deadline: Duration, journal: JournalWriter, finished_kept: usize) -> PosLink {
        // Finished requests are remembered long enough to recognise retries and late answers.
        let remember = (deadline * 4).max(Duration::from_secs(600));
        PosLink {
            sessions: RestaurantSessions::default(),
            pending: PendingRequests::new(remember, finished_kept),
            journal,
            warning_checks: WarningChecks::default(),
            deadline,
            cluster: OnceLock::new(),
        }
    }

    /// Joins the other nodes: requests for restaurants whose socket is elsewhere go through
    /// them, and callbacks for requests waiting elsewhere are handed over.
    pub fn attach_cluster(&self, cluster: Arc<Cluster>) {
        let _ = self.cluster.set(cluster);
    }

    /// The other nodes, when there are any.
    pub fn cluster(&self) -> Option<&Arc<Cluster>> {
        self.cluster.get()
    }

    /// The connection of a restaurant on whichever node holds it (with the node's name).
    pub async fn connection_info_anywhere(&self, resto_id: &str) -> Option<ConnectionInfo> {
        match (self.connection_info(resto_id), self.cluster()) {
            (Some(info), _) => Some(info),
            (None, Some(cluster)) => cluster.connection_elsewhere(resto_id).await,
            (None, None) => None,
        }
    }

    /// The connections of several restaurants wherever they are held, in the same order (the
    /// other nodes are asked concurrently: a restaurant no node holds costs one "no responders").
    pub async fn connections_anywhere<'a>(
        &self,
        resto_ids: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Option<ConnectionInfo>> {
        futures_util::future::join_all(resto_ids.into_iter().map(|id| self.connection_info_anywhere(id))).await
    }

    /// Asks the restaurant's socket, wherever it is, to close with `code`; false when none is open.
    pub async fn close_socket_anywhere(&self, resto_id: &str, code: u16, reason: &'static str) -> bool {
        if self.close_socket_here(resto_id, code, reason) {
            return true;
        }
        match self.cluster() {
            Some(cluster) => cluster.close_elsewhere(resto_id, code).await,
            None => false,
        }
    }

    /// How long a request waits for its callback.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// True when the restaurant's POS holds a socket to this node.
    pub fn is_connected(&self, resto_id: &str) -> bool {
        self.sessions.get(resto_id).is_some()
    }

    /// What the admin sees about the restaurant's live socket on this node, if it has one.
    pub fn connection_info(&self, resto_id: &str) -> Option<ConnectionInfo> {
        self.sessions.get(resto_id).map(|session| {
            let mut info = session.info();
            info.node = self.cluster().map(|c| c.node().to_string());
            info
        })
    }

    /// Counts a sign of life from the restaurant's POS (a webhook arrived).
    pub(super) fn touch(&self, resto_id: &str) {
        if let Some(session) = self.sessions.get(resto_id) {
            session.touch();
        }
    }

    /// How many restaurants hold a socket to this node.
    pub fn connected_count(&self) -> usize {
        self.sessions.count()
    }

    /// The restaurants holding a socket to this node.
    pub fn connected_here(&self) -> Vec<String> {
        self.sessions.resto_ids()
    }

    /// How many requests wait for their callback.
    pub fn waiting_count(&self) -> usize {
        self.pending.waiting_count()
    }

    /// Asks every socket to close with `code` (e.g. 1001 when the server goes away).
    pub fn close_all_sockets(&self, code: u16, reason: &'static str) {
        self.sessions.close_all(code, reason);
    }

    /// Asks the restaurant's socket on this node to close with `code`; false when it holds none here.
    pub fn close_socket_here(&self, resto_id: &str, code: u16, reason: &'static str) -> bool {
        self.sessions.close(resto_id, code, reason)
    }

    /// Waits (at most `limit`) until no socket is left open; true when none is.
    pub async fn wait_for_sockets_closed(&self, limit: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + limit;
        while self.sessions.count() > 0 {
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }

    /// Writes out every request-log entry, refusal and warning recorded so far (at shutdown,
    /// and before they are read back).
    pub async fn flush_journal(&self) {
        self.journal.flush().await;
    }

    /// Sends a typed request and waits for the typed answer.
    pub async fn request<R: PosRequest>(&self, resto_id: &str, request: &R) -> Result<Callback<R::Answer>, LinkError> {
        let rid = rid::generate();
        let frame = serde_json::to_string(&RequestFrame::new(&rid, request)).expect("requests serialise");
        let body = self.round_trip(ToPos { resto_id, operation: R::OPERATION, rid, frame }).await?;
        let callback = Callback::<R::Answer>::parse(&body).map_err(LinkError::Unreadable)?;
        match callback.head.failure() {
            Some(substate) => Err(LinkError::PosFail { substate, message: callback.head.error_message.clone() }),
            None => Ok(callback),
        }
    }

    /// Sends `operation` with caller-supplied fields (the admin console) and returns the
    /// callback body as the POS sent it, whatever its state.
    pub async fn request_raw(
        &self,
        resto_id: &str,
        operation: Operation,
        mut fields: BTreeMap<String, Box<RawValue>>,
    ) -> Result<AnswerBytes, LinkError> {
        let rid = rid::generate();
        fields.remove("rID");
        fields.remove("operation");
        let frame = RawFrame { rid: &rid, operation, fields: &fields };
        let frame = serde_json::to_string(&frame).expect("raw values serialise");
        let to = ToPos { resto_id, operation, rid, frame };
        if operation.expects_callback() {
            self.round_trip(to).await
        } else {
            self.send_only(to).await.map(|()| AnswerBytes::new())
        }
    }

    /// Sends a message that needs no callback (`setSettings`, `showMessage`).
    pub async fn send_message<M: PosMessage>(&self, resto_id: &str, message: &M) -> Result<(), LinkError> {
        let rid = rid::generate();
        let frame = serde_json::to_string(&RequestFrame::message(&rid, message)).expect("messages serialise");
        self.send_only(ToPos { resto_id, operation: M::OPERATION, rid, frame }).await
    }

    async fn send_only(&self, to: ToPos<'_>) -> Result<(), LinkError> {
        if let Some(forwarded) = self.forward(&to, false).await {
            return answer_of(forwarded, self.deadline).map(|_| ());
        }
        self.send_only_here(to).await
    }

    /// Through the node holding the socket, when it is not here and another node has it.
    async fn forward(&self, to: &ToPos<'_>, round_trip: bool) -> Option<Forwarded> {
        if self.sessions.get(to.resto_id).is_some() {
            return None;
        }
        let cluster = self.cluster()?;
        // `None` (nobody holds it): the caller falls through to this node's path, which records
        // the offline request.
        cluster.forward(to.resto_id, to.operation, &to.rid, &to.frame, round_trip, self.deadline).await
    }

    /// Sends a frame forwarded by another node over this node's socket (never forwarding again).
    pub(super) async fn send_here(&self, to: ToPos<'_>, round_trip: bool) -> Forwarded {
        if !round_trip {
            return match self.send_only_here(to).await {
                Ok(()) => Forwarded::Sent,
                Err(_) => Forwarded::Offline,
            };
        }
        match self.round_trip_here(to).await {
            Ok(body) => Forwarded::Answered(text_of(&body)),
            Err(LinkError::AnswerInvalid(errors)) => Forwarded::Refused(errors),
            Err(LinkError::Timeout(_)) => Forwarded::Timeout,
            Err(_) => Forwarded::Offline,
        }
    }

    async fn send_only_here(&self, to: ToPos<'_>) -> Result<(), LinkError> {
        let sent = Sent::now(to);
        let delivered = match self.sessions.get(&sent.resto_id) {
            Some(session) => session.outbox.send(Outgoing::Frame(sent.frame.clone())).await.is_ok(),
            None => false,
        };
        self.record(sent, if delivered { RequestOutcome::Sent } else { RequestOutcome::Offline }, None, None).await;
        if delivered {
            Ok(())
        } else {
            Err(LinkError::Offline)
        }
    }

    async fn round_trip(&self, to: ToPos<'_>) -> Result<AnswerBytes, LinkError> {
        if let Some(forwarded) = self.forward(&to, true).await {
            return answer_of(forwarded, self.deadline);
        }
        self.round_trip_here(to).await
    }

    /// A round trip through this node's socket. The request-log row of an operation that moves
    /// money (`payBill`) is written before its frame leaves (outcome `in_flight`) and replaced
    /// by its outcome before the answer is given back — to the caller here or to the node that
    /// relayed it — so a crash at any step leaves the row, and a payment is never moved on a
    /// `payBill` the log does not hold (issue 28); other rows are written in the background
    /// batches.
    async fn round_trip_here(&self, to: ToPos<'_>) -> Result<AnswerBytes, LinkError> {
        let (resto_id, operation) = (to.resto_id, to.operation);
        let sent = Sent::now(to);
        let Some(session) = self.sessions.get(resto_id) else {
            self.record(sent, RequestOutcome::Offline, None, None).await;
            return Err(LinkError::Offline);
        };
        if moves_money(operation) {
            self.journal.request_now(sent.clone().entry(RequestOutcome::InFlight, None, None, None)).await;
        }
        let mut receiver = self.pending.register(&sent.rid, resto_id, operation);
        // If the caller stops waiting (a guest page gives up early), the entry must not linger.
        let guard = ExpireOnDrop { pending: &self.pending, rid: &sent.rid };
        let deadline = tokio::time::Instant::now() + self.deadline;
        if session.outbox.send(Outgoing::Frame(sent.frame.clone())).await.is_err() {
            std::mem::forget(guard);
            self.pending.abandon(&sent.rid);
            self.record(sent, RequestOutcome::Offline, None, None).await;
            return Err(LinkError::Offline);
        }
        let answer = tokio::time::timeout_at(deadline, &mut receiver).await;
        std::mem::forget(guard);
        let answer = match answer {
            Ok(Ok(delivery)) => Some(delivery),
            _ if self.pending.expire(&sent.rid) => None,
            // Answered at the very deadline: the answer is already in the channel.
            _ => receiver.try_recv().ok(),
        };
        let (body, failure) = match answer {
            None => {
                self.record(sent, RequestOutcome::Timeout, None, None).await;
                return Err(LinkError::Timeout(self.deadline));
            }
            Some(Delivery::Refused { body, errors }) => {
                self.record(sent, RequestOutcome::Invalid, Some(&body), Some(describe(&errors))).await;
                return Err(LinkError::AnswerInvalid(errors));
            }
            Some(Delivery::Answered { body, failure }) => (body, failure),
        };
        let outcome = if failure.is_some() { RequestOutcome::PosFail } else { RequestOutcome::Answered };
        self.record(sent, outcome, Some(&body), failure).await;
        Ok(body)
    }

    /// Records how a request ended: at once for an operation that moves money, else queued.
    async fn record(&self, sent: Sent, outcome: RequestOutcome, answer: Option<&AnswerBytes>, detail: Option<String>) {
        let money = moves_money(sent.operation);
        let entry = sent.entry(outcome, Some(now_ms()), answer, detail);
        if money {
            self.journal.request_now(entry).await;
        } else {
            self.journal.request(entry);
        }
    }
}

/// Operations whose outcome moves a payment: their request-log rows are durable before the
/// outcome is acted on.
fn moves_money(operation: Operation) -> bool {
    operation == Operation::PayBill
}

/// A body as text for the log. An accepted callback is UTF-8 already, and checking that is a
/// few times quicker than the lossy conversion's walk (BENCHMARKS.md).
fn text_of(body: &[u8]) -> String {
    match std::str::from_utf8(body) {
        Ok(text) => text.to_owned(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    }
}

/// Field errors as one line: `orders[0].totalSum: not a decimal number; …`.
fn describe(errors: &[FieldError]) -> String {
    errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
}

/// A frame on its way, remembered for the request log.
#[derive(Clone)]
struct Sent {
    rid: String,
    resto_id: String,
    operation: Operation,
    sent_at: i64,
    frame: String,
}

impl Sent {
    /// Its request-log row: ended at `finished_at` (none while in flight) with `outcome`.
    fn entry(
        self,
        outcome: RequestOutcome,
        finished_at: Option<i64>,
        answer: Option<&AnswerBytes>,
        detail: Option<String>,
    ) -> RequestLogEntry {
        RequestLogEntry {
            rid: self.rid,
            resto_id: self.resto_id,
            operation: self.operation.name().to_string(),
            sent_at: self.sent_at,
            finished_at,
            latency_ms: finished_at.map(|at| at - self.sent_at),
            outcome,
            request_body: self.frame,
            response_body: answer.map(|b| text_of(b)),
            detail,
            request_body_cut: None,
            response_body_cut: None,
        }
    }

    fn now(to: ToPos<'_>) -> Sent {
        Sent {
            rid: to.rid,
            resto_id: to.resto_id.to_string(),
            operation: to.operation,
            sent_at: now_ms(),
            frame: to.frame,
        }
    }
}

/// A frame for a restaurant's POS: what every path of a request passes along, on this node or
/// through the node holding the socket.
pub(super) struct ToPos<'a> {
    /// Whose POS.
    pub resto_id: &'a str,
    /// The operation the frame carries.
    pub operation: Operation,
    /// The frame's `rID`.
    pub rid: String,
    /// The frame as sent.
    pub frame: String,
}

/// Marks a request expired when its waiter is dropped before the answer or the deadline.
struct ExpireOnDrop<'a> {
    pending: &'a PendingRequests,
    rid: &'a str,
}

impl Drop for ExpireOnDrop<'_> {
    fn drop(&mut self) {
        self.pending.expire(self.rid);
    }
}

/// A frame built from caller-supplied fields, each kept as its exact JSON text.
#[derive(serde::Serialize)]
struct RawFrame<'a> {
    #[serde(rename = "rID")]
    rid: &'a str,
    operation: Operation,
    #[serde(flatten)]
    fields: &'a BTreeMap<String, Box<RawValue>>,
}
