//! Payments and their transitions: the durable state machine behind every charge.
//!
//! Each transition is one transaction that compares-and-sets the status and appends to the
//! timeline, so a crash at any point leaves a payment in a state the closer can resume from.
//! `bill_lock` (unique) holds `resto_id bill_id` while a payment is active or closed: a bill can
//! have one such payment at a time and can never be charged twice.

use super::{column, now_ms, Store, StoreError};
pub use crate::payment_status::PaymentStatus;
use rahunok_protocol::Money;
use sqlx::any::AnyRow;

/// A payment as stored.
#[derive(Debug, Clone)]
pub struct PaymentRecord {
    /// Payment id (also the acquirer reference).
    pub id: String,
    /// The restaurant.
    pub resto_id: String,
    /// The POS bill paid.
    pub bill_id: String,
    /// The table, when known.
    pub table_number: Option<String>,
    /// Where it is.
    pub status: PaymentStatus,
    /// For the bill.
    pub sum: Money,
    /// Tip.
    pub tips: Money,
    /// Which acquirer.
    pub acquirer: String,
    /// The acquirer's id for the charge.
    pub acquirer_ref: Option<String>,
    /// Where the guest pays.
    pub checkout_url: Option<String>,
    /// What the receipt shows (JSON).
    pub receipt: String,
    /// Fiscal lines sent with `payBill` (JSON), once paid.
    pub fiscal: Option<String>,
    /// `payBill` attempts so far.
    pub attempts: i64,
    /// When the closer tries next, unix ms.
    pub next_attempt_at: Option<i64>,
    /// The last problem.
    pub last_error: Option<String>,
    /// Created, unix ms.
    pub created_at: i64,
    /// Last change, unix ms.
    pub updated_at: i64,
    /// The browser that started it: the SHA-256 (hex) of its guest cookie, never the cookie.
    pub payer: Option<String>,
    /// The last sign of the guest at the acquirer (page opened, card sent), unix ms; the
    /// creation time until then.
    pub active_at: Option<i64>,
    /// The guest's 1–5 rating of the service, once given on the receipt.
    pub rating: Option<i64>,
    /// Until when a node holds the payment, unix ms: its creator while the acquirer makes the
    /// charge and the guest's answer is made ([`Store::create_payment_held`]), or the closer
    /// while it closes it.
    pub lease_until: Option<i64>,
    /// True from its creation until the guest's answer sending them to the acquirer's page is
    /// being returned ([`Store::hand_payment_to_guest`]): an unfinished payment still awaiting
    /// its guest once its creator's lease is gone is an orphan (`crate::payments::closer`).
    /// False for payments made by a release before this was kept.
    pub awaiting_guest: bool,
    /// When a guest's page last asked the acquirer about it, unix ms
    /// ([`Store::claim_guest_question`]).
    pub asked_at: Option<i64>,
}

impl PaymentRecord {
    /// Bill plus tip: what the guest is charged.
    pub fn amount(&self) -> Money {
        self.sum + self.tips
    }
}

/// One step of a payment's timeline.
#[derive(Debug, Clone)]
pub struct PaymentTransition {
    /// The status before (none for creation).
    pub from: Option<PaymentStatus>,
    /// The status after.
    pub to: PaymentStatus,
    /// When, unix ms.
    pub at: i64,
    /// Why.
    pub note: Option<String>,
}

/// Filters for listing payments.
#[derive(Debug, Clone, Default)]
pub struct PaymentFilter {
    /// Only this status.
    pub status: Option<PaymentStatus>,
    /// Created at or after, unix ms.
    pub from_ms: Option<i64>,
    /// Created before, unix ms.
    pub to_ms: Option<i64>,
    /// At most this many (newest first); 0 means 100.
    pub limit: i64,
}

