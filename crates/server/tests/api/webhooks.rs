//! POS-initiated webhooks: stored in one transaction each, refused precisely when wrong.

use crate::helpers::{spawn_app, Backend};
use crate::on_both_stores;
use serde_json::json;

async fn orders_cache_closed_orders_and_user_updates_are_stored(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Webhooks").await;
    let cache = json!({
        "webhookType": "ORDERS_CACHE",
        "eventTime": "2026-11-28T12:00:00Z",
        "actualOrders": [
            {"billId": "b-1", "tableNumber": "3", "orderNumber": 1, "totalSum": 129.20, "state": "NEW"},
            {"billId": "b-2", "tableNumber": 7, "orderNumber": "2", "totalSum": 0, "state": "bill"}
        ],
        "orders": [{"billId": "b-1", "totalSum": 129.20, "guests": null}]
    });
    let answer = app.post_callback("webhook", &r.resto_id, &r.secret, cache.to_string().as_bytes()).await;
    assert_eq!(answer.0, 200, "{:?}", answer.1);
    let (_, view) = app.get_json(&format!("/api/admin/restaurants/{}/orders", r.resto_id)).await;
    assert_eq!(view["orders"].as_array().unwrap().len(), 2);
    assert_eq!(view["orders"][0]["summary"]["totalSum"], json!(129.2));
    assert_eq!(view["orders"][0]["order"]["billId"], "b-1");
    assert_eq!(view["orders"][1]["tableNumber"], "7");
    assert_eq!(view["fresh"], true);

    let closed = json!({"webhookType": "ORDERS_CLOSED", "closedOrders": [{"billId": "b-1", "closedAt": "2026-11-28T12:01:00Z"}]});
    let answer = app.post_callback("webhook", &r.resto_id, &r.secret, closed.to_string().as_bytes()).await;
    assert_eq!(answer.0, 200);
    let (_, view) = app.get_json(&format!("/api/admin/restaurants/{}/orders", r.resto_id)).await;
    assert_eq!(view["orders"].as_array().unwrap().len(), 1);
    assert_eq!(view["closedBillIds"], json!(["b-1"]));

    let created = json!({"webhookType": "USER_UPDATE", "action": "created", "user": {"id": "u-9", "name": "Марта", "roles": "waiter"}});
    assert_eq!(app.post_callback("webhook", &r.resto_id, &r.secret, created.to_string().as_bytes()).await.0, 200);
    let renamed = json!({"webhookType": "USER_UPDATE", "action": "UPDATED", "user": {"id": "u-9", "name": "Марта К.", "roles": ["waiter"]}});
    assert_eq!(app.post_callback("webhook", &r.resto_id, &r.secret, renamed.to_string().as_bytes()).await.0, 200);
    let (_, staff) = app.get_json(&format!("/api/admin/restaurants/{}/staff", r.resto_id)).await;
    assert_eq!(staff["users"].as_array().unwrap().len(), 1);
    assert_eq!(staff["users"][0]["name"], "Марта К.");
    let deleted = json!({"webhookType": "USER_UPDATE", "action": "deleted", "user": {"id": "u-9"}});
    assert_eq!(app.post_callback("webhook", &r.resto_id, &r.secret, deleted.to_string().as_bytes()).await.0, 200);
    let (_, staff) = app.get_json(&format!("/api/admin/restaurants/{}/staff", r.resto_id)).await;
    assert_eq!(staff["users"], json!([]));
}

async fn bad_webhooks_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Bad webhooks").await;
    let unknown = json!({"webhookType": "ORDERS_EXPLODED"});
    let answer = app.post_callback("webhook", &r.resto_id, &r.secret, unknown.to_string().as_bytes()).await;
    assert_eq!(answer.0, 400);
    assert_eq!(answer.1["errCode"], "UNKNOWN_WEBHOOK_TYPE");
    let answer = app.post_callback("webhook", &r.resto_id, "wrong", unknown.to_string().as_bytes()).await;
    assert_eq!(answer.0, 401);
    // One unreadable sum refuses the whole push: nothing is half-stored.
    let broken = json!({"webhookType": "ORDERS_CACHE", "actualOrders": [
        {"billId": "b-1", "totalSum": 10},
        {"billId": "b-2", "totalSum": "ten hryvnias"}
    ]});
    let answer = app.post_callback("webhook", &r.resto_id, &r.secret, broken.to_string().as_bytes()).await;
    assert_eq!(answer.0, 400);
    assert_eq!(answer.1["fieldErrors"][0]["field"], "actualOrders[1].totalSum");
    let (_, view) = app.get_json(&format!("/api/admin/restaurants/{}/orders", r.resto_id)).await;
    assert_eq!(view["orders"], json!([]));
    assert_eq!(view["pushedAt"], serde_json::Value::Null);
}

/// Issue 31: a webhook read liberally records its loose forms as conformance warnings, under
/// its kind, as callbacks do.
async fn a_webhook_with_loose_forms_is_applied_and_its_warnings_are_recorded(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Вебхуки").await;
    let cache = json!({
        "webhookType": "orders_cache",
        "actualOrders": [{"billId": "b-1", "tableNumber": 0, "orderNumber": "1", "totalSum": 120, "state": "New"}],
        "orders": null
    });
    let answer = app.post_callback("webhook", &r.resto_id, &r.secret, cache.to_string().as_bytes()).await;
    assert_eq!(answer.0, 200, "{:?}", answer.1);
    let (_, view) = app.get_json(&format!("/api/admin/restaurants/{}/orders", r.resto_id)).await;
    assert_eq!(view["orders"][0]["tableNumber"], serde_json::Value::Null, "table 0 is no table: {view}");

    let (status, warnings) = app.get_json(&format!("/api/admin/restaurants/{}/conformance-warnings", r.resto_id)).await;
    assert_eq!(status, 200);
    let seen: Vec<(String, String)> = warnings
        .as_array()
        .unwrap()
        .iter()
        .inspect(|w| assert_eq!(w["operation"], "ORDERS_CACHE", "{w}"))
        .map(|w| (w["kind"].as_str().unwrap().to_string(), w["field"].as_str().unwrap().to_string()))
        .collect();
    for (kind, field) in [
        ("ENUM_CASE", "webhookType"),
        ("ZERO_TABLE_NUMBER", "actualOrders[0].tableNumber"),
        ("NUMBER_AS_STRING", "actualOrders[0].orderNumber"),
        ("WHOLE_NUMBER_MONEY", "actualOrders[0].totalSum"),
        ("ENUM_CASE", "actualOrders[0].state"),
        ("NULL_LIST", "orders"),
    ] {
        assert!(seen.contains(&(kind.to_string(), field.to_string())), "{kind} at {field}: {warnings}");
    }
}

on_both_stores!(
    orders_cache_closed_orders_and_user_updates_are_stored,
    bad_webhooks_are_refused_and_change_nothing,
    a_webhook_with_loose_forms_is_applied_and_its_warnings_are_recorded,
);
