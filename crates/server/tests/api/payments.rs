//! Payments over real HTTP, the way a guest's browser drives them (forms and redirects): one
//! charge per bill whatever the guests do, retries of an unclosed bill, refunds.

use crate::helpers::{eventually, spawn_app, spawn_app_with, AppOptions, Backend, Restaurant, TestApp};
use crate::on_both_stores;
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::Money;
use rahunok_server::payments::sandbox::paid_charges_for_bill;
use serde_json::Value;
use std::time::Duration;

/// A browser-like client that does not follow redirects, so each step can be checked.
pub fn guest_client() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// An answer to a phone: status, `Location`, body.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub body: String,
}

/// A phone's guest cookie, handled by hand as a browser would: sent with each request, replaced
/// by what the server sets.
#[derive(Default, Clone)]
pub struct GuestCookie(Option<String>);

impl GuestCookie {
    /// True once the server gave this phone its guest cookie.
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// Sends `request` with the cookie and keeps the one the answer sets.
    pub async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        let request = match &self.0 {
            Some(cookie) => request.header("Cookie", cookie.clone()),
            None => request,
        };
        let response = request.send().await.unwrap();
        for set in response.headers().get_all("set-cookie") {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_string();
            if pair.starts_with("rahunok_guest=") {
                self.0 = Some(pair);
            }
        }
        let status = response.status().as_u16();
        let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
        Answer { status, location, body: response.text().await.unwrap() }
    }
}

/// The hidden field `name` of the pay form on a bill page.
pub fn form_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no {name} in the page")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Opens the bill page and submits its pay form with `tip` percent; returns status and Location.
pub async fn submit_pay(app: &TestApp, guest: &reqwest::Client, resto_id: &str, bill_id: &str) -> (String, String) {
    let html = guest.get(format!("{}/b/{resto_id}/{bill_id}", app.base)).send().await.unwrap().text().await.unwrap();
    (form_field(&html, "idempotency_key"), form_field(&html, "expected_total"))
}

pub async fn post_pay(
    app: &TestApp,
    guest: &reqwest::Client,
    resto_id: &str,
    bill_id: &str,
    key: &str,
    expected: &str,
) -> (u16, String, String) {
    let response = guest
        .post(format!("{}/b/{resto_id}/{bill_id}/pay", app.base))
        .form(&[("idempotency_key", key), ("expected_total", expected), ("tip", "0"), ("tip_custom", "")])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default();
    (status, location, response.text().await.unwrap())
}

/// Pays at the sandbox card page; returns where the guest is sent back to.
pub async fn pay_at_sandbox(guest: &reqwest::Client, checkout: &str, card: &str) -> String {
    let response =
        guest.post(checkout).form(&[("card", card), ("expiry", "12/30"), ("cvc", "123")]).send().await.unwrap();
    assert_eq!(response.status(), 303, "the sandbox sends the guest back");
    response.headers()["location"].to_str().unwrap().to_string()
}

pub async fn wait_for_status(app: &TestApp, resto_id: &str, payment_id: &str, status: &str) -> Value {
    let mut detail = Value::Null;
    for _ in 0..150 {
        detail = app.get_json(&format!("/api/admin/restaurants/{resto_id}/payments/{payment_id}")).await.1;
        if detail["status"] == status {
            return detail;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("payment {payment_id} never reached {status}: {detail}");
}

/// The closer looks every 0.1 s and asks the acquirer about an unfinished payment at once.
fn quick_polling() -> AppOptions {
    let payment_timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::ZERO,
        max_retry_delay: Duration::from_millis(200),
        ..Default::default()
    };
    AppOptions { payment_timings, ..AppOptions::default() }
}

/// Payments unfinished for 0.3 s expire; the closer looks every 0.1 s.
fn quick_expiry() -> AppOptions {
    let payment_timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::ZERO,
        expire_after: Duration::from_millis(300),
        ..Default::default()
    };
    AppOptions { payment_timings, ..AppOptions::default() }
}

