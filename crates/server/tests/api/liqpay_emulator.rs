#![allow(dead_code)] // shared with the browser tests, which use only part of it
//! A LiqPay emulator: the one fake the tests allow, because LiqPay is outside the product. A real
//! HTTP server on a random port speaking what the platform uses of LiqPay's API, as its issue
//! describes it: `POST /api/3/checkout` (the signed form the guest's browser posts, answered
//! with a page where the guest pays or is declined), `POST /api/request` with `status` and
//! `refund`, and notifications posted as a form (`data` + `signature`) to the checkout's
//! `server_url`. Every message is `data` = base64 JSON and `signature` = base64(SHA-1(private
//! key + data + private key)), checked here as LiqPay would. A test can drop, repeat and
//! reorder notifications, make LiqPay state another amount or currency, make the next calls
//! answer 500, and read every call and checkout it saw.

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Json, Router};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The merchant's public key the emulator knows.
pub const PUBLIC_KEY: &str = "sandbox_i73829100214";
/// Its private key: the secret the tests look for everywhere it must not be.
pub const PRIVATE_KEY: &str = "sandbox_Zq4pV7rT2mX9kB3nW8yL5cF1hJ6dS0aGeUoI";
/// The masked card of a paid checkout.
pub const CARD_MASK: &str = "516875*****4123";
/// Its RRN.
pub const RRN: &str = "415922637811";
/// Its approval code.
pub const AUTHCODE: &str = "088461";

/// What happens to the notifications of the next payments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notifications {
    /// `processing` then the outcome, in order.
    Deliver,
    /// None arrive.
    Drop,
    /// Every one twice.
    Repeat,
    /// The outcome first, then the older `processing`.
    Reorder,
}

/// One `/api/request` call as the emulator saw it.
#[derive(Debug, Clone)]
pub struct Call {
    /// `status`, `refund`.
    pub action: String,
    /// The decoded `data`.
    pub data: Value,
    /// Whether the signature held with the merchant's private key.
    pub signed: bool,
    /// The HTTP status answered.
    pub status: u16,
}

/// A notification as sent.
#[derive(Debug, Clone)]
pub struct Delivery {
    /// The order.
    pub order_id: String,
    /// Its status in the data.
    pub status: String,
    /// What the platform answered.
    pub answered: u16,
}

/// A checkout the guest's browser posted.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// The form's `data`, as posted.
    pub data: String,
    /// Its `signature`, as posted.
    pub signature: String,
    /// `data` decoded.
    pub json: Value,
}

#[derive(Debug, Clone)]
struct Order {
    checkout: Value,
    status: String,
    /// Set once a card was tried.
    tried: bool,
    paid: bool,
    err: Option<(String, String)>,
    refunds: Vec<i64>,
    payment_id: u64,
}

struct Inner {
    orders: HashMap<String, Order>,
    checkouts: Vec<Checkout>,
    calls: Vec<Call>,
    deliveries: Vec<Delivery>,
    notifications: Notifications,
    fail_next: VecDeque<u16>,
    next_payment_id: u64,
    /// The amount LiqPay states for the next paid orders instead of the checkout's (text, as on
    /// the wire).
    states_amount: Option<String>,
    /// The currency it states instead of the checkout's.
    states_currency: Option<String>,
}

struct Shared {
    inner: Mutex<Inner>,
    http: reqwest::Client,
}

/// The running emulator.
#[derive(Clone)]
pub struct LiqpayEmulator {
    /// Its base URL (`--liqpay-api-url`).
    pub url: String,
    shared: Arc<Shared>,
}

/// LiqPay's signature of `data`.
pub fn sign(private_key: &str, data: &str) -> String {
    let mut sha = Sha1::new();
    sha.update(private_key.as_bytes());
    sha.update(data.as_bytes());
    sha.update(private_key.as_bytes());
    STANDARD.encode(sha.finalize())
}

