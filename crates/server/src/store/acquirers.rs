//! Which card acquirer each restaurant takes payments with, the acquirer's invoices as last
//! seen (so an older notification never overwrites a newer one), and refunds asked for (so a
//! retried refund is sent with the same reference and never returns the money twice).
//!
//! The merchant token is a secret: it is stored only sealed with the master key
//! (`crate::secrets`, context `acquirer.token:<resto_id>`) through `Store::seal_token`, read
//! only through `Store::open_token`, and leaves this module only to the acquirer's client.

use super::{column, now_ms, Store, StoreError};
use rahunok_protocol::Money;

/// The acquirer a restaurant chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AcquirerChoice {
    /// The built-in sandbox (the default).
    Sandbox,
    /// monobank, with the merchant's name as monobank reported it.
    Monobank {
        /// The merchant's name.
        merchant_name: String,
    },
}

/// A merchant token read back from the store. Its `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct MerchantToken(String);

impl MerchantToken {
    /// Wraps a token the restaurant typed in.
    pub fn new(token: &str) -> MerchantToken {
        MerchantToken(token.trim().to_string())
    }

    /// The token, for the acquirer's request header only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for MerchantToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MerchantToken(…)")
    }
}

/// A refund as asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRecord {
    /// The reference sent to the acquirer (the idempotency key of the refund).
    pub ext_ref: String,
    /// The payment refunded.
    pub payment_id: String,
    /// How much.
    pub amount: Money,
    /// `requested` (sent or about to be) or `done`.
    pub state: String,
}

/// What happened to a refund reservation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundReservation {
    /// Reserved now: send it.
    New(RefundRecord),
    /// This reference was reserved before (a retry): the same refund.
    Existing(RefundRecord),
    /// More than what is left to refund.
    TooMuch {
        /// What can still be refunded.
        left: Money,
    },
}

/// Where a restaurant's merchant token is sealed (the associated data binds it to its row).
fn token_context(resto_id: &str) -> String {
    format!("acquirer.token:{resto_id}")
}

impl Store {
    /// Seals a merchant token for storage with the master key: the one place that decides how
    /// tokens are kept.
    fn seal_token(&self, resto_id: &str, token: &MerchantToken) -> String {
        self.master_key().seal(token.0.as_bytes(), &token_context(resto_id))
    }

    /// Opens a token sealed by [`Store::seal_token`].
    fn open_token(&self, resto_id: &str, sealed: &str) -> Result<MerchantToken, StoreError> {
        let bytes = self.master_key().open(sealed, &token_context(resto_id))?;
        let text = String::from_utf8(bytes).map_err(|_| StoreError::Corrupt("a merchant token is not text".into()))?;
        Ok(MerchantToken(text))
    }
}

impl Store {
    /// The acquirer a restaurant takes payments with (the sandbox unless it chose another).
    pub async fn acquirer_choice(&self, resto_id: &str) -> Result<AcquirerChoice, StoreError> {
        let row = sqlx::query("SELECT kind, merchant_name FROM restaurant_acquirers WHERE resto_id = $1")
            .bind(resto_id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(AcquirerChoice::Sandbox) };
        match column::<String>(&row, "kind")?.as_str() {
            "monobank" => Ok(AcquirerChoice::Monobank {
                merchant_name: column::<Option<String>>(&row, "merchant_name")?.unwrap_or_default(),
            }),
            _ => Ok(AcquirerChoice::Sandbox),
        }
    }

    /// Makes monobank the restaurant's acquirer, with a token already checked with monobank.
    pub async fn choose_monobank(
        &self,
        resto_id: &str,
        token: &MerchantToken,
        merchant_name: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO restaurant_acquirers (resto_id, kind, token_sealed, merchant_name, updated_at) \
             VALUES ($1, 'monobank', $2, $3, $4) ON CONFLICT (resto_id) DO UPDATE SET kind = 'monobank', \
             token_sealed = $2, merchant_name = $3, updated_at = $4",
        )
        .bind(resto_id)
        .bind(self.seal_token(resto_id, token))
        .bind(merchant_name)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Makes the sandbox the restaurant's acquirer again. The monobank token stays (sealed) so
    /// payments already made with monobank can still be followed and refunded.
    pub async fn choose_sandbox(&self, resto_id: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO restaurant_acquirers (resto_id, kind, updated_at) VALUES ($1, 'sandbox', $2) \
             ON CONFLICT (resto_id) DO UPDATE SET kind = 'sandbox', updated_at = $2",
        )
        .bind(resto_id)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The restaurant's monobank token, if it ever set one.
    pub async fn monobank_token(&self, resto_id: &str) -> Result<Option<MerchantToken>, StoreError> {
        let row = sqlx::query("SELECT token_sealed FROM restaurant_acquirers WHERE resto_id = $1")
            .bind(resto_id)
            .fetch_optional(self.pool())
            .await?;
        match row.map(|r| column::<Option<String>>(&r, "token_sealed")).transpose()?.flatten() {
            Some(sealed) => self.open_token(resto_id, &sealed).map(Some),
            None => Ok(None),
        }
    }

