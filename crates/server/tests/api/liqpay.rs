//! Paying with LiqPay, end to end over real HTTP against the LiqPay emulator: the signed checkout
//! our page posts, notifications lost, forged, repeated and out of order, status polling, a
//! success for another amount or currency, a success after a failure, refunds, expiry, keys
//! checked live, and the private key kept out of sight.

use crate::helpers::{eventually, spawn_app_with, AppOptions, Backend, Restaurant, TestApp};
use crate::liqpay_emulator::{
    decode, kopiyky_of, sign, LiqpayEmulator, Notifications, AUTHCODE, CARD_MASK, PRIVATE_KEY, PUBLIC_KEY, RRN,
};
use crate::monobank::{captured_logs, no_polling, quick_polling};
use crate::on_both_stores;
use crate::panel_auth::{csrf_of, restaurant_admin, PanelBrowser, PASSWORD};
use crate::payments::{guest_client, submit_pay, wait_for_status};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::Money;
use serde_json::{json, Value};
use std::time::Duration;

/// A café whose restaurant pays with LiqPay (the emulator), with its POS connected.
pub struct LiqCafe {
    pub app: TestApp,
    pub liqpay: LiqpayEmulator,
    pub restaurant: Restaurant,
    pub pos: VirtualPos,
}

/// The body that chooses LiqPay with the emulator's keys.
fn liqpay_keys(sandbox: bool) -> Value {
    json!({"kind": "liqpay", "publicKey": PUBLIC_KEY, "privateKey": PRIVATE_KEY, "sandbox": sandbox})
}

/// Polling and expiry as in `payment_timings`; LiqPay is the emulator; metrics served.
pub async fn liqpay_cafe(backend: Backend, payment_timings: rahunok_server::config::PaymentTimings) -> LiqCafe {
    let liqpay = LiqpayEmulator::start().await;
    let options = AppOptions {
        payment_timings,
        liqpay_api_url: Some(liqpay.url.clone()),
        metrics: true,
        ..AppOptions::default()
    };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Кав'ярня").await;
    let pos = app.start_virtual_pos(&restaurant).await;
    let (status, chosen) = app.put_acquirer(&restaurant.resto_id, liqpay_keys(false)).await;
    assert_eq!((status, chosen), (200, json!({"kind": "liqpay", "publicKey": PUBLIC_KEY})));
    LiqCafe { app, liqpay, restaurant, pos }
}

/// Our page that posts to LiqPay, as the guest's browser got it.
pub struct OurPage {
    pub url: String,
    pub html: String,
    pub policy: String,
}

/// The signed form on our page.
#[derive(Debug, Clone)]
pub struct CheckoutForm {
    pub action: String,
    pub data: String,
    pub signature: String,
}

impl OurPage {
    /// The form the guest posts to LiqPay.
    pub fn form(&self) -> CheckoutForm {
        let attribute = |marker: &str| {
            let start = self.html.find(marker).unwrap_or_else(|| panic!("no {marker} in {}", self.html)) + marker.len();
            self.html[start..].split('"').next().unwrap().to_string()
        };
        CheckoutForm {
            action: attribute("method=\"post\" action=\""),
            data: attribute("name=\"data\" value=\""),
            signature: attribute("name=\"signature\" value=\""),
        }
    }
}

