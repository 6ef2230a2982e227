//! One rule for every acquirer, seen from outside: a genuinely signed success whose amount or
//! currency is not what we asked is not paid — the payment waits for an operator
//! (`amount_mismatch`), the POS is told nothing, the admin API and the panel show why, and a
//! metric counts it; and a success that comes after a failure is asked about, not dropped.
//! Here for monobank (its emulator) and the sandbox; LiqPay's are in `liqpay.rs`.

use crate::helpers::{spawn_app_with, AppOptions, Backend, TestApp};
use crate::monobank::{mono_cafe, no_polling, pay_bill, quick_polling, start_paying, MonoCafe};
use crate::monobank_emulator::{Webhooks, RRN};
use crate::on_both_stores;
use crate::panel_auth::{restaurant_admin, PanelBrowser, PASSWORD};
use crate::payments::{cafe, guest_client, pay_at_sandbox, post_pay, submit_pay, wait_for_status};
use serde_json::Value;

/// What every held payment shows: its status and reason in the admin API and the panel, no
/// payBill, the bill open on the POS, and the metric for `acquirer` at one.
async fn held_for_an_operator(
    app: &TestApp,
    restaurant: &crate::helpers::Restaurant,
    pos: &rahunok_pos_sim::VirtualPos,
    payment_id: &str,
    acquirer: &str,
    reason: &str,
) -> Value {
    let resto_id = &restaurant.resto_id;
    let detail = wait_for_status(app, resto_id, payment_id, "amount_mismatch").await;
    let error = detail["lastError"].as_str().unwrap_or_default();
    assert!(error.contains(reason) && error.contains("we asked 520.00 UAH"), "the admin sees why: {detail}");
    let last = detail["transitions"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["to"], "amount_mismatch");
    assert!(last["note"].as_str().unwrap_or_default().contains(reason), "{last}");

    restaurant_admin(app, "olena", restaurant).await;
    let olena = PanelBrowser::new(app);
    assert_eq!(olena.sign_in("olena", PASSWORD).await.status, 303);
    let list = olena.get(&format!("/panel/r/{resto_id}/payments")).await;
    assert!(list.body.contains("id=\"needs-operator\"") && list.body.contains(reason), "{}", list.body);
    let page = olena.get(&format!("/panel/r/{resto_id}/payments/{payment_id}")).await;
    assert!(page.body.contains("data-status=\"amount_mismatch\"") && page.body.contains(reason));

    app.state.payments.wake_closer();
    let requests = app.get_json(&format!("/api/admin/restaurants/{resto_id}/requests?operation=payBill")).await.1;
    assert_eq!(requests.as_array().map(Vec::len), Some(0), "no payBill: {requests}");
    assert!(pos.floor().paid("b-32070").is_none(), "the POS was told nothing");
    assert!(pos.floor().open_order("b-32070").is_some(), "the bill stays open");
    let scrape = crate::metrics::scrape(app).await;
    assert_eq!(scrape.value("rahunok_acquirer_amount_mismatches_total", &[("acquirer", acquirer)]), 1.0);
    detail
}

/// A monobank café with metrics served.
async fn counted_mono_cafe(backend: Backend, timings: rahunok_server::config::PaymentTimings) -> MonoCafe {
    crate::monobank::mono_cafe_with(backend, timings, true).await
}

async fn a_monobank_success_for_another_amount_is_held_for_an_operator_and_the_pos_is_not_told(backend: Backend) {
    let cafe = counted_mono_cafe(backend, no_polling()).await;
    cafe.mono.set_states(Some(40_000), None);
    let payment_id = pay_bill(&cafe, "b-32070").await;
    let detail =
        held_for_an_operator(&cafe.app, &cafe.restaurant, &cafe.pos, &payment_id, "monobank", "reports 400.00 UAH")
            .await;
    assert!(detail["fiscal"].as_str().unwrap_or_default().contains(RRN), "the card's details are kept");
    let invoice = cafe.mono.only_invoice();
    assert_eq!(cafe.mono.resend_webhook(&invoice).await, 200, "a repeat is harmless");
    let (_, again) =
        cafe.app.get_json(&format!("/api/admin/restaurants/{}/payments/{payment_id}", cafe.restaurant.resto_id)).await;
    assert_eq!(again["transitions"], detail["transitions"]);
}