pub async fn cafe(app: &TestApp) -> (Restaurant, VirtualPos) {
    let restaurant = app.create_restaurant("Кав'ярня").await;
    let pos = app.start_virtual_pos(&restaurant).await;
    (restaurant, pos)
}

async fn two_guests_paying_one_bill_at_once_are_charged_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, pos) = cafe(&app).await;
    let (alice, bob) = (guest_client(), guest_client());
    let (alice_key, expected) = submit_pay(&app, &alice, &r.resto_id, "b-32070").await;
    let (bob_key, _) = submit_pay(&app, &bob, &r.resto_id, "b-32070").await;
    assert_ne!(alice_key, bob_key);
    let (a, b) = tokio::join!(
        post_pay(&app, &alice, &r.resto_id, "b-32070", &alice_key, &expected),
        post_pay(&app, &bob, &r.resto_id, "b-32070", &bob_key, &expected),
    );
    let mut outcomes = [a.0, b.0];
    outcomes.sort();
    assert_eq!(outcomes, [303, 409], "one guest goes to pay, the other is told someone is paying");
    let (winner, winner_key, checkout) = if a.0 == 303 { (&alice, &alice_key, a.1) } else { (&bob, &bob_key, b.1) };
    let loser_page = if a.0 == 409 { a.2 } else { b.2 };
    assert!(loser_page.contains("Хтось уже сплачує"), "{loser_page}");
    // A double click: the same key lands on the same payment.
    let again = post_pay(&app, winner, &r.resto_id, "b-32070", winner_key, &expected).await;
    assert_eq!((again.0, again.1.as_str()), (303, checkout.as_str()));

    let back = pay_at_sandbox(winner, &checkout, "4242424242424242").await;
    let payment_id = back.rsplit('/').next().unwrap().to_string();
    wait_for_status(&app, &r.resto_id, &payment_id, "closed").await;
    assert_eq!(paid_charges_for_bill(&app.state.store, &r.resto_id, "b-32070").await.unwrap(), 1, "one charge");
    assert_eq!(pos.floor().paid("b-32070").unwrap().times_paid, 1, "one payBill closed it");
    let log = app.get_json(&format!("/api/admin/restaurants/{}/requests?operation=payBill", r.resto_id)).await.1;
    assert_eq!(log.as_array().unwrap().len(), 1, "exactly one payBill was sent: {log}");

    // A latecomer with the old page: the bill is paid, nothing is charged again.
    let late = post_pay(&app, &guest_client(), &r.resto_id, "b-32070", "late-guest-key-123", &expected).await;
    assert_eq!(late.0, 200);
    assert!(late.2.contains("Рахунок сплачено ✓"), "{}", late.2);
    assert_eq!(paid_charges_for_bill(&app.state.store, &r.resto_id, "b-32070").await.unwrap(), 1);
}

async fn a_bill_the_pos_will_not_close_is_retried_and_listed_until_it_closes(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, pos) = cafe(&app).await;
    pos.floor().lock("b-32072");
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &r.resto_id, "b-32072").await;
    let (status, checkout, _) = post_pay(&app, &guest, &r.resto_id, "b-32072", &key, &expected).await;
    assert_eq!(status, 303);
    let back = pay_at_sandbox(&guest, &checkout, "4242424242424242").await;
    let payment_id = back.rsplit('/').next().unwrap().to_string();
    let detail = wait_for_status(&app, &r.resto_id, &payment_id, "paid_not_closed").await;
    assert!(detail["lastError"].as_str().unwrap().contains("ORDER_LOCKED"), "{detail}");
    let (_, listed) =
        app.get_json(&format!("/api/admin/restaurants/{}/payments?status=paid_not_closed", r.resto_id)).await;
    assert_eq!(listed[0]["id"], payment_id.as_str());
    let receipt = guest.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(receipt.contains("ми повторюємо автоматично"), "the guest is told it is paid: {receipt}");

    pos.floor().unlock("b-32072");
    let retry =
        app.admin(reqwest::Method::POST, &format!("/api/admin/restaurants/{}/payments/{payment_id}/retry", r.resto_id));
    assert_eq!(retry.send().await.unwrap().status(), 200);
    let detail = wait_for_status(&app, &r.resto_id, &payment_id, "closed").await;
    let steps: Vec<&str> =
        detail["transitions"].as_array().unwrap().iter().map(|t| t["to"].as_str().unwrap()).collect();
    assert_eq!(steps, ["created", "created", "paid", "closing_on_pos", "paid_not_closed", "closing_on_pos", "closed"]);
    assert_eq!(pos.floor().paid("b-32072").unwrap().times_paid, 1);
}

