//! What a restaurant's POS got wrong, kept so it survives a restart: the callbacks and webhooks
//! the gateway refused (with the body as sent), and the conformance warnings — loose forms a
//! strict reader would have refused but we normalised (`docs/pos-protocol.md` section 4).
//!
//! Why in the store: "your signature does not match" or "`tableNumber` sent as a number" is what
//! a POS developer and an operator need to see, also after the server restarted. Both lists are
//! bounded per restaurant ([`KEPT_PER_RESTAURANT`]); warnings of the same kind on the same field
//! are one row with a count and the latest body.

use super::{column, BodyCut, Store, StoreError};
use rahunok_protocol::FieldError;
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use std::sync::atomic::{AtomicI64, Ordering};

/// How many refusals, and how many distinct warnings, are kept per restaurant.
pub const KEPT_PER_RESTAURANT: i64 = 1000;

/// One refused callback or webhook, as the admin API shows it (clients such as `check-pos`
/// read it back; missing fields read as empty).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct CallbackRefusal {
    /// When, unix ms.
    pub at: i64,
    /// `/callback/<operation>` or `/callback/webhook`.
    pub path: String,
    /// The `rID` of the body, when it could be read (the body may be unsigned: a hint only).
    #[serde(rename = "rID")]
    pub rid: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
    /// `BAD_SIGNATURE`, `VALIDATION`, `RID_EXPIRED`, ...
    pub err_code: String,
    /// The sentence answered.
    pub err_text: String,
    /// Field problems, for `VALIDATION`.
    pub field_errors: Vec<FieldError>,
    /// The `signature` header as sent.
    pub signature: Option<String>,
    /// The body as received (lossy UTF-8), cut at 16 KiB.
    pub body: String,
    /// True when `body` was cut.
    pub body_truncated: bool,
    /// The whole body's size and SHA-256, when `body` was cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body_cut: Option<BodyCut>,
}

/// A conformance warning as kept: one row per operation, kind and field.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct StoredWarning {
    /// The callback's operation (`getBill`, ...).
    pub operation: String,
    /// A stable code of the normalisation (`NUMBER_AS_STRING`, `FAIL_WITHOUT_SUBSTATE`, ...).
    pub kind: String,
    /// The field's path in the body (`orders[0].tableNumber`).
    pub field: String,
    /// What was normalised, in a sentence.
    pub message: String,
    /// The latest body that showed it (cut at 16 KiB).
    pub body: String,
    /// First seen, unix ms.
    pub first_at: i64,
    /// Last seen, unix ms.
    pub last_at: i64,
    /// How many callbacks showed it.
    pub count: i64,
}

/// A strictly increasing sequence number for refusals (unix µs, bumped on ties), so the
/// newest-first order holds within one millisecond.
fn next_seq() -> i64 {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_micros() as i64)
        .unwrap_or_default();
    let previous = LAST.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| Some(now.max(last + 1)));
    now.max(previous.unwrap_or(0) + 1)
}

fn refusal_from(row: &AnyRow) -> Result<CallbackRefusal, StoreError> {
    let field_errors: String = column(row, "field_errors")?;
    Ok(CallbackRefusal {
        at: column(row, "at")?,
        path: column(row, "path")?,
        rid: column(row, "rid")?,
        status: u16::try_from(column::<i64>(row, "status")?).unwrap_or_default(),
        err_code: column(row, "err_code")?,
        err_text: column(row, "err_text")?,
        field_errors: serde_json::from_str(&field_errors)
            .map_err(|e| StoreError::Corrupt(format!("refusal field errors: {e}")))?,
        signature: column(row, "signature")?,
        body: column(row, "body")?,
        body_truncated: column::<i64>(row, "body_truncated")? != 0,
        body_cut: BodyCut::from_columns(column(row, "body_size")?, column(row, "body_sha256")?),
    })
}

