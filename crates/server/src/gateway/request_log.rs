//! Writes the request log in the background, in batches, so no database write sits on a
//! request's round trip. If the writer falls far behind, entries are dropped with a warning
//! rather than slowing guests down.

use crate::store::{RequestLogEntry, Store};
use tokio::sync::mpsc;

const QUEUE: usize = 10_000;
const BATCH: usize = 256;

/// The sending side; cheap to clone.
#[derive(Clone)]
pub struct RequestLogWriter {
    sender: mpsc::Sender<RequestLogEntry>,
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
        if let Err(error) = self.sender.try_send(entry) {
            tracing::warn!(%error, "request log queue is full; an entry was dropped");
        }
    }
}

async fn write_batches(store: Store, mut receiver: mpsc::Receiver<RequestLogEntry>) {
    let mut batch = Vec::with_capacity(BATCH);
    while receiver.recv_many(&mut batch, BATCH).await > 0 {
        if let Err(error) = store.insert_request_log(&batch).await {
            tracing::error!(%error, entries = batch.len(), "could not write the request log");
        }
        batch.clear();
    }
}
