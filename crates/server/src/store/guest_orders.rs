//! Orders guests place from the menu at the table (`createOrderOnTable`). A row starts as the
//! browser's cart for that table; its id is the `externalId` sent to the POS, so the row is
//! written before anything is sent and every retry of the same cart (a double submit, a retry
//! after a timeout or after a restart) carries the same id, and the POS makes one order of it.
//!
//! `cart` → `sending` (claimed by a confirm; sent, maybe more than once, with the same id) →
//! `placed` (the POS answered with its order) or `refused` (the POS said no; the guest's lines
//! move to a new cart).
//!
//! Three rules are kept here, in the rows, because the nodes of a cluster share only the store:
//! - **one open cart per browser at a table** (a unique index), and a cart changes only from
//!   the version it was read at (`version`, bumped by every change: a compare-and-set), so
//!   changes made at once are applied one after the other, none lost;
//! - **a confirm is bound to what was reviewed**: `reviewed_version` is the version the POS
//!   last found makeable, and a cart is claimed for sending only at that version;
//! - **one sender at a time**: whoever sends (the confirm that claimed the cart, a "check
//!   again", the keeper resending an order left `sending`) holds a lease on the row
//!   (`send_node`, `send_token`, `send_until`), taken only when nobody holds an unexpired one
//!   and given back when the attempt ends; a node gives back its leases when it starts.

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
    /// Last changed (the cart's lines, a send attempt begun or ended, the POS's answer), unix ms.
    pub updated_at: i64,
    /// First sent, unix ms.
    pub sent_at: Option<i64>,
    /// The cart's version: bumped by every change of its lines.
    pub version: i64,
    /// The version the POS last found makeable (`checkProductsRestrictions`), if any.
    pub reviewed_version: Option<i64>,
    /// The POS's id of the table, stored when the cart is claimed (every send uses it).
    pub pos_table_id: Option<String>,
    /// Until when someone is sending it (unix ms; `None`: nobody).
    pub send_until: Option<i64>,
}

impl GuestOrder {
    /// Whether a send of this order may be going on at `now` (someone holds its lease).
    pub fn being_sent(&self, now: i64) -> bool {
        self.status == GuestOrderStatus::Sending && self.send_until.is_some_and(|until| until >= now)
    }
}

const COLUMNS: &str = "id, resto_id, table_number, browser, cart_lines, status, cart_sum, pos_order_id, \
                       pos_order_number, result_sum, last_error, created_at, updated_at, sent_at, version, \
                       reviewed_version, pos_table_id, send_until";

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
        version: column(row, "version")?,
        reviewed_version: column(row, "reviewed_version")?,
        pos_table_id: column(row, "pos_table_id")?,
        send_until: column(row, "send_until")?,
    })
}

/// A lease on sending one order: the node that holds it, a token of this one attempt (so an
/// attempt gives back only its own lease, never the next one's), and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendLease {
    /// The node sending (its leases are given back when it starts again).
    pub node: String,
    /// This attempt's token.
    pub token: String,
    /// Expiry, unix ms: after it, another may send.
    pub until: i64,
}

impl SendLease {
    /// A new lease for `node` until `until`.
    pub fn new(node: &str, until: i64) -> SendLease {
        SendLease { node: node.to_string(), token: Alphanumeric.sample_string(&mut rand::thread_rng(), 16), until }
    }
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

