//! The closer sends `payBill` exactly once per bill (issue 28): under load, where a list of due
//! payments read earlier used to send a second one, and after a crash, where the POS is asked
//! whether the bill is paid before `payBill` goes out again. Counted twice each time: by a POS
//! that counts every `payBill` it receives, and by the request log.

use crate::helpers::{spawn_app_with, AppOptions, Backend, RawPos, TestApp};
use crate::on_both_stores;
use crate::payments::{cafe, wait_for_status};
use rahunok_protocol::order::{Order, OrderState};
use rahunok_protocol::Money;
use rahunok_server::config::PaymentTimings;
use rahunok_server::store::{now_ms, HeldLease, NewPayment, NextAttempt, PaymentStatus, Store, TransitionChanges};
use sqlx::Row;
use std::collections::HashMap;
use std::time::Duration;

/// How many bills the load test pays at once (RAHUNOK_CLOSER_LOAD_BILLS; 300 by default).
fn bills_at_once() -> usize {
    std::env::var("RAHUNOK_CLOSER_LOAD_BILLS").ok().and_then(|n| n.parse().ok()).unwrap_or(300)
}

/// A closer that looks for work every 5 ms, besides being woken by each payment.
fn busy_closer() -> AppOptions {
    let payment_timings = PaymentTimings { tick: Duration::from_millis(5), ..Default::default() };
    AppOptions { payment_timings, ..AppOptions::default() }
}

/// A payment of `bill_id` stored as a guest's `POST …/pay` stores it.
fn payment_for(id: &str, resto_id: &str, bill_id: &str, sum: Money) -> NewPayment {
    NewPayment {
        id: id.into(),
        resto_id: resto_id.into(),
        bill_id: bill_id.into(),
        table_number: Some("3".into()),
        idempotency_key: format!("{id}-key"),
        sum,
        tips: Money::ZERO,
        acquirer: "sandbox".into(),
        receipt: "{}".into(),
        payer: None,
    }
}

/// The acquirer confirms a payment: the move its notification makes.
async fn confirm(store: &Store, id: &str) {
    let changes =
        TransitionChanges { fiscal: Some("[]".into()), next_attempt: NextAttempt::Clear, ..Default::default() };
    let moved =
        store.transition_payment(id, PaymentStatus::Created, PaymentStatus::Paid, "the acquirer confirmed", changes);
    assert!(moved.await.unwrap(), "{id} was created");
}

/// `payBill` rows of the request log, per bill (after writing out what is queued).
async fn pay_bills_logged(app: &TestApp) -> HashMap<String, usize> {
    app.state.link.flush_journal().await;
    let rows = sqlx::query("SELECT request_body FROM request_log WHERE operation = 'payBill'")
        .fetch_all(app.state.store.pool())
        .await
        .unwrap();
    let mut per_bill = HashMap::new();
    for row in rows {
        let frame: serde_json::Value = serde_json::from_str(&row.get::<String, _>("request_body")).unwrap();
        *per_bill.entry(frame["billId"].as_str().unwrap().to_string()).or_default() += 1;
    }
    per_bill
}