async fn a_refund_returns_the_money_and_tells_the_pos(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, pos) = cafe(&app).await;
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &r.resto_id, "b-32070").await;
    let (_, checkout, _) = post_pay(&app, &guest, &r.resto_id, "b-32070", &key, &expected).await;
    let back = pay_at_sandbox(&guest, &checkout, "4242424242424242").await;
    let payment_id = back.rsplit('/').next().unwrap().to_string();
    wait_for_status(&app, &r.resto_id, &payment_id, "closed").await;
    let refund_path = format!("/api/admin/restaurants/{}/payments/{payment_id}/refund", r.resto_id);
    let refunded: Value = app.admin(reqwest::Method::POST, &refund_path).send().await.unwrap().json().await.unwrap();
    assert_eq!(refunded["status"], "refunded");
    let again = app.admin(reqwest::Method::POST, &refund_path).send().await.unwrap();
    assert_eq!(again.status(), 409, "a payment is refunded once");
    for _ in 0..100 {
        if !pos.floor().messages().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = pos.floor().messages().first().cloned().expect("the POS was told");
    assert_eq!(message.bill_id.as_deref(), Some("b-32070"));
    assert!(message.warning && message.message.contains("b-32070"));
    let unknown =
        app.admin(reqwest::Method::POST, &format!("/api/admin/restaurants/{}/payments/nope/refund", r.resto_id));
    assert_eq!(unknown.send().await.unwrap().status(), 404);
    let (status, _) = app.get_json(&format!("/api/admin/restaurants/{}/payments?status=bogus", r.resto_id)).await;
    assert_eq!(status, 400);
    assert_eq!(Money::parse("520.00").unwrap().kopiyky().to_string(), expected);
}

async fn an_unfinished_payment_expires_and_can_no_longer_be_paid(backend: Backend) {
    let app = spawn_app_with(backend, quick_expiry()).await;
    let (r, pos) = cafe(&app).await;
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &r.resto_id, "b-32070").await;
    let (_, checkout, _) = post_pay(&app, &guest, &r.resto_id, "b-32070", &key, &expected).await;
    let (_, payments) = app.get_json(&format!("/api/admin/restaurants/{}/payments", r.resto_id)).await;
    let payment_id = payments[0]["id"].as_str().unwrap().to_string();
    wait_for_status(&app, &r.resto_id, &payment_id, "expired").await;
    // The guest comes back to the card page late: nothing can be charged any more.
    let late = guest
        .post(&checkout)
        .form(&[("card", "4242424242424242"), ("expiry", "12/30"), ("cvc", "123")])
        .send()
        .await
        .unwrap();
    assert_eq!(late.status(), 303);
    assert_eq!(paid_charges_for_bill(&app.state.store, &r.resto_id, "b-32070").await.unwrap(), 0);
    assert!(pos.floor().open_order("b-32070").is_some());
    // The bill is free again: a new payment can start.
    let (key, expected) = submit_pay(&app, &guest, &r.resto_id, "b-32070").await;
    assert_eq!(post_pay(&app, &guest, &r.resto_id, "b-32070", &key, &expected).await.0, 303);
}

