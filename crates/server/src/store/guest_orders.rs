//! Orders guests place from the menu at the table (`createOrderOnTable`). A row starts as the
//! browser's cart for that table; its id is the `externalId` sent to the POS, so the row is
//! written before anything is sent and every retry of the same cart (a double submit, a retry
//! after a timeout or after a restart) carries the same id, and the POS makes one order of it.
//!
//! `cart` → `sending` (claimed by a confirm; sent, maybe more than once, with the same id) →
//! `placed` (the POS answered with its order) or `refused` (the POS said no; the guest's lines
//! move to a new cart).

use super::{column, now_ms, Store, StoreError};
use rand::distributions::{Alphanumeric, DistString};
use sqlx::any::AnyRow;

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestOrderStatus {
    /// Still the guest's cart: nothing sent.
    Cart,
    /// Confirmed and sent (or being sent) to the POS; its answer is not known yet.
    Sending,
    /// The POS made the order.
    Placed,
    /// The POS refused it.
    Refused,
}

impl GuestOrderStatus {
    /// The stored (and shown) name.
    pub fn as_str(self) -> &'static str {
        match self {
            GuestOrderStatus::Cart => "cart",
            GuestOrderStatus::Sending => "sending",
            GuestOrderStatus::Placed => "placed",
            GuestOrderStatus::Refused => "refused",
        }
    }

    fn parse(text: &str) -> Result<GuestOrderStatus, StoreError> {
        Ok(match text {
            "cart" => GuestOrderStatus::Cart,
            "sending" => GuestOrderStatus::Sending,
            "placed" => GuestOrderStatus::Placed,
            "refused" => GuestOrderStatus::Refused,
            other => return Err(StoreError::Corrupt(format!("guest order status `{other}`"))),
        })
    }
}

/// One order (or cart) as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestOrder {
    /// Our id, sent to the POS as `externalId`.
    pub id: String,
    /// The restaurant.
    pub resto_id: String,
    /// The table number from the QR.
    pub table_number: String,
    /// The browser's key (a hash of its guest cookie).
    pub browser: String,
    /// The cart's lines as JSON text (read by the ordering module).
    pub lines: String,
    /// Where it stands.
    pub status: GuestOrderStatus,
    /// What the cart came to when the guest confirmed, in kopiyky.
    pub cart_sum: Option<i64>,
    /// The POS's order (bill) id.
    pub pos_order_id: Option<String>,
    /// The POS's order number.
    pub pos_order_number: Option<i64>,
    /// What the POS says the order comes to (authoritative), in kopiyky.
    pub result_sum: Option<i64>,
    /// Why the POS refused, or the last failure sending it.
    pub last_error: Option<String>,
    /// Created, unix ms.
    pub created_at: i64,
    /// Last changed, unix ms.
    pub updated_at: i64,
    /// First sent, unix ms.
    pub sent_at: Option<i64>,
}

const COLUMNS: &str = "id, resto_id, table_number, browser, cart_lines, status, cart_sum, pos_order_id, \
                       pos_order_number, result_sum, last_error, created_at, updated_at, sent_at";

fn read(row: &AnyRow) -> Result<GuestOrder, StoreError> {
    Ok(GuestOrder {
        id: column(row, "id")?,
        resto_id: column(row, "resto_id")?,
        table_number: column(row, "table_number")?,
        browser: column(row, "browser")?,
        lines: column(row, "cart_lines")?,
        status: GuestOrderStatus::parse(&column::<String>(row, "status")?)?,
        cart_sum: column(row, "cart_sum")?,
        pos_order_id: column(row, "pos_order_id")?,
        pos_order_number: column(row, "pos_order_number")?,
        result_sum: column(row, "result_sum")?,
        last_error: column(row, "last_error")?,
        created_at: column(row, "created_at")?,
        updated_at: column(row, "updated_at")?,
        sent_at: column(row, "sent_at")?,
    })
}

/// What the POS made of a placed order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacedOnPos {
    /// The POS's order (bill) id.
    pub order_id: Option<String>,
    /// The POS's order number.
    pub order_number: Option<i64>,
    /// The POS's sum, in kopiyky.
    pub result_sum: Option<i64>,
}