/// The JSON of a `data` field.
pub fn decode(data: &str) -> Value {
    serde_json::from_slice(&STANDARD.decode(data).expect("data is base64")).expect("data is JSON")
}

/// `json` as a `data` field.
pub fn encode(json: &Value) -> String {
    STANDARD.encode(json.to_string())
}

impl LiqpayEmulator {
    /// Starts one on a random port.
    pub async fn start() -> LiqpayEmulator {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let inner = Inner {
            orders: HashMap::new(),
            checkouts: Vec::new(),
            calls: Vec::new(),
            deliveries: Vec::new(),
            notifications: Notifications::Deliver,
            fail_next: VecDeque::new(),
            next_payment_id: 2_530_000_001,
            states_amount: None,
            states_currency: None,
        };
        let shared = Arc::new(Shared { inner: Mutex::new(inner), http: reqwest::Client::new() });
        let app = Router::new()
            .route("/api/3/checkout", post(checkout))
            .route("/api/request", post(request))
            .route("/emulator/pay/{order_id}", post(pay))
            .with_state(shared.clone());
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the emulator serves");
        });
        LiqpayEmulator { url, shared }
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared.inner.lock().unwrap()
    }

    /// How the next payments' notifications are sent.
    pub fn set_notifications(&self, mode: Notifications) {
        self.inner().notifications = mode;
    }

    /// From now on, paid orders state this amount (as written on the wire, e.g. `"500.00"`) and
    /// this currency instead of the checkout's; `None` keeps the checkout's.
    pub fn set_states(&self, amount: Option<&str>, currency: Option<&str>) {
        let mut inner = self.inner();
        inner.states_amount = amount.map(str::to_string);
        inner.states_currency = currency.map(str::to_string);
    }

    /// The next `/api/request` calls answer these HTTP statuses without doing anything.
    pub fn fail_next(&self, statuses: &[u16]) {
        self.inner().fail_next.extend(statuses);
    }

    /// Every `/api/request` call so far.
    pub fn calls(&self) -> Vec<Call> {
        self.inner().calls.clone()
    }

    /// The calls of one action.
    pub fn calls_of(&self, action: &str) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.action == action).collect()
    }

    /// Every checkout posted so far.
    pub fn checkouts(&self) -> Vec<Checkout> {
        self.inner().checkouts.clone()
    }

    /// Every notification sent so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.inner().deliveries.clone()
    }

    /// An order's status (`None` when no checkout named it).
    pub fn order_status(&self, order_id: &str) -> Option<String> {
        self.inner().orders.get(order_id).map(|o| o.status.clone())
    }

    /// How many orders took money.
    pub fn charges(&self) -> usize {
        self.inner().orders.values().filter(|o| o.paid).count()
    }

    /// The order as a status answer would describe it, signed, posted now to its `server_url`;
    /// what the platform answered.
    pub async fn resend_notification(&self, order_id: &str) -> u16 {
        let (url, body) = {
            let inner = self.inner();
            let order = &inner.orders[order_id];
            (server_url(order), status_body(&inner, order_id, order))
        };
        let data = encode(&body);
        post_notification(&self.shared.http, &url, &data, &sign(PRIVATE_KEY, &data)).await
    }

    /// The order as paid, signed with another key; what the platform answered.
    pub async fn forged_success(&self, order_id: &str) -> u16 {
        let (url, body) = {
            let inner = self.inner();
            let mut order = inner.orders[order_id].clone();
            order.status = "success".into();
            order.paid = true;
            (server_url(&order), status_body(&inner, order_id, &order))
        };
        let data = encode(&body);
        post_notification(&self.shared.http, &url, &data, &sign("not-the-private-key", &data)).await
    }

    /// A notification of this data, signed with the merchant's key, posted to `url`.
    pub async fn post_signed(&self, url: &str, body: &Value) -> u16 {
        let data = encode(body);
        post_notification(&self.shared.http, url, &data, &sign(PRIVATE_KEY, &data)).await
    }

    /// The guest's card is tried on LiqPay's page for `order_id`, as the buttons do: paid or
    /// declined. Where LiqPay sends the guest back (`None` when it can no longer be paid).
    pub async fn guest_pays(&self, order_id: &str, success: bool) -> Option<String> {
        settle(&self.shared, order_id, success).await
    }
}

