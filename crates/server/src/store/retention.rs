//! Forgetting old journal rows: the request log by age and by count, refusals and conformance
//! warnings by age (they are bounded by count per restaurant where they are written, see
//! [`super::conformance`]). Every call deletes at most one small batch, oldest first, so the
//! caller (`crate::retention`) can spread the work out and never hold the writer for long.

use super::{Store, StoreError};
use sqlx::Row;

impl Store {
    /// Deletes up to `batch` request-log rows sent before `cutoff_ms`; how many went.
    pub async fn prune_request_log_before(&self, cutoff_ms: i64, batch: i64) -> Result<u64, StoreError> {
        let deleted = sqlx::query(
            "DELETE FROM request_log WHERE rid IN \
             (SELECT rid FROM request_log WHERE sent_at < $1 ORDER BY sent_at LIMIT $2)",
        )
        .bind(cutoff_ms)
        .bind(batch)
        .execute(self.pool())
        .await?;
        Ok(deleted.rows_affected())
    }

    /// Deletes up to `batch` of the oldest request-log rows beyond the newest `keep`; how many
    /// went.
    pub async fn prune_request_log_beyond(&self, keep: i64, batch: i64) -> Result<u64, StoreError> {
        let over = self.request_log_count().await? - keep;
        if over <= 0 {
            return Ok(0);
        }
        let deleted = sqlx::query(
            "DELETE FROM request_log WHERE rid IN (SELECT rid FROM request_log ORDER BY sent_at, rid LIMIT $1)",
        )
        .bind(over.min(batch))
        .execute(self.pool())
        .await?;
        Ok(deleted.rows_affected())
    }

    /// How many rows the request log holds, all restaurants together.
    pub async fn request_log_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM request_log").fetch_one(self.pool()).await?;
        Ok(row.try_get("n")?)
    }

    /// Deletes up to `batch` refusals made before `cutoff_ms`; how many went.
    pub async fn prune_refusals_before(&self, cutoff_ms: i64, batch: i64) -> Result<u64, StoreError> {
        let deleted = sqlx::query(
            "DELETE FROM callback_refusals WHERE (resto_id, seq) IN \
             (SELECT resto_id, seq FROM callback_refusals WHERE at < $1 ORDER BY at LIMIT $2)",
        )
        .bind(cutoff_ms)
        .bind(batch)
        .execute(self.pool())
        .await?;
        Ok(deleted.rows_affected())
    }

    /// Deletes up to `batch` conformance warnings last seen before `cutoff_ms`; how many went.
    pub async fn prune_warnings_before(&self, cutoff_ms: i64, batch: i64) -> Result<u64, StoreError> {
        let deleted = sqlx::query(
            "DELETE FROM conformance_warnings WHERE (resto_id, operation, kind, field) IN \
             (SELECT resto_id, operation, kind, field FROM conformance_warnings WHERE last_at < $1 \
             ORDER BY last_at LIMIT $2)",
        )
        .bind(cutoff_ms)
        .bind(batch)
        .execute(self.pool())
        .await?;
        Ok(deleted.rows_affected())
    }
}
