//! Paying with monobank, end to end over real HTTP against the monobank emulator: the invoice
//! the platform creates, webhooks lost, forged, re-keyed, late and repeated, status polling,
//! refunds, expiry, and the merchant token kept out of sight.

use crate::helpers::{
    eventually, fresh_storage, spawn_app_on, spawn_app_with, AppOptions, Backend, Restaurant, TestApp, TEST_MASTER_KEY,
};
use crate::monobank_emulator::{MonobankEmulator, Webhooks, APPROVAL, MASKED_PAN, MERCHANT, RRN, TOKEN};
use crate::on_both_stores;
use crate::panel_auth::{csrf_of, restaurant_admin, PanelBrowser, PASSWORD};
use crate::payments::{guest_client, submit_pay, wait_for_status};
use rahunok_pos_sim::VirtualPos;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// A café whose restaurant pays with monobank (the emulator), with its POS connected.
pub struct MonoCafe {
    pub app: TestApp,
    pub mono: MonobankEmulator,
    pub restaurant: Restaurant,
    pub pos: VirtualPos,
}

/// Polling and expiry as configured in `payment_timings`; monobank is the emulator.
pub async fn mono_cafe(backend: Backend, payment_timings: rahunok_server::config::PaymentTimings) -> MonoCafe {
    mono_cafe_with(backend, payment_timings, false).await
}

/// As [`mono_cafe`], with `/metrics` served when `metrics`.
pub async fn mono_cafe_with(
    backend: Backend,
    payment_timings: rahunok_server::config::PaymentTimings,
    metrics: bool,
) -> MonoCafe {
    let mono = MonobankEmulator::start().await;
    let options =
        AppOptions { payment_timings, monobank_api_url: Some(mono.url.clone()), metrics, ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Кав'ярня").await;
    let pos = app.start_virtual_pos(&restaurant).await;
    let (status, chosen) = app.put_acquirer(&restaurant.resto_id, json!({"kind": "monobank", "token": TOKEN})).await;
    assert_eq!((status, chosen), (200, json!({"kind": "monobank", "merchantName": MERCHANT})));
    MonoCafe { app, mono, restaurant, pos }
}

/// Timings where nothing polls or expires during a test (webhooks alone settle payments).
pub fn no_polling() -> rahunok_server::config::PaymentTimings {
    rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::from_secs(600),
        ..Default::default()
    }
}

/// Timings where the closer asks monobank soon and often.
pub fn quick_polling() -> rahunok_server::config::PaymentTimings {
    rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::from_millis(200),
        max_retry_delay: Duration::from_millis(400),
        ..Default::default()
    }
}

