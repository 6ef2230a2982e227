//! The sandbox acquirer: a stand-in for a real card acquirer, built into the server for demos
//! and tests. It has its own hosted card page (`/sandbox/checkout/{ref}`, `checkout_pages`),
//! checks the card with Luhn, knows a few test cards, keeps its charges in its own books (the
//! store's `sandbox_charges`), and — like a real acquirer — tells the platform about the outcome
//! with a signed HTTP notification, sent asynchronously and retried until it is accepted. Card
//! numbers are never stored or logged, only masked. [`SandboxKind`] describes it to the rest of
//! the platform: no credentials, nothing to check, one acquirer for every restaurant.
//!
//! Test cards: `4242 4242 4242 4242` pays; `4000 0000 0000 0002` is declined;
//! `4000 0000 0000 3220` asks for a 3-D-Secure-style confirmation first. Any other number that
//! passes the Luhn check pays.

mod checkout_pages;

use super::acquirer::{
    Acquirer, AcquirerError, AcquirerEvent, AcquirerFuture, CardReceipt, ChargeRequest, ChargeStatus, Charged, Checkout,
};
use super::acquirer_kind::{AcquirerKind, AcquirerSetup, KindInfo, Label};
use super::PaymentsState;
use crate::store::{AcquirerCredentials, Store, StoreError};
use axum::Router;
use rahunok_protocol::Money;
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;

pub use crate::store::{SandboxCharge, SandboxChargeStatus};

/// The kind's name: stored with each payment (its title is what fiscal lines print).
pub const NAME: &str = "sandbox";
/// The header carrying the notification signature.
pub const SIGNATURE_HEADER: &str = "x-sandbox-signature";
/// Where the sandbox notifies the platform.
pub const NOTIFY_PATH: &str = "/payments/notify/sandbox";
/// Where the sandbox's notification secret is kept (sealed, see `crate::store`).
const SECRET_SETTING: &str = "sandbox_secret";

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

impl Sandbox {
    /// A sandbox notifying `base_url`, signing with `secret`.
    pub fn new(store: Store, secret: String, base_url: String) -> Sandbox {
        Sandbox { store, secret, base_url, http: reqwest::Client::new() }
    }

    /// A charge, for the card page.
    pub async fn charge(&self, reference: &str) -> Result<Option<SandboxCharge>, StoreError> {
        self.store.sandbox_charge(reference).await
    }

    /// Records the card page's outcome (only while the charge is open) and, for a final one,
    /// notifies the platform in the background. False if the charge had already ended.
    pub async fn settle(&self, reference: &str, outcome: CardOutcome, card_mask: &str) -> Result<bool, StoreError> {
        let (status, approval, rrn) = match outcome {
            CardOutcome::Paid => {
                let mut rng = rand::thread_rng();
                (
                    SandboxChargeStatus::Paid,
                    Some(format!("{:06}", rng.gen_range(0..1_000_000))),
                    Some(format!("{:012}", rng.gen_range(0..1_000_000_000_000u64))),
                )
            }
            CardOutcome::Declined => (SandboxChargeStatus::Declined, None, None),
            CardOutcome::NeedsConfirmation => (SandboxChargeStatus::NeedsConfirmation, None, None),
        };
        let changed =
            self.store.settle_sandbox_charge(reference, status, card_mask, approval.as_deref(), rrn.as_deref()).await?;
        if changed && outcome != CardOutcome::NeedsConfirmation {
            tokio::spawn(self.clone().notify(reference.to_string()));
        }
        Ok(changed)
    }

    /// Sends the signed notification, retrying for about a minute until it is accepted.
    async fn notify(self, reference: String) {
        let body = serde_json::json!({ "chargeId": reference }).to_string();
        let signature = rahunok_protocol::signing::sign(self.secret.as_bytes(), body.as_bytes());
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
        NAME
    }

    fn files_under_our_reference(&self) -> bool {
        true
    }

