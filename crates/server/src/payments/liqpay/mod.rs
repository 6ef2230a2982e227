//! LiqPay (PrivatBank), a real acquirer behind [`Acquirer`].
//!
//! Why it exists: many Ukrainian restaurants have a LiqPay merchant account and no monobank
//! one; with this adapter their guests pay a real card on LiqPay's page. LiqPay is shaped unlike
//! monobank: no charge is made from the server. The guest's browser posts a signed form to
//! LiqPay's checkout (from our page, [`checkout_page`]), LiqPay posts the outcome to our
//! notification route ([`notification`]), and the server asks `status` and asks for `refund`
//! through one endpoint, `/api/request`. Charges are filed under our payment id (`order_id`),
//! so polling and refunds need nothing of LiqPay's but that.
//!
//! Every call and notification is two form fields: `data`, base64 of a JSON object, and
//! `signature`, base64(SHA-1(private key + data + private key)). A notification's signature is
//! checked (in constant time) over the raw `data` before anything in it is believed. Each
//! restaurant brings its own keys ([`LiqpayKind`]'s fields): the public key (shown), the private
//! key (a secret: sealed by `crate::store`, never logged, shown or repeated in an error) and
//! the test-mode flag (`sandbox: 1` in the checkout, where LiqPay's `sandbox` status counts as
//! paid). [`LiqpayApi`] is the shared HTTP client (the API address, retries with backoff, our
//! public URL), [`Liqpay`] the acquirer of one restaurant.
//!
//! Notifications can be lost, repeated or out of order. A success is applied (the payments core
//! checks its amount and currency, as for every acquirer); a failure is believed only once
//! `status` confirms it, since LiqPay's notifications carry no order of their own and a guest
//! may try another card after a decline; anything else is "nothing new". Without
//! notifications the closer polls `status`, and expiring a payment asks `status` first (LiqPay
//! has no way to withdraw a checkout: a charge paid late is settled by the core's rule for
//! ended payments).

pub mod checkout_page;
pub mod notification;

use super::acquirer::{
    Acquirer, AcquirerError, AcquirerEvent, AcquirerFuture, CardReceipt, ChargeRequest, ChargeStatus, Charged, Checkout,
};
use super::acquirer_kind::{flag_on, AcquirerKind, AcquirerSetup, CredentialField, FieldKind, KindInfo, Label};
use super::{charge_description, receipt_url, PaymentsState};
use crate::store::{AcquirerCredentials, PaymentRecord, StoreError};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rahunok_protocol::{lenient, Money};
use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The kind's name: stored with each payment, the admin API's `kind`.
pub const NAME: &str = "liqpay";
/// LiqPay's real API.
pub const API_URL: &str = "https://www.liqpay.ua";
/// Where the guest's browser posts the signed checkout form, under the API address.
pub const CHECKOUT_API_PATH: &str = "/api/3/checkout";
/// Where the server asks `status` and `refund`, under the API address.
pub const REQUEST_API_PATH: &str = "/api/request";
/// Our page that sends the guest on to LiqPay: this path, then `/{paymentId}`.
pub const CHECKOUT_PATH: &str = "/acquirer/liqpay/checkout";
/// Where LiqPay posts its notifications (`server_url`).
pub const NOTIFY_PATH: &str = "/acquirer/liqpay/notify";
/// The version of LiqPay's API every `data` names.
const VERSION: u8 = 3;
/// What LiqPay says of an order it does not know: to the key check, "the keys work".
const PAYMENT_NOT_FOUND: &str = "payment_not_found";
/// What LiqPay says when it does not accept the merchant's keys: a public key it does not know
/// (replaced or removed in the cabinet), or a signature the private key did not make.
const KEYS_REFUSED: &[&str] = &["public_key_not_found", "invalid_signature"];

const PUBLIC_KEY_FIELD: &str = "publicKey";
const PRIVATE_KEY_FIELD: &str = "privateKey";
const SANDBOX_FIELD: &str = "sandbox";