/// A payment about to be created.
#[derive(Debug, Clone)]
pub struct NewPayment {
    /// Payment id.
    pub id: String,
    /// The restaurant.
    pub resto_id: String,
    /// The bill.
    pub bill_id: String,
    /// The table.
    pub table_number: Option<String>,
    /// The guest's submit key (a retried submit returns the same payment).
    pub idempotency_key: String,
    /// For the bill.
    pub sum: Money,
    /// Tip.
    pub tips: Money,
    /// Acquirer name.
    pub acquirer: String,
    /// Receipt JSON.
    pub receipt: String,
    /// The browser starting it (SHA-256 hex of its guest cookie), when it has one.
    pub payer: Option<String>,
}

/// Why a payment could not be created.
#[derive(Debug)]
pub enum CreateOutcome {
    /// Created.
    Created(PaymentRecord),
    /// A payment with this idempotency key exists: the same payment.
    Existing(PaymentRecord),
    /// Another payment holds the bill.
    BillHeld(PaymentRecord),
}

/// When the closer should try a payment next, as a transition changes it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum NextAttempt {
    /// Leave it as it is.
    #[default]
    Keep,
    /// No further attempt is planned.
    Clear,
    /// Try at this time, unix ms.
    At(i64),
}

/// Extra columns a transition sets.
#[derive(Debug, Clone, Default)]
pub struct TransitionChanges {
    /// Set `acquirer_ref` and `checkout_url`.
    pub checkout: Option<(String, String)>,
    /// Set `fiscal`.
    pub fiscal: Option<String>,
    /// Count a `payBill` attempt.
    pub count_attempt: bool,
    /// What happens to `next_attempt_at`.
    pub next_attempt: NextAttempt,
    /// Set `last_error`.
    pub last_error: Option<String>,
    /// Move only while this lease is held, renewing it in the same update.
    pub under_lease: Option<HeldLease>,
}

/// A lease a transition requires: the payment is still held by `node` at `now` (its lease not
/// run out), and the lease is renewed to `until` in the same update. A node whose lease ran out
/// while it was slow (another may have taken the payment over) cannot move it: the fence that
/// keeps two nodes from both sending `payBill`.
#[derive(Debug, Clone)]
pub struct HeldLease {
    /// The node that took the lease.
    pub node: String,
    /// The time the lease must still be valid at.
    pub now: i64,
    /// The lease's new end.
    pub until: i64,
}

const COLUMNS: &str = "id, resto_id, bill_id, table_number, status, sum_kop, tips_kop, acquirer, acquirer_ref, \
    checkout_url, receipt, fiscal, attempts, next_attempt_at, last_error, created_at, updated_at, payer, active_at, rating, \
    lease_until, awaiting_guest, asked_at";

/// The statuses of payments that took the guest's money, as an SQL list (`'paid', …`).
fn charged_statuses() -> String {
    let charged: Vec<String> =
        PaymentStatus::ALL.iter().filter(|s| s.is_charged()).map(|s| format!("'{}'", s.as_str())).collect();
    charged.join(", ")
}

fn money(row: &AnyRow, name: &str) -> Result<Money, StoreError> {
    let kopiyky: i64 = column(row, name)?;
    Money::from_kopiyky(kopiyky).ok_or_else(|| StoreError::Corrupt(format!("{name} is negative")))
}

fn status(text: &str) -> Result<PaymentStatus, StoreError> {
    PaymentStatus::from_name(text).ok_or_else(|| StoreError::Corrupt(format!("unknown payment status {text}")))
}

fn record_from(row: &AnyRow) -> Result<PaymentRecord, StoreError> {
    Ok(PaymentRecord {
        id: column(row, "id")?,
        resto_id: column(row, "resto_id")?,
        bill_id: column(row, "bill_id")?,
        table_number: column(row, "table_number")?,
        status: status(&column::<String>(row, "status")?)?,
        sum: money(row, "sum_kop")?,
        tips: money(row, "tips_kop")?,
        acquirer: column(row, "acquirer")?,
        acquirer_ref: column(row, "acquirer_ref")?,
        checkout_url: column(row, "checkout_url")?,
        receipt: column(row, "receipt")?,
        fiscal: column(row, "fiscal")?,
        attempts: column(row, "attempts")?,
        next_attempt_at: column(row, "next_attempt_at")?,
        last_error: column(row, "last_error")?,
        created_at: column(row, "created_at")?,
        updated_at: column(row, "updated_at")?,
        payer: column(row, "payer")?,
        active_at: column(row, "active_at")?,
        rating: column(row, "rating")?,
        lease_until: column(row, "lease_until")?,
        awaiting_guest: column::<Option<i64>>(row, "awaiting_guest")? == Some(AWAITING),
        asked_at: column(row, "asked_at")?,
    })
}

