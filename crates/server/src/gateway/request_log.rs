//! Writes the request log in the background, in batches, so no database write sits on a
//! request's round trip. If the writer falls far behind, entries are dropped with a warning
//! rather than slowing guests down. At shutdown [`RequestLogWriter::flush`] waits until every
//! entry queued before it is written.

use crate::store::{RequestLogEntry, Store};
use tokio::sync::{mpsc, oneshot};

const QUEUE: usize = 10_000;
const BATCH: usize = 256;

enum Command {
    Write(RequestLogEntry),
    Flush(oneshot::Sender<()>),
}

/// The sending side; cheap to clone.
#[derive(Clone)]
pub struct RequestLogWriter {
    sender: mpsc::Sender<Command>,
}

impl RequestLogWriter {
    /// Starts the background writer for `store`.
    pub fn start(store: Store) -> RequestLogWriter {
        let (sender, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(store, receiver));
        RequestLogWriter { sender }
    }

    /// Queues an entry; never waits.
    pub fn record(&self, entry: RequestLogEntry) {
        if let Err(error) = self.sender.try_send(Command::Write(entry)) {
            tracing::warn!(%error, "request log queue is full; an entry was dropped");
        }
    }

    /// Waits until every entry queued before this call is in the store.
    pub async fn flush(&self) {
        let (done, written) = oneshot::channel();
        if self.sender.send(Command::Flush(done)).await.is_ok() {
            let _ = written.await;
        }
    }
}

async fn write_batches(store: Store, mut receiver: mpsc::Receiver<Command>) {
    let mut commands = Vec::with_capacity(BATCH);
    let mut batch = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut commands, BATCH).await > 0 {
        let mut flushed = Vec::new();
        for command in commands.drain(..) {
            match command {
                Command::Write(entry) => batch.push(entry),
                Command::Flush(done) => flushed.push(done),
            }
        }
        if !batch.is_empty() {
            if let Err(error) = store.insert_request_log(&batch).await {
                tracing::error!(%error, entries = batch.len(), "could not write the request log");
            }
            batch.clear();
        }
        for done in flushed {
            let _ = done.send(());
        }
    }
}
