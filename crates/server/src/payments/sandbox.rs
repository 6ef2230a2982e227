//! The sandbox acquirer: a stand-in for a real card acquirer, built into the server for demos
//! and tests. It has its own hosted card page (`/sandbox/checkout/{ref}`), checks the card with
//! Luhn, knows a few test cards, keeps its charges in its own table, and — like a real acquirer
//! — tells the platform about the outcome with a signed HTTP notification, sent asynchronously
//! and retried until it is accepted. Card numbers are never stored or logged, only masked.
//!
//! Test cards: `4242 4242 4242 4242` pays; `4000 0000 0000 0002` is declined;
//! `4000 0000 0000 3220` asks for a 3-D-Secure-style confirmation first. Any other number that
//! passes the Luhn check pays.

use super::acquirer::{
    Acquirer, AcquirerError, AcquirerEvent, AcquirerFuture, CardReceipt, ChargeRequest, ChargeStatus, Checkout,
};
use crate::store::{column, now_ms, Store, StoreError};
use hmac::{Hmac, Mac};
use rahunok_protocol::Money;
use rand::Rng;
use sha2::Sha256;
use std::time::Duration;

/// A query on the store, ready to run.
type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// The header carrying the notification signature.
pub const SIGNATURE_HEADER: &str = "x-sandbox-signature";
/// Where the sandbox notifies the platform.
pub const NOTIFY_PATH: &str = "/payments/notify/sandbox";

/// A card that pays.
pub const CARD_SUCCESS: &str = "4242424242424242";
/// A card that is declined.
pub const CARD_DECLINED: &str = "4000000000000002";
/// A card that needs confirmation.
pub const CARD_3DS: &str = "4000000000003220";

/// The sandbox (see the module docs).
#[derive(Clone)]
pub struct Sandbox {
    store: Store,
    secret: String,
    base_url: String,
    http: reqwest::Client,
}

/// A charge as the sandbox's card page sees it.
#[derive(Debug, Clone)]
pub struct SandboxCharge {
    /// Reference.
    pub reference: String,
    /// Amount.
    pub amount: Money,
    /// What is paid for.
    pub description: String,
    /// Where to send the guest afterwards.
    pub return_url: String,
    /// `pending`, `needs_confirmation`, `paid`, `declined`.
    pub status: String,
}

/// What the card page decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CardOutcome {
    /// Paid.
    Paid,
    /// Declined.
    Declined,
    /// Show the confirmation step.
    NeedsConfirmation,
}

/// Why a card was not accepted for a try.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    /// Not 12–19 digits, or fails the Luhn check.
    #[error("the card number is not valid")]
    InvalidNumber,
    /// Expiry not MM/YY in the future-ish form.
    #[error("the expiry date must look like MM/YY")]
    InvalidExpiry,
    /// CVC not 3 digits.
    #[error("the CVC is three digits")]
    InvalidCvc,
}

/// Luhn check of a card number (digits only).
///
/// ```
/// use rahunok_server::payments::sandbox::passes_luhn;
/// assert!(passes_luhn("4242424242424242"));
/// assert!(!passes_luhn("4242424242424241"));
/// ```
pub fn passes_luhn(digits: &str) -> bool {
    if !(12..=19).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Checks the card form and picks the outcome; returns the digits' mask for receipts.
pub fn judge_card(number: &str, expiry: &str, cvc: &str) -> Result<(CardOutcome, String), CardError> {
    let digits: String = number.chars().filter(|c| !c.is_whitespace() && *c != '-').collect();
    if !passes_luhn(&digits) {
        return Err(CardError::InvalidNumber);
    }
    if !expiry_is_valid(expiry) {
        return Err(CardError::InvalidExpiry);
    }
    if cvc.trim().len() != 3 || !cvc.trim().bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardError::InvalidCvc);
    }
    let outcome = match digits.as_str() {
        CARD_DECLINED => CardOutcome::Declined,
        CARD_3DS => CardOutcome::NeedsConfirmation,
        _ => CardOutcome::Paid,
    };
    let mask = format!("{}******{}", &digits[..6], &digits[digits.len() - 4..]);
    Ok((outcome, mask))
}

