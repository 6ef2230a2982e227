//! The POS socket: authentication before the upgrade, the `system` cookie, one socket per
//! restaurant, keep-alive and silence, tolerance of stray frames.

use crate::helpers::{basic, spawn_app, spawn_app_with, AppOptions, Backend, RawPos};
use crate::on_both_stores;
use serde_json::Value;
use std::time::Duration;

async fn bad_or_missing_basic_credentials_are_refused_with_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Auth").await;
    let refused = RawPos::connect(&app, Some(&basic(&restaurant.resto_id, "wrong-secret")), Some("system=X"))
        .await
        .err()
        .unwrap();
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["errCode"], "BAD_CREDENTIALS");
    let refused =
        RawPos::connect(&app, Some(&basic("nobody", &restaurant.secret)), Some("system=X")).await.err().unwrap();
    assert_eq!(refused.status, 401);
    let refused = RawPos::connect(&app, None, Some("system=X")).await.err().unwrap();
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["errCode"], "MISSING_CREDENTIALS");
    app.wait_connected(&restaurant.resto_id, false).await;
}

async fn repeated_failures_are_refused_with_429(backend: Backend) {
    let options = AppOptions { auth_failures_allowed: 3, ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Guessing").await;
    for _ in 0..3 {
        let refused = RawPos::connect(&app, Some(&basic(&restaurant.resto_id, "guess")), None).await.err().unwrap();
        assert_eq!(refused.status, 401);
    }
    let refused = RawPos::connect(&app, Some(&basic(&restaurant.resto_id, "guess")), None).await.err().unwrap();
    assert_eq!(refused.status, 429, "a fourth wrong secret waits out the window");
    assert_eq!(refused.body["errCode"], "TOO_MANY_FAILURES");
    let _pos = RawPos::connect(&app, Some(&basic(&restaurant.resto_id, &restaurant.secret)), None)
        .await
        .expect("the right secret is never refused by the limiter (spec section 2)");
    app.wait_connected(&restaurant.resto_id, true).await;
}

async fn missing_system_cookie_is_accepted_with_a_warning(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("No cookie").await;
    let _pos = RawPos::connect(&app, Some(&basic(&restaurant.resto_id, &restaurant.secret)), None).await.unwrap();
    app.wait_connected(&restaurant.resto_id, true).await;
    let (_, body) = app.get_json(&format!("/api/admin/restaurants/{}", restaurant.resto_id)).await;
    assert_eq!(body["connection"]["posName"], "unknown POS");
    assert_eq!(body["connection"]["posNameMissing"], true);
    assert!(body["connection"]["warnings"][0].as_str().unwrap().contains("system"));
}

async fn missing_system_cookie_is_refused_in_strict_mode(backend: Backend) {
    let app = spawn_app_with(backend, AppOptions { strict: true, ..AppOptions::default() }).await;
    let restaurant = app.create_restaurant("Strict").await;
    let refused =
        RawPos::connect(&app, Some(&basic(&restaurant.resto_id, &restaurant.secret)), None).await.err().unwrap();
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["errCode"], "MISSING_POS_NAME");
    let accepted =
        RawPos::connect(&app, Some(&basic(&restaurant.resto_id, &restaurant.secret)), Some("system=iiko")).await;
    assert!(accepted.is_ok());
    // The socket registers just after the upgrade: read its POS name once it has.
    app.wait_connected(&restaurant.resto_id, true).await;
    let (_, body) = app.get_json(&format!("/api/admin/restaurants/{}", restaurant.resto_id)).await;
    assert_eq!(body["connection"]["posName"], "iiko");
}

async fn accepted_socket_gets_set_settings_then_version_info(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Greeting").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    let first = pos.next_frame().await;
    assert_eq!(first["operation"], "setSettings");
    assert_eq!(first["paymentAllowed"], true);
    let second = pos.next_frame().await;
    assert_eq!(second["operation"], "versionInfo");
    assert!(second["rID"].as_str().unwrap().contains('#'));
}

async fn a_second_socket_replaces_the_first_with_4409(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Twice").await;
    let mut first = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    let mut second = RawPos::connect_as(&app, &restaurant).await;
    assert_eq!(first.closed_with().await, Some(4409));
    // The newer socket serves requests.
    let link = app.state.link.clone();
    let resto_id = restaurant.resto_id.clone();
    let waiter =
        tokio::spawn(async move { link.request(&resto_id, &rahunok_protocol::ops::CheckWork::default()).await });
    let frame = second.next_request("checkWork").await;
    let body = format!(
        r#"{{"rID":"{}","dateTime":"2026.11.28 12:00:00","readyToWork":true}}"#,
        frame["rID"].as_str().unwrap()
    );
    let answer = app.post_callback("checkWork", &restaurant.resto_id, &restaurant.secret, body.as_bytes()).await;
    assert_eq!(answer.0, 200);
    assert!(waiter.await.unwrap().unwrap().body.ready_to_work);
}

