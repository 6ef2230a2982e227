#![allow(dead_code)] // shared with the browser tests, which use only part of it
//! A monobank emulator: the one fake the tests allow, because monobank is outside the product.
//! A real HTTP server on a random port speaking the acquiring endpoints the platform uses
//! (`details`, `pubkey`, `invoice/create|status|cancel|remove`), keeping invoices, serving each
//! `pageUrl` as a small page where a test or Chromium pays (or fails), and sending webhooks
//! signed with its own P-256 key. A test can drop, repeat, reorder or delay webhooks, rotate the
//! key, make the next calls answer 429 or 500, and revoke the merchant token (every call then
//! answers 403, as monobank does for a token it no longer accepts).

use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::pkcs8::{EncodePublicKey, LineEnding};
use serde_json::{json, Value};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The token the emulator accepts.
pub const TOKEN: &str = "uMonoTestToken-7f3c9a1e5b2d4c6e8a0b1c2d3e4f5a6b";
/// The merchant it reports.
pub const MERCHANT: &str = "ФОП Кав'ярня на Подолі";
/// What a paid invoice's card looks like.
pub const RRN: &str = "060105334545";
/// The masked card.
pub const MASKED_PAN: &str = "444403******1902";
/// The approval code.
pub const APPROVAL: &str = "662476";

/// What happens to the webhooks of the next payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Webhooks {
    /// `processing` then `success`, in order.
    Deliver,
    /// None arrive.
    Drop,
    /// Every one twice.
    Repeat,
    /// `success` first, then the older `processing`.
    Reorder,
    /// In order, after a pause.
    Delay(Duration),
}

/// One API call as the emulator saw it.
#[derive(Debug, Clone)]
pub struct Call {
    /// `GET`, `POST`.
    pub method: String,
    /// The path (without the query).
    pub path: String,
    /// The JSON body (null for GET).
    pub body: Value,
    /// The query string.
    pub query: String,
    /// What the emulator answered.
    pub status: u16,
}

/// A webhook as sent.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The invoice.
    pub invoice_id: String,
    /// Its status in the body.
    pub status: String,
    /// What the platform answered.
    pub answered: u16,
}

#[derive(Debug, Clone)]
struct Invoice {
    id: String,
    request: Value,
    status: String,
    modified_ms: i64,
    created_ms: i64,
    paid: bool,
    failure_reason: Option<String>,
    /// extRef → amount.
    cancels: Vec<(String, i64)>,
    /// What monobank states it took once paid, instead of the invoice's amount and hryvnia.
    states: (Option<i64>, Option<u16>),
}

struct Inner {
    key: SigningKey,
    invoices: HashMap<String, Invoice>,
    calls: Vec<Call>,
    deliveries: Vec<Delivery>,
    webhooks: Webhooks,
    fail_next: VecDeque<u16>,
    next_id: u64,
    clock_ms: i64,
    /// The status endpoint still says `created` for paid invoices (monobank lagging).
    status_lags: bool,
    /// How long creating an invoice takes (a slow monobank).
    create_takes: Duration,
    /// What the next paid invoices state they took instead of their amount and hryvnia.
    states: (Option<i64>, Option<u16>),
    /// The merchant revoked the token in the cabinet: it is refused like a wrong one.
    revoked: bool,
}

struct Shared {
    url: String,
    inner: Mutex<Inner>,
    http: reqwest::Client,
}

/// The running emulator.
#[derive(Clone)]
pub struct MonobankEmulator {
    /// Its base URL (`--monobank-api-url`).
    pub url: String,
    shared: Arc<Shared>,
}