/// An expiry as people type it: `12/30`, `12 / 30`, `1230` (phone keypads have no `/`),
/// `12-30`, `12.30`, or with a four-digit year (`12/2030`).
///
/// ```
/// use rahunok_server::payments::sandbox::expiry_is_valid;
/// for typed in ["12/30", "12 / 30", "1230", "12-30", "12.2030", " 01/27 "] {
///     assert!(expiry_is_valid(typed), "{typed}");
/// }
/// for typed in ["", "13/30", "00/30", "12/3", "123", "12/30/1", "ab/cd"] {
///     assert!(!expiry_is_valid(typed), "{typed}");
/// }
/// ```
pub fn expiry_is_valid(expiry: &str) -> bool {
    let compact: String = expiry.chars().filter(|c| !c.is_whitespace()).collect();
    let parts: Vec<&str> = compact.split(['/', '-', '.']).collect();
    let (month, year) = match parts.as_slice() {
        [digits] if digits.len() == 4 => digits.split_at(2),
        [month, year] => (*month, *year),
        _ => return false,
    };
    let digits = |text: &str| !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
    digits(month)
        && digits(year)
        && matches!(year.len(), 2 | 4)
        && month.len() <= 2
        && month.parse::<u8>().is_ok_and(|m| (1..=12).contains(&m))
}

fn sign(secret: &str, body: &[u8]) -> String {
    rahunok_protocol::signing::sign(secret.as_bytes(), body)
}

impl Sandbox {
    /// A sandbox notifying `base_url`, signing with `secret`.
    pub fn new(store: Store, secret: String, base_url: String) -> Sandbox {
        Sandbox { store, secret, base_url, http: reqwest::Client::new() }
    }

    /// A charge, for the card page.
    pub async fn charge(&self, reference: &str) -> Result<Option<SandboxCharge>, StoreError> {
        let row = sqlx::query(
            "SELECT reference, amount_kop, description, return_url, status FROM sandbox_charges WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(self.store.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(SandboxCharge {
            reference: column(&row, "reference")?,
            amount: Money::from_kopiyky(column(&row, "amount_kop")?).unwrap_or_default(),
            description: column(&row, "description")?,
            return_url: column(&row, "return_url")?,
            status: column(&row, "status")?,
        }))
    }

    /// Records the card page's outcome (only from `pending` or `needs_confirmation`) and, for a
    /// final one, notifies the platform in the background. False if the charge had already ended.
    pub async fn settle(&self, reference: &str, outcome: CardOutcome, card_mask: &str) -> Result<bool, StoreError> {
        let (status, approval, rrn) = match outcome {
            CardOutcome::Paid => {
                let mut rng = rand::thread_rng();
                (
                    "paid",
                    Some(format!("{:06}", rng.gen_range(0..1_000_000))),
                    Some(format!("{:012}", rng.gen_range(0..1_000_000_000_000u64))),
                )
            }
            CardOutcome::Declined => ("declined", None, None),
            CardOutcome::NeedsConfirmation => ("needs_confirmation", None, None),
        };
        let changed = sqlx::query(
            "UPDATE sandbox_charges SET status = $1, card_mask = $2, approval_code = $3, rrn = $4, updated_at = $5 \
             WHERE reference = $6 AND status IN ('pending', 'needs_confirmation')",
        )
        .bind(status)
        .bind(card_mask)
        .bind(approval)
        .bind(rrn)
        .bind(now_ms())
        .bind(reference)
        .execute(self.store.pool())
        .await?
        .rows_affected()
            == 1;
        if changed && outcome != CardOutcome::NeedsConfirmation {
            tokio::spawn(self.clone().notify(reference.to_string()));
        }
        Ok(changed)
    }

    /// Runs one conditional update of the sandbox's charges; how many rows it changed.
    async fn rows_changed(&self, update: AnyQuery<'_>) -> Result<u64, AcquirerError> {
        Ok(update.execute(self.store.pool()).await.map_err(unavailable)?.rows_affected())
    }

    /// Sends the signed notification, retrying for about a minute until it is accepted.
    async fn notify(self, reference: String) {
        let body = serde_json::json!({ "chargeId": reference }).to_string();
        let signature = sign(&self.secret, body.as_bytes());
        let url = format!("{}{}", self.base_url, NOTIFY_PATH);
        let mut pause = Duration::from_millis(100);
        for _ in 0..12 {
            let sent = self
                .http
                .post(&url)
                .header("Content-Type", "application/json")
                .header(SIGNATURE_HEADER, &signature)
                .body(body.clone())
                .send()
                .await;
            if sent.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(10));
        }
        tracing::warn!(reference, "sandbox notification not accepted; the platform will reconcile by status");
    }
}

impl Acquirer for Sandbox {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn files_under_our_reference(&self) -> bool {
        true
    }