async fn a_payment_the_acquirer_never_heard_of_expires_and_frees_the_bill(backend: Backend) {
    // As after a crash between storing the payment and calling the acquirer.
    let app = spawn_app_with(backend, quick_expiry()).await;
    let (r, _pos) = cafe(&app).await;
    let orphan = unsent_payment("pay_orphan", &r.resto_id, "b-32070", "520");
    app.state.store.create_payment(&orphan).await.unwrap();
    wait_for_status(&app, &r.resto_id, "pay_orphan", "expired").await;
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &r.resto_id, "b-32070").await;
    assert_eq!(post_pay(&app, &guest, &r.resto_id, "b-32070", &key, &expected).await.0, 303, "the bill is free again");
}

async fn an_orphan_payment_is_released_within_30_s_of_a_restart_with_default_timings(backend: Backend) {
    // A crash between storing the payment and the acquirer's answer leaves it without a
    // checkout, held by this node for as long as the acquirer may take (90 s by default); after
    // the restart the node gives back what its previous run held, the closer expires the
    // payment, and the bill can be paid again.
    let app = spawn_app(backend).await;
    let (r, _pos) = cafe(&app).await;
    let orphan = unsent_payment("pay_orphan_restart", &r.resto_id, "b-32070", "520");
    let held_until = rahunok_server::store::now_ms() + 3_600_000;
    app.state.store.create_payment_held(&orphan, app.state.payments.node(), held_until).await.unwrap();
    let app = app.restart().await;
    let _pos = app.start_virtual_pos(&r).await;
    let path = format!("/api/admin/restaurants/{}/payments/pay_orphan_restart", r.resto_id);
    let mut detail = Value::Null;
    for _ in 0..300 {
        detail = app.get_json(&path).await.1;
        if detail["status"] == "expired" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(detail["status"], "expired", "released within 30 s: {detail}");
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &r.resto_id, "b-32070").await;
    assert_eq!(post_pay(&app, &guest, &r.resto_id, "b-32070", &key, &expected).await.0, 303, "the bill is free again");
}

/// A payment left as a crash 2–50 ms into `POST …/pay` leaves it: stored, its charge made at
/// the sandbox and recorded, but the answer sending the guest there never returned (so never
/// handed to the guest), held by this node until `held_until`. The sandbox charge's reference.
async fn left_unanswered_by_a_crash(app: &TestApp, id: &str, resto_id: &str, bill_id: &str, held_until: i64) -> String {
    use rahunok_server::payments::acquirer::ChargeRequest;
    use rahunok_server::store::{PaymentStatus, TransitionChanges};
    let store = &app.state.store;
    let payment = unsent_payment(id, resto_id, bill_id, "520");
    store.create_payment_held(&payment, app.state.payments.node(), held_until).await.unwrap();
    let acquirer = app.state.payments.acquirers().for_new_payment(resto_id).await.unwrap();
    let charge = ChargeRequest {
        reference: id.into(),
        amount: payment.sum,
        description: "Кав'ярня".into(),
        return_url: format!("{}/p/{id}", app.base),
        basket: Vec::new(),
        validity: Duration::from_secs(900),
    };
    let checkout = acquirer.create(charge).await.unwrap();
    let changes =
        TransitionChanges { checkout: Some((checkout.acquirer_ref.clone(), checkout.url)), ..Default::default() };
    let (created, note) = (PaymentStatus::Created, "sent to the acquirer");
    assert!(store.transition_payment(id, created, created, note, changes).await.unwrap());
    checkout.acquirer_ref
}

/// The sandbox charge `reference` was withdrawn (no guest can pay it any more).
async fn assert_withdrawn(app: &TestApp, reference: &str) {
    let charge = app.state.store.sandbox_charge(reference).await.unwrap().expect("the charge");
    assert_eq!(charge.status, rahunok_server::store::SandboxChargeStatus::Cancelled, "the charge was cancelled");
}

/// The payment as the admin sees it once it has `status`, within `eventually`'s bound.
async fn within_seconds(app: &TestApp, resto_id: &str, id: &str, status: &str) -> Value {
    let path = format!("/api/admin/restaurants/{resto_id}/payments/{id}");
    eventually(&format!("{id} {status}"), || async {
        let detail = app.get_json(&path).await.1;
        (detail["status"] == status).then_some(detail)
    })
    .await
}

