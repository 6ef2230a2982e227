//! The seam to a card acquirer: create a charge and send the guest to pay, ask its status,
//! refund it, and verify the acquirer's signed notifications. The built-in sandbox and the
//! monobank adapter implement it; another acquirer is one more implementation, made by its kind
//! (`super::acquirer_kind`), and a line in `super::acquirers`, which picks the restaurant's.

use rahunok_protocol::Money;
use std::future::Future;
use std::pin::Pin;

/// A boxed future, so acquirers can live behind `dyn Acquirer`.
pub type AcquirerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, AcquirerError>> + Send + 'a>>;

/// A charge to create.
#[derive(Debug, Clone)]
pub struct ChargeRequest {
    /// Our reference (the payment id).
    pub reference: String,
    /// What to charge.
    pub amount: Money,
    /// Shown to the guest on the acquirer's page.
    pub description: String,
    /// Where the acquirer sends the guest back.
    pub return_url: String,
    /// What the charge is for, line by line; the lines add up to `amount` exactly.
    pub basket: Vec<BasketLine>,
    /// How long the guest may take to pay.
    pub validity: std::time::Duration,
}

/// One line of what the guest pays for, as acquirers with fiscal receipts want it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasketLine {
    /// What it is (with the quantity when more than one).
    pub name: String,
    /// The line's total.
    pub sum: Money,
    /// A code for it (position id, `tip`, `service`).
    pub code: String,
}

/// Where to send the guest.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The acquirer's id for the charge.
    pub acquirer_ref: String,
    /// The page where the guest enters the card.
    pub url: String,
}

/// What the acquirer says about a charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeStatus {
    /// The guest has not finished.
    Pending,
    /// Charged; the details go on the fiscal receipt.
    Paid(CardReceipt),
    /// Declined.
    Declined(String),
    /// The acquirer let the charge lapse unpaid.
    Expired,
    /// Charged and then returned in full (e.g. from the acquirer's own cabinet).
    Reversed,
}

/// Details of a successful charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardReceipt {
    /// Masked card number (first 6, last 4).
    pub card_mask: String,
    /// Approval code.
    pub approval_code: String,
    /// Retrieval reference number.
    pub rrn: String,
    /// Visa, Mastercard…, when the acquirer says.
    pub payment_system: Option<String>,
}

/// A verified notification from the acquirer: this charge changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcquirerEvent {
    /// Our reference for the charge (the payment id).
    pub reference: String,
    /// The status the notification carries, when it carries one that is the newest known;
    /// `None` means "ask the acquirer".
    pub status: Option<ChargeStatus>,
}

/// Why the acquirer could not do something.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AcquirerError {
    /// The acquirer does not know the charge.
    #[error("the acquirer knows no charge {0}")]
    UnknownCharge(String),
    /// The notification's signature is wrong.
    #[error("the acquirer notification is not signed correctly")]
    BadSignature,
    /// The request makes no sense (e.g. refunding an unpaid charge).
    #[error("the acquirer refused: {0}")]
    Refused(String),
    /// The acquirer could not be reached or failed.
    #[error("the acquirer failed: {0}")]
    Unavailable(String),
}

/// A card acquirer (see the module docs).
pub trait Acquirer: Send + Sync {
    /// Its kind's name (`AcquirerKind::name`): stored with each payment and printed on fiscal
    /// lines.
    fn name(&self) -> &'static str;
    /// Whether charges are filed under our reference (so a charge can be asked about before its
    /// id came back); false unless an acquirer says so.
    fn files_under_our_reference(&self) -> bool {
        false
    }
    /// Creates a charge; the guest pays at the returned URL.
    fn create(&self, request: ChargeRequest) -> AcquirerFuture<'_, Checkout>;
    /// The charge's status.
    fn status<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, ChargeStatus>;
    /// Cancels a charge the guest never finished, so it can no longer be paid. False when it
    /// was paid (or declined) meanwhile: settle it instead.
    fn cancel<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, bool>;
    /// Returns `amount` of a paid charge to the guest. `ext_ref` identifies this refund: asked
    /// again with the same one, the acquirer returns the money once.
    fn refund<'a>(&'a self, acquirer_ref: &'a str, amount: Money, ext_ref: &'a str) -> AcquirerFuture<'a, ()>;
    /// Verifies a notification (raw body and its signature header) before reading it.
    fn verify_notification<'a>(
        &'a self,
        body: &'a [u8],
        signature: Option<&'a str>,
    ) -> AcquirerFuture<'a, AcquirerEvent>;
}
