//! monobank acquiring ("plata by mono"), the first real acquirer behind [`Acquirer`].
//!
//! Why it exists: Ukrainian restaurants have monobank merchant accounts, and with this adapter a
//! guest pays a real card on monobank's page. Each restaurant brings its own merchant token
//! (kept sealed by `crate::store`, never logged); [`MonobankApi`] is the shared HTTP client (the
//! API address, retries of 429 and 5xx with backoff, the cached webhook key), [`Monobank`] is
//! the acquirer of one restaurant, and [`MonobankKind`] describes monobank to the rest of the
//! platform (its one credential, the token, checked with `/api/merchant/details`; its webhook
//! route, [`webhook`]).
//!
//! monobank signs every webhook with ECDSA P-256 over the raw body (`X-Sign`, base64 DER). The
//! signature is checked before the body is read, against the key from `/api/merchant/pubkey`,
//! cached and fetched again once when a signature stops verifying (key rotation). Webhooks can
//! come late, twice or out of order: the invoice's `modifiedDate` is recorded, and an older
//! status than the newest seen is read as "nothing new".

pub mod webhook;

use super::acquirer::{
    currency_letters, Acquirer, AcquirerError, AcquirerEvent, AcquirerFuture, CardReceipt, ChargeRequest, ChargeStatus,
    Charged, Checkout,
};
use super::acquirer_kind::{AcquirerKind, AcquirerSetup, CredentialField, FieldKind, KindInfo, Label};
use super::PaymentsState;
use crate::store::{AcquirerCredentials, Store, StoreError};
use axum::Router;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};
use p256::pkcs8::DecodePublicKey;
use rahunok_protocol::Money;
use serde::Deserialize;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The kind's name: stored with each payment (its title is what fiscal lines print).
pub const NAME: &str = "monobank";
/// monobank's real acquiring API.
pub const API_URL: &str = "https://api.monobank.ua";
/// Where monobank posts webhooks: this path, then `/{paymentId}`.
pub const WEBHOOK_PATH: &str = "/acquirer/monobank/webhook";
/// The header carrying the webhook signature.
pub const SIGNATURE_HEADER: &str = "x-sign";
/// Hryvnia, ISO 4217.
const UAH: u16 = 980;
/// The credential field holding the merchant token.
const TOKEN_FIELD: &str = "token";

/// What a restaurant gives monobank: the merchant token.
const FIELDS: &[CredentialField] = &[CredentialField {
    name: TOKEN_FIELD,
    label: Label {
        uk: "Токен monobank (з кабінету web.monobank.ua)", en: "monobank token (from web.monobank.ua)"
    },
    kind: FieldKind::Secret,
}];

/// A restaurant's merchant token. Its `Debug` never shows the token.
#[derive(Clone, PartialEq, Eq)]
pub struct MerchantToken(String);

impl MerchantToken {
    /// Wraps a token the restaurant typed in.
    pub fn new(token: &str) -> MerchantToken {
        MerchantToken(token.trim().to_string())
    }

    /// The token in the restaurant's credentials.
    fn from_credentials(credentials: &AcquirerCredentials) -> Result<MerchantToken, AcquirerError> {
        match credentials.get(TOKEN_FIELD).map(str::trim) {
            Some(token) if !token.is_empty() => Ok(MerchantToken::new(token)),
            _ => Err(AcquirerError::Refused("the restaurant has no monobank token; set it in the settings".into())),
        }
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

/// The merchant behind a token, as `/api/merchant/details` tells it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantDetails {
    /// monobank's id of the merchant.
    #[serde(default)]
    pub merchant_id: String,
    /// The merchant's name.
    #[serde(default)]
    pub merchant_name: String,
}

/// The shared monobank client (see the module docs); cheap to clone.
#[derive(Clone)]
pub struct MonobankApi {
    api_url: String,
    public_url: String,
    http: reqwest::Client,
    /// Webhook keys, by restaurant (each fetched with that restaurant's token), with when the
    /// key was last fetched again because a signature failed.
    keys: Arc<Mutex<HashMap<String, CachedKey>>>,
    /// Tries of one call when monobank answers 429 or 5xx or cannot be reached.
    attempts: u32,
    /// The pause before the second try; doubles after each.
    first_pause: Duration,
}

impl MonobankApi {
    /// A client of the API at `api_url`, for a platform reached at `public_url`.
    pub fn new(api_url: &str, public_url: &str) -> MonobankApi {
        MonobankApi {
            api_url: api_url.trim_end_matches('/').to_string(),
            public_url: public_url.trim_end_matches('/').to_string(),
            http: reqwest::Client::builder().timeout(Duration::from_secs(20)).build().unwrap_or_default(),
            keys: Arc::new(Mutex::new(HashMap::new())),
            attempts: 4,
            first_pause: Duration::from_millis(200),
        }
    }

