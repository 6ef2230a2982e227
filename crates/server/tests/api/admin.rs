//! The admin API: the bearer token, restaurants and their secrets, the request log.

use crate::helpers::{basic, spawn_app, Backend, RawPos};
use crate::on_both_stores;
use serde_json::{json, Value};
use std::time::Duration;

async fn admin_api_needs_the_bearer_token(backend: Backend) {
    let app = spawn_app(backend).await;
    for token in [None, Some("wrong")] {
        let mut request = app.http.get(format!("{}/api/admin/restaurants", app.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errCode"], "UNAUTHORIZED");
    }
}

async fn restaurants_are_created_listed_and_shown_with_their_secret_only_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let created = app.create_restaurant("Під липою").await;
    assert!(created.secret.len() > 64);
    let (status, list) = app.get_json("/api/admin/restaurants").await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["restoId"], created.resto_id.as_str());
    assert_eq!(list[0]["name"], "Під липою");
    assert_eq!(list[0]["connection"]["connected"], false);
    let text = serde_json::to_string(&list).unwrap();
    assert!(!text.contains(&created.secret), "the secret is never shown again");
    let (status, body) = app.get_json("/api/admin/restaurants/no-such-id").await;
    assert_eq!(status, 404);
    assert_eq!(body["errCode"], "UNKNOWN_RESTAURANT");
    for bad in [json!({}), json!({"name": ""}), json!({"name": 5})] {
        let response = app.admin(reqwest::Method::POST, "/api/admin/restaurants").json(&bad).send().await.unwrap();
        assert_eq!(response.status(), 400, "{bad}");
    }
}

