//! The nodes running on one store, each seen every few seconds: how a node started without a
//! bus finds out that others run on the same PostgreSQL (and refuses to start, since it could
//! not reach their POS sockets).

use super::{column, Store, StoreError};

/// A node seen lately.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveNode {
    /// Its name.
    pub name: String,
    /// Whether it joined the bus.
    pub has_bus: bool,
}

impl Store {
    /// Records that node `name` is alive now.
    pub async fn node_seen(&self, name: &str, has_bus: bool, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO cluster_nodes (name, has_bus, started_at, seen_at) VALUES ($1, $2, $3, $3) \
             ON CONFLICT (name) DO UPDATE SET has_bus = excluded.has_bus, seen_at = excluded.seen_at",
        )
        .bind(name)
        .bind(i64::from(has_bus))
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The other nodes seen since `since` (unix ms).
    pub async fn live_nodes_besides(&self, name: &str, since: i64) -> Result<Vec<LiveNode>, StoreError> {
        let rows =
            sqlx::query("SELECT name, has_bus FROM cluster_nodes WHERE seen_at >= $1 AND name <> $2 ORDER BY name")
                .bind(since)
                .bind(name)
                .fetch_all(self.pool())
                .await?;
        rows.iter()
            .map(|row| Ok(LiveNode { name: column(row, "name")?, has_bus: column::<i64>(row, "has_bus")? != 0 }))
            .collect()
    }

    /// Node `name` stopped.
    pub async fn node_left(&self, name: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM cluster_nodes WHERE name = $1").bind(name).execute(self.pool()).await?;
        Ok(())
    }
}