/// The guest opens the bill and presses "Pay" with `tip` percent: the payment id and where the
/// guest is sent (monobank's page).
pub async fn start_paying(cafe: &MonoCafe, bill_id: &str, tip: &str) -> (String, String) {
    let guest = guest_client();
    let (key, expected) = submit_pay(&cafe.app, &guest, &cafe.restaurant.resto_id, bill_id).await;
    let response = guest
        .post(format!("{}/b/{}/{bill_id}/pay", cafe.app.base, cafe.restaurant.resto_id))
        .form(&[("idempotency_key", key.as_str()), ("expected_total", &expected), ("tip", tip), ("tip_custom", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the guest is sent on to monobank's site");
    let page = response.text().await.unwrap();
    let marker = "id=\"to-acquirer\" href=\"";
    let start = page.find(marker).unwrap_or_else(|| panic!("a link to monobank: {page}")) + marker.len();
    let page_url = page[start..].split('"').next().unwrap().to_string();
    assert!(page.contains(&format!("content=\"0;url={page_url}\"")), "{page}");
    let (_, payments) =
        cafe.app.get_json(&format!("/api/admin/restaurants/{}/payments", cafe.restaurant.resto_id)).await;
    let payment_id = payments.as_array().unwrap().iter().find(|p| p["billId"] == bill_id).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    (payment_id, page_url)
}

/// The guest pays on monobank's page (without following the redirect back, so only webhooks
/// and polling tell the platform).
pub async fn pay_on_monobank_page(page_url: &str) -> String {
    let response = guest_client().post(page_url).form(&[("outcome", "success")]).send().await.unwrap();
    assert_eq!(response.status(), 303, "monobank sends the guest back");
    response.headers()["location"].to_str().unwrap().to_string()
}

pub async fn pay_bill(cafe: &MonoCafe, bill_id: &str) -> String {
    let (payment_id, page_url) = start_paying(cafe, bill_id, "0").await;
    pay_on_monobank_page(&page_url).await;
    payment_id
}

fn invoice_of(cafe: &MonoCafe, payment_id: &str) -> Value {
    let create = cafe.mono.calls_to("/api/merchant/invoice/create");
    create.into_iter().find(|c| c.body["merchantPaymInfo"]["reference"] == payment_id).expect("an invoice").body
}

async fn the_invoice_carries_the_exact_amount_basket_reference_and_webhook_address(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    let (payment_id, page_url) = start_paying(&cafe, "b-32071", "10").await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "created").await;
    let body = invoice_of(&cafe, &payment_id);
    let amount = body["amount"].as_i64().unwrap();
    let bill = rahunok_protocol::Money::parse(detail["sum"].to_string().trim_matches('"')).unwrap().kopiyky();
    let tip = rahunok_protocol::Money::parse(detail["tips"].to_string().trim_matches('"')).unwrap().kopiyky();
    assert_eq!(bill, 70_290, "the bill of table 7");
    assert_eq!(amount, bill + tip, "bill plus tip, in kopiyky");
    assert!(tip > 0);
    assert_eq!(body["ccy"], 980);
    assert_eq!(body["paymentType"], "debit");
    let basket = body["merchantPaymInfo"]["basketOrder"].as_array().unwrap();
    let basket_sum: i64 = basket.iter().map(|l| l["sum"].as_i64().unwrap() * l["qty"].as_i64().unwrap()).sum();
    assert_eq!(basket_sum, amount, "the basket adds up to the amount: {basket:?}");
    assert!(basket.iter().any(|l| l["code"] == "tip" && l["sum"] == tip), "the tip is a line of its own");
    assert_eq!(body["merchantPaymInfo"]["reference"], payment_id.as_str());
    let destination = body["merchantPaymInfo"]["destination"].as_str().unwrap();
    assert_eq!(destination, "Кав'ярня, стіл 7, рахунок b-32071", "restaurant, table and bill");
    let webhook = body["webHookUrl"].as_str().unwrap();
    assert!(webhook.starts_with(&format!("{}/acquirer/monobank/webhook/", cafe.app.base)), "{webhook}");
    assert_eq!(body["redirectUrl"], format!("{}/p/{payment_id}", cafe.app.base));
    assert_eq!(body["validity"], 15 * 60, "our payment expiry, in seconds");
    assert_eq!(detail["acquirer"], "monobank");
    assert_eq!(page_url, format!("{}/pay/{}", cafe.mono.url, cafe.mono.only_invoice()));
}

async fn with_every_webhook_dropped_the_payment_still_closes_on_the_pos_by_polling(backend: Backend) {
    let cafe = mono_cafe(backend, quick_polling()).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    let payment_id = pay_bill(&cafe, "b-32070").await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    assert!(cafe.mono.deliveries().is_empty(), "no webhook ever arrived");
    assert!(!cafe.mono.calls_to("/api/merchant/invoice/status").is_empty(), "the platform asked for the status");
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1);
    assert!(detail["fiscal"].as_str().unwrap().contains(RRN), "{detail}");
}

async fn a_payment_monobank_will_not_answer_about_shows_why_and_closes_once_it_does(backend: Backend) {
    let cafe = mono_cafe(backend, quick_polling()).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    let (payment_id, page_url) = start_paying(&cafe, "b-32070", "0").await;
    cafe.mono.fail_next(&[403, 403, 403]);
    let path = format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id);
    let mut noted = Value::Null;
    for _ in 0..100 {
        noted = cafe.app.get_json(&path).await.1;
        if noted["lastError"].as_str().is_some_and(|e| e.contains("403")) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(noted["lastError"].as_str().unwrap_or("").contains("403"), "the admin sees why: {noted}");
    assert_eq!(noted["status"], "created");
    pay_on_monobank_page(&page_url).await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
}

async fn a_webhook_with_a_wrong_signature_is_refused_and_changes_nothing(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    let (payment_id, _) = start_paying(&cafe, "b-32070", "0").await;
    let invoice = cafe.mono.only_invoice();
    assert_eq!(cafe.mono.forged_success_webhook(&invoice).await, 400);
    let (_, detail) =
        cafe.app.get_json(&format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id)).await;
    assert_eq!(detail["status"], "created", "a forged webhook moves nothing");
    assert_eq!(detail["transitions"].as_array().unwrap().len(), 2, "{detail}");
    let unsigned = cafe
        .app
        .http
        .post(format!("{}/acquirer/monobank/webhook/{payment_id}", cafe.app.base))
        .body(r#"{"invoiceId":"x","status":"success"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 400, "no signature, no change");
    assert!(cafe.pos.floor().paid("b-32070").is_none());
    let huge = cafe
        .app
        .http
        .post(format!("{}/acquirer/monobank/webhook/{payment_id}", cafe.app.base))
        .header("X-Sign", "AAAA")
        .body(vec![b' '; 1024 * 1024])
        .send()
        .await;
    // The server answers 413 after 64 KiB and closes; a client still writing the rest may see
    // the connection closed under it instead of the answer. Either way the body was not read.
    match huge {
        Ok(huge) => assert_eq!(huge.status(), 413, "an oversized webhook is not read"),
        Err(error) => assert!(error.is_request(), "only the upload was cut short: {error}"),
    }
    for _ in 0..5 {
        assert_eq!(cafe.mono.forged_success_webhook(&invoice).await, 400);
    }
    assert!(
        cafe.mono.calls_to("/api/merchant/pubkey").len() <= 2,
        "forged webhooks do not make the platform hammer monobank for its key"
    );
}

async fn after_monobank_rotates_its_key_the_next_genuine_webhook_verifies_with_one_refetch(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    let first = pay_bill(&cafe, "b-32070").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &first, "closed").await;
    assert_eq!(cafe.mono.calls_to("/api/merchant/pubkey").len(), 1, "the key is fetched once and cached");
    cafe.mono.rotate_key();
    let second = pay_bill(&cafe, "b-32072").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &second, "closed").await;
    assert_eq!(cafe.mono.calls_to("/api/merchant/pubkey").len(), 2, "one refetch after the rotation");
    assert!(cafe.mono.deliveries().iter().all(|d| d.answered == 200), "{:?}", cafe.mono.deliveries());
}

