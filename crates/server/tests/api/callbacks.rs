//! Every refusal of `docs/pos-protocol.md` section 4, in its order, with its status code and error body.

use crate::helpers::{spawn_app, spawn_app_with, AppOptions, Backend, RawPos, Restaurant, TestApp};
use crate::on_both_stores;
use rahunok_protocol::ops::TablesInfo;
use rahunok_server::gateway::LinkError;
use serde_json::Value;
use std::time::Duration;
use tokio::task::JoinHandle;

type Waiter = JoinHandle<
    Result<rahunok_protocol::Callback<rahunok_protocol::ops::TablesInfoAnswer>, rahunok_server::gateway::LinkError>,
>;

/// A restaurant with a hand-driven POS and one `tablesInfo` request waiting for its callback.
async fn waiting_tables_request(app: &TestApp) -> (Restaurant, RawPos, String, Waiter) {
    let restaurant = app.create_restaurant("Callback checks").await;
    let mut pos = RawPos::connect_as(app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;
    let link = app.state.link.clone();
    let resto_id = restaurant.resto_id.clone();
    let waiter = tokio::spawn(async move { link.request(&resto_id, &TablesInfo::default()).await });
    let frame = pos.next_request("tablesInfo").await;
    let rid = frame["rID"].as_str().unwrap().to_string();
    (restaurant, pos, rid, waiter)
}

fn tables_body(rid: &str) -> Vec<u8> {
    format!(r#"{{"rID":"{rid}","tables":[{{"id":"t1","name":"Вікно","number":1}}]}}"#).into_bytes()
}

fn assert_error(answer: &(u16, Value), status: u16, code: &str) {
    assert_eq!(answer.0, status, "status for {code}: {:?}", answer.1);
    assert_eq!(answer.1["errCode"], code, "body: {:?}", answer.1);
    assert!(answer.1["errText"].as_str().is_some_and(|t| t.len() > 10), "errText says what to do: {:?}", answer.1);
}

async fn unknown_or_missing_resto_id_is_refused_with_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let (restaurant, _pos, rid, _waiter) = waiting_tables_request(&app).await;
    let body = tables_body(&rid);
    let answer = app.post_callback("tablesInfo", "no-such-restaurant", &restaurant.secret, &body).await;
    assert_error(&answer, 401, "UNKNOWN_RESTO_ID");
    let answer = app.post_raw_callback("tablesInfo", None, Some("c2ln"), body).await;
    assert_error(&answer, 401, "UNKNOWN_RESTO_ID");
}

async fn missing_or_wrong_signature_is_refused_with_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let (restaurant, _pos, rid, _waiter) = waiting_tables_request(&app).await;
    let body = tables_body(&rid);
    let answer = app.post_raw_callback("tablesInfo", Some(&restaurant.resto_id), None, body.clone()).await;
    assert_error(&answer, 401, "MISSING_SIGNATURE");
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, "another-secret", &body).await;
    assert_error(&answer, 401, "BAD_SIGNATURE");
    // Signed, then re-serialised (whitespace and key order changed): the bytes differ.
    let signature = rahunok_protocol::signing::sign(restaurant.secret.as_bytes(), &body);
    let value: Value = serde_json::from_slice(&body).unwrap();
    let reserialised = serde_json::to_vec_pretty(&value).unwrap();
    let answer = app.post_raw_callback("tablesInfo", Some(&restaurant.resto_id), Some(&signature), reserialised).await;
    assert_error(&answer, 401, "BAD_SIGNATURE");
}

async fn body_over_the_limit_is_refused_with_413(backend: Backend) {
    let options = AppOptions { body_limit: 4096, ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let (restaurant, _pos, rid, _waiter) = waiting_tables_request(&app).await;
    let padding = "x".repeat(5000);
    let body = format!(r#"{{"rID":"{rid}","tables":[],"padding":"{padding}"}}"#).into_bytes();
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, &body).await;
    assert_error(&answer, 413, "BODY_TOO_LARGE");
    // The signature is checked first: an oversized body with a bad signature is a 401.
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, "wrong", &body).await;
    assert_error(&answer, 401, "BAD_SIGNATURE");
}

/// Found 9 of issue 28: the signature is checked before the size (section 4, steps 2 and 3) on
/// an operation whose own limit is the small one too — a 17 MiB body to `payBill` (1 MiB) with
/// a bad signature is 401, not 413; signed right, it is 413.
async fn a_17_mib_body_with_a_bad_signature_to_a_small_answer_operation_is_refused_with_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Callback checks").await;
    let padding = "x".repeat(17 * 1024 * 1024);
    let body = format!(r#"{{"rID":"2024-01-01 00:00:00.0#aaaaaaa","padding":"{padding}"}}"#).into_bytes();
    let answer = app.post_callback("payBill", &restaurant.resto_id, "not-the-secret", &body).await;
    assert_error(&answer, 401, "BAD_SIGNATURE");
    let answer = app.post_callback("payBill", &restaurant.resto_id, &restaurant.secret, &body).await;
    assert_error(&answer, 413, "BODY_TOO_LARGE");
}

/// Reading on only to hash has an end: past four times the largest callback body of any
/// operation, a body is cut with 413 before its signature is known (section 4, step 3).
async fn a_body_past_four_times_the_largest_callback_body_is_refused_with_413_unverified(backend: Backend) {
    let options = AppOptions { body_limit: 4096, ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let restaurant = app.create_restaurant("Callback checks").await;
    let within = vec![b' '; 4 * 4096];
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, "not-the-secret", &within).await;
    assert_error(&answer, 401, "BAD_SIGNATURE");
    let past = vec![b' '; 4 * 4096 + 1];
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, "not-the-secret", &past).await;
    assert_error(&answer, 413, "BODY_TOO_LARGE");
}

