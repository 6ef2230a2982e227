//! Open orders pushed by the POS (`ORDERS_CACHE` every 5 s) and orders it closed
//! (`ORDERS_CLOSED`). Guests are served from this cache while it is fresh.

use super::{column, now_ms, Store, StoreError};
use rahunok_protocol::order::Order;
use rahunok_protocol::webhook::{ClosedOrder, OrdersCache};
use serde::Serialize;
use serde_json::value::RawValue;
use std::sync::Arc;

/// One open order as last pushed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedOrder {
    /// Bill id.
    pub bill_id: String,
    /// Table number.
    pub table_number: Option<String>,
    /// The short entry (`actualOrders[]`), as JSON text.
    pub summary: Box<RawValue>,
    /// The full order, when the POS sent one, as JSON text.
    pub order: Option<Box<RawValue>>,
    /// When it last changed, unix ms.
    pub updated_at: i64,
}

impl Store {
    /// Applies an `ORDERS_CACHE` push in one transaction: orders missing from `actualOrders`
    /// are dropped, the rest are updated, and full orders replace the stored ones.
    pub async fn apply_orders_cache(&self, resto_id: &str, push: &OrdersCache) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let existing = sqlx::query("SELECT bill_id FROM cached_orders WHERE resto_id = $1")
            .bind(resto_id)
            .fetch_all(&mut *tx)
            .await?;
        for row in &existing {
            let bill_id: String = column(row, "bill_id")?;
            if !push.actual_orders.iter().any(|o| o.bill_id == bill_id) {
                sqlx::query("DELETE FROM cached_orders WHERE resto_id = $1 AND bill_id = $2")
                    .bind(resto_id)
                    .bind(&bill_id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for short in &push.actual_orders {
            let full: Option<&Order> = push.orders.iter().find(|o| o.bill_id == short.bill_id);
            let summary = serde_json::to_string(short).expect("orders serialise");
            let full = full.map(|o| serde_json::to_string(o).expect("orders serialise"));
            sqlx::query(
                "INSERT INTO cached_orders (resto_id, bill_id, table_number, summary, full_order, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (resto_id, bill_id) DO UPDATE SET \
                 table_number = excluded.table_number, summary = excluded.summary, \
                 full_order = COALESCE(excluded.full_order, cached_orders.full_order), updated_at = excluded.updated_at",
            )
            .bind(resto_id)
            .bind(&short.bill_id)
            .bind(short.table_number.clone())
            .bind(summary)
            .bind(full)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query(
            "INSERT INTO orders_cache_pushes (resto_id, pushed_at) VALUES ($1, $2) \
             ON CONFLICT (resto_id) DO UPDATE SET pushed_at = excluded.pushed_at",
        )
        .bind(resto_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        self.kept.orders.forget(resto_id);
        Ok(())
    }

    /// Records orders the POS closed and drops them from the cache, in one transaction.
    pub async fn apply_orders_closed(&self, resto_id: &str, closed: &[ClosedOrder]) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        for order in closed {
            sqlx::query("DELETE FROM cached_orders WHERE resto_id = $1 AND bill_id = $2")
                .bind(resto_id)
                .bind(&order.bill_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO closed_orders (resto_id, bill_id, closed_at, received_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (resto_id, bill_id) DO UPDATE SET closed_at = excluded.closed_at, received_at = excluded.received_at",
            )
            .bind(resto_id)
            .bind(&order.bill_id)
            .bind(order.closed_at.clone())
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        self.kept.orders.forget(resto_id);
        Ok(())
    }

    /// [`Store::cached_orders`] as the guest pages read it: kept in memory for up to a second
    /// (a push through this store is seen at once; one through another node within the second).
    pub async fn cached_orders_for_guests(
        &self,
        resto_id: &str,
    ) -> Result<(Arc<Vec<CachedOrder>>, Option<i64>), StoreError> {
        if let Some(kept) = self.kept.orders.get(resto_id) {
            return Ok(kept);
        }
        let started = self.kept.orders.read_starts();
        let (orders, pushed_at) = self.cached_orders(resto_id).await?;
        let read = (Arc::new(orders), pushed_at);
        self.kept.orders.keep(resto_id, read.clone(), started);
        Ok(read)
    }

    /// The cached open orders and when the POS last pushed them (unix ms).
    pub async fn cached_orders(&self, resto_id: &str) -> Result<(Vec<CachedOrder>, Option<i64>), StoreError> {
        let rows = sqlx::query(
            "SELECT bill_id, table_number, summary, full_order, updated_at FROM cached_orders \
             WHERE resto_id = $1 ORDER BY bill_id",
        )
        .bind(resto_id)
        .fetch_all(self.pool())
        .await?;
        let parse =
            |text: String| RawValue::from_string(text).map_err(|e| StoreError::Corrupt(format!("cached order: {e}")));
        let mut orders = Vec::with_capacity(rows.len());
        for row in &rows {
            orders.push(CachedOrder {
                bill_id: column(row, "bill_id")?,
                table_number: column(row, "table_number")?,
                summary: parse(column(row, "summary")?)?,
                order: column::<Option<String>>(row, "full_order")?.map(parse).transpose()?,
                updated_at: column(row, "updated_at")?,
            });
        }
        let pushed = sqlx::query("SELECT pushed_at FROM orders_cache_pushes WHERE resto_id = $1")
            .bind(resto_id)
            .fetch_optional(self.pool())
            .await?
            .map(|row| column::<i64>(&row, "pushed_at"))
            .transpose()?;
        Ok((orders, pushed))
    }

    /// Bill ids the POS reported closed.
    pub async fn closed_orders(&self, resto_id: &str) -> Result<Vec<String>, StoreError> {
        let rows = sqlx::query("SELECT bill_id FROM closed_orders WHERE resto_id = $1 ORDER BY received_at")
            .bind(resto_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(|r| column(r, "bill_id")).collect()
    }
}