/// The guest presses "Pay" on `bill_id` with `tip` percent and is sent to our LiqPay page: the
/// payment id and the page.
pub async fn start_paying(cafe: &LiqCafe, bill_id: &str, tip: &str) -> (String, OurPage) {
    let guest = guest_client();
    let (key, expected) = submit_pay(&cafe.app, &guest, &cafe.restaurant.resto_id, bill_id).await;
    let response = guest
        .post(format!("{}/b/{}/{bill_id}/pay", cafe.app.base, cafe.restaurant.resto_id))
        .form(&[("idempotency_key", key.as_str()), ("expected_total", &expected), ("tip", tip), ("tip_custom", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "the guest goes on to our LiqPay page");
    let url = response.headers()["location"].to_str().unwrap().to_string();
    let prefix = format!("{}/acquirer/liqpay/checkout/", cafe.app.base);
    let payment_id = url.strip_prefix(&prefix).unwrap_or_else(|| panic!("our LiqPay page: {url}")).to_string();
    (payment_id, our_page(&url).await)
}

/// Opens our LiqPay page.
pub async fn our_page(url: &str) -> OurPage {
    let response = guest_client().get(url).send().await.unwrap();
    assert_eq!(response.status(), 200, "our LiqPay page");
    let policy = response.headers()["content-security-policy"].to_str().unwrap().to_string();
    OurPage { url: url.to_string(), html: response.text().await.unwrap(), policy }
}

/// The guest's browser posts the signed form to LiqPay; LiqPay's page answers.
pub async fn post_checkout(form: &CheckoutForm) -> String {
    let response = guest_client()
        .post(&form.action)
        .form(&[("data", form.data.as_str()), ("signature", form.signature.as_str())])
        .send()
        .await
        .unwrap();
    let status = response.status();
    let page = response.text().await.unwrap();
    assert_eq!(status, 200, "LiqPay took the checkout: {page}");
    page
}

/// The guest pays (or is declined) on LiqPay's page; where LiqPay sends the guest back. The
/// redirect is not followed, so only notifications and polling tell the platform.
pub async fn press_on_liqpay(cafe: &LiqCafe, order_id: &str, success: bool) -> String {
    let outcome = if success { "success" } else { "failure" };
    let response = guest_client()
        .post(format!("{}/emulator/pay/{order_id}", cafe.liqpay.url))
        .form(&[("outcome", outcome)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 303, "LiqPay sends the guest back");
    response.headers()["location"].to_str().unwrap().to_string()
}

/// From "Pay" to paid on LiqPay's page: the payment id.
pub async fn pay_bill(cafe: &LiqCafe, bill_id: &str) -> String {
    let (payment_id, page) = start_paying(cafe, bill_id, "0").await;
    post_checkout(&page.form()).await;
    press_on_liqpay(cafe, &payment_id, true).await;
    payment_id
}

fn payment_path(cafe: &LiqCafe, payment_id: &str) -> String {
    format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id)
}

async fn pay_bill_requests(cafe: &LiqCafe) -> Vec<Value> {
    let path = format!("/api/admin/restaurants/{}/requests?operation=payBill", cafe.restaurant.resto_id);
    cafe.app.get_json(&path).await.1.as_array().cloned().unwrap_or_default()
}

fn money_of(detail: &Value, field: &str) -> Money {
    Money::parse(detail[field].to_string().trim_matches('"')).unwrap()
}

async fn the_checkout_data_decodes_to_the_exact_amount_currency_order_and_urls_and_its_signature_verifies(
    backend: Backend,
) {
    let cafe = liqpay_cafe(backend, no_polling()).await;
    let (payment_id, page) = start_paying(&cafe, "b-32071", "10").await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "created").await;
    let (bill, tip) = (money_of(&detail, "sum"), money_of(&detail, "tips"));
    assert_eq!(bill.kopiyky(), 70_290, "the bill of table 7");
    assert!(tip.kopiyky() > 0);
    let amount = bill + tip;

    let form = page.form();
    assert_eq!(form.action, format!("{}/api/3/checkout", cafe.liqpay.url));
    assert_eq!(form.signature, sign(PRIVATE_KEY, &form.data), "signed with the private key");
    let text = String::from_utf8(STANDARD.decode(&form.data).unwrap()).unwrap();
    assert!(text.contains(&format!("\"amount\":{amount},")), "the exact amount with two decimals: {text}");
    let data: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(data["version"], 3);
    assert_eq!(data["public_key"], PUBLIC_KEY);
    assert_eq!(data["action"], "pay");
    assert_eq!(data["currency"], "UAH");
    assert_eq!(data["order_id"], payment_id.as_str());
    assert_eq!(data["description"], "Кав'ярня, стіл 7, рахунок b-32071");
    assert_eq!(data["result_url"], format!("{}/p/{payment_id}", cafe.app.base));
    assert_eq!(data["server_url"], format!("{}/acquirer/liqpay/notify", cafe.app.base));
    assert_eq!(data["language"], "uk");
    assert!(data.get("sandbox").is_none(), "live keys: no test mode: {data}");
    assert_eq!(detail["acquirer"], "liqpay");
    assert_eq!(detail["acquirerRef"], payment_id.as_str(), "LiqPay files the charge under our payment id");

    assert!(
        page.policy.contains(&format!("form-action 'self' {};", cafe.liqpay.url)),
        "this page may post to LiqPay's origin: {}",
        page.policy
    );
    assert!(page.policy.contains("script-src 'self'"), "{}", page.policy);
    assert!(!page.html.contains("<script>") && !page.html.contains("onload"), "no inline script: {}", page.html);
    assert!(page.html.contains(&amount.to_string().replace('.', ",")), "the page shows what the guest pays");
    let bill_page =
        guest_client().get(format!("{}/b/{}/b-32070", cafe.app.base, cafe.restaurant.resto_id)).send().await.unwrap();
    let policy = bill_page.headers()["content-security-policy"].to_str().unwrap().to_string();
    assert!(policy.contains("form-action 'self';"), "other pages keep their own forms only: {policy}");

    let english = our_page(&format!("{}?lang=en", page.url)).await;
    assert_eq!(decode(&english.form().data)["language"], "en");
    let liqpays_page = post_checkout(&form).await;
    assert!(liqpays_page.contains("liqpay-pay"), "LiqPay verified the form: {liqpays_page}");
    let checkout = &cafe.liqpay.checkouts()[0];
    assert_eq!(kopiyky_of(&checkout.json["amount"]), Some(amount.kopiyky()));

    // In test mode the checkout says so, and LiqPay's `sandbox` pays.
    let (status, chosen) = cafe.app.put_acquirer(&cafe.restaurant.resto_id, liqpay_keys(true)).await;
    assert_eq!((status, chosen), (200, json!({"kind": "liqpay", "publicKey": PUBLIC_KEY, "sandbox": true})));
    let (test_payment, test_page) = start_paying(&cafe, "b-32072", "0").await;
    assert_eq!(decode(&test_page.form().data)["sandbox"], 1);
    post_checkout(&test_page.form()).await;
    press_on_liqpay(&cafe, &test_payment, true).await;
    assert_eq!(cafe.liqpay.order_status(&test_payment).as_deref(), Some("sandbox"));
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &test_payment, "closed").await;
}