async fn webhooks_out_of_order_leave_the_payment_paid_and_repeats_are_harmless(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    cafe.mono.set_webhooks(Webhooks::Reorder);
    let payment_id = pay_bill(&cafe, "b-32070").await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    let statuses: Vec<String> = cafe.mono.deliveries().iter().map(|d| d.status.clone()).collect();
    assert_eq!(statuses, ["success", "processing"], "success came first, the older processing after");
    let invoice = cafe.mono.only_invoice();
    assert_eq!(cafe.mono.resend_webhook(&invoice).await, 200, "a repeat is accepted");
    assert_eq!(cafe.mono.resend_webhook(&invoice).await, 200);
    let (_, again) =
        cafe.app.get_json(&format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id)).await;
    assert_eq!(again["status"], "closed");
    assert_eq!(again["transitions"], detail["transitions"], "repeats moved nothing");
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1, "one payBill");
    let log = cafe
        .app
        .get_json(&format!("/api/admin/restaurants/{}/requests?operation=payBill", cafe.restaurant.resto_id))
        .await
        .1;
    assert_eq!(log.as_array().unwrap().len(), 1, "{log}");
}

async fn refund(cafe: &MonoCafe, payment_id: &str, body: Value) -> (u16, Value) {
    let path = format!("/api/admin/restaurants/{}/payments/{payment_id}/refund", cafe.restaurant.resto_id);
    let response = cafe.app.admin(reqwest::Method::POST, &path).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn wait_messages(pos: &VirtualPos, count: usize) -> Vec<rahunok_protocol::ops::ShowMessage> {
    for _ in 0..100 {
        if pos.floor().messages().len() >= count {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pos.floor().messages().to_vec()
}

async fn partial_and_full_refunds_cancel_the_right_amounts_once_and_tell_the_pos_each_time(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    let payment_id = pay_bill(&cafe, "b-32070").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;

    let (status, partial) = refund(&cafe, &payment_id, json!({"amount": "100.50", "idempotencyKey": "first"})).await;
    assert_eq!(status, 200, "{partial}");
    assert_eq!(partial["status"], "closed", "a partial refund leaves the payment closed");
    let (status, _) = refund(&cafe, &payment_id, json!({"amount": "100.50", "idempotencyKey": "first"})).await;
    assert_eq!(status, 200, "a retried refund answers as the first did");
    let (status, too_much) = refund(&cafe, &payment_id, json!({"amount": "1000.00", "idempotencyKey": "greedy"})).await;
    assert_eq!(status, 400, "more than is left: {too_much}");

    cafe.mono.fail_next(&[500]);
    let (status, full) = refund(&cafe, &payment_id, json!({"idempotencyKey": "rest"})).await;
    assert_eq!(status, 200, "monobank's 500 is retried: {full}");
    assert_eq!(full["status"], "refunded");

    let cancels = cafe.mono.calls_to("/api/merchant/invoice/cancel");
    let done: Vec<(String, i64)> = cancels
        .iter()
        .filter(|c| c.status == 200)
        .map(|c| (c.body["extRef"].as_str().unwrap().to_string(), c.body["amount"].as_i64().unwrap()))
        .collect();
    assert_eq!(done.iter().map(|(_, a)| *a).collect::<Vec<_>>(), [10_050, 52_000 - 10_050], "{cancels:?}");
    assert_ne!(done[0].0, done[1].0, "each refund has its own extRef");
    let retried: Vec<&str> =
        cancels.iter().filter(|c| c.status == 500).map(|c| c.body["extRef"].as_str().unwrap()).collect();
    assert_eq!(retried, [done[1].0.as_str()], "the retry after 500 used the same extRef");
    assert_eq!(cafe.mono.invoice_status(&cafe.mono.only_invoice()).as_deref(), Some("reversed"));

    let messages = wait_messages(&cafe.pos, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cafe.pos.floor().messages().len(), 2, "one showMessage per refund: {messages:?}");
    assert!(messages[0].message.contains("100.50") && messages[1].message.contains("419.50"), "{messages:?}");
}

async fn a_payment_paid_just_before_expiry_is_not_expired(backend: Backend) {
    let timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::from_millis(800),
        expire_after: Duration::from_millis(800),
        ..Default::default()
    };
    let cafe = mono_cafe(backend, timings).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    let payment_id = pay_bill(&cafe, "b-32070").await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    let steps: Vec<&str> =
        detail["transitions"].as_array().unwrap().iter().map(|t| t["to"].as_str().unwrap()).collect();
    assert!(!steps.contains(&"expired"), "paid wins over our expiry: {steps:?}");
    assert!(cafe.mono.calls_to("/api/merchant/invoice/remove").is_empty(), "nothing to remove");
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1);
}

async fn an_invoice_monobank_will_not_remove_because_it_was_paid_is_kept_and_closes(backend: Backend) {
    let timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::from_millis(200),
        expire_after: Duration::from_millis(500),
        max_retry_delay: Duration::from_millis(200),
        ..Default::default()
    };
    let cafe = mono_cafe(backend, timings).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    cafe.mono.set_status_lags(true);
    let payment_id = pay_bill(&cafe, "b-32070").await;
    for _ in 0..50 {
        if !cafe.mono.calls_to("/api/merchant/invoice/remove").is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let removes = cafe.mono.calls_to("/api/merchant/invoice/remove");
    assert!(!removes.is_empty(), "our expiry asked monobank to remove the invoice");
    let (_, detail) =
        cafe.app.get_json(&format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id)).await;
    assert_eq!(detail["status"], "created", "a paid invoice monobank would not remove does not expire");
    cafe.mono.set_status_lags(false);
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1, "paid wins");
}

