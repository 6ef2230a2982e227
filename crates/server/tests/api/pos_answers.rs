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

fn kinds(warnings: &Value) -> Vec<String> {
    warnings.as_array().unwrap().iter().map(|w| w["kind"].as_str().unwrap().to_string()).collect()
}

/// The shapes a public third-party POS library really sends, answered by hand on a raw socket:
/// each is accepted with 200, read the way the caller needs it, and recorded as a conformance
/// warning that survives a restart.
async fn loose_answers_of_real_integrations_round_trip_and_are_recorded_as_warnings(backend: Backend) {
    use rahunok_protocol::ops::{GetBill, SplitOrder, SplitPosition};
    use rahunok_protocol::{Money, Quantity};
    use rahunok_server::gateway::LinkError;
    let (app, restaurant, mut pos) = app_with_a_hand_made_pos(backend).await;
    let resto_id = restaurant.resto_id.clone();
    let answer = |operation: &'static str, body: String| {
        let (app_base, secret, resto_id) = (app.base.clone(), restaurant.secret.clone(), resto_id.clone());
        async move {
            let signature = rahunok_protocol::signing::sign(secret.as_bytes(), body.as_bytes());
            let sent = reqwest::Client::new()
                .post(format!("{app_base}/callback/{operation}"))
                .header("restoId", resto_id)
                .header("signature", signature)
                .header("Content-Type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(sent.status(), 200, "{operation}: {}", sent.text().await.unwrap());
        }
    };

    // setSettings goes out with load_modifiers as a string; versionInfo in the dotted form.
    let settings = pos.next_request("setSettings").await;
    assert!(settings["settings"]["load_modifiers"].is_string(), "{settings}");
    let rid = pos.next_request("versionInfo").await["rID"].as_str().unwrap().to_string();
    answer("versionInfo", format!(r#"{{"rID":"{rid}","state":"SUCCESS","partner.id":"acme","plugin.version":"v0.6.0","restaurant.version":"1.2","systemInfo":{{"os":"win"}},"additionalInfo":null,"updateInfo":null}}"#)).await;
    let mut version = Value::Null;
    for _ in 0..50 {
        version = app.get_json(&format!("/api/admin/restaurants/{resto_id}")).await.1;
        if version["connection"]["pluginVersionText"] == "v0.6.0" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(version["connection"]["pluginVersionText"], "v0.6.0", "{version}");

    // stopList as {id, quantity}.
    let stop_list = tokio::spawn(
        app.admin(reqwest::Method::GET, &format!("/api/admin/restaurants/{resto_id}/stop-list?refresh=true")).send(),
    );
    let rid = pos.next_request("stopList").await["rID"].as_str().unwrap().to_string();
    answer("stopList", format!(r#"{{"rID":"{rid}","state":"SUCCESS","items":[{{"id":"dish-uzvar","quantity":0}}]}}"#))
        .await;
    let items: Value = stop_list.await.unwrap().unwrap().json().await.unwrap();
    assert_eq!(items["items"][0]["productId"], "dish-uzvar", "{items}");

    // splitOrder FAIL without a substate: delivered as a failure.
    let link = app.state.link.clone();
    let split = SplitOrder {
        bill_id: "b-1".into(),
        control_sum: Money::parse("10.00").unwrap(),
        positions: vec![SplitPosition { id: "p-1".into(), quantity: Quantity::parse("1").unwrap() }],
    };
    let (link_for_split, resto_for_split) = (link.clone(), resto_id.clone());
    let splitting = tokio::spawn(async move { link_for_split.request(&resto_for_split, &split).await });
    let rid = pos.next_request("splitOrder").await["rID"].as_str().unwrap().to_string();
    answer("splitOrder", format!(r#"{{"rID":"{rid}","state":"FAIL","tableNumber":12,"orders":null}}"#)).await;
    assert!(matches!(splitting.await.unwrap(), Err(LinkError::PosFail { .. })), "a failure, not a success");

    // getBill with the table number only at the top level: the order gets it.
    let resto_for_bill = resto_id.clone();
    let billing = tokio::spawn(async move { link.request(&resto_for_bill, &GetBill::for_table("12")).await });
    let rid = pos.next_request("getBill").await["rID"].as_str().unwrap().to_string();
    answer(
        "getBill",
        format!(
            r#"{{"rID":"{rid}","state":"SUCCESS","tableNumber":12,"orders":[{{"billId":"b-12","totalSum":120}}]}}"#
        ),
    )
    .await;
    let bill = billing.await.unwrap().expect("the bill is usable");
    assert_eq!(bill.body.orders[0].table_number.as_deref(), Some("12"));

    let warnings_path = format!("/api/admin/restaurants/{resto_id}/conformance-warnings");
    let (status, warnings) = app.get_json(&warnings_path).await;
    assert_eq!(status, 200);
    let seen = kinds(&warnings);
    for kind in [
        "DOTTED_VERSION_INFO",
        "UNREADABLE_INFORMATIONAL",
        "STOP_LIST_ID_QUANTITY",
        "FAIL_WITHOUT_SUBSTATE",
        "TOP_LEVEL_TABLE_NUMBER",
    ] {
        assert!(seen.iter().any(|k| k == kind), "{kind} is recorded: {warnings}");
    }
    assert!(warnings.as_array().unwrap().iter().all(|w| !w["body"].as_str().unwrap_or_default().is_empty()));

    let app = app.restart().await;
    let (_, after) = app.get_json(&warnings_path).await;
    assert_eq!(kinds(&after).len(), seen.len(), "warnings survive a restart: {after}");
}

on_both_stores!(loose_answers_of_real_integrations_round_trip_and_are_recorded_as_warnings);