async fn with_every_notification_dropped_the_liqpay_payment_still_closes_by_polling(backend: Backend) {
    let cafe = liqpay_cafe(backend, quick_polling()).await;
    cafe.liqpay.set_notifications(Notifications::Drop);
    let payment_id = pay_bill(&cafe, "b-32070").await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    assert!(cafe.liqpay.deliveries().is_empty(), "no notification ever arrived");
    let asked: Vec<_> =
        cafe.liqpay.calls_of("status").into_iter().filter(|c| c.data["order_id"] == payment_id.as_str()).collect();
    assert!(!asked.is_empty(), "the platform asked LiqPay for the status");
    assert!(asked.iter().all(|c| c.signed), "{asked:?}");
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1);
    assert!(detail["fiscal"].as_str().unwrap().contains(RRN), "{detail}");
}

async fn a_liqpay_notification_with_a_wrong_signature_is_refused_with_400_and_changes_nothing(backend: Backend) {
    let cafe = liqpay_cafe(backend, no_polling()).await;
    cafe.liqpay.set_notifications(Notifications::Drop);
    let (payment_id, page) = start_paying(&cafe, "b-32070", "0").await;
    post_checkout(&page.form()).await;
    assert_eq!(cafe.liqpay.forged_success(&payment_id).await, 400, "signed with another key");
    let notify = format!("{}/acquirer/liqpay/notify", cafe.app.base);
    let success = json!({"version": 3, "public_key": PUBLIC_KEY, "status": "success", "order_id": payment_id,
        "amount": 520, "currency": "UAH", "rrn_debit": "1", "sender_card_mask2": "4*1"});
    let data = STANDARD.encode(success.to_string());
    for (form, why) in [
        (vec![("data", data.as_str())], "no signature"),
        (vec![("data", data.as_str()), ("signature", "")], "an empty signature"),
        (vec![("data", data.as_str()), ("signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")], "a made-up signature"),
        (vec![("data", "not base64!"), ("signature", "x")], "data that is not base64 JSON"),
    ] {
        let answer = cafe.app.http.post(&notify).form(&form).send().await.unwrap();
        assert_eq!(answer.status(), 400, "{why}");
    }
    let mut another_merchant = success.clone();
    another_merchant["public_key"] = json!("sandbox_i00000000000");
    assert_eq!(cafe.liqpay.post_signed(&notify, &another_merchant).await, 400, "another merchant's order");
    let mut unknown = success.clone();
    unknown["order_id"] = json!("pay_nobodyEverMadeThis");
    assert_eq!(cafe.liqpay.post_signed(&notify, &unknown).await, 404, "an order we never made");

    let (_, detail) = cafe.app.get_json(&payment_path(&cafe, &payment_id)).await;
    assert_eq!(detail["status"], "created", "nothing moved: {detail}");
    assert_eq!(detail["transitions"].as_array().unwrap().len(), 2, "{detail}");
    assert!(cafe.pos.floor().paid("b-32070").is_none());
    assert!(pay_bill_requests(&cafe).await.is_empty());

    press_on_liqpay(&cafe, &payment_id, true).await;
    assert_eq!(cafe.liqpay.resend_notification(&payment_id).await, 200, "the genuine one is taken");
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
}

