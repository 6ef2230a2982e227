//! The panel's payments page over HTTP: a payment the POS could not close shows in the alert
//! strip, and "retry now" closes it at once instead of waiting for the backoff; a refused
//! refund is refused as the admin API refuses it.

use crate::helpers::{spawn_app, Backend};
use crate::on_both_stores;
use crate::panel_auth::{csrf_of, restaurant_admin, PanelBrowser, PASSWORD};
use crate::payments::{cafe, form_field, guest_client, pay_at_sandbox, post_pay, submit_pay};
use rahunok_protocol::Money;
use rahunok_server::store::{now_ms, CreateOutcome, NewPayment, PaymentStatus, TransitionChanges};
use serde_json::{json, Value};
use std::time::Duration;

async fn wait_for_status(app: &crate::helpers::TestApp, resto_id: &str, id: &str, status: PaymentStatus) {
    for _ in 0..100 {
        let (payment, _) = app.state.store.payment(resto_id, id).await.unwrap().unwrap();
        if payment.status == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("payment {id} never reached {status:?}");
}

async fn unclosed_payments_show_in_the_alert_strip_and_retry_now_closes_them(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Кав'ярня").await;
    let store = &app.state.store;
    // The guest paid while the POS was offline: the closer's payBill fails.
    let new = NewPayment {
        id: "pay-offline-1".into(),
        resto_id: restaurant.resto_id.clone(),
        bill_id: "b-32070".into(),
        table_number: Some("3".into()),
        idempotency_key: "key-offline-1".into(),
        sum: Money::parse("520.00").unwrap(),
        tips: Money::parse("52.00").unwrap(),
        acquirer: "sandbox".into(),
        receipt: "{}".into(),
        payer: None,
    };
    assert!(matches!(store.create_payment(&new).await.unwrap(), CreateOutcome::Created(_)));
    let paid = store
        .transition_payment(
            &new.id,
            PaymentStatus::Created,
            PaymentStatus::Paid,
            "the acquirer confirmed",
            TransitionChanges::default(),
        )
        .await
        .unwrap();
    assert!(paid);
    app.state.payments.wake_closer();
    wait_for_status(&app, &restaurant.resto_id, &new.id, PaymentStatus::PaidNotClosed).await;
    store.schedule_payment(&new.id, now_ms() + 3_600_000).await.unwrap();
    let pos = app.start_virtual_pos(&restaurant).await;

    restaurant_admin(&app, "marta", &restaurant).await;
    let marta = PanelBrowser::new(&app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let payments_path = format!("/panel/r/{}/payments", restaurant.resto_id);
    let page = marta.get(&payments_path).await;
    assert!(page.body.contains("id=\"unclosed\""), "the alert strip is there");
    assert!(page.body.contains("572,00 грн") && page.body.contains("Спробувати зараз"), "{}", page.body);

    let csrf = marta.csrf().await;
    let retried = marta.post_form(&format!("{payments_path}/{}/retry", new.id), &[("csrf", &csrf)]).await;
    assert_eq!((retried.status, retried.location), (303, format!("{payments_path}/{}?done=retry", new.id)));
    wait_for_status(&app, &restaurant.resto_id, &new.id, PaymentStatus::Closed).await;
    assert!(pos.floor().paid("b-32070").is_some(), "the POS closed the bill");
    assert!(!marta.get(&payments_path).await.body.contains("id=\"unclosed\""), "the strip is gone");

    let again = marta.post_form(&format!("{payments_path}/{}/retry", new.id), &[("csrf", &csrf)]).await;
    assert_eq!(again.status, 409, "a closed payment is not retried");
    let unknown = marta.get(&format!("{payments_path}/pay-nope")).await;
    assert_eq!(unknown.status, 404);
}

async fn a_refund_larger_than_what_is_left_gets_the_same_error_code_from_the_admin_api_and_the_panel(backend: Backend) {
    let app = spawn_app(backend).await;
    let (restaurant, _pos) = cafe(&app).await;
    let resto_id = &restaurant.resto_id;
    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, resto_id, "b-32070").await;
    let (_, checkout, _) = post_pay(&app, &guest, resto_id, "b-32070", &key, &expected).await;
    let back = pay_at_sandbox(&guest, &checkout, "4242424242424242").await;
    let payment_id = back.rsplit('/').next().unwrap().to_string();
    wait_for_status(&app, resto_id, &payment_id, PaymentStatus::Closed).await;
    // 500.00 of the 520.00 goes back first: 20.00 is left, and 30.00 is asked from both doors.
    let refund_path = format!("/api/admin/restaurants/{resto_id}/payments/{payment_id}/refund");
    let refund = |amount: &str| app.admin(reqwest::Method::POST, &refund_path).json(&json!({ "amount": amount }));
    assert_eq!(refund("500.00").send().await.unwrap().status(), 200);

    let admin = refund("30.00").send().await.unwrap();
    let admin_status = admin.status().as_u16();
    let admin_body: Value = admin.json().await.unwrap();

    restaurant_admin(&app, "marta", &restaurant).await;
    let marta = PanelBrowser::new(&app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let detail_path = format!("/panel/r/{resto_id}/payments/{payment_id}");
    let page = marta.get(&detail_path).await;
    let (csrf, refund_key) = (csrf_of(&page.body), form_field(&page.body, "refund_key"));
    let fields = [("csrf", csrf.as_str()), ("refund_key", &refund_key), ("amount", "30,00"), ("confirm", "on")];
    let panel = marta.post_form_accepting_json(&format!("{detail_path}/refund"), &fields).await;
    let panel_body: Value = serde_json::from_str(&panel.body).expect("the panel's refusal as JSON");

    assert_eq!((admin_status, admin_body["errCode"].as_str()), (400, Some("REFUND_TOO_LARGE")), "{admin_body}");
    assert_eq!((panel.status, &panel_body["errCode"]), (admin_status, &admin_body["errCode"]), "{panel_body}");
    assert_eq!(panel_body["errText"], admin_body["errText"]);
    // A person at the panel gets a page instead: the same status, the same reason in words.
    let as_page = marta.post_form(&format!("{detail_path}/refund"), &fields).await;
    assert_eq!(as_page.status, admin_status);
    assert!(as_page.body.contains(admin_body["errText"].as_str().unwrap()), "{}", as_page.body);
    let (_, detail) = app.get_json(&format!("/api/admin/restaurants/{resto_id}/payments/{payment_id}")).await;
    assert_eq!(detail["status"], "closed", "20.00 is still there to refund");
}

on_both_stores!(
    unclosed_payments_show_in_the_alert_strip_and_retry_now_closes_them,
    a_refund_larger_than_what_is_left_gets_the_same_error_code_from_the_admin_api_and_the_panel,
);
