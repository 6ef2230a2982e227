//! `examples/minimal_pos.rs` against a real server: the example's own code (included here as a
//! module) connects, answers `tablesInfo`, `getBill` by table and by bill id, closes the bill
//! on `payBill`, refuses a second payment, and keeps the server's ORDERS_CACHE fresh.

mod support;

#[path = "../examples/minimal_pos.rs"]
#[allow(dead_code)] // `main` and `config_from_env` are for running the example by hand
mod minimal_pos;

use minimal_pos::MinimalPos;
use rahunok_pos_sdk::PosConfig;
use serde_json::json;
use std::time::Duration;
use support::{Admin, KillableServer, Timings};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_minimal_pos_example_serves_a_bill_and_closes_it_on_payment() {
    let data = tempfile::tempdir().unwrap();
    let server = KillableServer::start(data.path().join("store"), "127.0.0.1:0".parse().unwrap(), Timings::default());
    let admin = Admin::new(&server.base_url());
    let (resto_id, secret) = admin.create_restaurant("Мінімальна кав'ярня").await;
    let config = PosConfig::new(&server.base_url(), &resto_id, &secret, "MinimalPOS");
    tokio::spawn(minimal_pos::serve(MinimalPos::new(), config, Duration::from_millis(200)));
    admin.wait_connected(&resto_id, Duration::from_secs(10)).await;

    let tables = admin.ask(&resto_id, "tablesInfo", json!({})).await;
    assert_eq!(tables["tables"][0]["number"], 1);
    let by_table = admin.ask(&resto_id, "getBill", json!({ "tableNumber": "1" })).await;
    assert_eq!(by_table["orders"][0]["billId"], "b-1");
    let by_id = admin.ask(&resto_id, "getBill", json!({ "billId": "b-1" })).await;
    assert_eq!(by_id["orders"][0]["totalSum"], 185.0);
    let cached = wait_for(&admin, &resto_id, |orders| orders["orders"][0]["billId"] == "b-1").await;
    assert_eq!(cached["fresh"], true);

    let paid = admin.ask(&resto_id, "payBill", json!({ "billId": "b-1", "sum": 185.00, "tips": 15.00 })).await;
    assert_eq!(paid["state"], "SUCCESS");
    let after = admin.ask(&resto_id, "getBill", json!({ "tableNumber": "1" })).await;
    assert_eq!(after["substate"], "ORDER_NOT_FOUND");
    let again = admin.ask(&resto_id, "payBill", json!({ "billId": "b-1", "sum": 185.00, "tips": 0 })).await;
    assert_eq!(again["substate"], "ORDER_ALREADY_PAID");
    wait_for(&admin, &resto_id, |orders| orders["orders"].as_array().is_some_and(Vec::is_empty)).await;
}

/// Polls the server's ORDERS_CACHE view until `ready` holds (10 s at most).
async fn wait_for(admin: &Admin, resto_id: &str, ready: impl Fn(&serde_json::Value) -> bool) -> serde_json::Value {
    for _ in 0..200 {
        let orders = admin.orders(resto_id).await;
        if ready(&orders) {
            return orders;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the ORDERS_CACHE view never became as expected: {}", admin.orders(resto_id).await);
}
