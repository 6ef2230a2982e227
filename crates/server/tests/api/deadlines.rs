//! A POS that never answers, and one that is not there: the admin gets 504 or 503, and no
//! request is left waiting.

use crate::helpers::{spawn_app_with, AppOptions, Backend, RawPos};
use crate::on_both_stores;
use std::time::Duration;

async fn a_pos_that_never_answers_gives_504_after_the_deadline(backend: Backend) {
    let options = AppOptions { callback_timeout: Duration::from_millis(700), ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Mute").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    let path = format!("/api/admin/restaurants/{}/operations/getBill", restaurant.resto_id);
    let call = app.admin(reqwest::Method::POST, &path).body(r#"{"tableNumber":"3"}"#).send();
    let (response, frame) = tokio::join!(call, pos.next_request("getBill"));
    assert_eq!(frame["tableNumber"], "3");
    let response = response.unwrap();
    assert_eq!(response.status(), 504);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["errCode"], "POS_TIMEOUT");
    // The versionInfo sent on connect also timed out by now; nothing is left waiting.
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(app.pending_requests().await, 0);
}

async fn an_offline_pos_gives_503_at_once(backend: Backend) {
    // With a 10-minute deadline, an answer within the test's patience can only be "offline".
    let options = AppOptions { callback_timeout: Duration::from_secs(600), ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Away").await;
    let path = format!("/api/admin/restaurants/{}/tables?refresh=true", restaurant.resto_id);
    let (status, body) =
        tokio::time::timeout(Duration::from_secs(60), app.get_json(&path)).await.expect("not held until the deadline");
    assert_eq!(status, 503);
    assert_eq!(body["errCode"], "POS_OFFLINE");
    assert_eq!(app.pending_requests().await, 0);
    let (status, _) = app.get_json("/api/admin/restaurants/nope/tables?refresh=true").await;
    assert_eq!(status, 404);
}

on_both_stores!(a_pos_that_never_answers_gives_504_after_the_deadline, an_offline_pos_gives_503_at_once);