/// The admin API's view of a payment held for an operator, its panel pages, and the POS told
/// nothing: what every mismatch test checks.
async fn held_for_an_operator(cafe: &LiqCafe, payment_id: &str, reason: &str) -> Value {
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, payment_id, "amount_mismatch").await;
    let error = detail["lastError"].as_str().unwrap_or_default();
    assert!(error.contains(reason) && error.contains("we asked 520.00 UAH"), "the admin sees why: {detail}");
    let last = detail["transitions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["to"], "amount_mismatch", "{detail}");
    assert!(last["note"].as_str().unwrap_or_default().contains(reason), "the timeline says why: {last}");
    assert!(detail["fiscal"].as_str().unwrap_or_default().contains(RRN), "the card's details are kept: {detail}");
    let (_, list) = cafe
        .app
        .get_json(&format!("/api/admin/restaurants/{}/payments?status=amount_mismatch", cafe.restaurant.resto_id))
        .await;
    assert_eq!(list[0]["id"], payment_id, "{list}");

    restaurant_admin(&cafe.app, "marta", &cafe.restaurant).await;
    let marta = PanelBrowser::new(&cafe.app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let payments = marta.get(&format!("/panel/r/{}/payments", cafe.restaurant.resto_id)).await;
    assert!(payments.body.contains("id=\"needs-operator\""), "the list warns: {}", payments.body);
    assert!(payments.body.contains("data-status=\"amount_mismatch\""), "{}", payments.body);
    let page = marta.get(&format!("/panel/r/{}/payments/{payment_id}", cafe.restaurant.resto_id)).await;
    assert!(page.body.contains(reason), "the detail says why");
    assert!(page.body.contains("id=\"refund\""), "an operator can refund it");
    for shown in [CARD_MASK, RRN, "LiqPay"] {
        assert!(page.body.contains(shown), "{shown} in the panel");
    }

    // Nothing reaches the POS, now or later.
    cafe.app.state.payments.wake_closer();
    let (_, again) = cafe.app.get_json(&payment_path(cafe, payment_id)).await;
    assert_eq!(again["status"], "amount_mismatch");
    assert!(cafe.pos.floor().paid("b-32070").is_none(), "the bill is not closed");
    assert!(pay_bill_requests(cafe).await.is_empty(), "no payBill");
    let scrape = crate::metrics::scrape(&cafe.app).await;
    let counted = scrape.value("rahunok_acquirer_amount_mismatches_total", &[("acquirer", "liqpay")]);
    assert_eq!(counted, 1.0, "counted once");
    detail
}

async fn a_liqpay_success_for_another_amount_is_not_paid_and_the_admin_sees_it(backend: Backend) {
    let cafe = liqpay_cafe(backend, no_polling()).await;
    cafe.liqpay.set_states(Some("500.00"), None);
    let payment_id = pay_bill(&cafe, "b-32070").await;
    held_for_an_operator(&cafe, &payment_id, "reports 500.00 UAH charged").await;
    assert_eq!(cafe.liqpay.resend_notification(&payment_id).await, 200, "a repeat is harmless");
    let (_, again) = cafe.app.get_json(&payment_path(&cafe, &payment_id)).await;
    assert_eq!(again["status"], "amount_mismatch");
    let (next, _) = start_paying(&cafe, "b-32070", "0").await;
    assert_ne!(next, payment_id, "the bill is not held: it can be paid properly");
}

async fn a_liqpay_success_in_another_currency_is_not_paid_and_the_admin_sees_it(backend: Backend) {
    let cafe = liqpay_cafe(backend, quick_polling()).await;
    cafe.liqpay.set_notifications(Notifications::Drop);
    cafe.liqpay.set_states(None, Some("USD"));
    let payment_id = pay_bill(&cafe, "b-32070").await;
    held_for_an_operator(&cafe, &payment_id, "reports 520.00 USD charged").await;
    assert!(!cafe.liqpay.calls_of("status").is_empty(), "the status answer was held to the same rule");
}

async fn liqpay_notifications_repeated_and_out_of_order_leave_one_paid_payment_and_one_paybill(backend: Backend) {
    let cafe = liqpay_cafe(backend, no_polling()).await;
    cafe.liqpay.set_notifications(Notifications::Repeat);
    let first = pay_bill(&cafe, "b-32070").await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &first, "closed").await;
    cafe.liqpay.set_notifications(Notifications::Reorder);
    let second = pay_bill(&cafe, "b-32072").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &second, "closed").await;
    let statuses: Vec<String> =
        cafe.liqpay.deliveries().iter().filter(|d| d.order_id == second).map(|d| d.status.clone()).collect();
    assert_eq!(statuses, ["success", "processing"], "success came first, the older processing after");
    assert!(cafe.liqpay.deliveries().iter().all(|d| d.answered == 200), "{:?}", cafe.liqpay.deliveries());
    assert_eq!(cafe.liqpay.resend_notification(&first).await, 200);
    let (_, again) = cafe.app.get_json(&payment_path(&cafe, &first)).await;
    assert_eq!(again["transitions"], detail["transitions"], "repeats moved nothing");
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1);
    assert_eq!(cafe.pos.floor().paid("b-32072").unwrap().times_paid, 1);
    assert_eq!(pay_bill_requests(&cafe).await.len(), 2, "one payBill per bill");
}