/// What a restaurant gives LiqPay: its two keys and whether it is in test mode.
const FIELDS: &[CredentialField] = &[
    CredentialField {
        name: PUBLIC_KEY_FIELD,
        label: Label { uk: "Публічний ключ LiqPay (public_key)", en: "LiqPay public key (public_key)" },
        kind: FieldKind::Text,
    },
    CredentialField {
        name: PRIVATE_KEY_FIELD,
        label: Label { uk: "Приватний ключ LiqPay (private_key)", en: "LiqPay private key (private_key)" },
        kind: FieldKind::Secret,
    },
    CredentialField {
        name: SANDBOX_FIELD,
        label: Label {
            uk: "Тестовий режим LiqPay (sandbox: гроші не списуються)",
            en: "LiqPay test mode (sandbox: no money moves)",
        },
        kind: FieldKind::Flag,
    },
];

/// A restaurant's LiqPay keys and mode. Its `Debug` never shows the private key.
#[derive(Clone, PartialEq, Eq)]
pub struct Keys {
    public: String,
    private: String,
    sandbox: bool,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("public", &self.public).field("sandbox", &self.sandbox).finish_non_exhaustive()
    }
}

/// A signed LiqPay message: the two form fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signed {
    /// base64 of the JSON.
    pub data: String,
    /// base64(SHA-1(private key + data + private key)).
    pub signature: String,
}

/// LiqPay's signature of `data` with `private_key`: base64(SHA-1(private key + data + private
/// key)), of the raw 20-byte digest.
///
/// ```
/// use rahunok_server::payments::liqpay::signature;
/// // printf 'secretZGF0YQ==secret' | sha1sum | xxd -r -p | base64
/// assert_eq!(signature("secret", "ZGF0YQ=="), "3x/oRnU5ik0qjSol3Mmx3ZykRhU=");
/// ```
pub fn signature(private_key: &str, data: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(private_key.as_bytes());
    sha.update(data.as_bytes());
    sha.update(private_key.as_bytes());
    STANDARD.encode(sha.finalize())
}

impl Keys {
    /// Keys a restaurant typed in (trimmed).
    pub fn new(public: &str, private: &str, sandbox: bool) -> Keys {
        Keys { public: public.trim().to_string(), private: private.trim().to_string(), sandbox }
    }

    /// The keys in the restaurant's credentials.
    pub fn from_credentials(credentials: &AcquirerCredentials) -> Result<Keys, AcquirerError> {
        let public = credentials.get(PUBLIC_KEY_FIELD).map(str::trim).unwrap_or_default();
        let private = credentials.get(PRIVATE_KEY_FIELD).map(str::trim).unwrap_or_default();
        if public.is_empty() || private.is_empty() {
            return Err(AcquirerError::Refused("the restaurant has no LiqPay keys; set them in the settings".into()));
        }
        Ok(Keys::new(public, private, flag_on(credentials, SANDBOX_FIELD)))
    }

    /// The public key.
    pub fn public(&self) -> &str {
        &self.public
    }

    /// Whether the restaurant is in LiqPay's test mode.
    pub fn sandbox(&self) -> bool {
        self.sandbox
    }

    /// `message` as LiqPay takes it: its JSON in base64, and the signature of that.
    pub fn seal(&self, message: &impl Serialize) -> Signed {
        let json = serde_json::to_vec(message).expect("a LiqPay message serialises");
        let data = STANDARD.encode(json);
        let signature = signature(&self.private, &data);
        Signed { data, signature }
    }

    /// Whether `given` is the signature of `data` with these keys (compared in constant time).
    pub fn signs(&self, data: &str, given: &str) -> bool {
        let expected = signature(&self.private, data);
        expected.as_bytes().ct_eq(given.trim().as_bytes()).into()
    }

    /// `text` with the private key taken out, should LiqPay ever repeat it.
    fn scrub(&self, text: &str) -> String {
        if self.private.is_empty() {
            return text.to_string();
        }
        text.replace(&self.private, "…")
    }
}

/// The JSON in a LiqPay `data` field, read whatever it is.
pub fn decode<T: serde::de::DeserializeOwned>(data: &str) -> Result<T, String> {
    let json = STANDARD.decode(data.trim()).map_err(|_| "`data` is not base64".to_string())?;
    serde_json::from_slice(&json).map_err(|e| format!("`data` is not the JSON expected: {e}"))
}