async fn a_payment_whose_guest_never_got_its_page_is_released_at_restart_and_its_charge_withdrawn(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, _pos) = cafe(&app).await;
    let held_until = rahunok_server::store::now_ms() + 3_600_000;
    let reference = left_unanswered_by_a_crash(&app, "pay_unanswered", &r.resto_id, "b-32070", held_until).await;
    let app = app.restart().await;
    let _pos = app.start_virtual_pos(&r).await;
    let detail = within_seconds(&app, &r.resto_id, "pay_unanswered", "expired").await;
    assert!(detail.to_string().contains("never got its page"), "the timeline says why: {detail}");
    assert_withdrawn(&app, &reference).await;
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &r.resto_id, "b-32070").await;
    assert_eq!(post_pay(&app, &guest, &r.resto_id, "b-32070", &key, &expected).await.0, 303, "the bill is free again");
}

async fn a_payment_whose_guest_never_got_its_page_is_released_by_another_node_once_its_lease_runs_out(
    backend: Backend,
) {
    // Its creator died and did not come back: nobody gives its lease back, it runs out.
    let app = spawn_app(backend).await;
    let (r, _pos) = cafe(&app).await;
    let held_until = rahunok_server::store::now_ms() + 1_000;
    let reference = left_unanswered_by_a_crash(&app, "pay_unanswered", &r.resto_id, "b-32070", held_until).await;
    let detail = within_seconds(&app, &r.resto_id, "pay_unanswered", "expired").await;
    let released_at = detail["transitions"].as_array().unwrap().last().unwrap()["at"].as_i64().unwrap();
    assert!(released_at >= held_until, "not while its creator held it: {detail}");
    assert_withdrawn(&app, &reference).await;
}

async fn a_payment_whose_guest_got_its_page_keeps_the_bill_across_a_restart(backend: Backend) {
    let app = spawn_app_with(backend, quick_polling()).await;
    let (r, _pos) = cafe(&app).await;
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &r.resto_id, "b-32070").await;
    let (status, checkout, _) = post_pay(&app, &guest, &r.resto_id, "b-32070", &key, &expected).await;
    assert_eq!(status, 303, "sent to the sandbox's page");
    let (_, payments) = app.get_json(&format!("/api/admin/restaurants/{}/payments", r.resto_id)).await;
    let payment_id = payments[0]["id"].as_str().unwrap().to_string();
    let payment = app.state.store.payment_by_id(&payment_id).await.unwrap().unwrap();
    assert!(!payment.awaiting_guest && payment.lease_until.is_none(), "handed to the guest, its lease given back");
    let before = app.base.clone();
    let app = app.restart().await;
    let _pos = app.start_virtual_pos(&r).await;
    // The closer looks every 0.1 s and asks the sandbox at once: ten passes leave it as it is.
    tokio::time::sleep(Duration::from_secs(1)).await;
    let payment = app.state.store.payment_by_id(&payment_id).await.unwrap().unwrap();
    assert_eq!(payment.status, rahunok_server::store::PaymentStatus::Created, "the guest is paying");
    // The restarted server listens on another port.
    let back = pay_at_sandbox(&guest, &checkout.replace(&before, &app.base), "4242424242424242").await;
    assert!(back.ends_with(&format!("/p/{payment_id}")), "{back}");
    wait_for_status(&app, &r.resto_id, &payment_id, "closed").await;
}