impl MonobankEmulator {
    /// Starts one on a random port.
    pub async fn start() -> MonobankEmulator {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let inner = Inner {
            key: SigningKey::random(&mut rand::rngs::OsRng),
            invoices: HashMap::new(),
            calls: Vec::new(),
            deliveries: Vec::new(),
            webhooks: Webhooks::Deliver,
            fail_next: VecDeque::new(),
            next_id: 1,
            clock_ms: 1_780_000_000_000,
            status_lags: false,
            create_takes: Duration::ZERO,
            states: (None, None),
            revoked: false,
        };
        let shared = Arc::new(Shared { url: url.clone(), inner: Mutex::new(inner), http: reqwest::Client::new() });
        let app = Router::new()
            .route("/api/merchant/details", get(details))
            .route("/api/merchant/pubkey", get(pubkey))
            .route("/api/merchant/invoice/create", post(create))
            .route("/api/merchant/invoice/status", get(status))
            .route("/api/merchant/invoice/cancel", post(cancel))
            .route("/api/merchant/invoice/remove", post(remove))
            .route("/pay/{invoice_id}", get(pay_page).post(pay))
            .with_state(shared.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the emulator serves");
        });
        MonobankEmulator { url, shared }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap()
    }

    /// How the next payments' webhooks are sent.
    pub fn set_webhooks(&self, mode: Webhooks) {
        self.inner().webhooks = mode;
    }

    /// A new signing key (the platform's cached one stops verifying).
    pub fn rotate_key(&self) {
        self.inner().key = SigningKey::random(&mut rand::rngs::OsRng);
    }

    /// The next API calls answer these statuses (e.g. 429, 500) without doing anything.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.inner().fail_next.extend(statuses);
    }

    /// The merchant revokes (`true`) or restores the token: while revoked, every call answers 403.
    pub fn set_token_revoked(&self, revoked: bool) {
        self.inner().revoked = revoked;
    }

    /// The calls to one path that monobank answered with `status`.
    pub fn calls_answered(&self, path: &str, status: u16) -> usize {
        self.calls_to(path).iter().filter(|c| c.status == status).count()
    }

    /// While on, the status endpoint answers `created` for paid invoices (a lagging monobank).
    pub fn set_status_lags(&self, lags: bool) {
        self.inner().status_lags = lags;
    }

    /// Creating an invoice takes this long from now on (the invoice is made when it answers).
    pub fn set_create_takes(&self, takes: Duration) {
        self.inner().create_takes = takes;
    }

    /// From now on, invoices paid state this amount (kopiyky) and currency (ISO numeric) as
    /// taken, instead of their own amount and 980; `None` keeps the invoice's.
    pub fn set_states(&self, amount: Option<i64>, ccy: Option<u16>) {
        self.inner().states = (amount, ccy);
    }

    /// The guest tries again on the page of a failed invoice and pays: `success`, newer than the
    /// `failure`, and its webhook (as set).
    pub async fn succeed_after_failure(&self, invoice_id: &str) {
        let (url, body) = {
            let mut inner = self.inner();
            let now = tick(&mut inner);
            let states = inner.states;
            let invoice = inner.invoices.get_mut(invoice_id).expect("the invoice");
            assert_eq!(invoice.status, "failure", "the invoice failed first");
            invoice.status = "success".into();
            invoice.paid = true;
            invoice.failure_reason = None;
            invoice.states = states;
            invoice.modified_ms = now;
            (invoice.request["webHookUrl"].as_str().unwrap_or("").to_string(), status_body(invoice))
        };
        let mode = self.inner().webhooks;
        if mode != Webhooks::Drop {
            deliver(&self.shared, invoice_id, &url, vec![body]).await;
        }
    }

    /// Every API call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.inner().calls.clone()
    }

    /// The calls to one path.
    pub fn calls_to(&self, path: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.path == path).collect()
    }

    /// Every webhook sent so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner().deliveries.clone()
    }

    /// An invoice's status.
    pub fn invoice_status(&self, invoice_id: &str) -> Option<String> {
        self.inner().invoices.get(invoice_id).map(|i| i.status.clone())
    }

    /// The only invoice (panics when there is not exactly one).
    pub fn only_invoice(&self) -> String {
        let inner = self.inner();
        assert_eq!(inner.invoices.len(), 1, "exactly one invoice");
        inner.invoices.keys().next().unwrap().clone()
    }

    /// The invoice's status object signed with the current key, sent now; what the platform answered.
    pub async fn resend_webhook(&self, invoice_id: &str) -> u16 {
        let (url, body) = {
            let inner = self.inner();
            let invoice = &inner.invoices[invoice_id];
            (invoice.request["webHookUrl"].as_str().unwrap().to_string(), status_body(invoice))
        };
        let body = body.to_string();
        let signature = self.sign(body.as_bytes());
        self.post_webhook(&url, body, &signature).await
    }

    /// The invoice as paid, signed by a key that is not monobank's; what the platform answered.
    pub async fn forged_success_webhook(&self, invoice_id: &str) -> u16 {
        let (url, body) = {
            let inner = self.inner();
            let mut invoice = inner.invoices[invoice_id].clone();
            invoice.status = "success".into();
            invoice.paid = true;
            invoice.modified_ms += 1000;
            (invoice.request["webHookUrl"].as_str().unwrap().to_string(), status_body(&invoice))
        };
        let body = body.to_string();
        let forger = SigningKey::random(&mut rand::rngs::OsRng);
        let signature: Signature = forger.sign(body.as_bytes());
        self.post_webhook(&url, body, &STANDARD.encode(signature.to_der().as_bytes())).await
    }

    fn sign(&self, body: &[u8]) -> String {
        let signature: Signature = self.inner().key.sign(body);
        STANDARD.encode(signature.to_der().as_bytes())
    }

    async fn post_webhook(&self, url: &str, body: String, signature: &str) -> u16 {
        let sent = self
            .shared
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .header("X-Sign", signature)
            .body(body);
        sent.send().await.map(|r| r.status().as_u16()).unwrap_or(0)
    }

    /// The merchant returns the whole charge in monobank's cabinet: `reversed`, with its webhook.
    pub fn reverse_in_cabinet(&self, invoice_id: &str) {
        let (url, body) = {
            let mut inner = self.inner();
            let now = tick(&mut inner);
            let invoice = inner.invoices.get_mut(invoice_id).expect("the invoice");
            let left =
                invoice.request["amount"].as_i64().unwrap_or(0) - invoice.cancels.iter().map(|(_, a)| a).sum::<i64>();
            invoice.cancels.push(("cabinet".into(), left));
            invoice.status = "reversed".into();
            invoice.modified_ms = now;
            (invoice.request["webHookUrl"].as_str().unwrap_or("").to_string(), status_body(invoice))
        };
        send_webhooks(self.shared.clone(), invoice_id.to_string(), url, vec![body]);
    }

    /// Pays (or fails) an invoice as the guest would on the page.
    pub async fn guest_pays(&self, invoice_id: &str, success: bool) {
        settle(&self.shared, invoice_id, success).await;
    }
}