/// The checkout a guest's browser posts (`action: "pay"`).
#[derive(Debug, Serialize)]
struct CheckoutData<'a> {
    version: u8,
    public_key: &'a str,
    action: &'static str,
    /// Hryvnias with two decimals, a JSON number written from kopiyky (`572.00`).
    amount: Money,
    currency: &'static str,
    description: &'a str,
    order_id: &'a str,
    result_url: &'a str,
    server_url: &'a str,
    language: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    sandbox: Option<u8>,
}

/// A call to `/api/request`.
#[derive(Debug, Serialize)]
struct RequestData<'a> {
    version: u8,
    public_key: &'a str,
    action: &'static str,
    order_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<Money>,
}

/// What LiqPay tells about a payment: a `status` answer and a notification's `data` alike. Every
/// field is read leniently (numbers or text), and nothing is believed before its signature (a
/// notification) or its source (our own request) is.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PaymentState {
    /// `ok` or `error` (of the call).
    #[serde(default, with = "lenient::text")]
    pub result: Option<String>,
    /// `success`, `failure`, `error`, `reversed`, `sandbox`, or a waiting one.
    #[serde(default, with = "lenient::text")]
    pub status: Option<String>,
    /// The amount in hryvnias, as written (read exactly, never through a float).
    #[serde(default, with = "lenient::text")]
    pub amount: Option<String>,
    /// `UAH`, …
    #[serde(default, with = "lenient::text")]
    pub currency: Option<String>,
    /// Ours: the payment id.
    #[serde(default, with = "lenient::text")]
    pub order_id: Option<String>,
    /// The merchant's public key.
    #[serde(default, with = "lenient::text")]
    pub public_key: Option<String>,
    /// LiqPay's id of the payment.
    #[serde(default, with = "lenient::text")]
    pub payment_id: Option<String>,
    /// LiqPay's id of the transaction.
    #[serde(default, with = "lenient::text")]
    pub transaction_id: Option<String>,
    /// The masked card.
    #[serde(default, with = "lenient::text")]
    pub sender_card_mask2: Option<String>,
    /// visa, mc, …
    #[serde(default, with = "lenient::text")]
    pub sender_card_type: Option<String>,
    /// The approval code.
    #[serde(default, with = "lenient::text")]
    pub authcode_debit: Option<String>,
    /// The retrieval reference number.
    #[serde(default, with = "lenient::text")]
    pub rrn_debit: Option<String>,
    /// Why, on an error (`payment_not_found`, …).
    #[serde(default, with = "lenient::text")]
    pub err_code: Option<String>,
    /// Why, in words.
    #[serde(default, with = "lenient::text")]
    pub err_description: Option<String>,
}

impl PaymentState {
    /// Whether this answers the call with an error of its own (no payment described): bad keys
    /// or signature, an unknown order.
    fn is_call_error(&self) -> bool {
        self.err_code.is_some() && self.payment_id.is_none() && self.order_id.is_none()
    }

    /// Whether LiqPay refuses the call because it does not accept the merchant's keys.
    fn refuses_keys(&self) -> bool {
        self.err_code.as_deref().is_some_and(|code| KEYS_REFUSED.contains(&code))
    }

    /// The error in LiqPay's words.
    fn error_words(&self) -> String {
        match (&self.err_code, &self.err_description) {
            (Some(code), Some(words)) => format!("{code}: {words}"),
            (Some(code), None) => code.clone(),
            (None, Some(words)) => words.clone(),
            (None, None) => "no reason given".into(),
        }
    }

    /// What LiqPay says it took.
    pub fn charged(&self) -> Charged {
        Charged {
            amount: self.amount.as_deref().and_then(|text| Money::parse(text).ok()),
            currency: self.currency.as_deref().map(|c| c.trim().to_ascii_uppercase()).filter(|c| !c.is_empty()),
        }
    }