async fn refund(cafe: &LiqCafe, payment_id: &str, body: Value) -> (u16, Value) {
    let path = format!("{}/refund", payment_path(cafe, payment_id));
    let response = cafe.app.admin(reqwest::Method::POST, &path).json(&body).send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_partial_then_a_full_liqpay_refund_asks_liqpay_once_each_with_the_right_amounts_and_tells_the_pos(
    backend: Backend,
) {
    let cafe = liqpay_cafe(backend, no_polling()).await;
    let payment_id = pay_bill(&cafe, "b-32070").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;

    let (status, partial) = refund(&cafe, &payment_id, json!({"amount": "100.50", "idempotencyKey": "first"})).await;
    assert_eq!((status, &partial["status"]), (200, &json!("closed")), "{partial}");
    let (status, _) = refund(&cafe, &payment_id, json!({"amount": "100.50", "idempotencyKey": "first"})).await;
    assert_eq!(status, 200, "a retried refund answers as the first did");
    let (status, too_much) = refund(&cafe, &payment_id, json!({"amount": "1000.00", "idempotencyKey": "greedy"})).await;
    assert_eq!(status, 400, "more than is left: {too_much}");
    let (status, full) = refund(&cafe, &payment_id, json!({"idempotencyKey": "rest"})).await;
    assert_eq!((status, &full["status"]), (200, &json!("refunded")), "{full}");

    let refunds = cafe.liqpay.calls_of("refund");
    let amounts: Vec<Option<i64>> = refunds.iter().map(|c| kopiyky_of(&c.data["amount"])).collect();
    assert_eq!(amounts, [Some(10_050), Some(52_000 - 10_050)], "asked once each: {refunds:?}");
    assert!(refunds.iter().all(|c| c.signed && c.data["order_id"] == payment_id.as_str()));
    assert_eq!(cafe.liqpay.order_status(&payment_id).as_deref(), Some("reversed"));

    let messages = eventually("the POS is told of both refunds", || async {
        let messages = cafe.pos.floor().messages().to_vec();
        (messages.len() >= 2).then_some(messages)
    })
    .await;
    assert!(messages[0].message.contains("100.50") && messages[1].message.contains("419.50"), "{messages:?}");
    let (_, detail) = cafe.app.get_json(&payment_path(&cafe, &payment_id)).await;
    assert_eq!(detail["status"], "refunded", "LiqPay's `reversed` notification changes nothing more");
}

async fn wrong_liqpay_keys_are_refused_with_the_reason_and_the_restaurant_stays_on_its_acquirer(backend: Backend) {
    let liqpay = LiqpayEmulator::start().await;
    let options = AppOptions { liqpay_api_url: Some(liqpay.url.clone()), ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Пекарня").await;
    let resto_id = &restaurant.resto_id;
    let shown = || async { app.get_json(&format!("/api/admin/restaurants/{resto_id}/acquirer")).await.1 };

    let wrong_private =
        json!({"kind": "liqpay", "publicKey": PUBLIC_KEY, "privateKey": "not-the-key", "sandbox": false});
    let (status, refused) = app.put_acquirer(resto_id, wrong_private).await;
    assert_eq!((status, refused["errCode"].as_str()), (400, Some("BAD_REQUEST")), "{refused}");
    let reason = refused["errText"].as_str().unwrap();
    assert!(reason.contains("LiqPay did not accept the keys") && reason.contains("invalid_signature"), "{reason}");
    assert!(!refused.to_string().contains("not-the-key"), "the refusal does not repeat the key");
    assert_eq!(shown().await, json!({"kind": "sandbox"}), "still on the sandbox");

    let wrong_public = json!({"kind": "liqpay", "publicKey": "i000", "privateKey": PRIVATE_KEY});
    let (status, refused) = app.put_acquirer(resto_id, wrong_public).await;
    assert_eq!(status, 400, "{refused}");
    assert!(refused["errText"].as_str().unwrap().contains("public_key_not_found"), "{refused}");
    assert!(!refused.to_string().contains(PRIVATE_KEY));

    for (body, names) in [
        (json!({"kind": "liqpay", "publicKey": PUBLIC_KEY}), "`privateKey`"),
        (json!({"kind": "liqpay", "publicKey": PUBLIC_KEY, "privateKey": PRIVATE_KEY, "sandbox": "yes"}), "`sandbox`"),
        (json!({"kind": "liqpay", "publicKey": 42, "privateKey": PRIVATE_KEY}), "`publicKey`"),
    ] {
        let (status, refused) = app.put_acquirer(resto_id, body.clone()).await;
        assert_eq!(status, 400, "{body}: {refused}");
        assert!(refused["errText"].as_str().unwrap().contains(names), "{body}: {refused}");
        assert!(!refused.to_string().contains(PRIVATE_KEY));
    }
    assert_eq!(shown().await, json!({"kind": "sandbox"}), "nothing changed");

    let (status, _) = app.put_acquirer(resto_id, liqpay_keys(false)).await;
    assert_eq!(status, 200);
    let (status, refused) =
        app.put_acquirer(resto_id, json!({"kind": "liqpay", "publicKey": "i000", "privateKey": "x"})).await;
    assert_eq!(status, 400, "{refused}");
    liqpay.fail_next(&[500, 500, 500, 500]);
    let (status, unreachable) = app.put_acquirer(resto_id, liqpay_keys(true)).await;
    assert_eq!((status, unreachable["errCode"].as_str()), (502, Some("ACQUIRER_UNAVAILABLE")), "{unreachable}");
    assert_eq!(shown().await, json!({"kind": "liqpay", "publicKey": PUBLIC_KEY}), "the saved keys stand");
    let probes = liqpay.calls_of("status");
    assert!(
        probes.iter().all(|c| c.data["order_id"].as_str().unwrap().starts_with("rahunok-key-check-")),
        "{probes:?}"
    );
}

async fn the_liqpay_private_key_never_shows_in_answers_logs_the_panel_or_the_database_in_clear(backend: Backend) {
    let logs = captured_logs();
    let cafe = liqpay_cafe(backend, no_polling()).await;
    let resto = &cafe.restaurant.resto_id;
    let (_, shown) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}/acquirer")).await;
    assert_eq!(shown, json!({"kind": "liqpay", "publicKey": PUBLIC_KEY}));
    let (_, restaurant) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}")).await;
    let (payment_id, page) = start_paying(&cafe, "b-32070", "0").await;
    post_checkout(&page.form()).await;
    press_on_liqpay(&cafe, &payment_id, true).await;
    wait_for_status(&cafe.app, resto, &payment_id, "closed").await;
    let (_, payment) = cafe.app.get_json(&payment_path(&cafe, &payment_id)).await;
    let (_, refused) =
        cafe.app.put_acquirer(resto, json!({"kind": "liqpay", "publicKey": PUBLIC_KEY, "privateKey": "wrong"})).await;
    for answer in [&shown, &restaurant, &payment, &refused] {
        assert!(!answer.to_string().contains(PRIVATE_KEY), "{answer}");
    }
    assert!(!page.html.contains(PRIVATE_KEY), "our checkout page carries only the signature");

    restaurant_admin(&cafe.app, "marta", &cafe.restaurant).await;
    let marta = PanelBrowser::new(&cafe.app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let settings_path = format!("/panel/r/{resto}/settings");
    let settings = marta.get(&settings_path).await;
    assert!(settings.body.contains(PUBLIC_KEY), "the panel shows the public key");
    assert!(settings.body.contains("name=\"liqpay.sandbox\""), "and the test-mode flag");
    assert!(!settings.body.contains(PRIVATE_KEY), "never the private key");
    let csrf = csrf_of(&settings.body);
    let acquirer_path = format!("{settings_path}/acquirer");
    let fields = |private: &'static str, sandbox: Option<&'static str>| {
        let mut fields = vec![
            ("csrf", csrf.clone()),
            ("kind", "liqpay".to_string()),
            ("liqpay.publicKey", PUBLIC_KEY.to_string()),
            ("liqpay.privateKey", private.to_string()),
        ];
        if let Some(on) = sandbox {
            fields.push(("liqpay.sandbox", on.to_string()));
        }
        fields
    };
    let post = |fields: Vec<(&'static str, String)>| {
        let marta = &marta;
        let path = acquirer_path.clone();
        async move {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            marta.post_form(&path, &fields).await
        }
    };
    let refused = post(fields("wrong-private-key", None)).await;
    assert!(refused.location.ends_with("saved=token-refused"), "{}", refused.location);
    let kept = post(fields("", Some("true"))).await;
    assert!(kept.location.ends_with("saved=acquirer"), "an empty private key keeps the saved one: {}", kept.location);
    let (_, now) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}/acquirer")).await;
    assert_eq!(now, json!({"kind": "liqpay", "publicKey": PUBLIC_KEY, "sandbox": true}), "the box ticked: test mode");
    let off = post(fields("", None)).await;
    assert!(off.location.ends_with("saved=acquirer"), "{}", off.location);
    let (_, now) = cafe.app.get_json(&format!("/api/admin/restaurants/{resto}/acquirer")).await;
    assert_eq!(now, json!({"kind": "liqpay", "publicKey": PUBLIC_KEY}), "unticked: live");
    let page = marta.get(&format!("{settings_path}?saved=acquirer")).await;
    assert!(!page.body.contains(PRIVATE_KEY));
    let detail = marta.get(&format!("/panel/r/{resto}/payments/{payment_id}")).await;
    assert!(!detail.body.contains(PRIVATE_KEY));

    let logged = String::from_utf8_lossy(&logs.lock().unwrap()).to_string();
    crate::secrets_at_rest::assert_kept_secret(&cafe.app.state.store, backend, PRIVATE_KEY, &logged, "liqpay").await;
}