/// Time moves one second per change, so `modifiedDate`s are strictly ordered.
fn tick(inner: &mut Inner) -> i64 {
    inner.clock_ms += 1000;
    inner.clock_ms
}

fn status_body(invoice: &Invoice) -> Value {
    let mut body = json!({
        "invoiceId": invoice.id,
        "status": invoice.status,
        "amount": invoice.request["amount"],
        "ccy": 980,
        "reference": invoice.request["merchantPaymInfo"]["reference"],
        "createdDate": iso(invoice.created_ms),
        "modifiedDate": iso(invoice.modified_ms),
    });
    if let Some(reason) = &invoice.failure_reason {
        body["failureReason"] = json!(reason);
    }
    if invoice.paid {
        let refunded: i64 = invoice.cancels.iter().map(|(_, a)| a).sum();
        body["finalAmount"] = json!(invoice.request["amount"].as_i64().unwrap_or(0) - refunded);
        if let Some(amount) = invoice.states.0 {
            body["amount"] = json!(amount);
            body["finalAmount"] = json!(amount);
        }
        if let Some(ccy) = invoice.states.1 {
            body["ccy"] = json!(ccy);
        }
        body["paymentInfo"] = json!({
            "rrn": RRN, "approvalCode": APPROVAL, "tranId": "13194036", "terminal": "MI001088",
            "bank": "Універсал Банк", "paymentSystem": "visa", "paymentMethod": "pan",
            "maskedPan": MASKED_PAN, "fee": 0, "country": "804", "agentFee": 0,
        });
        body["cancelList"] = json!(invoice
            .cancels
            .iter()
            .map(|(r, a)| json!({"extRef": r, "amount": a, "ccy": 980, "status": "success"}))
            .collect::<Vec<_>>());
    }
    body
}

