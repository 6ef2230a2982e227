//! Forgetting old journal rows: the request log by age and by count, refusals and conformance
//! warnings by age (they are bounded by count per restaurant where they are written, see
//! [`super::conformance`]). Every call deletes at most one small batch, oldest first, so the
//! caller (`crate::retention`) can spread the work out and never hold the writer for long.

use super::{Store, StoreError};
use sqlx::Row;

impl Store {
    /// Deletes up to `batch` request-log rows sent before `cutoff_ms`; how many went.
    pub async fn prune_request_log_before(&self, cutoff_ms: i64, batch: i64) -> Result<u64, StoreError> {
        self.delete_oldest_before(OldRows { table: "request_log", key: "rid", time: "sent_at" }, cutoff_ms, batch).await
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
        let refusals = OldRows { table: "callback_refusals", key: "resto_id, seq", time: "at" };
        self.delete_oldest_before(refusals, cutoff_ms, batch).await
    }

    /// Deletes up to `batch` conformance warnings last seen before `cutoff_ms`; how many went.
    pub async fn prune_warnings_before(&self, cutoff_ms: i64, batch: i64) -> Result<u64, StoreError> {
        let warnings =
            OldRows { table: "conformance_warnings", key: "resto_id, operation, kind, field", time: "last_at" };
        self.delete_oldest_before(warnings, cutoff_ms, batch).await
    }

    /// Deletes up to `batch` rows of `rows.table` whose time is before `cutoff_ms`, oldest
    /// first; how many went.
    async fn delete_oldest_before(&self, rows: OldRows, cutoff_ms: i64, batch: i64) -> Result<u64, StoreError> {
        let OldRows { table, key, time } = rows;
        let sql = format!(
            "DELETE FROM {table} WHERE ({key}) IN (SELECT {key} FROM {table} WHERE {time} < $1 ORDER BY {time} LIMIT $2)"
        );
        let deleted = sqlx::query(&sql).bind(cutoff_ms).bind(batch).execute(self.pool()).await?;
        Ok(deleted.rows_affected())
    }
}

/// A journal table as pruned by age: its name, the columns naming a row, the column of its time.
struct OldRows {
    table: &'static str,
    key: &'static str,
    time: &'static str,
}
