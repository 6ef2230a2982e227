//! Writes what the gateway saw — finished requests (the request log), refused callbacks and
//! conformance warnings — to the store in the background, in batches, so no database write sits
//! on a request's round trip. If the writer falls far behind, entries are dropped with a warning
//! rather than slowing guests down. [`JournalWriter::flush`] waits until every entry queued
//! before it is written (at shutdown, and before the admin reads refusals or warnings).
//! Requests and warnings are counted in the [`Metrics`] as they are queued, dropped or not.

use crate::metrics::Metrics;
use crate::store::{BodyCut, CallbackRefusal, RequestLogEntry, RequestOutcome, Store, StoredWarning};
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot, Notify};

const QUEUE: usize = 10_000;
const BATCH: usize = 1024;
/// How long a batch waits for more entries before it is written (unless a flush is waiting or
/// a batch is full): every commit rewrites the last, partly filled pages of the log's table and
/// its indexes, so small commits under load wrote the same pages again and again
/// (BENCHMARKS.md).
const LINGER: std::time::Duration = std::time::Duration::from_millis(100);

enum Command {
    Request(RequestLogEntry),
    Refusal(String, CallbackRefusal),
    Warning(String, StoredWarning),
    Flush(oneshot::Sender<()>),
}

/// The sending side; cheap to clone.
#[derive(Clone)]
pub struct JournalWriter {
    sender: mpsc::Sender<Command>,
    /// For the rows written at once ([`JournalWriter::request_now`]).
    store: Store,
    /// Ends the writer's wait early: a flush is waiting, or a batch is full. Entries alone do
    /// not wake it (a wake-up per entry cost more than the entry).
    write_now: Arc<Notify>,
    metrics: Arc<Metrics>,
    body_limit: usize,
}

impl JournalWriter {
    /// Starts the background writer for `store`, counting entries in `metrics`; request bodies
    /// longer than `body_limit` are kept cut (with their size and hash).
    pub fn start(store: Store, metrics: Arc<Metrics>, body_limit: usize) -> JournalWriter {
        let (sender, receiver) = mpsc::channel(QUEUE);
        let write_now = Arc::new(Notify::new());
        tokio::spawn(write_batches(store.clone(), receiver, write_now.clone()));
        JournalWriter { sender, store, write_now, metrics, body_limit }
    }

    /// Queues a finished request; never waits.
    pub fn request(&self, entry: RequestLogEntry) {
        let entry = self.counted_and_cut(entry);
        self.queue(Command::Request(entry));
    }

    /// Writes a request's row at once, past the queue, and returns when it is stored (or the
    /// write failed, logged): for an operation that moves money, before its frame leaves
    /// (outcome [`RequestOutcome::InFlight`]) and once it ended (its outcome replaces that row),
    /// so a crash at any step leaves the row (issue 28).
    pub async fn request_now(&self, entry: RequestLogEntry) {
        let entry = match entry.outcome {
            RequestOutcome::InFlight => self.cut(entry),
            _ => self.counted_and_cut(entry),
        };
        if let Err(error) = self.store.put_request_log_entry(&entry).await {
            tracing::error!(%error, rid = entry.rid, operation = entry.operation, "could not write a request-log row");
        }
    }

    fn counted_and_cut(&self, entry: RequestLogEntry) -> RequestLogEntry {
        self.metrics.request_finished(&entry.operation, entry.outcome, entry.latency_ms);
        self.cut(entry)
    }

    fn cut(&self, mut entry: RequestLogEntry) -> RequestLogEntry {
        entry.request_body_cut = BodyCut::cut(&mut entry.request_body, self.body_limit);
        entry.response_body_cut = entry.response_body.as_mut().and_then(|body| BodyCut::cut(body, self.body_limit));
        entry
    }

    /// Queues a refused callback of `resto_id`; never waits.
    pub fn refusal(&self, resto_id: &str, refusal: CallbackRefusal) {
        self.queue(Command::Refusal(resto_id.to_string(), refusal));
    }

    /// Queues a conformance warning of `resto_id`; never waits.
    pub fn warning(&self, resto_id: &str, warning: StoredWarning) {
        self.metrics.conformance_warning(&warning.operation, &warning.kind);
        self.queue(Command::Warning(resto_id.to_string(), warning));
    }

    /// Where entries are counted (refusals are counted by the refusing code, all of them).
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Waits until every entry queued before this call is in the store.
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.sender.send(Command::Flush(done)).await.is_ok() {
            self.write_now.notify_one();
            let _ = written.await;
        }
    }

    fn queue(&self, command: Command) {
        if let Err(error) = self.sender.try_send(command) {
            self.metrics.journal_entry_dropped();
            tracing::warn!(%error, "the gateway journal queue is full; an entry was dropped");
        }
        if self.sender.max_capacity() - self.sender.capacity() >= BATCH {
            self.write_now.notify_one();
        }
    }
}

#[derive(Default)]
struct Batch {
    requests: Vec<RequestLogEntry>,
    refusals: Vec<(String, CallbackRefusal)>,
    warnings: Vec<(String, StoredWarning)>,
    flushed: Vec<oneshot::Sender<()>>,
}

async fn write_batches(store: Store, mut receiver: mpsc::Receiver<Command>, write_now: Arc<Notify>) {
    let mut commands = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut commands, BATCH).await > 0 {
        linger(&mut receiver, &mut commands, &write_now).await;
        let mut batch = Batch::default();
        for command in commands.drain(..) {
            match command {
                Command::Request(entry) => batch.requests.push(entry),
                Command::Refusal(resto_id, refusal) => batch.refusals.push((resto_id, refusal)),
                Command::Warning(resto_id, warning) => batch.warnings.push((resto_id, warning)),
                Command::Flush(done) => batch.flushed.push(done),
            }
        }
        if !batch.requests.is_empty() {
            if let Err(error) = store.insert_request_log(&batch.requests).await {
                tracing::error!(%error, entries = batch.requests.len(), "could not write the request log");
            }
        }
        if let Err(error) = store.record_conformance(&batch.refusals, &batch.warnings).await {
            tracing::error!(%error, "could not keep refusals and conformance warnings");
        }
        for done in batch.flushed {
            let _ = done.send(());
        }
    }
}

/// Adds what arrives within [`LINGER`] to `commands`, up to a full batch; returns sooner when
/// a flush is waiting, a batch is full ([`JournalWriter`]'s `write_now`) or the queue is closed.
async fn linger(receiver: &mut mpsc::Receiver<Command>, commands: &mut Vec<Command>, write_now: &Notify) {
    let flush_waiting = |commands: &[Command]| commands.iter().any(|c| matches!(c, Command::Flush(_)));
    if commands.len() < BATCH && !flush_waiting(commands) && !receiver.is_closed() {
        let _ = tokio::time::timeout(LINGER, write_now.notified()).await;
    }
    while commands.len() < BATCH {
        match receiver.try_recv() {
            Ok(command) => commands.push(command),
            Err(_) => break,
        }
    }
}