/// Polls (every 20 ms, for at most `within`) until `store` holds `n` closed payments.
async fn wait_until_closed(store: &Store, n: i64, within: Duration) {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let counts = store.payment_counts().await.unwrap();
        let closed = counts.iter().find(|(s, _)| *s == PaymentStatus::Closed).map_or(0, |(_, n)| *n);
        if closed == n {
            return;
        }
        assert!(tokio::time::Instant::now() < deadline, "{closed} of {n} payments closed: {counts:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// An open bill like the café's `b-32070`, under another id.
fn bill_like(template: &Order, bill_id: &str) -> Order {
    Order { bill_id: bill_id.into(), root_bill_id: Some(bill_id.into()), ..template.clone() }
}

async fn many_payments_confirmed_at_once_each_send_exactly_one_pay_bill(backend: Backend) {
    let app = spawn_app_with(backend, busy_closer()).await;
    let (r, pos) = cafe(&app).await;
    let template = pos.floor().open_order("b-32070").unwrap().clone();
    let n = bills_at_once();
    let bills: Vec<String> = (0..n).map(|i| format!("load-{i}")).collect();
    for (i, bill) in bills.iter().enumerate() {
        pos.floor().open(bill_like(&template, bill));
        let payment = payment_for(&format!("pay_load_{i}"), &r.resto_id, bill, template.total_sum);
        let created = app.state.store.create_payment(&payment).await.unwrap();
        assert!(matches!(created, rahunok_server::store::CreateOutcome::Created(_)));
    }

    // Every confirmation at once, each waking the closer as an acquirer's notification does,
    // while the closer also looks every 5 ms: passes overlap with closing tasks in flight.
    let mut confirming = tokio::task::JoinSet::new();
    for i in 0..n {
        let (store, payments) = (app.state.store.clone(), app.state.payments.clone());
        confirming.spawn(async move {
            confirm(&store, &format!("pay_load_{i}")).await;
            payments.wake_closer();
        });
    }
    while let Some(done) = confirming.join_next().await {
        done.unwrap();
    }
    wait_until_closed(&app.state.store, n as i64, Duration::from_secs(120)).await;

    assert_eq!(pos.floor().bills_paid_more_than_once(), Vec::<(String, u32)>::new(), "no bill got payBill twice");
    for bill in &bills {
        assert_eq!(pos.floor().pay_bills_received(bill), 1, "{bill}: one payBill reached the POS");
    }
    let logged = pay_bills_logged(&app).await;
    assert_eq!(logged.len(), n, "every bill's payBill is in the request log");
    let repeated: Vec<_> = logged.iter().filter(|(_, count)| **count != 1).collect();
    assert!(repeated.is_empty(), "the request log shows payBill once per bill: {repeated:?}");
}

/// Stores a payment as a node leaves it when it dies right after sending `payBill`: in
/// `closing_on_pos`, its lease run out, the POS's answer never recorded.
async fn left_closing_by_a_dead_node(app: &TestApp, resto_id: &str, bill_id: &str, sum: Money) -> String {
    let store = &app.state.store;
    let id = "pay_orphaned_close".to_string();
    // Held by the dead node while it is staged, so this node's closer does not take it early.
    let payment = payment_for(&id, resto_id, bill_id, sum);
    store.create_payment_held(&payment, "dead-node", now_ms() + 60_000).await.unwrap();
    confirm(store, &id).await;
    let changes = TransitionChanges { count_attempt: true, ..Default::default() };
    let sent = store.transition_payment(&id, PaymentStatus::Paid, PaymentStatus::ClosingOnPos, "payBill sent", changes);
    assert!(sent.await.unwrap());
    // The lease runs out: the dead node renews it to a moment already past.
    let now = now_ms();
    assert!(store.take_payment_lease(&id, "dead-node", now, now - 1).await.unwrap());
    app.state.payments.wake_closer();
    id
}

/// The timeline notes of a payment, in order.
async fn notes(app: &TestApp, resto_id: &str, id: &str) -> Vec<String> {
    let (_, timeline) = app.state.store.payment(resto_id, id).await.unwrap().unwrap();
    timeline.into_iter().filter_map(|t| t.note).collect()
}

async fn a_lost_pay_bill_answer_is_not_sent_again_when_the_pos_reports_the_bill_paid(backend: Backend) {
    let app = spawn_app_with(backend, busy_closer()).await;
    let (r, pos) = cafe(&app).await;
    // The first payBill closed the bill; this POS still lists it, as PAYED.
    let mut paid = pos.floor().open_order("b-32070").unwrap().clone();
    paid.state = Some(OrderState::Payed);
    pos.floor().replace_order(paid.clone());

    let id = left_closing_by_a_dead_node(&app, &r.resto_id, "b-32070", paid.total_sum).await;
    wait_for_status(&app, &r.resto_id, &id, "closed").await;

    assert_eq!(pos.floor().pay_bills_received("b-32070"), 0, "no second payBill reached the POS");
    assert!(pay_bills_logged(&app).await.is_empty(), "and none is in the request log");
    let notes = notes(&app, &r.resto_id, &id).await;
    assert!(notes.last().unwrap().contains("closed without a second payBill"), "{notes:?}");
}

async fn a_lost_pay_bill_answer_is_sent_again_when_the_pos_cannot_say_and_the_pos_deduplicates(backend: Backend) {
    let app = spawn_app_with(backend, busy_closer()).await;
    let (r, pos) = cafe(&app).await;
    // The first payBill closed the bill, and this POS answers getBill for it ORDER_NOT_FOUND:
    // paid and gone, or removed — it does not say which.
    pos.floor().forget_paid_bills();
    let total = pos.floor().open_order("b-32070").unwrap().total_sum;
    pos.floor().pay("b-32070", total, Money::ZERO).unwrap();

    let id = left_closing_by_a_dead_node(&app, &r.resto_id, "b-32070", total).await;
    let detail = wait_for_status(&app, &r.resto_id, &id, "closed").await;

    assert_eq!(pos.floor().pay_bills_received("b-32070"), 2, "the first payBill and the one sent again");
    assert_eq!(pos.floor().paid("b-32070").unwrap().times_paid, 1, "the POS closed the bill once");
    assert_eq!(detail["attempts"], 2, "{detail}");
    let notes = notes(&app, &r.resto_id, &id).await;
    assert!(notes.iter().any(|n| n.contains("the POS could not be asked")), "{notes:?}");
    assert!(notes.last().unwrap().contains("already had the bill paid"), "{notes:?}");
}

/// A POS on a socket driven by hand takes a `payBill` and never answers it in time (it did
/// close the bill): the payment's fate is unknown, so it stays `closing_on_pos`, and the next
/// attempt asks `getBill` first; the POS reports the bill `PAYED` and no second `payBill` goes
/// out. (Before, the timeout moved it to `paid_not_closed` and `payBill` went out again.)
async fn a_pay_bill_left_unanswered_is_not_sent_again_when_the_pos_then_reports_the_bill_paid(backend: Backend) {
    let payment_timings = PaymentTimings {
        tick: Duration::from_millis(50),
        retry_base: Duration::from_millis(200),
        ..Default::default()
    };
    let options = AppOptions { callback_timeout: Duration::from_millis(500), payment_timings, ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let r = app.create_restaurant("Кав'ярня, що мовчить").await;
    let mut pos = RawPos::connect_as(&app, &r).await;
    let mut paid = rahunok_pos_sim::VirtualPos::kyiv_cafe().floor().open_order("b-32070").unwrap().clone();
    let payment = payment_for("pay_unanswered", &r.resto_id, "b-32070", paid.total_sum);
    app.state.store.create_payment(&payment).await.unwrap();
    confirm(&app.state.store, "pay_unanswered").await;
    app.state.payments.wake_closer();

    let pay_bill = pos.next_request("payBill").await;
    assert_eq!(pay_bill["billId"], "b-32070");
    // No answer: the POS closed the bill, and its callback is lost. Next comes the question.
    let asked = loop {
        let frame = pos.next_frame().await;
        if frame["operation"] != "checkWork" {
            break frame;
        }
    };
    assert_eq!(asked["operation"], "getBill", "the POS is asked before anything else: {asked}");
    assert_eq!(asked["billId"], "b-32070");
    paid.state = Some(OrderState::Payed);
    let answer = serde_json::json!({
        "rID": asked["rID"], "state": "SUCCESS", "tableNumber": paid.table_number, "orders": [paid]
    });
    let (status, body) = app.post_callback("getBill", &r.resto_id, &r.secret, answer.to_string().as_bytes()).await;
    assert_eq!(status, 200, "{body}");

    wait_for_status(&app, &r.resto_id, "pay_unanswered", "closed").await;
    let notes = notes(&app, &r.resto_id, "pay_unanswered").await;
    assert!(notes.iter().any(|n| n.contains("got no usable answer")), "{notes:?}");
    assert!(notes.last().unwrap().contains("closed without a second payBill"), "{notes:?}");
    assert_eq!(pay_bills_logged(&app).await.get("b-32070"), Some(&1), "one payBill in the request log");
}

/// The move that sends `payBill` is fenced by the lease: a node that does not hold the payment's
/// lease now — another node holds it, or its own ran out while it was slow — cannot make it,
/// and the holder's move renews the lease. Found at 300 payments/s on three nodes: a pass that
/// took longer than a lease took payments with leases already run out, and another node
/// resumed one while the first node's `payBill` was still on its way (the POS got two).
async fn only_the_node_holding_a_payments_lease_can_send_its_pay_bill(backend: Backend) {
    let app = spawn_app_with(backend, AppOptions::default()).await;
    let r = app.create_restaurant("Огорожа").await;
    let store = &app.state.store;
    let id = "pay_fenced";
    let held_for = 60_000;
    let payment = payment_for(id, &r.resto_id, "b-32070", Money::from_kopiyky(52_000).unwrap());
    store.create_payment_held(&payment, "holder", now_ms() + held_for).await.unwrap();
    confirm(store, id).await;
    let lease = |node: &str| {
        let now = now_ms();
        HeldLease { node: node.into(), now, until: now + 2 * held_for }
    };
    let send = |lease: HeldLease, from: PaymentStatus| {
        let changes = TransitionChanges { count_attempt: true, under_lease: Some(lease), ..Default::default() };
        store.transition_payment(id, from, PaymentStatus::ClosingOnPos, "payBill sent", changes)
    };

    assert!(!send(lease("slow-node"), PaymentStatus::Paid).await.unwrap(), "a node without the lease sends nothing");
    let holders = lease("holder");
    let renewed_to = holders.until;
    assert!(send(holders, PaymentStatus::Paid).await.unwrap(), "the holder sends");
    let (seen, _) = store.payment(&r.resto_id, id).await.unwrap().unwrap();
    assert_eq!(seen.lease_until, Some(renewed_to), "and its lease is renewed in the same write");

    // The holder's lease runs out (it was slow): it cannot send again, whoever takes over next.
    let now = now_ms();
    assert!(store.take_payment_lease(id, "holder", now, now - 1).await.unwrap());
    assert!(!send(lease("holder"), PaymentStatus::ClosingOnPos).await.unwrap(), "a lease run out fences its own node");
}

on_both_stores!(
    only_the_node_holding_a_payments_lease_can_send_its_pay_bill,
    a_pay_bill_left_unanswered_is_not_sent_again_when_the_pos_then_reports_the_bill_paid,
    many_payments_confirmed_at_once_each_send_exactly_one_pay_bill,
    a_lost_pay_bill_answer_is_not_sent_again_when_the_pos_reports_the_bill_paid,
    a_lost_pay_bill_answer_is_sent_again_when_the_pos_cannot_say_and_the_pos_deduplicates,
);