    /// The status in the platform's words, for a restaurant in test mode or not: LiqPay's
    /// `sandbox` (paid in test mode) counts as paid only in test mode.
    pub fn charge_status(&self, test_mode: bool) -> ChargeStatus {
        let paid = || {
            ChargeStatus::Paid(CardReceipt {
                charged: self.charged(),
                card_mask: self.sender_card_mask2.clone().unwrap_or_default(),
                approval_code: self.authcode_debit.clone().unwrap_or_default(),
                rrn: self.rrn_debit.clone().unwrap_or_default(),
                payment_system: self.sender_card_type.clone(),
            })
        };
        match self.status.as_deref().unwrap_or_default() {
            "success" => paid(),
            "sandbox" if test_mode => paid(),
            "sandbox" => ChargeStatus::Declined(
                "LiqPay reports a test payment (sandbox) while the restaurant takes real payments".into(),
            ),
            "failure" | "error" => ChargeStatus::Declined(format!("declined by LiqPay ({})", self.error_words())),
            "reversed" => ChargeStatus::Reversed,
            // processing, wait_secure, wait_accept, 3ds_verify, … and anything new.
            _ => ChargeStatus::Pending,
        }
    }
}

/// The shared LiqPay client (see the module docs); cheap to clone.
#[derive(Clone)]
pub struct LiqpayApi {
    api_url: String,
    public_url: String,
    http: reqwest::Client,
    /// Tries of one call when LiqPay answers 429 or 5xx or cannot be reached.
    attempts: u32,
    /// The pause before the second try; doubles after each.
    first_pause: Duration,
}

impl LiqpayApi {
    /// A client of the API at `api_url`, for a platform reached at `public_url`.
    pub fn new(api_url: &str, public_url: &str) -> LiqpayApi {
        LiqpayApi {
            api_url: api_url.trim_end_matches('/').to_string(),
            public_url: public_url.trim_end_matches('/').to_string(),
            http: reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap_or_default(),
            attempts: 4,
            first_pause: Duration::from_millis(200),
        }
    }

    /// Where the guest's browser posts the checkout form.
    pub fn checkout_url(&self) -> String {
        format!("{}{CHECKOUT_API_PATH}", self.api_url)
    }