async fn a_silent_client_is_dropped_after_the_silence_timeout(backend: Backend) {
    let options = AppOptions {
        ping_interval: Duration::from_millis(100),
        silence_timeout: Duration::from_millis(600),
        ..AppOptions::default()
    };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Silent").await;
    // The client never reads, so it never answers the server's pings.
    let _silent = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    app.wait_connected(&restaurant.resto_id, false).await;
}

async fn text_pings_keep_a_client_alive(backend: Backend) {
    let options = AppOptions {
        ping_interval: Duration::from_secs(60),
        silence_timeout: Duration::from_millis(600),
        ..AppOptions::default()
    };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Pinging").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    for _ in 0..12 {
        pos.send_text(&format!("Resto {} ping", restaurant.resto_id)).await;
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    // 1.8 s, three silence timeouts, have passed: the text pings kept it open.
    let (_, body) = app.get_json(&format!("/api/admin/restaurants/{}", restaurant.resto_id)).await;
    assert_eq!(body["connection"]["connected"], true);
    // Stop pinging: it is dropped.
    app.wait_connected(&restaurant.resto_id, false).await;
    assert_eq!(pos.closed_with().await, Some(4408));
}

async fn malformed_text_frames_do_not_end_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Noisy").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    pos.send_text("hello from a confused POS").await;
    pos.send_text("{not json at all").await;
    pos.send_text(r#"{"rID":"x","tables":[]}"#).await;
    pos.send_text("").await;
    let link = app.state.link.clone();
    let resto_id = restaurant.resto_id.clone();
    let waiter =
        tokio::spawn(async move { link.request(&resto_id, &rahunok_protocol::ops::CheckWork::default()).await });
    let frame = pos.next_request("checkWork").await;
    let body = format!(r#"{{"rID":"{}","readyToWork":"true"}}"#, frame["rID"].as_str().unwrap());
    let answer = app.post_callback("checkWork", &restaurant.resto_id, &restaurant.secret, body.as_bytes()).await;
    assert_eq!(answer.0, 200);
    assert!(waiter.await.unwrap().unwrap().body.ready_to_work);
}

async fn text_pings_and_other_text_frames_are_counted_on_the_connection(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Counted").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    pos.send_text(&format!("Resto {} ping", restaurant.resto_id)).await;
    pos.send_text(&format!("Resto {} ping", restaurant.resto_id)).await;
    pos.send_text("Resto someone-else ping").await;
    pos.send_text("ping").await;
    let path = format!("/api/admin/restaurants/{}", restaurant.resto_id);
    let mut connection = Value::Null;
    for _ in 0..100 {
        connection = app.get_json(&path).await.1["connection"].clone();
        if connection["ignoredTexts"] == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(connection["textPings"], 2, "{connection}");
    assert!(connection["lastTextPingAt"].is_i64(), "{connection}");
    assert_eq!(connection["ignoredTexts"], 2, "a ping naming another restaurant is not ours: {connection}");
    assert_eq!(connection["lastIgnoredText"], "ping");
}

async fn an_operator_can_close_a_pos_socket_with_1001_so_it_reconnects(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Drained").await;
    let path = format!("/api/admin/restaurants/{}/connection", restaurant.resto_id);
    let offline = app.admin(reqwest::Method::DELETE, &path).send().await.unwrap();
    assert_eq!(offline.status(), 503, "nothing to close");
    assert_eq!(offline.json::<Value>().await.unwrap()["errCode"], "POS_OFFLINE");
    let unknown = app.admin(reqwest::Method::DELETE, "/api/admin/restaurants/nobody/connection").send().await.unwrap();
    assert_eq!(unknown.status(), 404);

    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    let closed = app.admin(reqwest::Method::DELETE, &path).send().await.unwrap();
    assert_eq!(closed.status(), 202);
    assert_eq!(closed.json::<Value>().await.unwrap()["closedWith"], 1001);
    assert_eq!(pos.closed_with().await, Some(1001));
    app.wait_connected(&restaurant.resto_id, false).await;
    let _back = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
}

/// RFC 6455 §5.5.1: an endpoint that receives a Close frame sends one back; without it every
/// clean close of a POS ended as 1006 (abnormal) on the POS's side.
async fn a_pos_that_closes_the_socket_gets_a_close_frame_back_with_its_code(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Clean close").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    pos.send_close(1000, "closing for the night").await;
    assert_eq!(pos.closed_with().await, Some(1000), "the server answered the Close frame with its own");
    app.wait_connected(&restaurant.resto_id, false).await;
}

on_both_stores!(
    a_pos_that_closes_the_socket_gets_a_close_frame_back_with_its_code,
    text_pings_and_other_text_frames_are_counted_on_the_connection,
    an_operator_can_close_a_pos_socket_with_1001_so_it_reconnects,
    bad_or_missing_basic_credentials_are_refused_with_401,
    repeated_failures_are_refused_with_429,
    missing_system_cookie_is_accepted_with_a_warning,
    missing_system_cookie_is_refused_in_strict_mode,
    accepted_socket_gets_set_settings_then_version_info,
    a_second_socket_replaces_the_first_with_4409,
    a_silent_client_is_dropped_after_the_silence_timeout,
    text_pings_keep_a_client_alive,
    malformed_text_frames_do_not_end_the_session,
);