async fn the_panel_refunds_part_of_a_payment_once_per_form(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    let payment_id = pay_bill(&cafe, "b-32070").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    restaurant_admin(&cafe.app, "marta", &cafe.restaurant).await;
    let marta = PanelBrowser::new(&cafe.app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let detail_path = format!("/panel/r/{}/payments/{payment_id}", cafe.restaurant.resto_id);
    let page = marta.get(&detail_path).await;
    let csrf = csrf_of(&page.body);
    let key = crate::payments::form_field(&page.body, "refund_key");
    let fields = [("csrf", csrf.as_str()), ("refund_key", &key), ("amount", "20,00"), ("confirm", "on")];
    let first = marta.post_form(&format!("{detail_path}/refund"), &fields).await;
    assert_eq!(first.status, 303, "{}", first.body);
    let again = marta.post_form(&format!("{detail_path}/refund"), &fields).await;
    assert_eq!(again.status, 303, "a double submit answers the same");
    let amounts: Vec<i64> =
        cafe.mono.calls_to("/api/merchant/invoice/cancel").iter().map(|c| c.body["amount"].as_i64().unwrap()).collect();
    assert_eq!(amounts, [2_000], "one cancel of 20.00");
    let page = marta.get(&detail_path).await;
    assert!(page.body.contains("id=\"refunded\""), "the page shows what was refunded");
    assert_eq!(wait_messages(&cafe.pos, 1).await.len(), 1);
}

async fn a_charge_returned_in_monobanks_cabinet_marks_the_payment_refunded_and_tells_the_pos_once(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    let payment_id = pay_bill(&cafe, "b-32070").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    let invoice = cafe.mono.only_invoice();
    cafe.mono.reverse_in_cabinet(&invoice);
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "refunded").await;
    assert_eq!(cafe.mono.resend_webhook(&invoice).await, 200, "a repeat is harmless");
    let messages = wait_messages(&cafe.pos, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(cafe.pos.floor().messages().len(), 1, "the POS is told once: {messages:?}");
    assert!(messages[0].message.contains("520.00"), "{messages:?}");
    assert!(cafe.mono.calls_to("/api/merchant/invoice/cancel").is_empty(), "we returned nothing ourselves");
}

async fn an_expired_unpaid_invoice_is_removed_at_monobank_and_the_bill_released(backend: Backend) {
    let timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::from_millis(200),
        expire_after: Duration::from_millis(500),
        ..Default::default()
    };
    let cafe = mono_cafe(backend, timings).await;
    let (payment_id, page_url) = start_paying(&cafe, "b-32070", "0").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "expired").await;
    let invoice = cafe.mono.only_invoice();
    let removed = cafe.mono.calls_to("/api/merchant/invoice/remove");
    assert_eq!(removed.len(), 1, "{removed:?}");
    assert_eq!(removed[0].body["invoiceId"], invoice.as_str());
    let late = guest_client().post(&page_url).form(&[("outcome", "success")]).send().await.unwrap();
    assert_eq!(late.status(), 400, "monobank no longer takes money for it");
    assert!(cafe.pos.floor().open_order("b-32070").is_some());
    let (again, _) = start_paying(&cafe, "b-32070", "0").await;
    assert_ne!(again, payment_id, "the bill is free for a new payment");
}

/// Everything the server logs, from the first call on (one subscriber for the whole test binary).
pub fn captured_logs() -> Arc<Mutex<Vec<u8>>> {
    static LOGS: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOGS.get_or_init(|| {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let sink = LogSink(logs.clone());
        let installed = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .try_init();
        assert!(installed.is_ok(), "no other test installs a log subscriber");
        logs
    })
    .clone()
}

