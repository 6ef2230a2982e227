//! Keeps the gateway's journal bounded: the request log by age and by row count, refusals and
//! conformance warnings by age (see [`crate::config::Retention`] for the defaults).
//!
//! Why this exists: every request writes a row (with both bodies), so without it the store
//! grows forever — about 10 GB a day on a busy platform. Pruning runs in the background, one
//! small batch per statement with a pause between, so the journal writer (the only other
//! writer of these tables) never waits long and callbacks, which never write, never wait at all.

use crate::config::Retention;
use crate::metrics::Metrics;
use crate::shutdown::Shutdown;
use crate::store::{now_ms, Store, StoreError};
use std::sync::Arc;
use std::time::Duration;

/// The pause between two batches, leaving the store to other writers.
const BETWEEN_BATCHES: Duration = Duration::from_millis(10);

/// Prunes every `retention.prune_every` until `shutdown`.
pub async fn run(store: Store, retention: Retention, metrics: Arc<Metrics>, mut shutdown: Shutdown) {
    while !shutdown.is_shutdown() {
        if let Err(error) = prune(&store, &retention, &metrics, &mut shutdown).await {
            tracing::warn!(%error, "pruning the request log failed; trying again later");
        }
        tokio::select! {
            _ = tokio::time::sleep(retention.prune_every) => {}
            _ = shutdown.recv() => {}
        }
    }
}

/// One pass: everything past the bounds goes, a batch at a time.
pub async fn prune(
    store: &Store,
    retention: &Retention,
    metrics: &Metrics,
    shutdown: &mut Shutdown,
) -> Result<(), StoreError> {
    let cutoff = now_ms() - i64::try_from(retention.max_age.as_millis()).unwrap_or(i64::MAX);
    let batch = i64::from(retention.batch.max(1));
    let keep = i64::try_from(retention.max_request_rows).unwrap_or(i64::MAX);
    in_batches(batch, shutdown, "request_log", metrics, || store.prune_request_log_before(cutoff, batch)).await?;
    in_batches(batch, shutdown, "request_log", metrics, || store.prune_request_log_beyond(keep, batch)).await?;
    in_batches(batch, shutdown, "callback_refusals", metrics, || store.prune_refusals_before(cutoff, batch)).await?;
    in_batches(batch, shutdown, "conformance_warnings", metrics, || store.prune_warnings_before(cutoff, batch)).await
}

/// Runs `delete` until it deletes less than a full batch (or the server stops).
async fn in_batches<F, Fut>(
    batch: i64,
    shutdown: &mut Shutdown,
    table: &'static str,
    metrics: &Metrics,
    mut delete: F,
) -> Result<(), StoreError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, StoreError>>,
{
    while !shutdown.is_shutdown() {
        let deleted = delete().await?;
        metrics.pruned(table, deleted);
        if deleted < batch as u64 {
            break;
        }
        tokio::time::sleep(BETWEEN_BATCHES).await;
    }
    Ok(())
}