    /// Whether LiqPay can deliver notifications here: only to an https address it can reach.
    pub fn notifications_reach_us(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The signed checkout of `payment` for the guest's browser: the exact amount (bill + tip),
    /// in hryvnias, our payment id as `order_id`, the receipt page as `result_url`, our
    /// notification route as `server_url`, the guest's language, and `sandbox: 1` in test mode.
    pub fn checkout_form(&self, keys: &Keys, payment: &PaymentRecord, language: &'static str) -> Signed {
        let description = charge_description(payment);
        let result_url = receipt_url(&self.public_url, &payment.id);
        let server_url = format!("{}{NOTIFY_PATH}", self.public_url);
        keys.seal(&CheckoutData {
            version: VERSION,
            public_key: keys.public(),
            action: "pay",
            amount: payment.amount(),
            currency: Charged::UAH,
            description: &description,
            order_id: &payment.id,
            result_url: &result_url,
            server_url: &server_url,
            language,
            sandbox: keys.sandbox().then_some(1),
        })
    }

    /// What LiqPay says about the order: `UnknownCharge` when it knows none,
    /// `CredentialsRefused` when it does not accept the keys, `Refused` when it refuses the call
    /// otherwise, `Unavailable` when it cannot be asked.
    pub async fn status(&self, keys: &Keys, order_id: &str) -> Result<PaymentState, AcquirerError> {
        let request =
            RequestData { version: VERSION, public_key: keys.public(), action: "status", order_id, amount: None };
        let answer = self.request(keys, &request, true).await?;
        if answer.is_call_error() {
            let words = || keys.scrub(&format!("LiqPay refused the status call: {}", answer.error_words()));
            return Err(match answer.err_code.as_deref() {
                Some(PAYMENT_NOT_FOUND) => AcquirerError::UnknownCharge(order_id.to_string()),
                _ if answer.refuses_keys() => AcquirerError::CredentialsRefused(words()),
                _ => AcquirerError::Refused(words()),
            });
        }
        if answer.order_id.as_deref().is_some_and(|id| id != order_id) {
            return Err(AcquirerError::Unavailable("LiqPay answered about another order".into()));
        }
        Ok(answer)
    }

    /// Returns `amount` of the order's charge. Not tried again once LiqPay may have received it
    /// (a timeout, a 5xx): LiqPay's refund takes no reference of ours to make a repeat harmless.
    pub async fn refund(&self, keys: &Keys, order_id: &str, amount: Money) -> Result<(), AcquirerError> {
        let request = RequestData {
            version: VERSION,
            public_key: keys.public(),
            action: "refund",
            order_id,
            amount: Some(amount),
        };
        let answer = self.request(keys, &request, false).await?;
        let refused = answer.result.as_deref() == Some("error")
            || answer.err_code.is_some()
            || matches!(answer.status.as_deref(), Some("error" | "failure"));
        if refused {
            let words = keys.scrub(&format!("LiqPay refused the refund: {}", answer.error_words()));
            return Err(match answer.refuses_keys() {
                true => AcquirerError::CredentialsRefused(words),
                false => AcquirerError::Refused(words),
            });
        }
        Ok(())
    }

    /// One call to `/api/request`, retried with backoff while LiqPay answers 429 (or, when
    /// `unsure_again`, 5xx or no answer at all) or cannot be connected to.
    async fn request(
        &self,
        keys: &Keys,
        request: &RequestData<'_>,
        unsure_again: bool,
    ) -> Result<PaymentState, AcquirerError> {
        let url = format!("{}{REQUEST_API_PATH}", self.api_url);
        let signed = keys.seal(request);
        let form = [("data", signed.data.as_str()), ("signature", signed.signature.as_str())];
        let action = request.action;
        let mut pause = self.first_pause;
        let mut last = String::new();
        for attempt in 1..=self.attempts {
            let again = match self.http.post(&url).form(&form).send().await {
                Ok(response) if response.status().is_success() => {
                    let text = response.text().await.unwrap_or_default();
                    return serde_json::from_str(&text).map_err(|_| {
                        AcquirerError::Unavailable(format!("LiqPay's answer to {action} is not the JSON expected"))
                    });
                }
                Ok(response) if response.status() == reqwest::StatusCode::TOO_MANY_REQUESTS => {
                    last = format!("LiqPay answered 429 to {action}");
                    true
                }
                Ok(response) if response.status().is_server_error() => {
                    last = format!("LiqPay answered {} to {action}", response.status().as_u16());
                    unsure_again
                }
                Ok(response) => {
                    return Err(AcquirerError::Refused(format!(
                        "LiqPay refused {action} ({})",
                        response.status().as_u16()
                    )))
                }
                Err(error) => {
                    let not_sent = error.is_connect();
                    last = format!("LiqPay unreachable for {action}: {}", error.without_url());
                    not_sent || unsure_again
                }
            };
            if !again {
                break;
            }
            if attempt < self.attempts {
                tracing::warn!(action, attempt, problem = last, "LiqPay call failed; retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
        }
        Err(AcquirerError::Unavailable(last))
    }
}

/// One restaurant's LiqPay acquirer.
pub struct Liqpay {
    api: LiqpayApi,
    keys: Keys,
}

impl Acquirer for Liqpay {
    fn name(&self) -> &'static str {
        NAME
    }

    fn files_under_our_reference(&self) -> bool {
        true
    }

    /// Nothing to make at LiqPay: the guest goes to our page, which posts the signed checkout.
    fn create(&self, request: ChargeRequest) -> AcquirerFuture<'_, Checkout> {
        Box::pin(async move {
            let url = format!("{}{CHECKOUT_PATH}/{}", self.api.public_url, request.reference);
            Ok(Checkout { acquirer_ref: request.reference, url })
        })
    }

    fn status<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, ChargeStatus> {
        Box::pin(async move {
            let state = self.api.status(&self.keys, acquirer_ref).await?;
            Ok(state.charge_status(self.keys.sandbox()))
        })
    }

    /// LiqPay cannot withdraw a checkout; the question is whether anyone paid or is paying.
    /// Nobody can pay through our page once the payment ended, and a charge made on LiqPay's
    /// page still open is settled by the payments core's rule for ended payments.
    fn cancel<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, bool> {
        Box::pin(async move {
            let state = match self.api.status(&self.keys, acquirer_ref).await {
                Err(AcquirerError::UnknownCharge(_)) => return Ok(true),
                other => other?,
            };
            Ok(matches!(state.charge_status(self.keys.sandbox()), ChargeStatus::Declined(_) | ChargeStatus::Expired))
        })
    }

    fn refund<'a>(&'a self, acquirer_ref: &'a str, amount: Money, _ext_ref: &'a str) -> AcquirerFuture<'a, ()> {
        Box::pin(async move { self.api.refund(&self.keys, acquirer_ref, amount).await })
    }

    /// `body` is the notification's raw `data`, `signature` its `signature`.
    fn verify_notification<'a>(
        &'a self,
        body: &'a [u8],
        signature: Option<&'a str>,
    ) -> AcquirerFuture<'a, AcquirerEvent> {
        Box::pin(async move {
            let signature = signature.ok_or(AcquirerError::BadSignature)?;
            let data = std::str::from_utf8(body).map_err(|_| AcquirerError::BadSignature)?;
            if !self.keys.signs(data, signature) {
                return Err(AcquirerError::BadSignature);
            }
            let state: PaymentState =
                decode(data).map_err(|why| AcquirerError::Refused(format!("LiqPay notification: {why}")))?;
            if state.public_key.as_deref() != Some(self.keys.public()) {
                return Err(AcquirerError::Refused("the notification is for another LiqPay merchant".into()));
            }
            let reference = state
                .order_id
                .clone()
                .ok_or_else(|| AcquirerError::Refused("the notification names no order".into()))?;
            let status = match state.charge_status(self.keys.sandbox()) {
                // A failure may be older than a success it crossed on the way: `status` decides.
                ChargeStatus::Declined(_) => None,
                other => Some(other),
            };
            Ok(AcquirerEvent { reference, status })
        })
    }
}