#[derive(Clone)]
struct LogSink(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogSink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn the_merchant_token_never_shows_in_answers_logs_the_panel_or_the_database_in_clear(backend: Backend) {
    let logs = captured_logs();
    let cafe = mono_cafe(backend, no_polling()).await;
    let resto = &cafe.restaurant.resto_id;
    let (status, shown) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}/acquirer")).await;
    assert_eq!((status, &shown), (200, &json!({"kind": "monobank", "merchantName": MERCHANT})));
    let (_, restaurant) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}")).await;
    let payment_id = pay_bill(&cafe, "b-32070").await;
    let (_, payment) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}/payments/{payment_id}")).await;
    for answer in [&shown, &restaurant, &payment] {
        assert!(!answer.to_string().contains(TOKEN), "{answer}");
    }
    let (status, refused) = cafe.app.put_acquirer(resto, json!({"kind": "monobank", "token": "wrong-token"})).await;
    assert_eq!(status, 400, "{refused}");
    assert!(!refused.to_string().contains("wrong-token"), "{refused}");
    let (_, still) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}/acquirer")).await;
    assert_eq!(still["kind"], "monobank", "a refused token changes nothing");

    restaurant_admin(&cafe.app, "marta", &cafe.restaurant).await;
    let marta = PanelBrowser::new(&cafe.app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let settings_path = format!("/panel/r/{resto}/settings");
    let page = marta.get(&settings_path).await;
    assert!(page.body.contains("id=\"acquirer\""), "the settings page has the acquirer card");
    assert!(page.body.contains(MERCHANT), "the card names the merchant: {}", page.body);
    assert!(!page.body.contains(TOKEN), "the panel never shows the token");
    let csrf = csrf_of(&page.body);
    let acquirer_path = format!("{settings_path}/acquirer");
    let refused =
        marta.post_form(&acquirer_path, &[("csrf", &csrf), ("kind", "monobank"), ("monobank.token", "nope")]).await;
    assert!(refused.location.ends_with("saved=token-refused"), "{}", refused.location);
    let kept = marta.post_form(&acquirer_path, &[("csrf", &csrf), ("kind", "monobank"), ("monobank.token", "")]).await;
    assert!(kept.location.ends_with("saved=acquirer"), "an empty token keeps the saved one: {}", kept.location);
    let back = marta.post_form(&acquirer_path, &[("csrf", &csrf), ("kind", "sandbox"), ("token", "")]).await;
    assert_eq!(back.status, 303);
    let (_, now) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}/acquirer")).await;
    assert_eq!(now, json!({"kind": "sandbox"}));
    let again =
        marta.post_form(&acquirer_path, &[("csrf", &csrf), ("kind", "monobank"), ("monobank.token", TOKEN)]).await;
    assert!(again.location.ends_with("saved=acquirer"), "{}", again.location);
    let page = marta.get(&format!("{settings_path}?saved=acquirer")).await;
    assert!(!page.body.contains(TOKEN));

    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    crate::secrets_at_rest::assert_kept_secret(&cafe.app.state.store, backend, TOKEN, &logged, "monobank").await;
}

async fn a_busy_monobank_is_retried_and_one_that_stays_down_gets_the_guest_a_friendly_page(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    cafe.mono.fail_next(&[429, 500]);
    let (payment_id, _) = start_paying(&cafe, "b-32070", "0").await;
    assert_eq!(cafe.mono.calls_to("/api/merchant/invoice/create").len(), 3, "429 and 500 were retried");
    assert_eq!(cafe.mono.calls_to("/api/merchant/invoice/create").iter().filter(|c| c.status == 200).count(), 1);
    let (_, detail) =
        cafe.app.get_json(&format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id)).await;
    assert_eq!(detail["status"], "created");

    cafe.mono.fail_next(&[503, 503, 503, 503]);
    let guest = guest_client();
    paying_fails_with_a_friendly_page_and_frees_the_bill(&cafe, &guest, "b-32072").await;
    let (key, expected) = submit_pay(&cafe.app, &guest, &cafe.restaurant.resto_id, "b-32072").await;
    let (status, _, _) =
        crate::payments::post_pay(&cafe.app, &guest, &cafe.restaurant.resto_id, "b-32072", &key, &expected).await;
    assert_eq!(status, 200, "once monobank is back the guest pays");
}

async fn the_sandbox_stays_the_default_and_a_restaurant_can_switch_back_to_it(backend: Backend) {
    let mono = MonobankEmulator::start().await;
    let options = AppOptions { monobank_api_url: Some(mono.url.clone()), ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Пекарня").await;
    let (_, shown) = app.get_json(&format!("/api/admin/restaurants/{}/acquirer", restaurant.resto_id)).await;
    assert_eq!(shown, json!({"kind": "sandbox"}));
    let (status, _) = app.put_acquirer(&restaurant.resto_id, json!({"kind": "monobank", "token": TOKEN})).await;
    assert_eq!(status, 200);
    let (status, back) = app.put_acquirer(&restaurant.resto_id, json!({"kind": "sandbox"})).await;
    assert_eq!((status, back), (200, json!({"kind": "sandbox"})));
    let _pos = app.start_virtual_pos(&restaurant).await;
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &restaurant.resto_id, "b-32070").await;
    let (status, location, _) =
        crate::payments::post_pay(&app, &guest, &restaurant.resto_id, "b-32070", &key, &expected).await;
    assert_eq!(status, 303);
    assert!(location.contains("/sandbox/checkout/"), "{location}");
    assert!(mono.calls_to("/api/merchant/invoice/create").is_empty());
    let (status, _) = app.put_acquirer(&restaurant.resto_id, json!({"kind": "liqpay"})).await;
    assert_eq!(status, 400);
}

/// The receipt page after monobank's redirect shows the card's fiscal data.
async fn the_receipt_shows_the_rrn_and_the_masked_card(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    let (payment_id, page_url) = start_paying(&cafe, "b-32072", "0").await;
    let back = pay_on_monobank_page(&page_url).await;
    assert_eq!(back, format!("{}/p/{payment_id}", cafe.app.base));
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    let receipt = guest_client().get(&back).send().await.unwrap().text().await.unwrap();
    for shown in [RRN, MASKED_PAN, APPROVAL, "visa", "monobank"] {
        assert!(receipt.contains(shown), "{shown} on the receipt: {receipt}");
    }
    assert_eq!(cafe.pos.floor().paid("b-32072").unwrap().times_paid, 1);
    let path = format!("/api/admin/restaurants/{}/requests?operation=payBill", cafe.restaurant.resto_id);
    let log = cafe.app.get_json(&path).await.1;
    let sent = log[0]["requestBody"].as_str().unwrap_or_default().to_string();
    for line in [RRN, MASKED_PAN, APPROVAL, "visa"] {
        assert!(sent.contains(line), "payBill carried {line}: {sent}");
    }
    assert_eq!(cafe.mono.calls_to("/api/merchant/invoice/create").len(), 1, "one invoice");
}