fn server_url(order: &Order) -> String {
    order.checkout["server_url"].as_str().unwrap_or_default().to_string()
}

/// The order as LiqPay's status answer and notifications describe it.
fn status_body(inner: &Inner, order_id: &str, order: &Order) -> Value {
    let checkout = &order.checkout;
    let mut body = json!({
        "version": 3,
        "public_key": PUBLIC_KEY,
        "action": "pay",
        "status": order.status,
        "amount": checkout["amount"],
        "currency": checkout["currency"],
        "order_id": order_id,
        "payment_id": order.payment_id,
        "description": checkout["description"],
        "liqpay_order_id": format!("LQ{}", order.payment_id),
        "type": "buy",
    });
    if order.paid {
        if let Some(amount) = &inner.states_amount {
            body["amount"] = serde_json::from_str(amount).unwrap_or(json!(amount));
        }
        if let Some(currency) = &inner.states_currency {
            body["currency"] = json!(currency);
        }
        body["transaction_id"] = json!(order.payment_id + 7);
        body["sender_card_mask2"] = json!(CARD_MASK);
        body["sender_card_type"] = json!("mc");
        body["sender_card_bank"] = json!("pb");
        body["authcode_debit"] = json!(AUTHCODE);
        body["rrn_debit"] = json!(RRN);
    }
    if let Some((code, words)) = &order.err {
        body["err_code"] = json!(code);
        body["err_description"] = json!(words);
    }
    body
}

#[derive(Deserialize)]
struct SignedForm {
    #[serde(default)]
    data: String,
    #[serde(default)]
    signature: String,
}

/// `POST /api/3/checkout`: LiqPay's checkout page for a signed form.
async fn checkout(State(shared): State<Arc<Shared>>, Form(form): Form<SignedForm>) -> Response {
    let json = match STANDARD.decode(form.data.trim()).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok()) {
        Some(json) => json,
        None => {
            return (StatusCode::BAD_REQUEST, Html("<p id=liqpay-error>data is not base64 JSON</p>")).into_response()
        }
    };
    let mut inner = shared.inner.lock().unwrap();
    inner.checkouts.push(Checkout { data: form.data.clone(), signature: form.signature.clone(), json: json.clone() });
    if json["public_key"] != PUBLIC_KEY || sign(PRIVATE_KEY, &form.data) != form.signature {
        return (StatusCode::BAD_REQUEST, Html("<p id=liqpay-error>Invalid signature</p>")).into_response();
    }
    let order_id = json["order_id"].as_str().unwrap_or_default().to_string();
    let payment_id = inner.next_payment_id;
    inner.next_payment_id += 1;
    let order = inner.orders.entry(order_id.clone()).or_insert(Order {
        checkout: json.clone(),
        status: "created".into(),
        tried: false,
        paid: false,
        err: None,
        refunds: Vec::new(),
        payment_id,
    });
    let open = !order.paid;
    let amount = json["amount"].to_string();
    let description = json["description"].as_str().unwrap_or_default().to_string();
    let test_mode = if json["sandbox"] == 1 { "<p id=liqpay-sandbox>Тестовий платіж</p>" } else { "" };
    let buttons = if open {
        format!(
            "<form method=post action=/emulator/pay/{order_id}><input type=hidden name=outcome value=success>\
             <button id=liqpay-pay>Сплатити</button></form>\
             <form method=post action=/emulator/pay/{order_id}><input type=hidden name=outcome value=failure>\
             <button id=liqpay-fail>Відмовити</button></form>"
        )
    } else {
        "<p id=liqpay-paid>Вже сплачено</p>".to_string()
    };
    Html(format!(
        "<!doctype html><html><head><meta charset=utf-8><title>LiqPay (emulator)</title></head><body>\
         <h1>LiqPay</h1><p id=liqpay-description>{description}</p>{test_mode}\
         <p>До сплати: <span id=liqpay-amount>{amount}</span> {}</p>{buttons}</body></html>",
        json["currency"].as_str().unwrap_or_default()
    ))
    .into_response()
}