impl Store {
    /// The browser's open cart on a table, if it has one.
    pub async fn open_cart(
        &self,
        resto_id: &str,
        table: &str,
        browser: &str,
    ) -> Result<Option<GuestOrder>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM guest_orders WHERE resto_id = $1 AND table_number = $2 AND browser = $3 \
             AND status = 'cart' ORDER BY created_at DESC LIMIT 1"
        );
        let row = sqlx::query(&sql).bind(resto_id).bind(table).bind(browser).fetch_optional(self.pool()).await?;
        row.as_ref().map(read).transpose()
    }

    /// Starts a cart with `lines` (JSON text); its id is new and random.
    pub async fn create_cart(
        &self,
        resto_id: &str,
        table: &str,
        browser: &str,
        lines: &str,
    ) -> Result<GuestOrder, StoreError> {
        let id = format!("rh-{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 20));
        let now = now_ms();
        sqlx::query(
            "INSERT INTO guest_orders (id, resto_id, table_number, browser, cart_lines, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'cart', $6, $6)",
        )
        .bind(&id)
        .bind(resto_id)
        .bind(table)
        .bind(browser)
        .bind(lines)
        .bind(now)
        .execute(self.pool())
        .await?;
        self.guest_order(&id).await?.ok_or_else(|| StoreError::Corrupt(format!("guest order {id} vanished")))
    }

    /// Replaces a cart's lines; false when it is no longer a cart (it was confirmed meanwhile).
    pub async fn save_cart_lines(&self, id: &str, lines: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE guest_orders SET cart_lines = $1, updated_at = $2 WHERE id = $3 AND status = 'cart'")
                .bind(lines)
                .bind(now_ms())
                .bind(id)
                .execute(self.pool())
                .await?;
        Ok(done.rows_affected() == 1)
    }

    /// One order by id.
    pub async fn guest_order(&self, id: &str) -> Result<Option<GuestOrder>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM guest_orders WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?;
        row.as_ref().map(read).transpose()
    }

    /// Confirms a cart for sending, with what it came to: true for the one caller that moved it
    /// from `cart` (a second submit finds it `sending` already and sends the same id again).
    pub async fn claim_cart(&self, id: &str, cart_sum: i64) -> Result<bool, StoreError> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE guest_orders SET status = 'sending', cart_sum = $1, sent_at = $2, updated_at = $2 \
             WHERE id = $3 AND status = 'cart'",
        )
        .bind(cart_sum)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the POS's order for a sent one (a later answer for a placed order changes
    /// nothing: the first is kept).
    pub async fn record_order_placed(&self, id: &str, placed: &PlacedOnPos) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE guest_orders SET status = 'placed', pos_order_id = $1, pos_order_number = $2, result_sum = $3, \
             last_error = NULL, updated_at = $4 WHERE id = $5 AND status = 'sending'",
        )
        .bind(placed.order_id.clone())
        .bind(placed.order_number)
        .bind(placed.result_sum)
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        self.kept.placed_on_table.forget_all();
        Ok(())
    }

    /// Records that the POS refused a sent order, and why.
    pub async fn record_order_refused(&self, id: &str, why: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE guest_orders SET status = 'refused', last_error = $1, updated_at = $2 \
             WHERE id = $3 AND status = 'sending'",
        )
        .bind(why)
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Notes why sending has not succeeded yet (a timeout, the POS offline); it stays `sending`.
    pub async fn note_order_problem(&self, id: &str, why: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE guest_orders SET last_error = $1, updated_at = $2 WHERE id = $3 AND status = 'sending'")
            .bind(why)
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// A restaurant's orders that left the cart, newest first.
    pub async fn guest_orders(&self, resto_id: &str, limit: i64) -> Result<Vec<GuestOrder>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM guest_orders WHERE resto_id = $1 AND status <> 'cart' \
             ORDER BY created_at DESC, id LIMIT $2"
        );
        let rows = sqlx::query(&sql).bind(resto_id).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(read).collect()
    }

    /// When an order was last placed on the table (unix ms): the table's bills changed then.
    /// Kept in memory for up to a second (an order placed through this store is seen at once).
    pub async fn last_order_placed_on_table(&self, resto_id: &str, table: &str) -> Result<Option<i64>, StoreError> {
        let key = format!("{resto_id}\n{table}");
        if let Some(kept) = self.kept.placed_on_table.get(&key) {
            return Ok(kept);
        }
        let started = self.kept.placed_on_table.read_starts();
        let placed_at = self.read_last_order_placed_on_table(resto_id, table).await?;
        self.kept.placed_on_table.keep(&key, placed_at, started);
        Ok(placed_at)
    }

    async fn read_last_order_placed_on_table(&self, resto_id: &str, table: &str) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query(
            "SELECT MAX(updated_at) AS at FROM guest_orders WHERE resto_id = $1 AND table_number = $2 \
             AND status = 'placed'",
        )
        .bind(resto_id)
        .bind(table)
        .fetch_one(self.pool())
        .await?;
        column(&row, "at")
    }
}