    /// Whether monobank can deliver webhooks here: it posts only to https addresses it can reach.
    pub fn webhooks_reach_us(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The restaurant's acquirer.
    pub fn for_restaurant(&self, store: Store, resto_id: &str, token: MerchantToken) -> Monobank {
        Monobank { api: self.clone(), store, resto_id: resto_id.to_string(), token }
    }

    /// Checks a token with monobank: the merchant it belongs to.
    pub async fn merchant_details(&self, token: &MerchantToken) -> Result<MerchantDetails, AcquirerError> {
        let answer = self.call(reqwest::Method::GET, "/api/merchant/details", token, None).await?;
        serde_json::from_value(answer).map_err(|e| AcquirerError::Unavailable(format!("monobank details: {e}")))
    }

    /// One API call, retried with backoff while monobank answers 429 or 5xx or is unreachable.
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &MerchantToken,
        body: Option<&Value>,
    ) -> Result<Value, AcquirerError> {
        let url = format!("{}{}", self.api_url, path);
        let mut pause = self.first_pause;
        let mut last = String::new();
        for attempt in 1..=self.attempts {
            let mut request = self.http.request(method.clone(), &url).header("X-Token", token.expose());
            if let Some(body) = body {
                request = request.json(body);
            }
            match request.send().await {
                Ok(response) if response.status().is_success() => {
                    let text = response.text().await.unwrap_or_default();
                    return Ok(serde_json::from_str(&text).unwrap_or(Value::Null));
                }
                Ok(response) if retryable(response.status()) => {
                    last = format!("monobank answered {} to {path}", response.status().as_u16());
                }
                Ok(response) => return Err(refusal(path, response).await),
                Err(error) => last = format!("monobank unreachable for {path}: {}", error.without_url()),
            }
            if attempt < self.attempts {
                tracing::warn!(path, attempt, problem = last, "monobank call failed; retrying");
                tokio::time::sleep(pause).await;
                pause *= 2;
            }
        }
        Err(AcquirerError::Unavailable(last))
    }

