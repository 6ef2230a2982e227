//! Retention of the request log: with short bounds, rows past the age and the count disappear
//! while getBills keep coming, and the log stops growing; old refusals and warnings go too;
//! long bodies are kept cut with their size and hash.

use crate::helpers::{spawn_app_with, AppOptions, Backend, RawPos, Restaurant, TestApp};
use crate::on_both_stores;
use rahunok_server::config::Retention;
use rahunok_server::store::{now_ms, CallbackRefusal, RequestLogEntry, RequestOutcome, StoredWarning};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::time::Duration;

const KEPT_ROWS: i64 = 100;

fn short_retention() -> Retention {
    Retention {
        max_age: Duration::from_secs(60),
        max_request_rows: KEPT_ROWS as u64,
        batch: 20,
        prune_every: Duration::from_millis(50),
        ..Retention::default()
    }
}

/// A request-log row as an hour-old request would have left it.
fn an_hour_ago(resto_id: &str, n: usize) -> RequestLogEntry {
    let sent_at = now_ms() - 3_600_000;
    RequestLogEntry {
        rid: format!("old-{n}"),
        resto_id: resto_id.to_string(),
        operation: "getBill".into(),
        sent_at,
        finished_at: Some(sent_at + 5),
        latency_ms: Some(5),
        outcome: RequestOutcome::Answered,
        request_body: format!(r#"{{"rID":"old-{n}","operation":"getBill"}}"#),
        response_body: Some(format!(r#"{{"rID":"old-{n}","state":"SUCCESS"}}"#)),
        detail: None,
        request_body_cut: None,
        response_body_cut: None,
    }
}

fn an_hour_old_refusal_and_warning() -> (CallbackRefusal, StoredWarning) {
    let at = now_ms() - 3_600_000;
    let refusal = CallbackRefusal {
        at,
        path: "/callback/getBill".into(),
        rid: None,
        status: 401,
        err_code: "BAD_SIGNATURE".into(),
        err_text: "the signature does not match".into(),
        field_errors: vec![],
        signature: None,
        body: "{}".into(),
        body_truncated: false,
        body_cut: None,
    };
    let warning = StoredWarning {
        operation: "getBill".into(),
        kind: "OLD_KIND".into(),
        field: "x".into(),
        message: "an hour ago".into(),
        body: "{}".into(),
        first_at: at,
        last_at: at,
        count: 1,
    };
    (refusal, warning)
}

/// `count` getBills through the admin API and the virtual POS, ten at a time.
async fn get_bills(app: &TestApp, restaurant: &Restaurant, count: usize) {
    let path = format!("/api/admin/restaurants/{}/operations/getBill", restaurant.resto_id);
    for _ in 0..count / 10 {
        let asks = (0..10)
            .map(|_| app.admin(reqwest::Method::POST, &path).json(&serde_json::json!({"tableNumber": "3"})).send());
        for answer in futures_util::future::join_all(asks).await {
            assert_eq!(answer.unwrap().status(), 200);
        }
    }
}

/// Polls until the log holds at most `KEPT_ROWS` rows; the count it settled at.
async fn settled_count(app: &TestApp) -> i64 {
    app.state.link.flush_journal().await;
    let mut count = 0;
    for _ in 0..400 {
        count = app.state.store.request_log_count().await.unwrap();
        if count <= KEPT_ROWS {
            return count;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("the request log stayed at {count} rows, over its bound of {KEPT_ROWS}");
}

async fn old_and_surplus_request_log_rows_go_while_a_load_runs_and_the_log_stops_growing(backend: Backend) {
    let options = AppOptions { retention: short_retention(), ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Retention").await;
    let old: Vec<RequestLogEntry> = (0..30).map(|n| an_hour_ago(&restaurant.resto_id, n)).collect();
    app.state.store.insert_request_log(&old).await.unwrap();
    let (refusal, warning) = an_hour_old_refusal_and_warning();
    let refusals = [(restaurant.resto_id.clone(), refusal)];
    app.state.store.record_conformance(&refusals, &[(restaurant.resto_id.clone(), warning)]).await.unwrap();
    let _pos = app.start_virtual_pos(&restaurant).await;

    let mut counts = Vec::new();
    for _ in 0..3 {
        get_bills(&app, &restaurant, 150).await;
        counts.push(settled_count(&app).await);
    }
    for n in 0..30 {
        let row = app.state.store.request_log_entry(&restaurant.resto_id, &format!("old-{n}")).await.unwrap();
        assert!(row.is_none(), "old-{n} is past the age bound and was deleted");
    }
    assert!(app.state.store.callback_refusals(&restaurant.resto_id).await.unwrap().is_empty(), "old refusals go");
    let warnings = app.state.store.conformance_warnings(&restaurant.resto_id).await.unwrap();
    assert!(warnings.iter().all(|w| w.kind != "OLD_KIND"), "old warnings go: {warnings:?}");
    assert!(counts.iter().all(|c| *c <= KEPT_ROWS), "the log stops growing: {counts:?} after 150, 300, 450 getBills");
    let (_, newest) = app.get_json(&format!("/api/admin/restaurants/{}/requests?limit=1", restaurant.resto_id)).await;
    assert_eq!(newest[0]["operation"], "getBill", "the newest rows are the ones kept: {newest}");
}

async fn a_long_callback_body_is_logged_cut_with_its_size_and_hash(backend: Backend) {
    let retention = Retention { body_limit: 1024, ..Retention::default() };
    let app = spawn_app_with(backend, AppOptions { retention, ..AppOptions::default() }).await;
    let restaurant = app.create_restaurant("Long answers").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    let path = format!("/api/admin/restaurants/{}/operations/tablesInfo", restaurant.resto_id);
    let asking = tokio::spawn(app.admin(reqwest::Method::POST, &path).json(&serde_json::json!({})).send());
    let rid = pos.next_request("tablesInfo").await["rID"].as_str().unwrap().to_string();
    let tables: Vec<String> = (0..200).map(|n| format!(r#"{{"id":"t-{n}","number":{n},"name":"Стіл {n}"}}"#)).collect();
    let body = format!(r#"{{"rID":"{rid}","state":"SUCCESS","tables":[{}]}}"#, tables.join(","));
    assert!(body.len() > 4096);
    let (status, answer) =
        app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, body.as_bytes()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(asking.await.unwrap().unwrap().status(), 200);

    app.state.link.flush_journal().await;
    let (_, log) =
        app.get_json(&format!("/api/admin/restaurants/{}/requests?operation=tablesInfo", restaurant.resto_id)).await;
    let entry: &Value = log.as_array().unwrap().iter().find(|e| e["rID"] == rid.as_str()).expect("logged");
    let kept = entry["responseBody"].as_str().unwrap();
    assert!(kept.len() <= 1024 && kept.len() > 1000, "cut at the limit: {} bytes", kept.len());
    assert!(body.starts_with(kept), "the kept part is the body's beginning");
    assert_eq!(entry["responseBodyCut"]["size"], body.len() as i64, "{entry}");
    let sha256: String = Sha256::digest(body.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(entry["responseBodyCut"]["sha256"], sha256.as_str());
    assert!(entry.get("requestBodyCut").is_none(), "the short frame is kept whole: {entry}");
}

on_both_stores!(
    old_and_surplus_request_log_rows_go_while_a_load_runs_and_the_log_stops_growing,
    a_long_callback_body_is_logged_cut_with_its_size_and_hash,
);