/// Unix ms as ISO 8601 UTC.
fn iso(ms: i64) -> String {
    rahunok_protocol::rid::iso8601_utc(ms.div_euclid(1000))
}

/// Records a call; answers a queued failure or a wrong token instead of doing it.
fn admit(
    shared: &Shared,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    query: String,
    body: Value,
) -> Option<Response> {
    let mut inner = shared.inner.lock().unwrap();
    let token_ok = headers.get("x-token").and_then(|v| v.to_str().ok()) == Some(TOKEN) && !inner.revoked;
    let failure = if !token_ok { Some(403) } else { inner.fail_next.pop_front() };
    inner.calls.push(Call { method: method.into(), path: path.into(), body, query, status: failure.unwrap_or(200) });
    failure.map(|code| {
        let text = if code == 403 { "forbidden" } else { "try later" };
        (StatusCode::from_u16(code).unwrap(), Json(json!({"errCode": code.to_string(), "errText": text})))
            .into_response()
    })
}

fn fix_last_status(shared: &Shared, status: u16) {
    if let Some(call) = shared.inner.lock().unwrap().calls.last_mut() {
        call.status = status;
    }
}

async fn details(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refused) = admit(&shared, &headers, "GET", "/api/merchant/details", String::new(), Value::Null) {
        return refused;
    }
    Json(json!({"merchantId": "12o4Vv7EWy", "merchantName": MERCHANT, "edrpou": "3096889974"})).into_response()
}

async fn pubkey(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if let Some(refused) = admit(&shared, &headers, "GET", "/api/merchant/pubkey", String::new(), Value::Null) {
        return refused;
    }
    let pem = shared.inner.lock().unwrap().key.verifying_key().to_public_key_pem(LineEnding::LF).unwrap();
    Json(json!({"key": STANDARD.encode(pem)})).into_response()
}

async fn create(State(shared): State<Arc<Shared>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(refused) = admit(&shared, &headers, "POST", "/api/merchant/invoice/create", String::new(), body.clone())
    {
        return refused;
    }
    let takes = shared.inner.lock().unwrap().create_takes;
    tokio::time::sleep(takes).await;
    let mut inner = shared.inner.lock().unwrap();
    let id = format!("inv{:06}", inner.next_id);
    inner.next_id += 1;
    let now = tick(&mut inner);
    let invoice = Invoice {
        id: id.clone(),
        request: body,
        status: "created".into(),
        modified_ms: now,
        created_ms: now,
        paid: false,
        failure_reason: None,
        cancels: Vec::new(),
        states: (None, None),
    };
    inner.invoices.insert(id.clone(), invoice);
    Json(json!({"invoiceId": id, "pageUrl": format!("{}/pay/{id}", shared.url)})).into_response()
}

async fn status(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let id = query.get("invoiceId").cloned().unwrap_or_default();
    let path = "/api/merchant/invoice/status";
    if let Some(refused) = admit(&shared, &headers, "GET", path, format!("invoiceId={id}"), Value::Null) {
        return refused;
    }
    let inner = shared.inner.lock().unwrap();
    match inner.invoices.get(&id) {
        Some(invoice) if inner.status_lags && invoice.paid => {
            let mut stale = invoice.clone();
            stale.status = "created".into();
            stale.paid = false;
            stale.modified_ms = stale.created_ms;
            Json(status_body(&stale)).into_response()
        }
        Some(invoice) => Json(status_body(invoice)).into_response(),
        None => {
            drop(inner);
            fix_last_status(&shared, 404);
            (StatusCode::NOT_FOUND, Json(json!({"errCode": "NOT_FOUND", "errText": "invoice not found"})))
                .into_response()
        }
    }
}