    /// The cached webhook key of a restaurant, fetched when missing or when `refresh`.
    async fn webhook_key(
        &self,
        resto_id: &str,
        token: &MerchantToken,
        refresh: bool,
    ) -> Result<Option<VerifyingKey>, AcquirerError> {
        let cached = self.keys.lock().unwrap_or_else(|p| p.into_inner()).get(resto_id).copied();
        match cached {
            Some(cached) if !refresh => return Ok(Some(cached.key)),
            Some(CachedKey { refetched_at: Some(at), .. }) if at.elapsed() < REFETCH_AT_MOST_EVERY => return Ok(None),
            _ => {}
        }
        let answer = self.call(reqwest::Method::GET, "/api/merchant/pubkey", token, None).await?;
        let key = parse_public_key(answer["key"].as_str().unwrap_or_default())
            .ok_or_else(|| AcquirerError::Unavailable("monobank's public key is not a P-256 PEM in base64".into()))?;
        let refetched_at = refresh.then(Instant::now);
        self.keys
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(resto_id.to_string(), CachedKey { key, refetched_at });
        Ok(Some(key))
    }
}

/// A cached webhook key.
#[derive(Clone, Copy)]
struct CachedKey {
    key: VerifyingKey,
    refetched_at: Option<Instant>,
}

/// The shortest time between two refetches of a restaurant's key, so forged webhooks cannot
/// make the platform hammer monobank (a genuine rotation is still picked up: a refused
/// webhook is sent again, and status polling settles the payment meanwhile).
const REFETCH_AT_MOST_EVERY: Duration = Duration::from_secs(10);

/// 429 and 5xx are worth another try.
fn retryable(status: reqwest::StatusCode) -> bool {
    status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// monobank's refusal, with its `errText` when it gives one: 401 and 403 say the merchant token
/// is not accepted (revoked, or replaced in the cabinet), 404 that the invoice is unknown.
async fn refusal(path: &str, response: reqwest::Response) -> AcquirerError {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    let text = body["errText"].as_str().or(body["errorDescription"].as_str()).unwrap_or("").to_string();
    let said = format!("monobank refused {path} ({}): {text}", status.as_u16());
    match status {
        reqwest::StatusCode::NOT_FOUND => AcquirerError::UnknownCharge(said),
        reqwest::StatusCode::UNAUTHORIZED | reqwest::StatusCode::FORBIDDEN => AcquirerError::CredentialsRefused(said),
        _ => AcquirerError::Refused(said),
    }
}

/// `{key}` of `/api/merchant/pubkey`: base64 of a PEM public key.
fn parse_public_key(key: &str) -> Option<VerifyingKey> {
    let pem = String::from_utf8(STANDARD.decode(key.trim()).ok()?).ok()?;
    VerifyingKey::from_public_key_pem(pem.trim()).ok()
}

/// Whether `signature` (base64 DER) is `key`'s signature of `body`.
fn signature_holds(key: &VerifyingKey, body: &[u8], signature: &str) -> bool {
    let Ok(der) = STANDARD.decode(signature.trim()) else { return false };
    let Ok(signature) = Signature::from_der(&der) else { return false };
    key.verify(body, &signature).is_ok()
}

/// An invoice as `/api/merchant/invoice/status` and the webhooks describe it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InvoiceStatus {
    /// monobank's id.
    pub invoice_id: String,
    /// created, processing, hold, success, failure, reversed, expired.
    pub status: String,
    /// Why it failed.
    #[serde(default)]
    pub failure_reason: Option<String>,
    /// Our reference (the payment id).
    #[serde(default)]
    pub reference: Option<String>,
    /// When it last changed (ISO 8601).
    #[serde(default)]
    pub modified_date: Option<String>,
    /// The invoice's amount in kopiyky (kept as sent: read by [`InvoiceStatus::charged`]).
    #[serde(default)]
    pub amount: Option<Value>,
    /// What was finally taken, in kopiyky (after holds and refunds).
    #[serde(default)]
    pub final_amount: Option<Value>,
    /// The currency, ISO 4217 numeric (980 is hryvnia).
    #[serde(default)]
    pub ccy: Option<Value>,
    /// The card, once paid.
    #[serde(default)]
    pub payment_info: Option<PaymentInfo>,
}

/// What monobank tells about the card that paid.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentInfo {
    /// Retrieval reference number.
    #[serde(default)]
    pub rrn: Option<String>,
    /// Approval code.
    #[serde(default)]
    pub approval_code: Option<String>,
    /// Masked card number.
    #[serde(default)]
    pub masked_pan: Option<String>,
    /// visa, mastercard…
    #[serde(default)]
    pub payment_system: Option<String>,
}

impl InvoiceStatus {
    /// The status in the platform's words.
    pub fn charge_status(&self) -> ChargeStatus {
        match self.status.as_str() {
            "success" => {
                let info = self.payment_info.clone().unwrap_or_default();
                ChargeStatus::Paid(CardReceipt {
                    charged: self.charged(),
                    card_mask: info.masked_pan.unwrap_or_default(),
                    approval_code: info.approval_code.unwrap_or_default(),
                    rrn: info.rrn.unwrap_or_default(),
                    payment_system: info.payment_system,
                })
            }
            "failure" => ChargeStatus::Declined(
                self.failure_reason.clone().filter(|r| !r.is_empty()).unwrap_or_else(|| "declined by monobank".into()),
            ),
            "reversed" => ChargeStatus::Reversed,
            "expired" => ChargeStatus::Expired,
            _ => ChargeStatus::Pending,
        }
    }

    /// What monobank says it took: `amount` and `finalAmount` (whole kopiyky) must agree when
    /// both are stated, and `ccy` is named in letters.
    pub fn charged(&self) -> Charged {
        let kopiyky = |value: &Option<Value>| value.as_ref().map(|v| v.as_i64().and_then(Money::from_kopiyky));
        let amount = match (kopiyky(&self.amount), kopiyky(&self.final_amount)) {
            (Some(Some(amount)), Some(Some(taken))) if amount == taken => Some(amount),
            (Some(_), Some(_)) => None, // two amounts that disagree, or one unreadable
            (Some(one), None) | (None, Some(one)) => one,
            (None, None) => None,
        };
        let currency = self.ccy.as_ref().and_then(Value::as_u64).and_then(|code| u16::try_from(code).ok());
        Charged { amount, currency: currency.map(currency_letters) }
    }

