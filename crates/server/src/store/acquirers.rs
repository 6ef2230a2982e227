//! Which card acquirer each restaurant takes payments with and the credentials it gave each
//! kind of acquirer (with the acquirer's refusal of them, when it stopped accepting them: what
//! the admin is told), the acquirer's invoices as last seen (so an older notification never
//! overwrites a newer one), and refunds asked for (so a retried refund is sent with the same
//! reference and never returns the money twice).
//!
//! Why the store knows no acquirer by name: a kind of acquirer is a name and a set of credential
//! fields to this module (the kinds themselves are listed in `crate::payments::acquirers`), so a
//! new acquirer needs no change here. Credentials are kept per restaurant and kind, so a
//! restaurant that switches acquirer can still follow and refund its earlier payments.
//!
//! Credentials may hold secrets (a merchant token, a private key): they are stored only sealed
//! with the master key (`crate::secrets`, context `acquirer.credentials:<resto_id>:<kind>`)
//! through `Store::seal_credentials`, read only through `Store::open_credentials`, and their
//! `Debug` shows the field names only. Stores written before credentials were kept by kind hold
//! a monobank token in `restaurant_acquirers.token_sealed`; it is adopted at start
//! ([`Store::adopt_legacy_acquirer_tokens`]) and that column is left alone for an older release.

use super::{column, now_ms, Store, StoreError};
use rahunok_protocol::Money;
use std::collections::BTreeMap;

/// The acquirer a restaurant chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquirerChoice {
    /// The kind of acquirer (`sandbox`, `monobank`), as its module names it.
    pub kind: String,
    /// The account the acquirer named for the credentials when they were checked (monobank: the
    /// merchant's name); `None` when the kind has nothing to check.
    pub account_name: Option<String>,
}

/// The credentials a restaurant gave one kind of acquirer, field by field (as the kind names its
/// fields). Values may be secrets: `Debug` shows the field names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct AcquirerCredentials(BTreeMap<String, String>);

impl AcquirerCredentials {
    /// No fields.
    pub fn new() -> AcquirerCredentials {
        AcquirerCredentials::default()
    }

    /// With `name` set to `value` (trimmed, as typed in).
    pub fn with(mut self, name: &str, value: &str) -> AcquirerCredentials {
        self.set(name, value);
        self
    }

    /// Sets `name` to `value` (trimmed, as typed in).
    pub fn set(&mut self, name: &str, value: &str) {
        self.0.insert(name.to_string(), value.trim().to_string());
    }

    /// A field's value; only for the acquirer's client (never to be logged or shown).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// The names of the fields given.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Whether no field is given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for AcquirerCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.0.keys().map(|name| (name, "…"))).finish()
    }
}

/// The acquirer no longer accepts a restaurant's credentials (revoked or replaced at the
/// acquirer): noted when a call is refused for them, cleared when a later call with them is
/// accepted or new ones are saved. What the admin API and the panel show beside the choice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsRefusal {
    /// The first refusal since they were last accepted, unix ms.
    pub since: i64,
    /// The acquirer's words for the last refusal (never a secret: each kind words it).
    pub reason: String,
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

/// Where a restaurant's credentials for one kind of acquirer are sealed (the associated data
/// binds them to their row).
fn credentials_context(resto_id: &str, kind: &str) -> String {
    format!("acquirer.credentials:{resto_id}:{kind}")
}

/// Where stores from before credentials were kept by kind sealed a restaurant's monobank token.
fn legacy_token_context(resto_id: &str) -> String {
    format!("acquirer.token:{resto_id}")
}

/// The only kind of acquirer whose token stores from before kept (in
/// `restaurant_acquirers.token_sealed`), and the field it is now kept under.
const LEGACY_TOKEN_KIND: &str = "monobank";
const LEGACY_TOKEN_FIELD: &str = "token";

impl Store {
    /// Seals credentials for storage with the master key: the one place that decides how they
    /// are kept.
    fn seal_credentials(&self, resto_id: &str, kind: &str, credentials: &AcquirerCredentials) -> String {
        let json = serde_json::to_vec(&credentials.0).expect("a map of strings serialises");
        self.master_key().seal(&json, &credentials_context(resto_id, kind))
    }

    /// Opens credentials sealed by [`Store::seal_credentials`].
    fn open_credentials(&self, resto_id: &str, kind: &str, sealed: &str) -> Result<AcquirerCredentials, StoreError> {
        let bytes = self.master_key().open(sealed, &credentials_context(resto_id, kind))?;
        let fields = serde_json::from_slice(&bytes)
            .map_err(|_| StoreError::Corrupt(format!("the {kind} credentials of {resto_id} are not readable")))?;
        Ok(AcquirerCredentials(fields))
    }