async fn the_liqpay_receipt_and_paybill_carry_liqpay_the_masked_card_the_approval_code_and_the_rrn(backend: Backend) {
    let cafe = liqpay_cafe(backend, no_polling()).await;
    let (payment_id, page) = start_paying(&cafe, "b-32072", "0").await;
    post_checkout(&page.form()).await;
    let back = press_on_liqpay(&cafe, &payment_id, true).await;
    assert_eq!(back, format!("{}/p/{payment_id}", cafe.app.base), "LiqPay sends the guest to the receipt");
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    let receipt = guest_client().get(&back).send().await.unwrap().text().await.unwrap();
    for shown in ["LiqPay", CARD_MASK, RRN, AUTHCODE] {
        assert!(receipt.contains(shown), "{shown} on the receipt: {receipt}");
    }
    let sent = pay_bill_requests(&cafe).await;
    assert_eq!(sent.len(), 1, "one payBill");
    let body = sent[0]["requestBody"].as_str().unwrap_or_default();
    for line in ["LiqPay", CARD_MASK, RRN, AUTHCODE, payment_id.as_str()] {
        assert!(body.contains(line), "payBill carried {line}: {body}");
    }
    assert_eq!(cafe.pos.floor().paid("b-32072").unwrap().times_paid, 1);
    assert_eq!(cafe.liqpay.charges(), 1, "one charge");
}