    fn create(&self, request: ChargeRequest) -> AcquirerFuture<'_, Checkout> {
        Box::pin(async move {
            self.store
                .create_sandbox_charge(&request.reference, request.amount, &request.description, &request.return_url)
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
            let charge = self
                .charge(acquirer_ref)
                .await
                .map_err(unavailable)?
                .ok_or_else(|| AcquirerError::UnknownCharge(acquirer_ref.to_string()))?;
            Ok(match charge.status {
                // Its books keep the amount it charged, in hryvnias.
                SandboxChargeStatus::Paid => ChargeStatus::Paid(CardReceipt {
                    charged: Charged::uah(charge.amount),
                    card_mask: charge.card_mask.unwrap_or_default(),
                    approval_code: charge.approval_code.unwrap_or_default(),
                    rrn: charge.rrn.unwrap_or_default(),
                    payment_system: None,
                }),
                SandboxChargeStatus::Declined => ChargeStatus::Declined("the card was declined".into()),
                // Cancelled by us (an expiry or the guest's "cancel"): it can never be paid.
                SandboxChargeStatus::Cancelled => ChargeStatus::Expired,
                SandboxChargeStatus::Pending | SandboxChargeStatus::NeedsConfirmation => ChargeStatus::Pending,
            })
        })
    }

    fn cancel<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, bool> {
        Box::pin(async move {
            // Asked again (a crash between this and recording it on the payment): still cancelled.
            if self.store.cancel_sandbox_charge(acquirer_ref).await.map_err(unavailable)? {
                return Ok(true);
            }
            // Not cancellable: paid or declined meanwhile, or never created at all.
            self.charge(acquirer_ref)
                .await
                .map_err(unavailable)?
                .map(|_| false)
                .ok_or_else(|| AcquirerError::UnknownCharge(acquirer_ref.to_string()))
        })
    }

    fn refund<'a>(&'a self, acquirer_ref: &'a str, amount: Money, _ext_ref: &'a str) -> AcquirerFuture<'a, ()> {
        Box::pin(async move {
            if self.store.refund_sandbox_charge(acquirer_ref, amount).await.map_err(unavailable)? {
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
        if !rahunok_protocol::signing::verify(self.secret.as_bytes(), body, signature) {
            return Err(AcquirerError::BadSignature);
        }
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

/// How many charges the sandbox took money for, for one bill (tests check "exactly one charge").
pub async fn paid_charges_for_bill(store: &Store, resto_id: &str, bill_id: &str) -> Result<i64, StoreError> {
    store.sandbox_paid_charges_for_bill(resto_id, bill_id).await
}

/// The sandbox's own books failing look, to the platform, like an acquirer that is down.
fn unavailable(error: StoreError) -> AcquirerError {
    AcquirerError::Unavailable(error.to_string())
}

/// The sandbox as a kind of acquirer: no credentials, nothing to check, the same acquirer for
/// every restaurant, and its card pages and notification route.
pub struct SandboxKind {
    sandbox: Sandbox,
}

impl SandboxKind {
    /// The sandbox of this server, signing its notifications with the store's sandbox secret
    /// (made on the first start).
    pub async fn start(setup: &AcquirerSetup) -> Result<SandboxKind, StoreError> {
        use rand::distributions::{Alphanumeric, DistString};
        let fresh = Alphanumeric.sample_string(&mut rand::thread_rng(), 48);
        let secret = setup.store.secret_setting_or_insert(SECRET_SETTING, &fresh).await?;
        Ok(SandboxKind { sandbox: Sandbox::new(setup.store.clone(), secret, setup.public_url.clone()) })
    }
}

/// What this kind is.
const INFO: KindInfo = KindInfo {
    name: NAME,
    title: "Sandbox",
    note: Some(Label {
        uk: "тестовий еквайр, гроші не списуються", en: "the test acquirer, no money moves"
    }),
    fields: &[],
};

impl AcquirerKind for SandboxKind {
    fn info(&self) -> &'static KindInfo {
        &INFO
    }

    fn check<'a>(
        &'a self,
        _resto_id: &'a str,
        _credentials: &'a AcquirerCredentials,
    ) -> AcquirerFuture<'a, Option<String>> {
        Box::pin(async { Ok(None) })
    }

    fn acquirer(&self, _resto_id: &str, _credentials: AcquirerCredentials) -> Result<Arc<dyn Acquirer>, AcquirerError> {
        Ok(Arc::new(self.sandbox.clone()))
    }

    fn shared(&self) -> Option<Arc<dyn Acquirer>> {
        Some(Arc::new(self.sandbox.clone()))
    }

    fn routes(&self) -> Router<PaymentsState> {
        checkout_pages::routes(self.sandbox.clone())
    }
}