async fn cancel(State(shared): State<Arc<Shared>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(refused) = admit(&shared, &headers, "POST", "/api/merchant/invoice/cancel", String::new(), body.clone())
    {
        return refused;
    }
    let id = body["invoiceId"].as_str().unwrap_or_default().to_string();
    let ext_ref = body["extRef"].as_str().unwrap_or_default().to_string();
    let amount = body["amount"].as_i64().unwrap_or(0);
    let (reversed, answer) = {
        let mut inner = shared.inner.lock().unwrap();
        let now = tick(&mut inner);
        let Some(invoice) = inner.invoices.get_mut(&id) else {
            return (StatusCode::BAD_REQUEST, Json(json!({"errText": "invoice not found"}))).into_response();
        };
        if invoice.cancels.iter().any(|(r, _)| *r == ext_ref) {
            return Json(json!({"status": "success", "createdDate": iso(now), "modifiedDate": iso(now)}))
                .into_response();
        }
        let refunded: i64 = invoice.cancels.iter().map(|(_, a)| a).sum();
        let total = invoice.request["amount"].as_i64().unwrap_or(0);
        if !invoice.paid || amount <= 0 || refunded + amount > total || invoice.status != "success" {
            return (StatusCode::BAD_REQUEST, Json(json!({"errText": "cannot cancel that"}))).into_response();
        }
        invoice.cancels.push((ext_ref, amount));
        let reversed = refunded + amount == total;
        if reversed {
            invoice.status = "reversed".into();
            invoice.modified_ms = now;
        }
        (
            reversed.then(|| (invoice.request["webHookUrl"].as_str().unwrap_or("").to_string(), status_body(invoice))),
            json!({"status": "success", "createdDate": iso(now), "modifiedDate": iso(now)}),
        )
    };
    if let Some((url, body)) = reversed {
        send_webhooks(shared.clone(), id, url, vec![body]);
    }
    Json(answer).into_response()
}

async fn remove(State(shared): State<Arc<Shared>>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    if let Some(refused) = admit(&shared, &headers, "POST", "/api/merchant/invoice/remove", String::new(), body.clone())
    {
        return refused;
    }
    let id = body["invoiceId"].as_str().unwrap_or_default().to_string();
    let mut inner = shared.inner.lock().unwrap();
    let now = tick(&mut inner);
    match inner.invoices.get_mut(&id) {
        Some(invoice) if invoice.status == "created" => {
            invoice.status = "expired".into();
            invoice.modified_ms = now;
            Json(json!({})).into_response()
        }
        _ => (StatusCode::BAD_REQUEST, Json(json!({"errText": "the invoice cannot be removed"}))).into_response(),
    }
}

async fn pay_page(State(shared): State<Arc<Shared>>, Path(invoice_id): Path<String>) -> Response {
    let inner = shared.inner.lock().unwrap();
    let Some(invoice) = inner.invoices.get(&invoice_id) else {
        return (StatusCode::NOT_FOUND, "no such invoice").into_response();
    };
    let kopiyky = invoice.request["amount"].as_i64().unwrap_or(0);
    let destination = invoice.request["merchantPaymInfo"]["destination"].as_str().unwrap_or("").to_string();
    Html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>plata by mono (emulator)</title></head><body>\
         <h1>plata by mono</h1><p id=destination>{destination}</p>\
         <p>До сплати: <span id=mono-amount>{}.{:02}</span> грн</p><p id=mono-status>{}</p>\
         <form method=post><input type=hidden name=outcome value=success><button id=mono-pay>Оплатити</button></form>\
         <form method=post><input type=hidden name=outcome value=failure><button id=mono-fail>Відмова</button></form>\
         </body></html>",
        kopiyky / 100,
        kopiyky % 100,
        invoice.status
    ))
    .into_response()
}