async fn an_unpaid_liqpay_payment_expires_and_frees_the_bill(backend: Backend) {
    let timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::from_millis(200),
        expire_after: Duration::from_millis(500),
        ..Default::default()
    };
    let cafe = liqpay_cafe(backend, timings).await;
    let (payment_id, page) = start_paying(&cafe, "b-32070", "0").await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "expired").await;
    assert!(!cafe.liqpay.calls_of("status").is_empty(), "LiqPay was asked before expiring");
    let late = guest_client().get(&page.url).send().await.unwrap();
    assert_eq!(late.status(), 303, "our page no longer offers LiqPay's checkout");
    assert_eq!(late.headers()["location"], format!("/p/{payment_id}").as_str());
    assert!(cafe.pos.floor().open_order("b-32070").is_some());
    let (again, _) = start_paying(&cafe, "b-32070", "0").await;
    assert_ne!(again, payment_id, "the bill is free for a new payment");
}

async fn a_liqpay_success_after_a_failure_is_confirmed_by_status_and_paid_while_the_bill_is_free(backend: Backend) {
    let cafe = liqpay_cafe(backend, no_polling()).await;
    let (payment_id, page) = start_paying(&cafe, "b-32070", "0").await;
    post_checkout(&page.form()).await;
    press_on_liqpay(&cafe, &payment_id, false).await;
    let failed = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "failed").await;
    assert!(failed["lastError"].as_str().unwrap_or_default().contains("limit"), "{failed}");
    let asked = cafe.liqpay.calls_of("status").len();
    assert!(asked >= 1, "a failure is believed once LiqPay's status confirms it");

    // The guest tries another card on LiqPay's page, still open.
    press_on_liqpay(&cafe, &payment_id, true).await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    assert!(cafe.liqpay.calls_of("status").len() > asked, "the late success was asked about");
    let steps: Vec<&str> =
        detail["transitions"].as_array().unwrap().iter().map(|t| t["to"].as_str().unwrap()).collect();
    assert_eq!(steps, ["created", "created", "failed", "paid", "closing_on_pos", "closed"], "{detail}");
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1);
}