async fn a_guest_who_cancels_has_the_monobank_invoice_removed_and_the_next_guest_pays_at_once(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    let (app, resto_id) = (&cafe.app, cafe.restaurant.resto_id.clone());
    let guest = guest_client();
    let (key, expected) = submit_pay(app, &guest, &resto_id, "b-32070").await;
    let form = [("idempotency_key", key.as_str()), ("expected_total", &expected), ("tip", "0"), ("tip_custom", "")];
    let paying = guest.post(format!("{}/b/{resto_id}/b-32070/pay", app.base)).form(&form).send().await.unwrap();
    let cookie = paying.headers()["set-cookie"].to_str().unwrap().split(';').next().unwrap().to_string();
    let (_, payments) = app.get_json(&format!("/api/admin/restaurants/{resto_id}/payments")).await;
    let payment_id = payments[0]["id"].as_str().unwrap().to_string();
    let invoice_id = payments[0]["acquirerRef"].as_str().expect("monobank's invoice id").to_string();
    let back = guest
        .get(format!("{}/b/{resto_id}/b-32070", app.base))
        .header("Cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(back.contains("Скасувати оплату"), "{back}");
    let cancel = guest
        .post(format!("{}/p/{payment_id}/cancel", app.base))
        .header("Cookie", &cookie)
        .form(&[("x", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(cancel.status(), 303);
    wait_for_status(app, &resto_id, &payment_id, "cancelled").await;
    let removed = cafe.mono.calls_to("/api/merchant/invoice/remove");
    assert_eq!(removed.len(), 1, "the invoice is removed at monobank");
    assert_eq!(removed[0].body["invoiceId"], invoice_id.as_str());
    let (next, _) = start_paying(&cafe, "b-32070", "0").await;
    assert_ne!(next, payment_id, "the next guest pays at once");
}

async fn a_payment_monobank_is_slow_to_create_is_not_expired_while_its_invoice_is_made(backend: Backend) {
    // The closer looks at every unfinished payment at once and often: a payment still waiting
    // for its invoice has no checkout yet, like one whose creator crashed, but must be left be.
    let timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(50),
        reconcile_after: Duration::ZERO,
        max_retry_delay: Duration::from_millis(200),
        ..Default::default()
    };
    let cafe = mono_cafe(backend, timings).await;
    cafe.mono.set_create_takes(Duration::from_secs(2));
    let (payment_id, page_url) = start_paying(&cafe, "b-32070", "0").await;
    let (_, detail) =
        cafe.app.get_json(&format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id)).await;
    let steps: Vec<&str> =
        detail["transitions"].as_array().unwrap().iter().map(|t| t["to"].as_str().unwrap()).collect();
    assert_eq!(steps, ["created", "created"], "stored, then sent to monobank, and nothing else: {detail}");
    assert_eq!(detail["checkoutUrl"], page_url.as_str());
    pay_on_monobank_page(&page_url).await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1);
}

async fn a_monobank_that_takes_longer_than_allowed_to_create_an_invoice_fails_the_payment_and_frees_the_bill(
    backend: Backend,
) {
    let timings =
        rahunok_server::config::PaymentTimings { create_charge_within: Duration::from_millis(500), ..no_polling() };
    let cafe = mono_cafe(backend, timings).await;
    cafe.mono.set_create_takes(Duration::from_secs(2));
    let failed = paying_fails_with_a_friendly_page_and_frees_the_bill(&cafe, &guest_client(), "b-32070").await;
    cafe.mono.set_create_takes(Duration::ZERO);
    let (next, _) = start_paying(&cafe, "b-32070", "0").await;
    assert_ne!(next, failed, "once monobank is quick again the guest pays");
}

/// The guest presses "Pay" on `bill_id` and monobank does not give a page: the guest is told no
/// money was taken, and the payment failed (releasing the bill). The failed payment's id.
async fn paying_fails_with_a_friendly_page_and_frees_the_bill(
    cafe: &MonoCafe,
    guest: &reqwest::Client,
    bill_id: &str,
) -> String {
    let resto_id = &cafe.restaurant.resto_id;
    let (key, expected) = submit_pay(&cafe.app, guest, resto_id, bill_id).await;
    let (status, _, page) = crate::payments::post_pay(&cafe.app, guest, resto_id, bill_id, &key, &expected).await;
    assert_eq!(status, 502);
    assert!(page.contains("Гроші не списано"), "{page}");
    let (_, failed) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto_id}/payments?status=failed")).await;
    assert_eq!(failed[0]["billId"], bill_id, "the payment failed and released the bill: {failed}");
    failed[0]["id"].as_str().unwrap().to_string()
}

