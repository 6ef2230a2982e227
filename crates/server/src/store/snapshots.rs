//! The latest copy of what the POS told us about the restaurant (tables, halls, staff,
//! categories, menu, stop list). The POS is the source of truth; we keep its last answer, as
//! sent, so pages and the admin API work without a round trip.

use super::{column, now_ms, Store, StoreError};

/// Which POS data a snapshot holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SnapshotKind {
    /// `tablesInfo`.
    Tables,
    /// `hallplansInfo`.
    Halls,
    /// `usersInfo`.
    Staff,
    /// `categoriesInfo`.
    Categories,
    /// `menuInfo`.
    Menu,
    /// `stopList`.
    StopList,
}

impl SnapshotKind {
    fn key(self) -> &'static str {
        match self {
            SnapshotKind::Tables => "tables",
            SnapshotKind::Halls => "halls",
            SnapshotKind::Staff => "staff",
            SnapshotKind::Categories => "categories",
            SnapshotKind::Menu => "menu",
            SnapshotKind::StopList => "stop_list",
        }
    }
}

/// A stored snapshot: the JSON text of the POS answer's data and when it was taken. Kept as
/// text so money in it never passes through a float.
#[derive(Debug, Clone)]
pub struct Snapshot {
    /// The data as JSON text (shape depends on the kind).
    pub body: String,
    /// When it was refreshed, unix ms.
    pub refreshed_at: i64,
}

const UPSERT_SNAPSHOT: &str = "INSERT INTO pos_snapshots (resto_id, kind, body, refreshed_at) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (resto_id, kind) DO UPDATE SET body = excluded.body, refreshed_at = excluded.refreshed_at";

impl Store {
    /// Replaces a snapshot.
    pub async fn save_snapshot(&self, resto_id: &str, kind: SnapshotKind, body: &str) -> Result<(), StoreError> {
        sqlx::query(UPSERT_SNAPSHOT)
            .bind(resto_id)
            .bind(kind.key())
            .bind(body)
            .bind(now_ms())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The stored snapshot, if any.
    pub async fn snapshot(&self, resto_id: &str, kind: SnapshotKind) -> Result<Option<Snapshot>, StoreError> {
        let row = sqlx::query("SELECT body, refreshed_at FROM pos_snapshots WHERE resto_id = $1 AND kind = $2")
            .bind(resto_id)
            .bind(kind.key())
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(Snapshot { body: column(&row, "body")?, refreshed_at: column(&row, "refreshed_at")? }))
    }

    /// Changes the staff snapshot in one transaction (for `USER_UPDATE` webhooks): `change`
    /// gets the current list of users (empty if none) and edits it.
    pub async fn update_staff(
        &self,
        resto_id: &str,
        change: impl FnOnce(&mut Vec<serde_json::Value>),
    ) -> Result<(), StoreError> {
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT body FROM pos_snapshots WHERE resto_id = $1 AND kind = $2")
            .bind(resto_id)
            .bind(SnapshotKind::Staff.key())
            .fetch_optional(&mut *tx)
            .await?;
        let mut users: Vec<serde_json::Value> = match row {
            Some(row) => {
                let body: String = column(&row, "body")?;
                let value: serde_json::Value =
                    serde_json::from_str(&body).map_err(|e| StoreError::Corrupt(format!("staff: {e}")))?;
                value.get("users").and_then(|u| u.as_array()).cloned().unwrap_or_default()
            }
            None => Vec::new(),
        };
        change(&mut users);
        let body = serde_json::json!({ "users": users }).to_string();
        sqlx::query(UPSERT_SNAPSHOT)
            .bind(resto_id)
            .bind(SnapshotKind::Staff.key())
            .bind(body)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}