async fn a_charge_liqpay_takes_after_another_payment_holds_the_bill_is_held_as_a_late_charge(backend: Backend) {
    let cafe = liqpay_cafe(backend, no_polling()).await;
    let (first, page) = start_paying(&cafe, "b-32070", "0").await;
    post_checkout(&page.form()).await;
    press_on_liqpay(&cafe, &first, false).await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &first, "failed").await;
    let (second, second_page) = start_paying(&cafe, "b-32070", "0").await;
    assert_ne!(second, first);

    press_on_liqpay(&cafe, &first, true).await;
    let held = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &first, "late_charge").await;
    let reason = held["lastError"].as_str().unwrap_or_default();
    assert!(reason.contains("after the payment had ended") && reason.contains(&second), "{held}");
    let scrape = crate::metrics::scrape(&cafe.app).await;
    assert_eq!(scrape.value("rahunok_acquirer_late_charges_total", &[("acquirer", "liqpay")]), 1.0);
    assert!(cafe.pos.floor().paid("b-32070").is_none(), "nothing reached the POS");

    let (status, refunded) = refund_all(&cafe, &first).await;
    assert_eq!((status, &refunded["status"]), (200, &json!("refunded")), "an operator returns it: {refunded}");
    post_checkout(&second_page.form()).await;
    press_on_liqpay(&cafe, &second, true).await;
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &second, "closed").await;
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1);
    assert!(cafe.pos.floor().messages().is_empty(), "the POS never heard of the late charge, nor of its refund");
}

async fn refund_all(cafe: &LiqCafe, payment_id: &str) -> (u16, Value) {
    refund(cafe, payment_id, json!({"idempotencyKey": "operator"})).await
}

on_both_stores!(
    the_checkout_data_decodes_to_the_exact_amount_currency_order_and_urls_and_its_signature_verifies,
    with_every_notification_dropped_the_liqpay_payment_still_closes_by_polling,
    a_liqpay_notification_with_a_wrong_signature_is_refused_with_400_and_changes_nothing,
    a_liqpay_success_for_another_amount_is_not_paid_and_the_admin_sees_it,
    a_liqpay_success_in_another_currency_is_not_paid_and_the_admin_sees_it,
    liqpay_notifications_repeated_and_out_of_order_leave_one_paid_payment_and_one_paybill,
    a_partial_then_a_full_liqpay_refund_asks_liqpay_once_each_with_the_right_amounts_and_tells_the_pos,
    wrong_liqpay_keys_are_refused_with_the_reason_and_the_restaurant_stays_on_its_acquirer,
    the_liqpay_private_key_never_shows_in_answers_logs_the_panel_or_the_database_in_clear,
    the_liqpay_receipt_and_paybill_carry_liqpay_the_masked_card_the_approval_code_and_the_rrn,
    an_unpaid_liqpay_payment_expires_and_frees_the_bill,
    a_liqpay_success_after_a_failure_is_confirmed_by_status_and_paid_while_the_bill_is_free,
    a_charge_liqpay_takes_after_another_payment_holds_the_bill_is_held_as_a_late_charge,
);
