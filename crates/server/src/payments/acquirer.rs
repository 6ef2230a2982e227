//! The seam to a card acquirer: create a charge and send the guest to pay, ask its status,
//! refund it, and verify the acquirer's signed notifications. The built-in sandbox and the
//! monobank and LiqPay adapters implement it; another acquirer is one more implementation, made
//! by its kind (`super::acquirer_kind`), and a line in `super::acquirers`, which picks the
//! restaurant's. A success always says what it took ([`Charged`]): the payments core, not the
//! adapter, decides whether that pays.

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
    /// What the acquirer says it took: checked against what we asked before the payment counts
    /// as paid (`super::Payments`, the same rule for every acquirer).
    pub charged: Charged,
    /// Masked card number (first 6, last 4).
    pub card_mask: String,
    /// Approval code.
    pub approval_code: String,
    /// Retrieval reference number.
    pub rrn: String,
    /// Visa, Mastercard…, when the acquirer says.
    pub payment_system: Option<String>,
}

/// The amount and currency an acquirer says a charge took, in its own words made ours.
///
/// Why it is a part of every success: a signed `success` is the acquirer's word that money was
/// taken, not that the right money was. The payments core compares this with what it asked
/// for, and anything else — another amount, another currency, or none stated — is not paid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Charged {
    /// The amount taken; `None` when the acquirer stated none it stands by (absent,
    /// unreadable, or two amounts that disagree).
    pub amount: Option<Money>,
    /// The currency, ISO 4217 letters (`UAH`); `None` when the acquirer did not say.
    pub currency: Option<String>,
}

impl Charged {
    /// Hryvnias, the only currency we charge in.
    pub const UAH: &'static str = "UAH";

    /// `amount` in hryvnias.
    pub fn uah(amount: Money) -> Charged {
        Charged { amount: Some(amount), currency: Some(Charged::UAH.to_string()) }
    }

    /// Why this is not `asked` in hryvnias, in words for the admin; `None` when it is exactly
    /// that.
    pub fn differs_from(&self, asked: Money) -> Option<String> {
        let stated = match (&self.amount, &self.currency) {
            (Some(amount), Some(currency)) => format!("{amount} {currency}"),
            (Some(amount), None) => format!("{amount} in a currency it did not name"),
            (None, Some(currency)) => format!("no amount it stands by, in {currency}"),
            (None, None) => "no amount and no currency".to_string(),
        };
        let right = self.amount == Some(asked) && self.currency.as_deref() == Some(Charged::UAH);
        (!right).then(|| format!("the acquirer reports {stated} charged; we asked {asked} {}", Charged::UAH))
    }
}

/// ISO 4217 letters of a numeric currency code (as monobank states it); the number itself for
/// a code we do not name.
pub fn currency_letters(code: u16) -> String {
    match code {
        980 => "UAH".into(),
        840 => "USD".into(),
        978 => "EUR".into(),
        other => other.to_string(),
    }
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
    /// The acquirer does not accept the restaurant's credentials (revoked, replaced or wrong):
    /// nothing can be asked of it for this restaurant until they are set again. Its words never
    /// hold a secret.
    #[error("the acquirer refuses the restaurant's credentials: {0}")]
    CredentialsRefused(String),
    /// The acquirer could not be reached or failed.
    #[error("the acquirer failed: {0}")]
    Unavailable(String),
}

/// A card acquirer (see the module docs).
pub trait Acquirer: Send + Sync {
    /// Its kind's name (`AcquirerKind::name`): stored with each payment.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_charge_is_what_we_asked_only_with_the_same_amount_in_hryvnias() {
        let asked = Money::from_kopiyky(57_200).unwrap();
        assert_eq!(Charged::uah(asked).differs_from(asked), None);
        let less = Charged::uah(Money::from_kopiyky(50_000).unwrap()).differs_from(asked).unwrap();
        assert_eq!(less, "the acquirer reports 500.00 UAH charged; we asked 572.00 UAH");
        let dollars = Charged { amount: Some(asked), currency: Some("USD".into()) };
        assert!(dollars.differs_from(asked).unwrap().contains("572.00 USD"));
        let unsaid = Charged { amount: None, currency: Some("UAH".into()) };
        assert!(unsaid.differs_from(asked).is_some(), "no amount stated is not paid");
        let no_currency = Charged { amount: Some(asked), currency: None };
        assert!(no_currency.differs_from(asked).is_some(), "no currency stated is not paid");
        assert_eq!(currency_letters(980), "UAH");
        assert_eq!(currency_letters(123), "123");
    }
}