    fn create(&self, request: ChargeRequest) -> AcquirerFuture<'_, Checkout> {
        Box::pin(async move {
            let now = now_ms();
            sqlx::query(
                "INSERT INTO sandbox_charges (reference, amount_kop, description, return_url, status, refunded_kop, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) ON CONFLICT (reference) DO NOTHING",
            )
            .bind(&request.reference)
            .bind(request.amount.kopiyky())
            .bind(&request.description)
            .bind(&request.return_url)
            .bind(now)
            .execute(self.store.pool())
            .await
            .map_err(unavailable)?;
            Ok(Checkout {
                acquirer_ref: request.reference.clone(),
                url: format!("{}/sandbox/checkout/{}", self.base_url, request.reference),
            })
        })
    }

    fn status<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, ChargeStatus> {
        Box::pin(async move {
            let row =
                sqlx::query("SELECT status, card_mask, approval_code, rrn FROM sandbox_charges WHERE reference = $1")
                    .bind(acquirer_ref)
                    .fetch_optional(self.store.pool())
                    .await
                    .map_err(unavailable)?
                    .ok_or_else(|| AcquirerError::UnknownCharge(acquirer_ref.to_string()))?;
            let text = |name: &str| column::<Option<String>>(&row, name).ok().flatten().unwrap_or_default();
            Ok(match text("status").as_str() {
                "paid" => ChargeStatus::Paid(CardReceipt {
                    card_mask: text("card_mask"),
                    approval_code: text("approval_code"),
                    rrn: text("rrn"),
                    payment_system: None,
                }),
                "declined" => ChargeStatus::Declined("the card was declined".into()),
                // Cancelled by us (an expiry or the guest's "cancel"): it can never be paid.
                "cancelled" => ChargeStatus::Expired,
                _ => ChargeStatus::Pending,
            })
        })
    }

    fn cancel<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, bool> {
        Box::pin(async move {
            // Asked again (a crash between this and recording it on the payment): still cancelled.
            let cancel = sqlx::query(
                "UPDATE sandbox_charges SET status = 'cancelled', updated_at = $1 \
                 WHERE reference = $2 AND status IN ('pending', 'needs_confirmation', 'cancelled')",
            );
            if self.rows_changed(cancel.bind(now_ms()).bind(acquirer_ref)).await? == 1 {
                return Ok(true);
            }
            // Not cancellable: paid or declined meanwhile, or never created at all.
            self.charge(acquirer_ref)
                .await
                .map_err(|e| AcquirerError::Unavailable(e.to_string()))?
                .map(|_| false)
                .ok_or_else(|| AcquirerError::UnknownCharge(acquirer_ref.to_string()))
        })
    }

    fn refund<'a>(&'a self, acquirer_ref: &'a str, amount: Money, _ext_ref: &'a str) -> AcquirerFuture<'a, ()> {
        Box::pin(async move {
            let refund = sqlx::query(
                "UPDATE sandbox_charges SET refunded_kop = refunded_kop + $1, updated_at = $2 \
                 WHERE reference = $3 AND status = 'paid' AND refunded_kop + $1 <= amount_kop",
            );
            if self.rows_changed(refund.bind(amount.kopiyky()).bind(now_ms()).bind(acquirer_ref)).await? == 1 {
                Ok(())
            } else {
                Err(AcquirerError::Refused(format!("charge {acquirer_ref} is not paid or the refund exceeds it")))
            }
        })
    }

    fn verify_notification<'a>(
        &'a self,
        body: &'a [u8],
        signature: Option<&'a str>,
    ) -> AcquirerFuture<'a, AcquirerEvent> {
        Box::pin(async move { self.verify_now(body, signature) })
    }
}

impl Sandbox {
    /// Checks the HMAC of a notification, then reads the charge it names.
    fn verify_now(&self, body: &[u8], signature: Option<&str>) -> Result<AcquirerEvent, AcquirerError> {
        let signature = signature.ok_or(AcquirerError::BadSignature)?;
        let mut mac = Hmac::<Sha256>::new_from_slice(self.secret.as_bytes()).expect("any key length");
        mac.update(body);
        let expected = base64_decode(signature).ok_or(AcquirerError::BadSignature)?;
        mac.verify_slice(&expected).map_err(|_| AcquirerError::BadSignature)?;
        #[derive(serde::Deserialize)]
        struct Notification {
            #[serde(rename = "chargeId")]
            charge_id: String,
        }
        let notification: Notification =
            serde_json::from_slice(body).map_err(|e| AcquirerError::Refused(format!("notification body: {e}")))?;
        Ok(AcquirerEvent { reference: notification.charge_id, status: None })
    }
}

fn base64_decode(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()
}

/// How many charges the sandbox took money for, for one bill (tests check "exactly one charge").
pub async fn paid_charges_for_bill(store: &Store, resto_id: &str, bill_id: &str) -> Result<i64, StoreError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS n FROM sandbox_charges c JOIN payments p ON p.id = c.reference \
         WHERE p.resto_id = $1 AND p.bill_id = $2 AND c.status = 'paid'",
    )
    .bind(resto_id)
    .bind(bill_id)
    .fetch_one(store.pool())
    .await?;
    column(&row, "n")
}

/// The sandbox's own store failing looks, to the platform, like an acquirer that is down.
fn unavailable(error: sqlx::Error) -> AcquirerError {
    AcquirerError::Unavailable(error.to_string())
}
