//! The refusal log: refused callbacks and webhooks never reach the request log, so the gateway
//! keeps the recent ones (with the body and signature as sent) for the POS developer.

use crate::helpers::{spawn_app, Backend, RawPos, TestApp};
use crate::on_both_stores;
use rahunok_protocol::ops::GetBill;
use serde_json::Value;

async fn refusals(app: &TestApp, resto_id: &str) -> Vec<Value> {
    let (status, body) = app.get_json(&format!("/api/admin/restaurants/{resto_id}/callback-refusals")).await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

async fn refused_callbacks_are_listed_with_code_rid_body_and_signature(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Refusals").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    let link = app.state.link.clone();
    let resto_id = restaurant.resto_id.clone();
    tokio::spawn(async move { link.request(&resto_id, &GetBill::for_table("9")).await });
    let rid = pos.next_request("getBill").await["rID"].as_str().unwrap().to_string();

    let unsigned_fail = format!(r#"{{"rID":"{rid}","state":"SUCCESS","orders":[{{"totalSum":"lots"}}]}}"#).into_bytes();
    let answer = app.post_callback("getBill", &restaurant.resto_id, "not-the-secret", &unsigned_fail).await;
    assert_eq!(answer.0, 401);
    let answer = app.post_callback("getBill", &restaurant.resto_id, &restaurant.secret, &unsigned_fail).await;
    assert_eq!(answer.0, 400);
    let webhook = br#"{"webhookType":"NO_SUCH_KIND"}"#;
    assert_eq!(app.post_callback("webhook", &restaurant.resto_id, &restaurant.secret, webhook).await.0, 400);
    let stranger = app.post_callback("getBill", "no-such-restaurant", &restaurant.secret, &unsigned_fail).await;
    assert_eq!(stranger.0, 401);

    let listed = refusals(&app, &restaurant.resto_id).await;
    assert_eq!(listed.len(), 3, "the unknown restoId is not attributed to anyone: {listed:?}");
    let (webhook, invalid, bad_signature) = (&listed[0], &listed[1], &listed[2]);
    assert_eq!(webhook["path"], "/callback/webhook");
    assert_eq!(webhook["errCode"], "UNKNOWN_WEBHOOK_TYPE");
    assert_eq!(invalid["errCode"], "VALIDATION");
    assert_eq!(invalid["status"], 400);
    assert!(invalid["fieldErrors"].as_array().is_some_and(|errors| !errors.is_empty()), "{invalid}");
    assert_eq!(bad_signature["errCode"], "BAD_SIGNATURE");
    assert_eq!(bad_signature["status"], 401);
    assert_eq!(bad_signature["path"], "/callback/getBill");
    assert_eq!(bad_signature["rID"], rid.as_str());
    assert_eq!(bad_signature["body"], String::from_utf8(unsigned_fail.clone()).unwrap());
    let expected = rahunok_protocol::signing::sign(b"not-the-secret", &unsigned_fail);
    assert_eq!(bad_signature["signature"], expected.as_str());

    let (status, _) = app.get_json("/api/admin/restaurants/no-such-restaurant/callback-refusals").await;
    assert_eq!(status, 404);
}

on_both_stores!(refused_callbacks_are_listed_with_code_rid_body_and_signature);

async fn refusals_survive_a_restart(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Restart").await;
    let body = br#"{"rID":"r-1","state":"SUCCESS"}"#;
    let answer = app.post_callback("getBill", &restaurant.resto_id, "not-the-secret", body).await;
    assert_eq!(answer.0, 401);
    let app = app.restart().await;
    let listed = refusals(&app, &restaurant.resto_id).await;
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["errCode"], "BAD_SIGNATURE");
    assert_eq!(listed[0]["body"], r#"{"rID":"r-1","state":"SUCCESS"}"#);
}

on_both_stores!(refusals_survive_a_restart);

async fn a_long_refused_body_is_kept_cut_with_its_size_and_hash(backend: Backend) {
    use sha2::{Digest, Sha256};
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Long refusal").await;
    let body = format!(r#"{{"rID":"r-1","state":"SUCCESS","x":"{}"}}"#, "z".repeat(40_000));
    let answer = app.post_callback("getBill", &restaurant.resto_id, "not-the-secret", body.as_bytes()).await;
    assert_eq!(answer.0, 401);
    let listed = refusals(&app, &restaurant.resto_id).await;
    let kept = listed[0]["body"].as_str().unwrap();
    assert_eq!(kept.len(), 16 * 1024);
    assert!(body.starts_with(kept));
    assert_eq!(listed[0]["bodyTruncated"], true);
    assert_eq!(listed[0]["bodyCut"]["size"], body.len() as i64);
    let sha256: String = Sha256::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(listed[0]["bodyCut"]["sha256"], sha256.as_str());
}

on_both_stores!(a_long_refused_body_is_kept_cut_with_its_size_and_hash);