/// LiqPay as a kind of acquirer: the public key, the private key and the test-mode flag, checked
/// with a `status` call for an order that cannot exist; its checkout page and notification
/// route.
pub struct LiqpayKind {
    api: LiqpayApi,
}

impl LiqpayKind {
    /// LiqPay's client for this server: its API (the real one unless configured otherwise),
    /// notifications to our public URL.
    pub async fn start(setup: &AcquirerSetup) -> Result<LiqpayKind, StoreError> {
        Ok(LiqpayKind { api: LiqpayApi::new(&setup.api_url(NAME, API_URL), &setup.public_url) })
    }
}

/// What this kind is.
const INFO: KindInfo = KindInfo { name: NAME, title: "LiqPay", note: None, fields: FIELDS };

impl AcquirerKind for LiqpayKind {
    fn info(&self) -> &'static KindInfo {
        &INFO
    }

    fn check<'a>(
        &'a self,
        resto_id: &'a str,
        credentials: &'a AcquirerCredentials,
    ) -> AcquirerFuture<'a, Option<String>> {
        Box::pin(async move {
            use rand::distributions::{Alphanumeric, DistString};
            let keys = Keys::from_credentials(credentials)?;
            let probe = format!("rahunok-key-check-{}", Alphanumeric.sample_string(&mut rand::thread_rng(), 16));
            match self.api.status(&keys, &probe).await {
                Ok(_) | Err(AcquirerError::UnknownCharge(_)) => {}
                Err(AcquirerError::Refused(reason) | AcquirerError::CredentialsRefused(reason)) => {
                    return Err(AcquirerError::Refused(format!("LiqPay did not accept the keys ({reason})")))
                }
                Err(other) => return Err(other),
            }
            if !self.api.notifications_reach_us() {
                tracing::warn!(
                    resto_id,
                    "the public URL is not https: LiqPay's notifications will not arrive, payments settle by status \
                     polling only (set --public-url https://…)"
                );
            }
            Ok(None)
        })
    }

    fn acquirer(&self, _resto_id: &str, credentials: AcquirerCredentials) -> Result<Arc<dyn Acquirer>, AcquirerError> {
        Ok(Arc::new(Liqpay { api: self.api.clone(), keys: Keys::from_credentials(&credentials)? }))
    }

    fn routes(&self) -> Router<PaymentsState> {
        notification::routes().merge(checkout_page::routes(self.api.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_is_base64_of_sha1_of_the_private_key_data_and_private_key() {
        // printf 'secretZGF0YQ==secret' | sha1sum | xxd -r -p | base64
        assert_eq!(signature("secret", "ZGF0YQ=="), "3x/oRnU5ik0qjSol3Mmx3ZykRhU=");
        let keys = Keys::new("public", "secret", false);
        assert!(keys.signs("ZGF0YQ==", &signature("secret", "ZGF0YQ==")));
        assert!(!keys.signs("ZGF0YR==", &signature("secret", "ZGF0YQ==")), "another data");
        assert!(!keys.signs("ZGF0YQ==", &signature("other", "ZGF0YQ==")), "another key");
        assert!(!keys.signs("ZGF0YQ==", ""), "no signature");
    }

    #[test]
    fn the_checkout_amount_is_written_from_kopiyky_with_two_decimals() {
        let keys = Keys::new("i00000000", "secret", true);
        for (kopiyky, written) in [(57_200, "572.00"), (57_205, "572.05"), (5, "0.05"), (1_000_000_001, "10000000.01")]
        {
            let signed = keys.seal(&CheckoutData {
                version: VERSION,
                public_key: keys.public(),
                action: "pay",
                amount: Money::from_kopiyky(kopiyky).unwrap(),
                currency: Charged::UAH,
                description: "Кав'ярня, стіл 12",
                order_id: "pay_x",
                result_url: "https://pay.example/p/pay_x",
                server_url: "https://pay.example/acquirer/liqpay/notify",
                language: "uk",
                sandbox: Some(1),
            });
            let json = String::from_utf8(STANDARD.decode(&signed.data).unwrap()).unwrap();
            assert!(json.contains(&format!("\"amount\":{written},")), "{json}");
            assert!(json.contains("\"sandbox\":1") && json.contains("\"version\":3"), "{json}");
            assert!(keys.signs(&signed.data, &signed.signature));
        }
    }

    #[test]
    fn each_liqpay_status_has_its_meaning_and_sandbox_pays_only_in_test_mode() {
        let state = |status: &str| PaymentState { status: Some(status.into()), ..Default::default() };
        for waiting in ["processing", "wait_secure", "wait_accept", "3ds_verify", "something new"] {
            assert_eq!(state(waiting).charge_status(false), ChargeStatus::Pending, "{waiting}");
        }
        assert!(matches!(state("success").charge_status(false), ChargeStatus::Paid(_)));
        assert!(matches!(state("sandbox").charge_status(true), ChargeStatus::Paid(_)));
        assert!(matches!(state("sandbox").charge_status(false), ChargeStatus::Declined(_)));
        assert!(matches!(state("failure").charge_status(false), ChargeStatus::Declined(_)));
        assert!(matches!(state("error").charge_status(false), ChargeStatus::Declined(_)));
        assert_eq!(state("reversed").charge_status(false), ChargeStatus::Reversed);
    }

    #[test]
    fn liqpay_refuses_the_keys_only_for_an_unknown_public_key_or_a_wrong_signature() {
        let error = |code: &str| PaymentState { err_code: Some(code.into()), ..Default::default() };
        assert!(error("public_key_not_found").refuses_keys());
        assert!(error("invalid_signature").refuses_keys());
        for other in ["payment_not_found", "amount", "payment_not_paid"] {
            assert!(!error(other).refuses_keys(), "{other}");
        }
        assert!(!PaymentState::default().refuses_keys());
    }

    #[test]
    fn liqpay_states_its_amount_in_hryvnias_read_exactly() {
        let read = |json: &str| decode::<PaymentState>(&STANDARD.encode(json)).unwrap().charged();
        let uah = |kopiyky| Charged::uah(Money::from_kopiyky(kopiyky).unwrap());
        assert_eq!(read(r#"{"amount":572,"currency":"UAH"}"#), uah(57_200));
        assert_eq!(read(r#"{"amount":572.1,"currency":"uah"}"#), uah(57_210));
        assert_eq!(read(r#"{"amount":"0.07","currency":"UAH"}"#), uah(7));
        assert_eq!(read(r#"{"amount":572.005,"currency":"UAH"}"#).amount, None, "no third decimal");
        assert_eq!(read(r#"{"currency":"USD"}"#), Charged { amount: None, currency: Some("USD".into()) });
    }

    #[test]
    fn keys_never_show_the_private_key() {
        let keys = Keys::new("i00000000", "sandbox_SECRET_key", false);
        assert!(!format!("{keys:?}").contains("SECRET"));
        assert_eq!(keys.scrub("bad key sandbox_SECRET_key"), "bad key …");
    }
}