#[derive(serde::Deserialize)]
struct Outcome {
    outcome: String,
}

async fn pay(State(shared): State<Arc<Shared>>, Path(invoice_id): Path<String>, Form(form): Form<Outcome>) -> Response {
    match settle(&shared, &invoice_id, form.outcome == "success").await {
        Some(redirect) => Redirect::to(&redirect).into_response(),
        None => (StatusCode::BAD_REQUEST, "this invoice can no longer be paid").into_response(),
    }
}

/// The guest's outcome: `processing`, then `success` or `failure`; webhooks as set. Where to
/// send the guest back, or `None` when the invoice cannot be paid any more.
async fn settle(shared: &Arc<Shared>, invoice_id: &str, success: bool) -> Option<String> {
    let (url, redirect, processing, last, mode) = {
        let mut inner = shared.inner.lock().unwrap();
        let first = tick(&mut inner);
        let second = tick(&mut inner);
        let mode = inner.webhooks;
        let states = inner.states;
        let invoice = inner.invoices.get_mut(invoice_id)?;
        if invoice.status != "created" {
            return None;
        }
        invoice.status = "processing".into();
        invoice.modified_ms = first;
        let processing = status_body(invoice);
        if success {
            invoice.status = "success".into();
            invoice.paid = true;
            invoice.states = states;
        } else {
            invoice.status = "failure".into();
            invoice.failure_reason = Some("Недостатньо коштів".into());
        }
        invoice.modified_ms = second;
        let last = status_body(invoice);
        let url = invoice.request["webHookUrl"].as_str().unwrap_or("").to_string();
        let redirect = invoice.request["redirectUrl"].as_str().unwrap_or("").to_string();
        (url, redirect, processing, last, mode)
    };
    let bodies = match mode {
        Webhooks::Drop => vec![],
        Webhooks::Deliver | Webhooks::Delay(_) => vec![processing, last],
        Webhooks::Repeat => vec![processing.clone(), processing, last.clone(), last],
        Webhooks::Reorder => vec![last, processing],
    };
    match mode {
        Webhooks::Delay(pause) => {
            let (shared, id) = (shared.clone(), invoice_id.to_string());
            tokio::spawn(async move {
                tokio::time::sleep(pause).await;
                deliver(&shared, &id, &url, bodies).await;
            });
        }
        _ => deliver(shared, invoice_id, &url, bodies).await,
    }
    Some(redirect)
}

fn send_webhooks(shared: Arc<Shared>, invoice_id: String, url: String, bodies: Vec<Value>) {
    if shared.inner.lock().unwrap().webhooks == Webhooks::Drop {
        return;
    }
    tokio::spawn(async move { deliver(&shared, &invoice_id, &url, bodies).await });
}

/// Sends each body in turn, signed, up to 3 attempts until 200 (as monobank does).
async fn deliver(shared: &Shared, invoice_id: &str, url: &str, bodies: Vec<Value>) {
    for body in bodies {
        let text = body.to_string();
        let signature: Signature = shared.inner.lock().unwrap().key.sign(text.as_bytes());
        let signature = STANDARD.encode(signature.to_der().as_bytes());
        let mut answered = 0;
        for _ in 0..3 {
            let sent = shared
                .http
                .post(url)
                .header("Content-Type", "application/json")
                .header("X-Sign", &signature)
                .body(text.clone())
                .send()
                .await;
            answered = sent.map(|r| r.status().as_u16()).unwrap_or(0);
            if answered == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = body["status"].as_str().unwrap_or("").to_string();
        shared.inner.lock().unwrap().deliveries.push(Delivery { invoice_id: invoice_id.into(), status, answered });
    }
}