/// A store from before credentials were kept by kind holds the restaurant's monobank token in
/// `restaurant_acquirers` (and has no `acquirer_credentials`): after the upgrade the restaurant
/// still takes payments with monobank, with that token, and the old column is left for an older
/// release.
async fn a_monobank_token_kept_by_an_older_release_still_charges_after_the_upgrade(backend: Backend) {
    let (storage, data) = fresh_storage(backend).await;
    let start = || async {
        let mut config = rahunok_server::Config::new(storage.clone());
        config.listen = "127.0.0.1:0".parse().unwrap();
        config.admin_token = Some("unused".into());
        config.admin_token_file = None;
        config.master_key = rahunok_server::config::MasterKeySource::Base64(TEST_MASTER_KEY.into());
        rahunok_server::Server::build(config).await.expect("the server starts")
    };
    // Built, never run (no closer left behind): the store as the older release left it.
    let older = start().await;
    let store = older.state().store.clone();
    let name = rahunok_server::store::RestaurantName::parse("Кав'ярня").unwrap();
    let (made, secret) = store.create_restaurant(&name).await.unwrap();
    let restaurant = Restaurant { resto_id: made.resto_id.clone(), secret };
    let sealed = store.master_key().seal(TOKEN.as_bytes(), &format!("acquirer.token:{}", restaurant.resto_id));
    sqlx::query(
        "INSERT INTO restaurant_acquirers (resto_id, kind, token_sealed, merchant_name, updated_at) \
         VALUES ($1, 'monobank', $2, $3, 0)",
    )
    .bind(&restaurant.resto_id)
    .bind(&sealed)
    .bind(MERCHANT)
    .execute(store.pool())
    .await
    .unwrap();
    sqlx::query("DROP TABLE acquirer_credentials").execute(store.pool()).await.unwrap();
    sqlx::query("DELETE FROM schema_migrations WHERE version = 13").execute(store.pool()).await.unwrap();
    drop((older, store));
    drop(start().await); // the upgrade; the next start finds the token adopted already

    let mono = MonobankEmulator::start().await;
    let options =
        AppOptions { payment_timings: no_polling(), monobank_api_url: Some(mono.url.clone()), ..AppOptions::default() };
    let app = spawn_app_on(storage.clone(), data, options).await;
    let pos = app.start_virtual_pos(&restaurant).await;
    let resto_id = restaurant.resto_id.clone();
    let (_, shown) = app.get_json(&format!("/api/admin/restaurants/{resto_id}/acquirer")).await;
    assert_eq!(shown, json!({"kind": "monobank", "merchantName": MERCHANT}));
    let cafe = MonoCafe { app, mono, restaurant, pos };
    let payment_id = pay_bill(&cafe, "b-32070").await;
    wait_for_status(&cafe.app, &resto_id, &payment_id, "closed").await;
    assert_eq!(cafe.mono.calls_to("/api/merchant/invoice/create").len(), 1, "monobank took the old token");
    let kept = sqlx::query("SELECT token_sealed FROM restaurant_acquirers WHERE resto_id = $1")
        .bind(&resto_id)
        .fetch_one(cafe.app.state.store.pool())
        .await
        .unwrap();
    let kept: Option<String> = sqlx::Row::get(&kept, "token_sealed");
    assert_eq!(kept.as_deref(), Some(sealed.as_str()), "the old column is left for an older release");
}

/// Polling soon and often; charges valid (and held) for `expire_after`.
fn quick_polling_expiring_after(expire_after: Duration) -> rahunok_server::config::PaymentTimings {
    rahunok_server::config::PaymentTimings { expire_after, ..quick_polling() }
}