async fn a_monobank_success_in_another_currency_is_held_for_an_operator_and_the_pos_is_not_told(backend: Backend) {
    let cafe = counted_mono_cafe(backend, quick_polling()).await;
    cafe.mono.set_webhooks(Webhooks::Drop);
    cafe.mono.set_states(None, Some(840));
    let payment_id = pay_bill(&cafe, "b-32070").await;
    held_for_an_operator(&cafe.app, &cafe.restaurant, &cafe.pos, &payment_id, "monobank", "reports 520.00 USD").await;
    assert!(!cafe.mono.calls_to("/api/merchant/invoice/status").is_empty(), "found by polling: the same rule");
}

async fn a_monobank_success_after_a_failure_is_asked_about_and_paid_while_the_bill_is_free(backend: Backend) {
    let cafe = mono_cafe(backend, no_polling()).await;
    let (payment_id, page_url) = start_paying(&cafe, "b-32070", "0").await;
    let failed = guest_client().post(&page_url).form(&[("outcome", "failure")]).send().await.unwrap();
    assert_eq!(failed.status(), 303);
    wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "failed").await;
    let asked = cafe.mono.calls_to("/api/merchant/invoice/status").len();
    cafe.mono.succeed_after_failure(&cafe.mono.only_invoice()).await;
    let detail = wait_for_status(&cafe.app, &cafe.restaurant.resto_id, &payment_id, "closed").await;
    assert!(cafe.mono.calls_to("/api/merchant/invoice/status").len() > asked, "monobank was asked, not just believed");
    let steps: Vec<&str> =
        detail["transitions"].as_array().unwrap().iter().map(|t| t["to"].as_str().unwrap()).collect();
    assert_eq!(steps, ["created", "created", "failed", "paid", "closing_on_pos", "closed"], "{detail}");
    assert_eq!(cafe.pos.floor().paid("b-32070").unwrap().times_paid, 1);
}

async fn a_sandbox_success_for_another_amount_is_held_for_an_operator_and_the_pos_is_not_told(backend: Backend) {
    let app = spawn_app_with(backend, AppOptions { metrics: true, ..AppOptions::default() }).await;
    let (restaurant, pos) = cafe(&app).await;
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &restaurant.resto_id, "b-32070").await;
    let (status, checkout, _) = post_pay(&app, &guest, &restaurant.resto_id, "b-32070", &key, &expected).await;
    assert_eq!(status, 303);
    let payment_id = checkout.rsplit('/').next().unwrap().to_string();
    // The sandbox's own books say it charged 20.00 less than the payment asked.
    sqlx::query("UPDATE sandbox_charges SET amount_kop = amount_kop - 2000 WHERE reference = $1")
        .bind(&payment_id)
        .execute(app.state.store.pool())
        .await
        .unwrap();
    pay_at_sandbox(&guest, &checkout, "4242424242424242").await;
    held_for_an_operator(&app, &restaurant, &pos, &payment_id, "sandbox", "reports 500.00 UAH").await;
}

on_both_stores!(
    a_monobank_success_for_another_amount_is_held_for_an_operator_and_the_pos_is_not_told,
    a_monobank_success_in_another_currency_is_held_for_an_operator_and_the_pos_is_not_told,
    a_monobank_success_after_a_failure_is_asked_about_and_paid_while_the_bill_is_free,
    a_sandbox_success_for_another_amount_is_held_for_an_operator_and_the_pos_is_not_told,
);
