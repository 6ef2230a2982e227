//! The panel's payments page over HTTP: a payment the POS could not close shows in the alert
//! strip, and "retry now" closes it at once instead of waiting for the backoff.

use crate::helpers::{spawn_app, Backend};
use crate::on_both_stores;
use crate::panel_auth::{restaurant_admin, PanelBrowser, PASSWORD};
use rahunok_protocol::Money;
use rahunok_server::store::{now_ms, CreateOutcome, NewPayment, PaymentStatus, TransitionChanges};
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

on_both_stores!(unclosed_payments_show_in_the_alert_strip_and_retry_now_closes_them);