#[derive(Deserialize)]
struct Outcome {
    outcome: String,
}

/// The buttons of the checkout page.
async fn pay(State(shared): State<Arc<Shared>>, Path(order_id): Path<String>, Form(form): Form<Outcome>) -> Response {
    match settle(&shared, &order_id, form.outcome == "success").await {
        Some(result_url) => Redirect::to(&result_url).into_response(),
        None => (StatusCode::BAD_REQUEST, "this order can no longer be paid").into_response(),
    }
}

/// A card tried: `processing`, then `success` (`sandbox` in test mode) or `failure`;
/// notifications as set. Where the guest goes back, or `None` when the order is paid already.
async fn settle(shared: &Arc<Shared>, order_id: &str, success: bool) -> Option<String> {
    let (url, result_url, processing, last, mode) = {
        let mut inner = shared.inner.lock().unwrap();
        let mode = inner.notifications;
        let order = inner.orders.get_mut(order_id)?;
        if order.paid {
            return None;
        }
        order.tried = true;
        order.err = None;
        order.status = "processing".into();
        let processing_order = order.clone();
        if success {
            order.status = if order.checkout["sandbox"] == 1 { "sandbox" } else { "success" }.into();
            order.paid = true;
        } else {
            order.status = "failure".into();
            order.err = Some(("limit".into(), "Перевищено ліміт картки".into()));
        }
        let order = order.clone();
        let inner = &*inner;
        (
            server_url(&order),
            order.checkout["result_url"].as_str().unwrap_or_default().to_string(),
            status_body(inner, order_id, &processing_order),
            status_body(inner, order_id, &order),
            mode,
        )
    };
    let bodies = match mode {
        Notifications::Drop => vec![],
        Notifications::Deliver => vec![processing, last],
        Notifications::Repeat => vec![processing.clone(), processing, last.clone(), last],
        Notifications::Reorder => vec![last, processing],
    };
    deliver(shared, order_id, &url, bodies).await;
    Some(result_url)
}