async fn unfinished_payments_of_a_revoked_monobank_token_fail_once_their_charge_lapses_and_the_admin_is_told(
    backend: Backend,
) {
    let cafe = mono_cafe(backend, quick_polling_expiring_after(Duration::from_secs(3))).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    let resto_id = cafe.restaurant.resto_id.clone();
    let (payment_id, _) = start_paying(&cafe, "b-32070", "0").await;
    cafe.mono.set_token_revoked(true);
    let path = format!("/api/admin/restaurants/{resto_id}/payments/{payment_id}");
    let acquirer_path = format!("/api/admin/restaurants/{resto_id}/acquirer");
    // While its charge may still be paid at monobank, the payment keeps the bill, and the admin
    // sees why on the payment and on the restaurant's acquirer.
    let (noted, refused) = eventually("the refusal noted", || async {
        let noted = cafe.app.get_json(&path).await.1;
        let refused = cafe.app.get_json(&acquirer_path).await.1;
        (noted["lastError"].as_str().is_some_and(|e| e.contains("credentials"))
            && refused["credentialsRefused"].is_object())
        .then_some((noted, refused))
    })
    .await;
    assert_eq!(noted["status"], "created", "{noted}");
    assert!(noted["lastError"].as_str().unwrap().contains("403"), "monobank's words: {noted}");
    assert!(refused["credentialsRefused"]["reason"].as_str().unwrap().contains("403"), "{refused}");
    assert!(!refused.to_string().contains(TOKEN), "never the token: {refused}");
    // Once the charge has lapsed, nobody can pay it: failed, the bill free.
    let failed = wait_for_status(&cafe.app, &resto_id, &payment_id, "failed").await;
    let created_at = failed["createdAt"].as_i64().unwrap();
    let failed_at = failed["transitions"].as_array().unwrap().last().unwrap()["at"].as_i64().unwrap();
    assert!(failed_at >= created_at + 3_000, "not before the charge lapsed: {failed}");
    assert!(failed["lastError"].as_str().unwrap().contains("refuses the restaurant's credentials"), "{failed}");
    let note = failed["transitions"].as_array().unwrap().last().unwrap()["note"].to_string();
    assert!(note.contains("credentials"), "the timeline says why: {failed}");
    assert!(cafe.app.state.store.payment_holding_bill(&resto_id, "b-32070").await.unwrap().is_none(), "free");
    // The panel's card payments settings say so too.
    restaurant_admin(&cafe.app, "marta", &cafe.restaurant).await;
    let marta = PanelBrowser::new(&cafe.app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let settings = marta.get(&format!("/panel/r/{resto_id}/settings")).await;
    assert!(settings.body.contains("id=\"acquirer-refused\""), "{}", settings.body);
    assert!(!settings.body.contains(TOKEN), "never the token");
    // The admin saves the token again (restored at monobank): the notice is gone.
    cafe.mono.set_token_revoked(false);
    let (status, chosen) = cafe.app.put_acquirer(&resto_id, json!({"kind": "monobank", "token": TOKEN})).await;
    assert_eq!((status, chosen), (200, json!({"kind": "monobank", "merchantName": MERCHANT})));
}

async fn a_failed_polls_last_error_is_cleared_once_monobank_answers_again(backend: Backend) {
    let cafe = mono_cafe(backend, quick_polling()).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    let (payment_id, _) = start_paying(&cafe, "b-32070", "0").await;
    cafe.mono.fail_next(&[500, 500, 500, 500]);
    let path = format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id);
    eventually("the failed poll noted", || async {
        let noted = cafe.app.get_json(&path).await.1;
        noted["lastError"].as_str().is_some_and(|e| e.contains("500")).then_some(())
    })
    .await;
    let cleared = eventually("the error cleared", || async {
        let detail = cafe.app.get_json(&path).await.1;
        detail["lastError"].is_null().then_some(detail)
    })
    .await;
    assert_eq!(cleared["status"], "created", "still unpaid, and nothing wrong: {cleared}");
    assert!(cafe.mono.calls_answered("/api/merchant/invoice/status", 200) > 0, "monobank answered");
}

async fn the_receipt_of_an_unfinished_payment_asks_monobank_at_most_once_per_10_s_however_often_it_is_refreshed(
    backend: Backend,
) {
    let cafe = mono_cafe(backend, no_polling()).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    let (payment_id, _) = start_paying(&cafe, "b-32070", "0").await;
    let asked = || cafe.mono.calls_to("/api/merchant/invoice/status").len();
    assert_eq!(asked(), 0, "nothing polls");
    let guest = guest_client();
    for _ in 0..10 {
        let page = guest.get(format!("{}/p/{payment_id}", cafe.app.base)).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("data-status=\"created\""));
    }
    assert_eq!(asked(), 1, "the first look asks monobank, the next nine within 10 s do not");
}

on_both_stores!(
    unfinished_payments_of_a_revoked_monobank_token_fail_once_their_charge_lapses_and_the_admin_is_told,
    a_failed_polls_last_error_is_cleared_once_monobank_answers_again,
    the_receipt_of_an_unfinished_payment_asks_monobank_at_most_once_per_10_s_however_often_it_is_refreshed,
    a_monobank_token_kept_by_an_older_release_still_charges_after_the_upgrade,
    a_payment_monobank_is_slow_to_create_is_not_expired_while_its_invoice_is_made,
    a_monobank_that_takes_longer_than_allowed_to_create_an_invoice_fails_the_payment_and_frees_the_bill,
    a_guest_who_cancels_has_the_monobank_invoice_removed_and_the_next_guest_pays_at_once,
    the_invoice_carries_the_exact_amount_basket_reference_and_webhook_address,
    with_every_webhook_dropped_the_payment_still_closes_on_the_pos_by_polling,
    a_payment_monobank_will_not_answer_about_shows_why_and_closes_once_it_does,
    a_webhook_with_a_wrong_signature_is_refused_and_changes_nothing,
    after_monobank_rotates_its_key_the_next_genuine_webhook_verifies_with_one_refetch,
    webhooks_out_of_order_leave_the_payment_paid_and_repeats_are_harmless,
    partial_and_full_refunds_cancel_the_right_amounts_once_and_tell_the_pos_each_time,
    an_expired_unpaid_invoice_is_removed_at_monobank_and_the_bill_released,
    the_panel_refunds_part_of_a_payment_once_per_form,
    a_charge_returned_in_monobanks_cabinet_marks_the_payment_refunded_and_tells_the_pos_once,
    a_payment_paid_just_before_expiry_is_not_expired,
    an_invoice_monobank_will_not_remove_because_it_was_paid_is_kept_and_closes,
    the_merchant_token_never_shows_in_answers_logs_the_panel_or_the_database_in_clear,
    a_busy_monobank_is_retried_and_one_that_stays_down_gets_the_guest_a_friendly_page,
    the_sandbox_stays_the_default_and_a_restaurant_can_switch_back_to_it,
    the_receipt_shows_the_rrn_and_the_masked_card,
);