async fn a_rotated_secret_keeps_the_old_one_valid_for_the_grace_period(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Rotating").await;
    let path = format!("/api/admin/restaurants/{}/rotate-secret", r.resto_id);
    let rotated: Value = app
        .admin(reqwest::Method::POST, &path)
        .json(&json!({"graceSeconds": 3600}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_secret = rotated["secretKey"].as_str().unwrap();
    assert_ne!(new_secret, r.secret);
    assert!(RawPos::connect(&app, Some(&basic(&r.resto_id, &r.secret)), None).await.is_ok(), "old secret in grace");
    assert!(RawPos::connect(&app, Some(&basic(&r.resto_id, new_secret)), None).await.is_ok(), "new secret");
    let no_grace: Value = app
        .admin(reqwest::Method::POST, &path)
        .json(&json!({"graceSeconds": 0}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let newest = no_grace["secretKey"].as_str().unwrap();
    let refused = RawPos::connect(&app, Some(&basic(&r.resto_id, new_secret)), None).await.err().unwrap();
    assert_eq!(refused.status, 401, "a key rotated out without grace stops working");
    let webhook = json!({"webhookType": "ORDERS_CLOSED", "closedOrders": []}).to_string();
    assert_eq!(app.post_callback("webhook", &r.resto_id, new_secret, webhook.as_bytes()).await.0, 401);
    assert_eq!(app.post_callback("webhook", &r.resto_id, newest, webhook.as_bytes()).await.0, 200);
    let (status, _) = app.get_json("/api/admin/restaurants/none/rotate-secret").await;
    assert_eq!(status, 405);
}

async fn the_request_log_records_both_bodies_and_the_outcome(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Logged").await;
    app.start_virtual_pos(&r).await;
    let path = format!("/api/admin/restaurants/{}/operations/getBill", r.resto_id);
    let response =
        app.admin(reqwest::Method::POST, &path).body(r#"{"tableNumber": "3", "sum": 129.20}"#).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let answer = response.text().await.unwrap();
    let log_path = format!("/api/admin/restaurants/{}/requests?operation=getBill&limit=10", r.resto_id);
    let mut entries = Value::Null;
    for _ in 0..100 {
        entries = app.get_json(&log_path).await.1;
        if entries.as_array().is_some_and(|e| !e.is_empty()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let entry = &entries[0];
    assert_eq!(entry["operation"], "getBill");
    assert_eq!(entry["outcome"], "answered");
    assert_eq!(entry["responseBody"], answer.as_str(), "the callback body is kept exactly as sent");
    assert!(entry["requestBody"].as_str().unwrap().contains(r#""sum":129.20"#), "console fields keep their exact text");
    assert!(entry["latencyMs"].as_i64().is_some());
    let (status, _) = app.get_json(&format!("/api/admin/restaurants/{}/requests?operation=nonsense", r.resto_id)).await;
    assert_eq!(status, 404);
}

on_both_stores!(
    admin_api_needs_the_bearer_token,
    restaurants_are_created_listed_and_shown_with_their_secret_only_once,
    a_rotated_secret_keeps_the_old_one_valid_for_the_grace_period,
    the_request_log_records_both_bodies_and_the_outcome,
);

async fn malformed_admin_input_gets_the_error_body(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Typos").await;
    let rotate = app
        .admin(reqwest::Method::POST, &format!("/api/admin/restaurants/{}/rotate-secret", r.resto_id))
        .body("{graceSeconds: soon}")
        .send()
        .await
        .unwrap();
    assert_eq!(rotate.status(), 400);
    assert_eq!(rotate.json::<Value>().await.unwrap()["errCode"], "BAD_REQUEST");
    for path in ["requests?limit=many", "payments?from=yesterday"] {
        let (status, body) = app.get_json(&format!("/api/admin/restaurants/{}/{path}", r.resto_id)).await;
        assert_eq!(status, 400, "{path}");
        assert_eq!(body["errCode"], "BAD_REQUEST", "{path}: {body}");
    }
    let console = app
        .admin(reqwest::Method::POST, &format!("/api/admin/restaurants/{}/operations/getBill", r.resto_id))
        .body("[1, 2]")
        .send()
        .await
        .unwrap();
    assert_eq!(console.status(), 400, "console fields must be an object");
}

on_both_stores!(malformed_admin_input_gets_the_error_body);

async fn unknown_paths_and_methods_get_an_error_body_or_a_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get_json("/api/admin/nothing-here").await;
    assert_eq!((status, body["errCode"].as_str()), (404, Some("NOT_FOUND")));
    let wrong_method = app.http.get(format!("{}/callback/tablesInfo", app.base)).send().await.unwrap();
    assert_eq!(wrong_method.status(), 405);
    assert_eq!(wrong_method.json::<Value>().await.unwrap()["errCode"], "METHOD_NOT_ALLOWED");
    let page = app.http.get(format!("{}/no/such/page", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 404);
    assert!(page.text().await.unwrap().contains("Сторінку не знайдено"));
}

on_both_stores!(unknown_paths_and_methods_get_an_error_body_or_a_page);

/// Found by schemathesis: a grace period of 2^63 seconds overflowed (a dropped connection in a
/// debug build, a nonsense expiry in release). Grace is at most 30 days; the secret stays.
async fn a_grace_period_beyond_30_days_is_refused_and_the_secret_stays(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Rotating").await;
    let path = format!("/api/admin/restaurants/{}/rotate-secret", r.resto_id);
    for seconds in [json!(9_223_372_036_854_775_808u64), json!(30 * 24 * 3600 + 1)] {
        let refused = app.admin(reqwest::Method::POST, &path).json(&json!({ "graceSeconds": seconds })).send().await;
        let refused = refused.expect("an answer, not a dropped connection");
        assert_eq!(refused.status(), 400);
        let body: Value = refused.json().await.unwrap();
        assert!(body["errText"].as_str().unwrap().contains("30 days"), "{body}");
    }
    assert!(RawPos::connect(&app, Some(&basic(&r.resto_id, &r.secret)), None).await.is_ok(), "the secret is unchanged");
    let month = app.admin(reqwest::Method::POST, &path).json(&json!({ "graceSeconds": 30 * 24 * 3600 })).send().await;
    assert_eq!(month.unwrap().status(), 200);
}

on_both_stores!(a_grace_period_beyond_30_days_is_refused_and_the_secret_stays);
