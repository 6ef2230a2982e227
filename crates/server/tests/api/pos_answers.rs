//! What real POS integrations send (`docs/pos-protocol.md` section 4): an answer that is not
//! usable is refused with its field errors AND fails the waiting caller at once — the admin API
//! with 502 `POS_ANSWER_INVALID`, the guest with a friendly page — instead of a timeout 80 s
//! later; the request log says why.

use crate::helpers::{spawn_app_with, AppOptions, Backend, RawPos, Restaurant, TestApp};
use crate::on_both_stores;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A deadline far beyond "at once", so the tests can tell a fast failure from a timeout.
const DEADLINE: Duration = Duration::from_secs(30);

async fn app_with_a_hand_made_pos(backend: Backend) -> (TestApp, Restaurant, RawPos) {
    let app = spawn_app_with(backend, AppOptions { callback_timeout: DEADLINE, ..Default::default() }).await;
    let restaurant = app.create_restaurant("Loose POS").await;
    let pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    (app, restaurant, pos)
}

fn lots_of_money(rid: &str) -> Vec<u8> {
    format!(r#"{{"rID":"{rid}","state":"SUCCESS","orders":[{{"billId":"b-1","tableNumber":"3","totalSum":"lots"}}]}}"#)
        .into_bytes()
}

fn names_field(errors: &Value, field: &str) -> bool {
    errors.as_array().is_some_and(|errors| errors.iter().any(|e| e["field"] == field))
}

async fn an_unusable_get_bill_answer_fails_the_admin_call_at_once_with_502(backend: Backend) {
    let (app, restaurant, mut pos) = app_with_a_hand_made_pos(backend).await;
    let started = Instant::now();
    let asking = tokio::spawn(
        app.admin(reqwest::Method::POST, &format!("/api/admin/restaurants/{}/operations/getBill", restaurant.resto_id))
            .json(&serde_json::json!({"tableNumber": "3"}))
            .send(),
    );
    let rid = pos.next_request("getBill").await["rID"].as_str().unwrap().to_string();
    let refused = app.post_callback("getBill", &restaurant.resto_id, &restaurant.secret, &lots_of_money(&rid)).await;
    assert_eq!(refused.0, 400, "{}", refused.1);
    assert!(names_field(&refused.1["fieldErrors"], "orders[0].totalSum"), "{}", refused.1);

    let answer = asking.await.unwrap().unwrap();
    assert_eq!(answer.status(), 502);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(body["errCode"], "POS_ANSWER_INVALID", "{body}");
    assert!(names_field(&body["fieldErrors"], "orders[0].totalSum"), "{body}");
    assert!(started.elapsed() < DEADLINE / 3, "failed at once, not at the deadline: {:?}", started.elapsed());

    let (_, log) =
        app.get_json(&format!("/api/admin/restaurants/{}/requests?operation=getBill", restaurant.resto_id)).await;
    let entry =
        log.as_array().unwrap().iter().find(|e| e["rID"] == rid.as_str()).cloned().expect("the request is logged");
    assert_eq!(entry["outcome"], "invalid", "{entry}");
    assert!(entry["detail"].as_str().unwrap_or_default().contains("orders[0].totalSum"), "{entry}");
}

async fn a_guest_gets_a_friendly_page_when_the_pos_answers_unusably(backend: Backend) {
    let (app, restaurant, mut pos) = app_with_a_hand_made_pos(backend).await;
    let page = tokio::spawn(app.http.get(format!("{}/t/{}/3", app.base, restaurant.resto_id)).send());
    let rid = pos.next_request("getBill").await["rID"].as_str().unwrap().to_string();
    let refused = app.post_callback("getBill", &restaurant.resto_id, &restaurant.secret, &lots_of_money(&rid)).await;
    assert_eq!(refused.0, 400);
    let page = page.await.unwrap().unwrap();
    assert_eq!(page.status(), 502);
    let html = page.text().await.unwrap();
    assert!(html.contains("Система закладу відповіла з помилкою"), "{html}");
    assert!(html.contains("Спробувати ще раз"), "a retry is offered: {html}");
}

on_both_stores!(
    an_unusable_get_bill_answer_fails_the_admin_call_at_once_with_502,
    a_guest_gets_a_friendly_page_when_the_pos_answers_unusably,
);