    /// `modifiedDate` in unix ms (0 when absent or unreadable, so any dated status is newer).
    pub fn modified_ms(&self) -> i64 {
        self.modified_date.as_deref().and_then(parse_iso8601_ms).unwrap_or(0)
    }
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]` into unix milliseconds (a time without an
/// offset is read as UTC).
pub fn parse_iso8601_ms(text: &str) -> Option<i64> {
    let text = text.trim();
    if !text.contains('T') {
        return None;
    }
    let at = match text.parse::<jiff::Timestamp>() {
        Ok(at) => at,
        Err(_) => text.parse::<jiff::civil::DateTime>().ok()?.to_zoned(jiff::tz::TimeZone::UTC).ok()?.timestamp(),
    };
    Some(at.as_millisecond())
}

/// One restaurant's monobank acquirer.
pub struct Monobank {
    api: MonobankApi,
    store: Store,
    resto_id: String,
    token: MerchantToken,
}

impl Monobank {
    /// Records the status as seen and says what it means now: an older status than the newest
    /// seen means nothing new.
    async fn fresh(&self, invoice: &InvoiceStatus, payment_id: &str) -> Result<ChargeStatus, AcquirerError> {
        let newest = self
            .store
            .record_invoice_status(payment_id, NAME, &invoice.invoice_id, &invoice.status, invoice.modified_ms())
            .await
            .map_err(|e| AcquirerError::Unavailable(e.to_string()))?;
        if !newest {
            tracing::info!(payment = payment_id, status = invoice.status, "an older monobank status arrived late");
            return Ok(ChargeStatus::Pending);
        }
        Ok(invoice.charge_status())
    }

    /// The invoice's status, straight from monobank.
    async fn invoice(&self, invoice_id: &str) -> Result<InvoiceStatus, AcquirerError> {
        let path = format!("/api/merchant/invoice/status?invoiceId={}", url_escape(invoice_id));
        let answer = self.api.call(reqwest::Method::GET, &path, &self.token, None).await?;
        serde_json::from_value(answer).map_err(|e| AcquirerError::Unavailable(format!("monobank status: {e}")))
    }

    /// Verifies with the cached key, and once more with a fresh one when that fails.
    async fn verify_signature(&self, body: &[u8], signature: &str) -> Result<(), AcquirerError> {
        let key = self.api.webhook_key(&self.resto_id, &self.token, false).await?;
        if key.is_some_and(|key| signature_holds(&key, body, signature)) {
            return Ok(());
        }
        match self.api.webhook_key(&self.resto_id, &self.token, true).await? {
            Some(fresh) if Some(fresh) != key && signature_holds(&fresh, body, signature) => Ok(()),
            _ => Err(AcquirerError::BadSignature),
        }
    }
}

/// Escapes a query value (invoice ids are URL-safe, but nothing is assumed).
fn url_escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// The invoice body for a charge.
fn invoice_body(request: &ChargeRequest, webhook_url: &str) -> Value {
    let basket: Vec<Value> = request
        .basket
        .iter()
        .map(|line| json!({ "name": line.name, "qty": 1, "sum": line.sum.kopiyky(), "unit": "шт.", "code": line.code }))
        .collect();
    json!({
        "amount": request.amount.kopiyky(),
        "ccy": UAH,
        "merchantPaymInfo": {
            "reference": request.reference,
            "destination": request.description,
            "comment": request.description,
            "basketOrder": basket,
        },
        "redirectUrl": request.return_url,
        "webHookUrl": webhook_url,
        "validity": request.validity.as_secs().max(1),
        "paymentType": "debit",
    })
}

impl Acquirer for Monobank {
    fn name(&self) -> &'static str {
        NAME
    }

    fn create(&self, request: ChargeRequest) -> AcquirerFuture<'_, Checkout> {
        Box::pin(async move {
            let webhook_url = format!("{}{}/{}", self.api.public_url, WEBHOOK_PATH, request.reference);
            let body = invoice_body(&request, &webhook_url);
            let answer =
                self.api.call(reqwest::Method::POST, "/api/merchant/invoice/create", &self.token, Some(&body)).await?;
            let invoice_id = answer["invoiceId"].as_str().unwrap_or_default().to_string();
            let page_url = answer["pageUrl"].as_str().unwrap_or_default().to_string();
            if invoice_id.is_empty() || page_url.is_empty() {
                return Err(AcquirerError::Unavailable("monobank gave no invoiceId or pageUrl".into()));
            }
            Ok(Checkout { acquirer_ref: invoice_id, url: page_url })
        })
    }

    fn status<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, ChargeStatus> {
        Box::pin(async move {
            let invoice = self.invoice(acquirer_ref).await?;
            match invoice.reference.clone() {
                Some(reference) => self.fresh(&invoice, &reference).await,
                None => Ok(invoice.charge_status()),
            }
        })
    }

    fn cancel<'a>(&'a self, acquirer_ref: &'a str) -> AcquirerFuture<'a, bool> {
        Box::pin(async move {
            let body = json!({ "invoiceId": acquirer_ref });
            let removed = match self
                .api
                .call(reqwest::Method::POST, "/api/merchant/invoice/remove", &self.token, Some(&body))
                .await
            {
                Ok(_) => true,
                // Refused: paid or ended already; the status below tells which.
                Err(AcquirerError::Refused(_)) => false,
                Err(other) => return Err(other),
            };
            let invoice = self.invoice(acquirer_ref).await?;
            Ok(match invoice.status.as_str() {
                "expired" | "failure" => true,
                "success" | "processing" | "hold" | "reversed" => false,
                // Removed, though monobank does not say so yet; or not removable and not ended:
                // keep it, and look again on the next pass.
                _ => removed,
            })
        })
    }

    fn refund<'a>(&'a self, acquirer_ref: &'a str, amount: Money, ext_ref: &'a str) -> AcquirerFuture<'a, ()> {
        Box::pin(async move {
            let body = json!({ "invoiceId": acquirer_ref, "extRef": ext_ref, "amount": amount.kopiyky() });
            let answer =
                self.api.call(reqwest::Method::POST, "/api/merchant/invoice/cancel", &self.token, Some(&body)).await?;
            match answer["status"].as_str() {
                Some("failure") => Err(AcquirerError::Refused(format!(
                    "monobank refused the refund: {}",
                    answer["errText"].as_str().unwrap_or("no reason given")
                ))),
                _ => Ok(()),
            }
        })
    }

    fn verify_notification<'a>(
        &'a self,
        body: &'a [u8],
        signature: Option<&'a str>,
    ) -> AcquirerFuture<'a, AcquirerEvent> {
        Box::pin(async move {
            let signature = signature.ok_or(AcquirerError::BadSignature)?;
            self.verify_signature(body, signature).await?;
            let invoice: InvoiceStatus = serde_json::from_slice(body)
                .map_err(|e| AcquirerError::Refused(format!("monobank webhook body: {e}")))?;
            let reference = invoice.reference.clone().unwrap_or_default();
            let payment = self
                .store
                .payment_by_id(&reference)
                .await
                .map_err(|e| AcquirerError::Unavailable(e.to_string()))?
                .filter(|p| {
                    p.resto_id == self.resto_id && p.acquirer_ref.as_deref() == Some(invoice.invoice_id.as_str())
                })
                .ok_or_else(|| AcquirerError::UnknownCharge(invoice.invoice_id.clone()))?;
            let status = self.fresh(&invoice, &payment.id).await?;
            Ok(AcquirerEvent { reference: payment.id, status: Some(status) })
        })
    }
}

/// monobank as a kind of acquirer: the merchant token is its one credential, checked with
/// `/api/merchant/details` (which names the merchant); its webhook is its route.
pub struct MonobankKind {
    api: MonobankApi,
    store: Store,
}

impl MonobankKind {
    /// monobank's client for this server: its API (the real one unless configured otherwise),
    /// webhooks to our public URL.
    pub async fn start(setup: &AcquirerSetup) -> Result<MonobankKind, StoreError> {
        let api = MonobankApi::new(&setup.api_url(NAME, API_URL), &setup.public_url);
        Ok(MonobankKind { api, store: setup.store.clone() })
    }
}

/// What this kind is.
const INFO: KindInfo = KindInfo { name: NAME, title: "monobank", note: None, fields: FIELDS };

impl AcquirerKind for MonobankKind {
    fn info(&self) -> &'static KindInfo {
        &INFO
    }

    fn check<'a>(
        &'a self,
        resto_id: &'a str,
        credentials: &'a AcquirerCredentials,
    ) -> AcquirerFuture<'a, Option<String>> {
        Box::pin(async move {
            let token = MerchantToken::from_credentials(credentials)?;
            let details = match self.api.merchant_details(&token).await {
                Ok(details) => details,
                Err(
                    AcquirerError::Refused(_) | AcquirerError::CredentialsRefused(_) | AcquirerError::UnknownCharge(_),
                ) => return Err(AcquirerError::Refused("monobank did not accept the token".into())),
                Err(other) => return Err(other),
            };
            if !self.api.webhooks_reach_us() {
                tracing::warn!(
                    resto_id,
                    "the public URL is not https: monobank's webhooks will not arrive, payments settle by status \
                     polling only (set --public-url https://…)"
                );
            }
            Ok(Some(details.merchant_name))
        })
    }

    fn acquirer(&self, resto_id: &str, credentials: AcquirerCredentials) -> Result<Arc<dyn Acquirer>, AcquirerError> {
        let token = MerchantToken::from_credentials(&credentials)?;
        Ok(Arc::new(self.api.for_restaurant(self.store.clone(), resto_id, token)))
    }

    fn routes(&self) -> Router<PaymentsState> {
        webhook::routes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn monobank_dates_read_as_unix_milliseconds() {
        assert_eq!(parse_iso8601_ms("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_iso8601_ms("2024-05-24T10:51:25Z"), Some(1_716_547_885_000));
        assert_eq!(parse_iso8601_ms("2024-05-24T13:51:25.120+03:00"), Some(1_716_547_885_120));
        assert_eq!(parse_iso8601_ms(" 2024-05-24T10:51:25.5 "), Some(1_716_547_885_500), "no offset: UTC");
        assert_eq!(parse_iso8601_ms("2024-05-24T07:51:25-03:00"), Some(1_716_547_885_000));
        assert_eq!(parse_iso8601_ms("yesterday"), None);
        assert_eq!(parse_iso8601_ms("2024-05-24"), None, "a date alone is no moment");
    }

    #[test]
    fn each_monobank_status_has_its_meaning() {
        let status = |name: &str| InvoiceStatus {
            invoice_id: "i".into(),
            status: name.into(),
            failure_reason: None,
            reference: None,
            modified_date: None,
            amount: None,
            final_amount: None,
            ccy: None,
            payment_info: None,
        };
        for pending in ["created", "processing", "hold", "something new"] {
            assert_eq!(status(pending).charge_status(), ChargeStatus::Pending, "{pending}");
        }
        assert!(matches!(status("success").charge_status(), ChargeStatus::Paid(_)));
        assert!(matches!(status("failure").charge_status(), ChargeStatus::Declined(_)));
        assert_eq!(status("reversed").charge_status(), ChargeStatus::Reversed);
        assert_eq!(status("expired").charge_status(), ChargeStatus::Expired);
    }

    #[test]
    fn monobank_states_what_it_took_in_kopiyky_and_letters_and_two_amounts_must_agree() {
        let invoice = |amount: Value, taken: Option<Value>, ccy: Value| InvoiceStatus {
            invoice_id: "i".into(),
            status: "success".into(),
            failure_reason: None,
            reference: None,
            modified_date: None,
            amount: Some(amount),
            final_amount: taken,
            ccy: Some(ccy),
            payment_info: None,
        };
        let uah = |kopiyky| Charged::uah(Money::from_kopiyky(kopiyky).unwrap());
        assert_eq!(invoice(json!(52000), Some(json!(52000)), json!(980)).charged(), uah(52000));
        assert_eq!(invoice(json!(52000), None, json!(980)).charged(), uah(52000));
        let disagree = invoice(json!(52000), Some(json!(40000)), json!(980)).charged();
        assert_eq!(disagree.amount, None, "two amounts that disagree are no amount");
        assert_eq!(invoice(json!(520.5), None, json!(980)).charged().amount, None, "kopiyky are whole");
        assert_eq!(invoice(json!(52000), None, json!(840)).charged().currency.as_deref(), Some("USD"));
    }

    #[test]
    fn a_signature_holds_only_for_its_key_and_body() {
        use p256::ecdsa::signature::Signer;
        use p256::ecdsa::SigningKey;
        let key = SigningKey::random(&mut rand::rngs::OsRng);
        let signature: Signature = key.sign(b"{\"status\":\"success\"}");
        let encoded = STANDARD.encode(signature.to_der().as_bytes());
        assert!(signature_holds(key.verifying_key(), b"{\"status\":\"success\"}", &encoded));
        assert!(!signature_holds(key.verifying_key(), b"{\"status\":\"failure\"}", &encoded));
        let other = SigningKey::random(&mut rand::rngs::OsRng);
        assert!(!signature_holds(other.verifying_key(), b"{\"status\":\"success\"}", &encoded));
        assert!(!signature_holds(key.verifying_key(), b"x", "not base64"));
    }
}