    /// Starts a cart with `lines` (JSON text); its id is new and random. `None` when the browser
    /// has an open cart on the table already (made meanwhile: change that one).
    pub async fn create_cart(
        &self,
        resto_id: &str,
        table: &str,
        browser: &str,
        lines: &str,
    ) -> Result<Option<GuestOrder>, StoreError> {
        let id = format!("rh-{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 20));
        let now = now_ms();
        let made = sqlx::query(
            "INSERT INTO guest_orders (id, resto_id, table_number, browser, cart_lines, status, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'cart', $6, $6) ON CONFLICT DO NOTHING",
        )
        .bind(&id)
        .bind(resto_id)
        .bind(table)
        .bind(browser)
        .bind(lines)
        .bind(now)
        .execute(self.pool())
        .await?;
        if made.rows_affected() == 0 {
            return Ok(None);
        }
        let made = self.guest_order(&id).await?;
        made.map(Some).ok_or_else(|| StoreError::Corrupt(format!("guest order {id} vanished")))
    }

    /// Replaces a cart's lines if it is still a cart at `version` (and makes it the next
    /// version); false when it is not: changed meanwhile (read it again and redo the change),
    /// confirmed, or pruned.
    pub async fn save_cart_lines(&self, id: &str, version: i64, lines: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE guest_orders SET cart_lines = $1, version = version + 1, updated_at = $2 \
             WHERE id = $3 AND status = 'cart' AND version = $4",
        )
        .bind(lines)
        .bind(now_ms())
        .bind(id)
        .bind(version)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records that the POS found the cart at `version` makeable; false when the cart has moved
    /// on from that version (or is no longer a cart).
    pub async fn mark_cart_reviewed(&self, id: &str, version: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE guest_orders SET reviewed_version = $1 WHERE id = $2 AND status = 'cart' AND version = $1",
        )
        .bind(version)
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

    /// Confirms a cart for sending, with what it came to and the POS's table id, and takes the
    /// lease on its first send: true for the one caller that moved it from `cart`, and only
    /// while it is at `version` and that version was reviewed (a cart changed since its review
    /// is not claimed: it is checked again first). Everyone else finds it `sending` and leaves
    /// the send to the lease's holder.
    pub async fn claim_cart(
        &self,
        id: &str,
        version: i64,
        cart_sum: i64,
        pos_table_id: &str,
        lease: &SendLease,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        let done = sqlx::query(
            "UPDATE guest_orders SET status = 'sending', cart_sum = $1, pos_table_id = $2, sent_at = $3, \
             updated_at = $3, send_node = $4, send_token = $5, send_until = $6 \
             WHERE id = $7 AND status = 'cart' AND version = $8 AND reviewed_version = $8",
        )
        .bind(cart_sum)
        .bind(pos_table_id)
        .bind(now)
        .bind(&lease.node)
        .bind(&lease.token)
        .bind(lease.until)
        .bind(id)
        .bind(version)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Takes the lease on sending an order again (still `sending`, nobody holding an unexpired
    /// lease at `now`): true for the one caller that got it.
    pub async fn take_order_send(&self, id: &str, lease: &SendLease, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE guest_orders SET send_node = $1, send_token = $2, send_until = $3, updated_at = $4 \
             WHERE id = $5 AND status = 'sending' AND (send_until IS NULL OR send_until < $4)",
        )
        .bind(&lease.node)
        .bind(&lease.token)
        .bind(lease.until)
        .bind(now)
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives back every send lease held in `node`'s name: called when the node starts, since the
    /// attempts of its previous run died with it.
    pub async fn release_order_sends_of(&self, node: &str) -> Result<u64, StoreError> {
        let released = sqlx::query(
            "UPDATE guest_orders SET send_node = NULL, send_token = NULL, send_until = NULL WHERE send_node = $1",
        )
        .bind(node)
        .execute(self.pool())
        .await?;
        Ok(released.rows_affected())
    }

    /// Orders left `sending`: nobody holds an unexpired lease at `now` and nothing happened to
    /// them since `quiet_since` (unix ms), oldest first, at most `limit`.
    pub async fn orders_left_sending(
        &self,
        now: i64,
        quiet_since: i64,
        limit: i64,
    ) -> Result<Vec<GuestOrder>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM guest_orders WHERE status = 'sending' \
             AND (send_until IS NULL OR send_until < $1) AND updated_at < $2 ORDER BY updated_at, id LIMIT $3"
        );
        let rows = sqlx::query(&sql).bind(now).bind(quiet_since).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(read).collect()
    }

    /// Deletes up to `batch` carts nobody changed since `before` (unix ms); how many went.
    pub async fn prune_carts_before(&self, before: i64, batch: i64) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "DELETE FROM guest_orders WHERE id IN (SELECT id FROM guest_orders WHERE status = 'cart' \
             AND updated_at < $1 ORDER BY updated_at LIMIT $2)",
        )
        .bind(before)
        .bind(batch)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Records the POS's order for a sent one (a later answer for a placed order changes
    /// nothing: the first is kept).
    pub async fn record_order_placed(&self, id: &str, placed: &PlacedOnPos) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE guest_orders SET status = 'placed', pos_order_id = $1, pos_order_number = $2, result_sum = $3, \
             last_error = NULL, updated_at = $4, send_node = NULL, send_token = NULL, send_until = NULL \
             WHERE id = $5 AND status = 'sending'",
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
            "UPDATE guest_orders SET status = 'refused', last_error = $1, updated_at = $2, send_node = NULL, \
             send_token = NULL, send_until = NULL WHERE id = $3 AND status = 'sending'",
        )
        .bind(why)
        .bind(now_ms())
        .bind(id)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Ends a send attempt whose outcome is not known (a timeout, the POS offline): notes why,
    /// and gives back the attempt's lease (when it still holds it), so the order may be sent
    /// again. It stays `sending`.
    pub async fn note_order_problem(&self, id: &str, lease: &SendLease, why: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE guest_orders SET last_error = $1, updated_at = $2, send_node = NULL, send_token = NULL, \
             send_until = NULL WHERE id = $3 AND status = 'sending' AND send_token = $4",
        )
        .bind(why)
        .bind(now_ms())
        .bind(id)
        .bind(&lease.token)
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