/// Sends each body in turn as LiqPay does (a form of data and signature), up to 3 attempts until
/// 200.
async fn deliver(shared: &Shared, order_id: &str, url: &str, bodies: Vec<Value>) {
    for body in bodies {
        let data = encode(&body);
        let signature = sign(PRIVATE_KEY, &data);
        let mut answered = 0;
        for _ in 0..3 {
            answered = post_notification(&shared.http, url, &data, &signature).await;
            if answered == 200 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = body["status"].as_str().unwrap_or_default().to_string();
        shared.inner.lock().unwrap().deliveries.push(Delivery { order_id: order_id.into(), status, answered });
    }
}

async fn post_notification(http: &reqwest::Client, url: &str, data: &str, signature: &str) -> u16 {
    let sent = http.post(url).form(&[("data", data), ("signature", signature)]).send().await;
    sent.map(|r| r.status().as_u16()).unwrap_or(0)
}

/// `POST /api/request`: `status` and `refund`, each signed.
async fn request(State(shared): State<Arc<Shared>>, Form(form): Form<SignedForm>) -> Response {
    let data = STANDARD.decode(form.data.trim()).ok().and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let data = data.unwrap_or(Value::Null);
    let action = data["action"].as_str().unwrap_or_default().to_string();
    let signed = data["public_key"] == PUBLIC_KEY && sign(PRIVATE_KEY, &form.data) == form.signature;
    let (refund_done, answer) = {
        let mut inner = shared.inner.lock().unwrap();
        let failure = inner.fail_next.pop_front();
        inner.calls.push(Call { action: action.clone(), data: data.clone(), signed, status: failure.unwrap_or(200) });
        if let Some(code) = failure {
            return (StatusCode::from_u16(code).unwrap(), "try later").into_response();
        }
        if data["public_key"] != PUBLIC_KEY {
            let words = "public_key not found";
            return Json(json!({"result": "error", "status": "error", "err_code": "public_key_not_found", "err_description": words}))
                .into_response();
        }
        if !signed {
            return Json(json!({"result": "error", "status": "error", "err_code": "invalid_signature", "err_description": "Invalid signature"}))
                .into_response();
        }
        let order_id = data["order_id"].as_str().unwrap_or_default().to_string();
        let not_found = json!({"result": "error", "status": "error", "err_code": "payment_not_found", "err_description": "Payment not found"});
        match action.as_str() {
            "status" => match inner.orders.get(&order_id) {
                Some(order) if order.tried => {
                    let mut body = status_body(&inner, &order_id, order);
                    body["result"] = json!("ok");
                    (None, body)
                }
                _ => (None, not_found),
            },
            "refund" => {
                let Some(kopiyky) = kopiyky_of(&data["amount"]) else {
                    return Json(json!({"result": "error", "status": "error", "err_code": "amount", "err_description": "bad amount"}))
                        .into_response();
                };
                let snapshot = inner.orders.get(&order_id).cloned();
                match snapshot {
                    Some(order) if order.paid && order.status != "reversed" => {
                        let total = kopiyky_of(&order.checkout["amount"]).unwrap_or(0);
                        let refunded: i64 = order.refunds.iter().sum();
                        if kopiyky <= 0 || refunded + kopiyky > total {
                            let words = "The refund exceeds the payment";
                            (
                                None,
                                json!({"result": "error", "status": "error", "err_code": "refund_amount", "err_description": words}),
                            )
                        } else {
                            let order = inner.orders.get_mut(&order_id).unwrap();
                            order.refunds.push(kopiyky);
                            let reversed = refunded + kopiyky == total;
                            if reversed {
                                order.status = "reversed".into();
                            }
                            let order = order.clone();
                            let done = reversed.then(|| (server_url(&order), status_body(&inner, &order_id, &order)));
                            (done, json!({"result": "ok", "status": "reversed", "payment_id": order.payment_id}))
                        }
                    }
                    Some(_) => (
                        None,
                        json!({"result": "error", "status": "error", "err_code": "payment_not_paid", "err_description": "Nothing to refund"}),
                    ),
                    None => (None, not_found),
                }
            }
            _ => (
                None,
                json!({"result": "error", "status": "error", "err_code": "action", "err_description": "unknown action"}),
            ),
        }
    };
    if let Some((url, body)) = refund_done {
        let shared = shared.clone();
        let order_id = body["order_id"].as_str().unwrap_or_default().to_string();
        if shared.inner.lock().unwrap().notifications != Notifications::Drop {
            tokio::spawn(async move { deliver(&shared, &order_id, &url, vec![body]).await });
        }
    }
    Json(answer).into_response()
}

/// Kopiyky of a JSON amount in hryvnias (`572`, `572.5`, `"572.50"`), read from its text.
pub fn kopiyky_of(amount: &Value) -> Option<i64> {
    let text = match amount {
        Value::String(text) => text.clone(),
        Value::Number(number) => number.to_string(),
        _ => return None,
    };
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    if fraction.len() > 2 {
        return None;
    }
    let fraction = format!("{fraction:0<2}");
    Some(whole.parse::<i64>().ok()? * 100 + fraction.parse::<i64>().ok()?)
}