    /// Keeps the monobank token a store from before kept in `restaurant_acquirers` as that
    /// restaurant's monobank credentials (once: a restaurant with monobank credentials already
    /// is left as it is). The old column stays, for an older release run on this store.
    pub(super) async fn adopt_legacy_acquirer_tokens(&self) -> Result<(), StoreError> {
        let rows = sqlx::query(
            "SELECT a.resto_id, a.token_sealed, a.updated_at FROM restaurant_acquirers a \
             LEFT JOIN acquirer_credentials c ON c.resto_id = a.resto_id AND c.kind = $1 \
             WHERE a.token_sealed IS NOT NULL AND c.resto_id IS NULL",
        )
        .bind(LEGACY_TOKEN_KIND)
        .fetch_all(self.pool())
        .await?;
        for row in rows {
            let resto_id: String = column(&row, "resto_id")?;
            let sealed: String = column(&row, "token_sealed")?;
            let token = self.master_key().open(&sealed, &legacy_token_context(&resto_id))?;
            let token =
                String::from_utf8(token).map_err(|_| StoreError::Corrupt("a merchant token is not text".into()))?;
            let credentials = AcquirerCredentials::new().with(LEGACY_TOKEN_FIELD, &token);
            sqlx::query(
                "INSERT INTO acquirer_credentials (resto_id, kind, credentials_sealed, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (resto_id, kind) DO NOTHING",
            )
            .bind(&resto_id)
            .bind(LEGACY_TOKEN_KIND)
            .bind(self.seal_credentials(&resto_id, LEGACY_TOKEN_KIND, &credentials))
            .bind(column::<i64>(&row, "updated_at")?)
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }
}

impl Store {
    /// The acquirer a restaurant chose; `None` when it never chose one.
    pub async fn acquirer_choice(&self, resto_id: &str) -> Result<Option<AcquirerChoice>, StoreError> {
        let row = sqlx::query("SELECT kind, merchant_name FROM restaurant_acquirers WHERE resto_id = $1")
            .bind(resto_id)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(AcquirerChoice { kind: column(&row, "kind")?, account_name: column(&row, "merchant_name")? }))
    }

    /// Makes `kind` the restaurant's acquirer, with credentials already checked with the
    /// acquirer (kept sealed, for this kind; none given keeps the kind's stored ones) and the
    /// account the acquirer named for them. Credentials of other kinds stay, so payments made
    /// with them can still be followed and refunded.
    pub async fn choose_acquirer(
        &self,
        resto_id: &str,
        kind: &str,
        credentials: &AcquirerCredentials,
        account_name: Option<&str>,
    ) -> Result<(), StoreError> {
        let now = now_ms();
        let mut tx = self.begin_write().await?;
        if !credentials.is_empty() {
            sqlx::query(
                "INSERT INTO acquirer_credentials (resto_id, kind, credentials_sealed, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (resto_id, kind) DO UPDATE SET \
                 credentials_sealed = $3, updated_at = $4",
            )
            .bind(resto_id)
            .bind(kind)
            .bind(self.seal_credentials(resto_id, kind, credentials))
            .bind(now)
            .execute(&mut *tx)
            .await?;
            // Credentials saved anew: whatever the acquirer refused before is not these.
            sqlx::query("DELETE FROM acquirer_refusals WHERE resto_id = $1 AND kind = $2")
                .bind(resto_id)
                .bind(kind)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(
            "INSERT INTO restaurant_acquirers (resto_id, kind, merchant_name, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (resto_id) DO UPDATE SET kind = $2, merchant_name = $3, updated_at = $4",
        )
        .bind(resto_id)
        .bind(kind)
        .bind(account_name)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The credentials the restaurant gave this kind of acquirer, if it ever gave any.
    pub async fn acquirer_credentials(
        &self,
        resto_id: &str,
        kind: &str,
    ) -> Result<Option<AcquirerCredentials>, StoreError> {
        Ok(self.acquirer_credentials_kept(resto_id, kind).await?.map(|(credentials, _)| credentials))
    }

    /// The credentials the restaurant gave this kind of acquirer, with the acquirer's refusal of
    /// them when it stopped accepting them.
    pub async fn acquirer_credentials_kept(
        &self,
        resto_id: &str,
        kind: &str,
    ) -> Result<Option<(AcquirerCredentials, Option<CredentialsRefusal>)>, StoreError> {
        let row = sqlx::query(
            "SELECT c.credentials_sealed, r.since, r.reason FROM acquirer_credentials c \
             LEFT JOIN acquirer_refusals r ON r.resto_id = c.resto_id AND r.kind = c.kind \
             WHERE c.resto_id = $1 AND c.kind = $2",
        )
        .bind(resto_id)
        .bind(kind)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let credentials = self.open_credentials(resto_id, kind, &column::<String>(&row, "credentials_sealed")?)?;
        let refusal = match column::<Option<i64>>(&row, "since")? {
            Some(since) => Some(CredentialsRefusal {
                since,
                reason: column::<Option<String>>(&row, "reason")?.unwrap_or_default(),
            }),
            None => None,
        };
        Ok(Some((credentials, refusal)))
    }

    /// The acquirer's refusal of a restaurant's credentials for `kind`, if it refuses them now.
    pub async fn credentials_refusal(
        &self,
        resto_id: &str,
        kind: &str,
    ) -> Result<Option<CredentialsRefusal>, StoreError> {
        let row = sqlx::query("SELECT since, reason FROM acquirer_refusals WHERE resto_id = $1 AND kind = $2")
            .bind(resto_id)
            .bind(kind)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(CredentialsRefusal { since: column(&row, "since")?, reason: column(&row, "reason")? }))
    }

    /// Notes that the acquirer of `kind` refused the restaurant's credentials, with its words
    /// (which must hold no secret); the time of the first refusal is kept.
    pub async fn note_credentials_refused(&self, resto_id: &str, kind: &str, reason: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO acquirer_refusals (resto_id, kind, since, reason) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (resto_id, kind) DO UPDATE SET reason = $4",
        )
        .bind(resto_id)
        .bind(kind)
        .bind(now_ms())
        .bind(reason)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The acquirer of `kind` accepted the restaurant's credentials again: the refusal is
    /// forgotten.
    pub async fn clear_credentials_refusal(&self, resto_id: &str, kind: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM acquirer_refusals WHERE resto_id = $1 AND kind = $2")
            .bind(resto_id)
            .bind(kind)
            .execute(self.pool())
            .await?;
        Ok(())
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