/// `awaiting_guest` of a payment whose guest has not got its page yet (NULL once handed, and
/// for payments of releases that did not keep it).
const AWAITING: i64 = 1;

fn bill_lock(resto_id: &str, bill_id: &str) -> String {
    format!("{resto_id} {bill_id}")
}

impl Store {
    /// How many payments are in each status (statuses with none are left out).
    pub async fn payment_counts(&self) -> Result<Vec<(PaymentStatus, i64)>, StoreError> {
        let rows =
            sqlx::query("SELECT status, COUNT(*) AS n FROM payments GROUP BY status").fetch_all(self.pool()).await?;
        let mut counts = Vec::with_capacity(rows.len());
        for row in &rows {
            let name: String = column(row, "status")?;
            let status = PaymentStatus::from_name(&name)
                .ok_or_else(|| StoreError::Corrupt(format!("unknown payment status {name}")))?;
            counts.push((status, column(row, "n")?));
        }
        Ok(counts)
    }

    /// Creates a payment in `created`, unless the idempotency key was used or the bill is held;
    /// no node holds it (as a crash right after storing it would leave it).
    pub async fn create_payment(&self, new: &NewPayment) -> Result<CreateOutcome, StoreError> {
        self.insert_payment(new, None).await
    }

    /// [`Store::create_payment`], leased to `node` until `until` in the same write: the node is
    /// making the payment's charge, and the closer must not take the payment for an orphan
    /// meanwhile.
    pub async fn create_payment_held(
        &self,
        new: &NewPayment,
        node: &str,
        until: i64,
    ) -> Result<CreateOutcome, StoreError> {
        self.insert_payment(new, Some((node, until))).await
    }