async fn a_payment_lease_is_held_by_one_node_until_it_runs_out_or_is_given_back(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Оренда").await;
    let payment = unsent_payment("pay_leased", &restaurant.resto_id, "b-1", "10");
    let store = &app.state.store;
    store.create_payment(&payment).await.unwrap();
    let take = |node: &'static str, now: i64, until: i64| store.take_payment_lease("pay_leased", node, now, until);
    assert!(take("a", 1_000, 5_000).await.unwrap(), "a free payment is leased");
    assert!(!take("b", 2_000, 6_000).await.unwrap(), "another node waits while the lease lasts");
    assert!(take("a", 3_000, 7_000).await.unwrap(), "its holder renews it");
    assert!(take("b", 7_001, 9_000).await.unwrap(), "after it runs out another node takes over");
    store.release_payment_lease("pay_leased", "a").await.unwrap();
    assert!(!take("a", 8_000, 9_500).await.unwrap(), "a node cannot give back a lease it lost");
    store.release_payment_lease("pay_leased", "b").await.unwrap();
    assert!(take("a", 8_000, 9_500).await.unwrap(), "a lease given back is free at once");
}

/// A payment stored but never sent to the acquirer (as after a crash right after storing it).
fn unsent_payment(id: &str, resto_id: &str, bill_id: &str, sum: &str) -> rahunok_server::store::NewPayment {
    rahunok_server::store::NewPayment {
        id: id.into(),
        resto_id: resto_id.into(),
        bill_id: bill_id.into(),
        table_number: Some("3".into()),
        idempotency_key: format!("{id}-key"),
        sum: Money::parse(sum).unwrap(),
        tips: Money::ZERO,
        acquirer: "sandbox".into(),
        receipt: "{}".into(),
        payer: None,
    }
}

async fn a_forged_acquirer_notification_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .http
        .post(format!("{}/payments/notify/sandbox", app.base))
        .header("x-sandbox-signature", "AAAA")
        .body(r#"{"chargeId":"pay_x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
}

on_both_stores!(
    two_guests_paying_one_bill_at_once_are_charged_once,
    a_bill_the_pos_will_not_close_is_retried_and_listed_until_it_closes,
    a_refund_returns_the_money_and_tells_the_pos,
    a_forged_acquirer_notification_is_refused,
    an_unfinished_payment_expires_and_can_no_longer_be_paid,
    a_payment_the_acquirer_never_heard_of_expires_and_frees_the_bill,
    an_orphan_payment_is_released_within_30_s_of_a_restart_with_default_timings,
    a_payment_lease_is_held_by_one_node_until_it_runs_out_or_is_given_back,
    a_payment_whose_guest_never_got_its_page_is_released_at_restart_and_its_charge_withdrawn,
    a_payment_whose_guest_never_got_its_page_is_released_by_another_node_once_its_lease_runs_out,
    a_payment_whose_guest_got_its_page_keeps_the_bill_across_a_restart,
);

/// A POS that writes the table number only at the top level of its `getBill` answer (as the
/// spec puts it, and as public client libraries do): the payment record and the receipt still
/// show the table.
async fn a_payment_for_a_bill_whose_table_is_only_at_the_top_level_shows_the_table(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Loose café").await;
    let pos = VirtualPos::kyiv_cafe().with_quirks(true);
    let mut config = rahunok_pos_sdk::PosConfig::new(&app.base, &restaurant.resto_id, &restaurant.secret, "QuirkyPOS");
    config.reconnect_delay = Duration::from_millis(200);
    tokio::spawn(pos.clone().run(config, None));
    app.wait_connected(&restaurant.resto_id, true).await;

    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &restaurant.resto_id, "b-32070").await;
    let (status, checkout, _) = post_pay(&app, &guest, &restaurant.resto_id, "b-32070", &key, &expected).await;
    assert_eq!(status, 303);
    let back = pay_at_sandbox(&guest, &checkout, "4242424242424242").await;
    let payment_id = back.rsplit('/').next().unwrap().to_string();
    let detail = wait_for_status(&app, &restaurant.resto_id, &payment_id, "closed").await;
    assert_eq!(detail["tableNumber"], "3", "{detail}");
    let receipt = guest.get(format!("{}/p/{payment_id}", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(receipt.contains("Стіл 3"), "{receipt}");
    assert_eq!(pos.floor().paid("b-32070").unwrap().times_paid, 1);
}

on_both_stores!(a_payment_for_a_bill_whose_table_is_only_at_the_top_level_shows_the_table);