async fn body_that_is_not_a_json_object_is_refused_with_400(backend: Backend) {
    let app = spawn_app(backend).await;
    let (restaurant, _pos, rid, _waiter) = waiting_tables_request(&app).await;
    for body in [format!(r#"["{rid}"]"#), "not json".to_string(), format!(r#"{{"rID":"{rid}","tables":[],}}"#)] {
        let answer = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, body.as_bytes()).await;
        assert_error(&answer, 400, "NOT_JSON_OBJECT");
    }
}

async fn unknown_rid_or_other_operation_is_refused_with_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let (restaurant, _pos, rid, _waiter) = waiting_tables_request(&app).await;
    let answer = app
        .post_callback(
            "tablesInfo",
            &restaurant.resto_id,
            &restaurant.secret,
            &tables_body("2022-11-18 13:18:51.694125371#Lm4R2EQ"),
        )
        .await;
    assert_error(&answer, 404, "UNKNOWN_RID");
    // The right rID on another operation's path.
    let answer = app.post_callback("usersInfo", &restaurant.resto_id, &restaurant.secret, &tables_body(&rid)).await;
    assert_error(&answer, 404, "UNKNOWN_RID");
    // The right rID, signed by another restaurant.
    let other = app.create_restaurant("Another").await;
    let answer = app.post_callback("tablesInfo", &other.resto_id, &other.secret, &tables_body(&rid)).await;
    assert_error(&answer, 404, "UNKNOWN_RID");
    // An operation that is never answered by callback.
    let answer = app.post_callback("showMessage", &restaurant.resto_id, &restaurant.secret, &tables_body(&rid)).await;
    assert_error(&answer, 404, "UNKNOWN_OPERATION");
}

async fn late_callback_is_refused_with_410(backend: Backend) {
    let options = AppOptions { callback_timeout: Duration::from_millis(400), ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let (restaurant, _pos, rid, waiter) = waiting_tables_request(&app).await;
    let outcome = waiter.await.unwrap();
    assert!(matches!(outcome, Err(rahunok_server::gateway::LinkError::Timeout(_))), "{outcome:?}");
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, &tables_body(&rid)).await;
    assert_error(&answer, 410, "RID_EXPIRED");
}

async fn repeated_callback_is_200_when_identical_and_409_when_different(backend: Backend) {
    let app = spawn_app(backend).await;
    let (restaurant, _pos, rid, waiter) = waiting_tables_request(&app).await;
    let body = tables_body(&rid);
    let first = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, &body).await;
    assert_eq!(first.0, 200);
    let answer = waiter.await.unwrap().expect("the request completed");
    assert_eq!(answer.body.tables[0].id, "t1");
    let again = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, &body).await;
    assert_eq!(again.0, 200, "an identical retry is harmless: {:?}", again.1);
    let different = format!(r#"{{"rID":"{rid}","tables":[]}}"#);
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, different.as_bytes()).await;
    assert_error(&answer, 409, "RID_ALREADY_ANSWERED");
}

async fn an_unusable_answer_fails_the_waiting_request_at_once_and_a_later_answer_gets_409(backend: Backend) {
    let app = spawn_app(backend).await;
    let (restaurant, _pos, rid, waiter) = waiting_tables_request(&app).await;
    let body = format!(r#"{{"rID":"{rid}","tables":[{{"id":"t1","name":"Вікно","number":"перший"}}]}}"#);
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, body.as_bytes()).await;
    assert_error(&answer, 400, "VALIDATION");
    assert_eq!(answer.1["fieldErrors"][0]["field"], "tables[0].number", "{:?}", answer.1);
    match waiter.await.unwrap() {
        Err(LinkError::AnswerInvalid(errors)) => assert_eq!(errors[0].field, "tables[0].number"),
        other => panic!("the waiter fails at once with the field errors, got {other:?}"),
    }
    let corrected = tables_body(&rid);
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, &corrected).await;
    assert_error(&answer, 409, "RID_ALREADY_REFUSED");
}

async fn wrongly_typed_field_is_refused_with_its_path(backend: Backend) {
    let app = spawn_app(backend).await;
    let (restaurant, _pos, rid, _waiter) = waiting_tables_request(&app).await;
    let body = format!(r#"{{"rID":"{rid}","tables":[{{"id":"t1","name":"Вікно","number":"перший"}}]}}"#);
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, body.as_bytes()).await;
    assert_error(&answer, 400, "VALIDATION");
    assert_eq!(answer.1["fieldErrors"][0]["field"], "tables[0].number", "{:?}", answer.1);
    let no_rid = br#"{"tables":[]}"#;
    let answer = app.post_callback("tablesInfo", &restaurant.resto_id, &restaurant.secret, no_rid).await;
    assert_error(&answer, 400, "VALIDATION");
    assert_eq!(answer.1["fieldErrors"][0]["field"], "rID");
}

on_both_stores!(
    unknown_or_missing_resto_id_is_refused_with_401,
    missing_or_wrong_signature_is_refused_with_401,
    body_over_the_limit_is_refused_with_413,
    a_17_mib_body_with_a_bad_signature_to_a_small_answer_operation_is_refused_with_401,
    a_body_past_four_times_the_largest_callback_body_is_refused_with_413_unverified,
    body_that_is_not_a_json_object_is_refused_with_400,
    unknown_rid_or_other_operation_is_refused_with_404,
    late_callback_is_refused_with_410,
    repeated_callback_is_200_when_identical_and_409_when_different,
    an_unusable_answer_fails_the_waiting_request_at_once_and_a_later_answer_gets_409,
    wrongly_typed_field_is_refused_with_its_path,
);