    /// Records an acquirer's invoice status unless a newer one was already seen; true when this
    /// one is the newest (equal times count as newest, so a repeat is applied again harmlessly).
    pub async fn record_invoice_status(
        &self,
        payment_id: &str,
        acquirer: &str,
        invoice_id: &str,
        status: &str,
        modified_ms: i64,
    ) -> Result<bool, StoreError> {
        let now = now_ms();
        sqlx::query(
            "INSERT INTO acquirer_invoices (payment_id, acquirer, invoice_id, last_status, last_modified_ms, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (payment_id) DO UPDATE SET last_status = $4, \
             last_modified_ms = $5, updated_at = $6 WHERE acquirer_invoices.last_modified_ms <= $5",
        )
        .bind(payment_id)
        .bind(acquirer)
        .bind(invoice_id)
        .bind(status)
        .bind(modified_ms)
        .bind(now)
        .execute(self.pool())
        .await?;
        let row = sqlx::query("SELECT last_modified_ms FROM acquirer_invoices WHERE payment_id = $1")
            .bind(payment_id)
            .fetch_one(self.pool())
            .await?;
        Ok(column::<i64>(&row, "last_modified_ms")? <= modified_ms)
    }

    /// Reserves a refund of `amount` under `ext_ref`, in one transaction with the check that it
    /// fits in what is left of the payment.
    pub async fn reserve_refund(
        &self,
        payment_id: &str,
        ext_ref: &str,
        amount: Money,
        paid: Money,
    ) -> Result<RefundReservation, StoreError> {
        if let Some(existing) = self.refund(ext_ref).await? {
            return Ok(RefundReservation::Existing(existing));
        }
        let mut tx = self.begin_write().await?;
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(amount_kop), 0) AS BIGINT) AS n FROM payment_refunds WHERE payment_id = $1",
        )
        .bind(payment_id)
        .fetch_one(&mut *tx)
        .await?;
        let refunded = refunded_total(&row)?;
        let left = Money::from_kopiyky(paid.kopiyky() - refunded).unwrap_or_default();
        if amount.kopiyky() <= 0 || amount > left {
            tx.rollback().await?;
            return Ok(RefundReservation::TooMuch { left });
        }
        let now = now_ms();
        sqlx::query(
            "INSERT INTO payment_refunds (ext_ref, payment_id, amount_kop, state, created_at, updated_at) \
             VALUES ($1, $2, $3, 'requested', $4, $4)",
        )
        .bind(ext_ref)
        .bind(payment_id)
        .bind(amount.kopiyky())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        let record = RefundRecord {
            ext_ref: ext_ref.to_string(),
            payment_id: payment_id.to_string(),
            amount,
            state: "requested".into(),
        };
        Ok(RefundReservation::New(record))
    }

    /// Marks a refund done; true only for the call that did it (so the POS is told once).
    pub async fn finish_refund(&self, ext_ref: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE payment_refunds SET state = 'done', updated_at = $1 WHERE ext_ref = $2 AND state = 'requested'",
        )
        .bind(now_ms())
        .bind(ext_ref)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Forgets a refund the acquirer refused outright (nothing was returned).
    pub async fn drop_refund(&self, ext_ref: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM payment_refunds WHERE ext_ref = $1 AND state = 'requested'")
            .bind(ext_ref)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// One refund by its reference.
    pub async fn refund(&self, ext_ref: &str) -> Result<Option<RefundRecord>, StoreError> {
        let row = sqlx::query("SELECT ext_ref, payment_id, amount_kop, state FROM payment_refunds WHERE ext_ref = $1")
            .bind(ext_ref)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(RefundRecord {
            ext_ref: column(&row, "ext_ref")?,
            payment_id: column(&row, "payment_id")?,
            amount: Money::from_kopiyky(column(&row, "amount_kop")?)
                .ok_or_else(|| StoreError::Corrupt("a negative refund".into()))?,
            state: column(&row, "state")?,
        }))
    }

    /// How much of a payment has been returned (refunds done).
    pub async fn refunded_amount(&self, payment_id: &str) -> Result<Money, StoreError> {
        self.refund_total(payment_id, "done").await
    }

    /// How much of a payment the restaurant asked to return (done or on its way).
    pub async fn refunds_asked(&self, payment_id: &str) -> Result<Money, StoreError> {
        self.refund_total(payment_id, "").await
    }

    async fn refund_total(&self, payment_id: &str, state: &str) -> Result<Money, StoreError> {
        let row = sqlx::query(
            "SELECT CAST(COALESCE(SUM(amount_kop), 0) AS BIGINT) AS n FROM payment_refunds \
             WHERE payment_id = $1 AND ($2 = '' OR state = $2)",
        )
        .bind(payment_id)
        .bind(state)
        .fetch_one(self.pool())
        .await?;
        Money::from_kopiyky(refunded_total(&row)?).ok_or_else(|| StoreError::Corrupt("a negative refund".into()))
    }
}

/// Reads the `n` of a refund total (cast to BIGINT: PostgreSQL sums BIGINT as NUMERIC).
fn refunded_total(row: &sqlx::any::AnyRow) -> Result<i64, StoreError> {
    column::<i64>(row, "n")
}