    async fn insert_payment(&self, new: &NewPayment, lease: Option<(&str, i64)>) -> Result<CreateOutcome, StoreError> {
        if let Some(existing) = self.payment_by_idempotency_key(&new.idempotency_key).await? {
            return Ok(CreateOutcome::Existing(existing));
        }
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO payments (id, resto_id, bill_id, table_number, idempotency_key, status, bill_lock, sum_kop, \
             tips_kop, acquirer, receipt, attempts, created_at, updated_at, payer, active_at, lease_node, lease_until, \
             awaiting_guest) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12, $13, $12, $14, $15, $16) \
             ON CONFLICT DO NOTHING",
        )
        .bind(&new.id)
        .bind(&new.resto_id)
        .bind(&new.bill_id)
        .bind(new.table_number.clone())
        .bind(&new.idempotency_key)
        .bind(PaymentStatus::Created.as_str())
        .bind(bill_lock(&new.resto_id, &new.bill_id))
        .bind(new.sum.kopiyky())
        .bind(new.tips.kopiyky())
        .bind(&new.acquirer)
        .bind(&new.receipt)
        .bind(now)
        .bind(new.payer.clone())
        .bind(lease.map(|(node, _)| node.to_string()))
        .bind(lease.map(|(_, until)| until))
        .bind(AWAITING)
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            tx.rollback().await?;
            if let Some(existing) = self.payment_by_idempotency_key(&new.idempotency_key).await? {
                return Ok(CreateOutcome::Existing(existing));
            }
            let holder = self
                .payment_holding_bill(&new.resto_id, &new.bill_id)
                .await?
                .ok_or_else(|| StoreError::Corrupt("a payment conflict with no holder".into()))?;
            return Ok(CreateOutcome::BillHeld(holder));
        }
        insert_transition(&mut tx, &new.id, None, PaymentStatus::Created, now, Some("guest started paying")).await?;
        tx.commit().await?;
        let created =
            self.payment_by_id(&new.id).await?.ok_or_else(|| StoreError::Corrupt("payment vanished".into()))?;
        Ok(CreateOutcome::Created(created))
    }

    /// Moves a payment from `from` to `to` with its changes, in one transaction. False when
    /// the payment was not in `from` (someone else moved it first); an error when the move is
    /// not in the table of `crate::payments::status`.
    pub async fn transition_payment(
        &self,
        id: &str,
        from: PaymentStatus,
        to: PaymentStatus,
        note: &str,
        changes: TransitionChanges,
    ) -> Result<bool, StoreError> {
        from.check_move(to)?;
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        let row = sqlx::query("SELECT resto_id, bill_id, status FROM payments WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else { return Ok(false) };
        if status(&column::<String>(&row, "status")?)? != from {
            return Ok(false);
        }
        let lock = to.holds_bill().then(|| {
            bill_lock(
                &column::<String>(&row, "resto_id").unwrap_or_default(),
                &column::<String>(&row, "bill_id").unwrap_or_default(),
            )
        });
        let (acquirer_ref, checkout_url) = changes.checkout.map(|(r, u)| (Some(r), Some(u))).unwrap_or((None, None));
        let (set_next_attempt, next_attempt) = match changes.next_attempt {
            NextAttempt::Keep => (0, None),
            NextAttempt::Clear => (1, None),
            NextAttempt::At(at) => (1, Some(at)),
        };
        let updated = sqlx::query(
            "UPDATE payments SET status = $1, bill_lock = $2, updated_at = $3, \
             acquirer_ref = COALESCE($4, acquirer_ref), checkout_url = COALESCE($5, checkout_url), \
             fiscal = COALESCE($6, fiscal), attempts = attempts + $7, \
             next_attempt_at = CASE WHEN $8 = 1 THEN $9 ELSE next_attempt_at END, \
             last_error = COALESCE($10, last_error), \
             lease_until = CASE WHEN $13 = 1 THEN $16 ELSE lease_until END \
             WHERE id = $11 AND status = $12 AND ($13 = 0 OR (lease_node = $14 AND lease_until >= $15))",
        )
        .bind(to.as_str())
        .bind(lock)
        .bind(now)
        .bind(acquirer_ref)
        .bind(checkout_url)
        .bind(changes.fiscal)
        .bind(i64::from(changes.count_attempt))
        .bind(set_next_attempt)
        .bind(next_attempt)
        .bind(changes.last_error)
        .bind(id)
        .bind(from.as_str())
        .bind(i64::from(changes.under_lease.is_some()))
        .bind(changes.under_lease.as_ref().map(|l| l.node.clone()).unwrap_or_default())
        .bind(changes.under_lease.as_ref().map_or(0, |l| l.now))
        .bind(changes.under_lease.as_ref().map_or(0, |l| l.until))
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        insert_transition(&mut tx, id, Some(from), to, now, Some(note)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets when the closer tries a payment next (for "retry now").
    pub async fn schedule_payment(&self, id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE payments SET next_attempt_at = $1, updated_at = $2 WHERE id = $3")
            .bind(at)
            .bind(now_ms())
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Notes a problem with an unfinished payment (e.g. the acquirer cannot be asked about it)
    /// where the admin sees it; the status does not change.
    pub async fn note_payment_problem(&self, id: &str, problem: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE payments SET last_error = $1, updated_at = $2 WHERE id = $3 AND status = $4")
            .bind(problem)
            .bind(now_ms())
            .bind(id)
            .bind(PaymentStatus::Created.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Clears the problem noted on an unfinished payment ([`Store::note_payment_problem`]) once
    /// the acquirer answers about it again.
    pub async fn clear_payment_problem(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE payments SET last_error = NULL, updated_at = $1 \
             WHERE id = $2 AND status = $3 AND last_error IS NOT NULL",
        )
        .bind(now_ms())
        .bind(id)
        .bind(PaymentStatus::Created.as_str())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Takes the turn of a guest's page to ask the acquirer about unfinished payment `id` at
    /// `now`: true unless a page (on any node) asked after `asked_before`. Of pages asking at
    /// once, one gets it.
    pub async fn claim_guest_question(&self, id: &str, now: i64, asked_before: i64) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE payments SET asked_at = $1 \
             WHERE id = $2 AND status = $3 AND (asked_at IS NULL OR asked_at <= $4)",
        )
        .bind(now)
        .bind(id)
        .bind(PaymentStatus::Created.as_str())
        .bind(asked_before)
        .execute(self.pool())
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// The guest's answer sending them to the acquirer's page for unfinished payment `id` is
    /// being returned: the payment no longer awaits its guest, and `node`, its creator, gives
    /// its lease back in the same write. False when the payment is no longer unfinished (it was
    /// released meanwhile as an orphan): the guest must not be sent to pay it.
    ///
    /// Not while another node holds the payment's lease: that may be a closer releasing it as
    /// an orphan ([`Store::claim_orphan`]), about to withdraw its charge — the guest must not be
    /// sent to a checkout that is being cancelled (issue 28, found by the chaos run).
    pub async fn hand_payment_to_guest(&self, id: &str, node: &str) -> Result<bool, StoreError> {
        let handed = sqlx::query(
            "UPDATE payments SET awaiting_guest = NULL, \
             lease_until = CASE WHEN lease_node = $1 THEN NULL ELSE lease_until END, \
             lease_node = CASE WHEN lease_node = $1 THEN NULL ELSE lease_node END \
             WHERE id = $2 AND status = $3 \
             AND (lease_node IS NULL OR lease_node = $1 OR lease_until IS NULL OR lease_until < $4)",
        )
        .bind(node)
        .bind(id)
        .bind(PaymentStatus::Created.as_str())
        .bind(super::now_ms())
        .execute(self.pool())
        .await?;
        Ok(handed.rows_affected() == 1)
    }

    /// Takes an orphan's lease to release it: only while it is still `created`, still never
    /// handed to its guest, and nobody holds it. A guest handed the payment first, or another
    /// node releasing it, makes this false and the orphan is left alone.
    pub async fn claim_orphan(&self, id: &str, node: &str, now: i64, until: i64) -> Result<bool, StoreError> {
        let claimed = sqlx::query(
            "UPDATE payments SET lease_node = $1, lease_until = $2 \
             WHERE id = $3 AND status = $4 AND awaiting_guest = $5 AND (lease_until IS NULL OR lease_until < $6)",
        )
        .bind(node)
        .bind(until)
        .bind(id)
        .bind(PaymentStatus::Created.as_str())
        .bind(AWAITING)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(claimed.rows_affected() == 1)
    }

    /// Notes a sign of the guest at the acquirer (the card page opened, a card sent) on an
    /// unfinished payment: its hold on the bill runs from now again.
    pub async fn note_payment_activity(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE payments SET active_at = $1 WHERE id = $2 AND status = $3")
            .bind(now_ms())
            .bind(id)
            .bind(PaymentStatus::Created.as_str())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Stores the guest's 1–5 rating with a payment that took their money (given again, the
    /// last one counts). False when the payment is not one that took the money.
    pub async fn rate_payment(&self, id: &str, rating: i64) -> Result<bool, StoreError> {
        let sql = format!("UPDATE payments SET rating = $1 WHERE id = $2 AND status IN ({})", charged_statuses());
        let rated = sqlx::query(&sql).bind(rating).bind(id).execute(self.pool()).await?;
        Ok(rated.rows_affected() == 1)
    }

    /// Every payment of a restaurant that took the guest's money, created in `[from_ms, to_ms)`
    /// (what a report sums), oldest first.
    pub async fn charged_payments(
        &self,
        resto_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<PaymentRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM payments WHERE resto_id = $1 AND created_at >= $2 AND created_at < $3 \
             AND status IN ({}) ORDER BY created_at, id",
            charged_statuses()
        );
        let rows = sqlx::query(&sql).bind(resto_id).bind(from_ms).bind(to_ms).fetch_all(self.pool()).await?;
        rows.iter().map(record_from).collect()
    }

    /// One payment by id.
    pub async fn payment_by_id(&self, id: &str) -> Result<Option<PaymentRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE id = $1");
        let row = sqlx::query(&sql).bind(id).fetch_optional(self.pool()).await?;
        row.as_ref().map(record_from).transpose()
    }

    async fn payment_by_idempotency_key(&self, key: &str) -> Result<Option<PaymentRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE idempotency_key = $1");
        let row = sqlx::query(&sql).bind(key).fetch_optional(self.pool()).await?;
        row.as_ref().map(record_from).transpose()
    }

    /// The payment holding a bill (active or closed), if any.
    pub async fn payment_holding_bill(
        &self,
        resto_id: &str,
        bill_id: &str,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE bill_lock = $1");
        let row = sqlx::query(&sql).bind(bill_lock(resto_id, bill_id)).fetch_optional(self.pool()).await?;
        row.as_ref().map(record_from).transpose()
    }

    /// The latest payment that took the money for a bill on this table and changed at or after
    /// `since_ms` (closed by the POS, or on its way), for "the bill is paid" on the table's page.
    pub async fn recent_paid_on_table(
        &self,
        resto_id: &str,
        table: &str,
        since_ms: i64,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        let charged: Vec<String> =
            PaymentStatus::ALL.iter().filter(|s| s.is_charged()).map(|s| format!("'{}'", s.as_str())).collect();
        let sql = format!(
            "SELECT {COLUMNS} FROM payments WHERE resto_id = $1 AND table_number = $2 AND updated_at >= $3 \
             AND status IN ({}) ORDER BY updated_at DESC LIMIT 1",
            charged.join(", ")
        );
        let row = sqlx::query(&sql).bind(resto_id).bind(table).bind(since_ms).fetch_optional(self.pool()).await?;
        row.as_ref().map(record_from).transpose()
    }

    /// Payments in any of `statuses` (oldest first), for the closer and the reconciler.
    pub async fn payments_in(&self, statuses: &[PaymentStatus]) -> Result<Vec<PaymentRecord>, StoreError> {
        let names: Vec<String> = statuses.iter().map(|s| format!("'{}'", s.as_str())).collect();
        let sql = format!("SELECT {COLUMNS} FROM payments WHERE status IN ({}) ORDER BY created_at", names.join(", "));
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(record_from).collect()
    }

    /// A restaurant's payments, newest first.
    pub async fn payments(&self, resto_id: &str, filter: &PaymentFilter) -> Result<Vec<PaymentRecord>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM payments WHERE resto_id = $1 AND ($2 = '' OR status = $2) \
             AND created_at >= $3 AND created_at < $4 ORDER BY created_at DESC, id DESC LIMIT $5"
        );
        let limit = if filter.limit <= 0 { 100 } else { filter.limit.min(1000) };
        let rows = sqlx::query(&sql)
            .bind(resto_id)
            .bind(filter.status.map(PaymentStatus::as_str).unwrap_or(""))
            .bind(filter.from_ms.unwrap_or(0))
            .bind(filter.to_ms.unwrap_or(i64::MAX))
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(record_from).collect()
    }

    /// One payment of a restaurant with its timeline.
    pub async fn payment(
        &self,
        resto_id: &str,
        id: &str,
    ) -> Result<Option<(PaymentRecord, Vec<PaymentTransition>)>, StoreError> {
        let Some(record) = self.payment_by_id(id).await?.filter(|p| p.resto_id == resto_id) else {
            return Ok(None);
        };
        let rows = sqlx::query(
            "SELECT from_status, to_status, at, note FROM payment_transitions WHERE payment_id = $1 ORDER BY seq",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?;
        let mut timeline = Vec::with_capacity(rows.len());
        for row in &rows {
            timeline.push(PaymentTransition {
                from: column::<Option<String>>(row, "from_status")?.as_deref().map(status).transpose()?,
                to: status(&column::<String>(row, "to_status")?)?,
                at: column(row, "at")?,
                note: column(row, "note")?,
            });
        }
        Ok(Some((record, timeline)))
    }

    /// Takes (or renews) the lease on payment `id` for `node` until `until`: true when no other
    /// node holds an unexpired one. The closer advances a payment only while it holds its lease,
    /// so with several nodes each payment is advanced by one node at a time, and another node
    /// takes over once the lease of a node that died runs out.
    pub async fn take_payment_lease(&self, id: &str, node: &str, now: i64, until: i64) -> Result<bool, StoreError> {
        let taken = sqlx::query(
            "UPDATE payments SET lease_node = $1, lease_until = $2 \
             WHERE id = $3 AND (lease_until IS NULL OR lease_until < $4 OR lease_node = $1)",
        )
        .bind(node)
        .bind(until)
        .bind(id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(taken.rows_affected() == 1)
    }

    /// Takes payment `id` for closing, for `node` until `until`, and reads it back — all in one
    /// transaction, so the closer works from the row as it is now, never from a list read
    /// earlier. `None` unless the payment still awaits closing ([`PaymentStatus::awaiting_close`]), its next
    /// attempt is due at `now`, and no other node holds an unexpired lease on it: a payment
    /// another task closed meanwhile, or one that moved on, is not taken (issue 28: a stale
    /// list sent a second `payBill`).
    pub async fn take_payment_to_close(
        &self,
        id: &str,
        node: &str,
        now: i64,
        until: i64,
    ) -> Result<Option<PaymentRecord>, StoreError> {
        let awaiting: Vec<String> =
            PaymentStatus::awaiting_close().iter().map(|s| format!("'{}'", s.as_str())).collect();
        let take = format!(
            "UPDATE payments SET lease_node = $1, lease_until = $2 \
             WHERE id = $3 AND status IN ({}) AND (next_attempt_at IS NULL OR next_attempt_at <= $4) \
             AND (lease_until IS NULL OR lease_until < $4 OR lease_node = $1)",
            awaiting.join(", ")
        );
        let mut tx = self.begin_write().await?;
        let taken = sqlx::query(&take).bind(node).bind(until).bind(id).bind(now).execute(&mut *tx).await?;
        if taken.rows_affected() != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        // Under the lease just taken (and, on PostgreSQL, the row lock of the update), nobody
        // else changes the row before this transaction ends.
        let row =
            sqlx::query(&format!("SELECT {COLUMNS} FROM payments WHERE id = $1")).bind(id).fetch_one(&mut *tx).await?;
        let record = record_from(&row)?;
        tx.commit().await?;
        Ok(Some(record))
    }

    /// Gives back every lease held in `node`'s name: called when the node starts, since the
    /// process that took them is gone (a charge it was making is left to the closer, a payment
    /// it was closing is taken up again at once).
    pub async fn release_payment_leases_of(&self, node: &str) -> Result<u64, StoreError> {
        let released = sqlx::query("UPDATE payments SET lease_node = NULL, lease_until = NULL WHERE lease_node = $1")
            .bind(node)
            .execute(self.pool())
            .await?;
        Ok(released.rows_affected())
    }

    /// Gives the lease on payment `id` back (when `node` holds it).
    pub async fn release_payment_lease(&self, id: &str, node: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE payments SET lease_node = NULL, lease_until = NULL WHERE id = $1 AND lease_node = $2")
            .bind(id)
            .bind(node)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

async fn insert_transition(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    payment_id: &str,
    from: Option<PaymentStatus>,
    to: PaymentStatus,
    at: i64,
    note: Option<&str>,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO payment_transitions (payment_id, seq, from_status, to_status, at, note) \
         SELECT $1, COALESCE(MAX(seq), 0) + 1, $2, $3, $4, $5 FROM payment_transitions WHERE payment_id = $1",
    )
    .bind(payment_id)
    .bind(from.map(PaymentStatus::as_str))
    .bind(to.as_str())
    .bind(at)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