fn warning_from(row: &AnyRow) -> Result<StoredWarning, StoreError> {
    Ok(StoredWarning {
        operation: column(row, "operation")?,
        kind: column(row, "kind")?,
        field: column(row, "field")?,
        message: column(row, "message")?,
        body: column(row, "body")?,
        first_at: column(row, "first_at")?,
        last_at: column(row, "last_at")?,
        count: column(row, "count")?,
    })
}

impl Store {
    /// Keeps refusals and warnings (one transaction), then drops the oldest beyond the bound for
    /// each restaurant named.
    pub async fn record_conformance(
        &self,
        refusals: &[(String, CallbackRefusal)],
        warnings: &[(String, StoredWarning)],
    ) -> Result<(), StoreError> {
        if refusals.is_empty() && warnings.is_empty() {
            return Ok(());
        }
        let mut tx = self.begin_write().await?;
        for (resto_id, r) in refusals {
            sqlx::query(
                "INSERT INTO callback_refusals (resto_id, seq, at, path, rid, status, err_code, err_text, field_errors, \
                 signature, body, body_truncated, body_size, body_sha256) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(resto_id)
            .bind(next_seq())
            .bind(r.at)
            .bind(&r.path)
            .bind(r.rid.clone())
            .bind(i64::from(r.status))
            .bind(&r.err_code)
            .bind(&r.err_text)
            .bind(serde_json::to_string(&r.field_errors).expect("field errors serialise"))
            .bind(r.signature.clone())
            .bind(&r.body)
            .bind(i64::from(r.body_truncated))
            .bind(r.body_cut.as_ref().map(|c| c.size))
            .bind(r.body_cut.as_ref().map(|c| c.sha256.clone()))
            .execute(&mut *tx)
            .await?;
        }
        for (resto_id, w) in warnings {
            sqlx::query(
                "INSERT INTO conformance_warnings (resto_id, operation, kind, field, message, body, first_at, last_at, \
                 count) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8) ON CONFLICT (resto_id, operation, kind, field) \
                 DO UPDATE SET message = excluded.message, body = excluded.body, last_at = excluded.last_at, \
                 count = conformance_warnings.count + excluded.count",
            )
            .bind(resto_id)
            .bind(&w.operation)
            .bind(&w.kind)
            .bind(&w.field)
            .bind(&w.message)
            .bind(&w.body)
            .bind(w.last_at)
            .bind(w.count.max(1))
            .execute(&mut *tx)
            .await?;
        }
        let mut named: Vec<&str> =
            refusals.iter().map(|(r, _)| r.as_str()).chain(warnings.iter().map(|(r, _)| r.as_str())).collect();
        named.sort_unstable();
        named.dedup();
        for resto_id in named {
            sqlx::query(
                "DELETE FROM callback_refusals WHERE resto_id = $1 AND seq < (SELECT seq FROM callback_refusals \
                 WHERE resto_id = $1 ORDER BY seq DESC LIMIT 1 OFFSET $2)",
            )
            .bind(resto_id)
            .bind(KEPT_PER_RESTAURANT - 1)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "DELETE FROM conformance_warnings WHERE resto_id = $1 AND last_at < (SELECT last_at FROM \
                 conformance_warnings WHERE resto_id = $1 ORDER BY last_at DESC LIMIT 1 OFFSET $2)",
            )
            .bind(resto_id)
            .bind(KEPT_PER_RESTAURANT - 1)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A restaurant's refusals, newest first.
    pub async fn callback_refusals(&self, resto_id: &str) -> Result<Vec<CallbackRefusal>, StoreError> {
        let rows = sqlx::query("SELECT * FROM callback_refusals WHERE resto_id = $1 ORDER BY seq DESC LIMIT $2")
            .bind(resto_id)
            .bind(KEPT_PER_RESTAURANT)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(refusal_from).collect()
    }

    /// A restaurant's conformance warnings, most recently seen first.
    pub async fn conformance_warnings(&self, resto_id: &str) -> Result<Vec<StoredWarning>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM conformance_warnings WHERE resto_id = $1 ORDER BY last_at DESC, kind, field LIMIT $2",
        )
        .bind(resto_id)
        .bind(KEPT_PER_RESTAURANT)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(warning_from).collect()
    }
}
