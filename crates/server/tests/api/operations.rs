//! Every operation of `docs/pos-protocol.md` section 5 round-trips: server → virtual POS (over the socket) →
//! signed callback → typed answer. FAIL answers come back as typed errors with their substate.

use crate::helpers::{spawn_app, Backend};
use crate::on_both_stores;
use rahunok_protocol::ops::*;
use rahunok_protocol::{Money, Quantity};
use rahunok_server::gateway::LinkError;
use serde_json::json;

fn money(text: &str) -> Money {
    Money::parse(text).unwrap()
}

fn substate_of<T: std::fmt::Debug>(result: Result<T, LinkError>) -> String {
    match result {
        Err(LinkError::PosFail { substate, .. }) => substate,
        other => panic!("expected a POS FAIL, got {other:?}"),
    }
}

async fn every_operation_round_trips_through_the_virtual_pos(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Андріївський ранок").await;
    let pos = app.start_virtual_pos(&restaurant).await;
    let link = &app.state.link;
    let id = restaurant.resto_id.as_str();

    let tables = link.request(id, &TablesInfo::default()).await.unwrap().body.tables;
    assert_eq!(tables.len(), 12);
    let halls = link.request(id, &HallplansInfo::default()).await.unwrap().body.hall_plans;
    assert_eq!(halls.len(), 2);
    assert!(tables.iter().all(|t| halls.iter().any(|h| Some(&h.id) == t.hall_plan_id.as_ref())));
    let users = link.request(id, &UsersInfo::default()).await.unwrap().body.users;
    assert_eq!(users.len(), 4);
    assert!(users.iter().all(|u| !u.roles.is_empty() && u.cell_phone.is_some()));
    let categories = link.request(id, &CategoriesInfo::default()).await.unwrap().body.categories;
    assert!(categories.len() >= 6);
    let menu = link.request(id, &MenuInfo::default()).await.unwrap().body;
    assert!(menu.dishes.len() >= 35);
    assert_eq!(menu.dishes, pos.fixture().menu.dishes, "prices and modifiers arrive exactly");
    let stop = link.request(id, &StopList::default()).await.unwrap().body.items;
    assert!(stop.iter().any(|s| s.balance.is_zero()));
    assert!(link.request(id, &CheckWork::default()).await.unwrap().body.ready_to_work);
    let version = link.request(id, &VersionInfo::default()).await.unwrap().body;
    assert!(version.has_feature(feature::ORDERS_CACHE));

    let bill = link.request(id, &GetBill::for_table("7")).await.unwrap().body;
    let order = &bill.orders[0];
    assert_eq!(order.total_sum, money("702.90"));
    assert!(order.lines().any(|d| d.linked_to.is_some()), "modifier lines keep their parent");
    let by_id = link.request(id, &GetBill::for_bill(&order.bill_id)).await.unwrap().body;
    assert_eq!(&by_id.orders[0], order);

    let restrictions = CheckProductsRestrictions {
        items: vec![
            OrderItem { id: "dish-espresso".into(), quantity: Quantity::whole(1), modifier: vec![] },
            OrderItem {
                id: stop.iter().find(|s| s.balance.is_zero()).unwrap().product_id.clone(),
                quantity: Quantity::whole(1),
                modifier: vec![],
            },
        ],
    };
    let result = link.request(id, &restrictions).await.unwrap().body.result;
    assert!(!result.check_result);
    assert!(result.item_results[0].available && !result.item_results[1].available);

    let create = CreateOrderOnTable {
        external_id: "rahunok-order-1".into(),
        origin_name: "Rahunok".into(),
        table_id: "tbl-05".into(),
        items: vec![OrderItem { id: "dish-espresso".into(), quantity: Quantity::whole(2), modifier: vec![] }],
        fiscal_data: vec![],
    };
    let created = link.request(id, &create).await.unwrap().body.result;
    assert!(created.success);
    let root = created.root_order.unwrap();
    assert_eq!(root.result_sum, Some(money("110.00")));
    let again = link.request(id, &create).await.unwrap().body.result.root_order.unwrap();
    assert_eq!(again.order_id, root.order_id, "a repeated externalId is the same order");

    // splitOrder: the latte with its oat milk (positions p-32070-1 + modifier p-32070-2).
    let table3 = link.request(id, &GetBill::for_table("3")).await.unwrap().body.orders.remove(0);
    let latte = table3.lines().find(|d| d.position_id.as_deref() == Some("p-32070-1")).unwrap().clone();
    let milk = table3.lines().find(|d| d.linked_to.as_deref() == Some("p-32070-1")).unwrap().clone();
    let split = SplitOrder {
        bill_id: table3.bill_id.clone(),
        control_sum: latte.sum + milk.sum,
        positions: vec![SplitPosition { id: "p-32070-1".into(), quantity: latte.count }],
    };
    let SplitAnswer(halves) = link.request(id, &split).await.unwrap().body;
    let (parent, child) = (&halves.orders[0], &halves.orders[1]);
    assert_eq!(child.total_sum, latte.sum + milk.sum);
    assert_eq!(parent.total_sum + child.total_sum, table3.total_sum, "no kopiyka lost or invented");
    assert_eq!(child.lines().count(), 2, "the modifier moved with its parent");

    let pay =
        PayBill { bill_id: child.bill_id.clone(), sum: child.total_sum, tips: money("10.00"), fiscal_data: vec![] };
    let paid = link.request(id, &pay).await.unwrap().body;
    assert_eq!(paid.bill_id.as_deref(), Some(child.bill_id.as_str()));
    assert_eq!(pos.floor().paid(&child.bill_id).unwrap().tips, money("10.00"), "the POS saw the tip");
    assert_eq!(substate_of(link.request(id, &pay).await), "ORDER_ALREADY_PAID");

    link.send_message(id, &SetSettings::default()).await.unwrap();
    link.send_message(id, &ShowMessage { message: "Оплату повернено".into(), warning: true, bill_id: None })
        .await
        .unwrap();
}

async fn pos_failures_come_back_as_typed_errors_with_their_substate(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Failures").await;
    app.start_virtual_pos(&restaurant).await;
    let link = &app.state.link;
    let id = restaurant.resto_id.as_str();
    assert_eq!(substate_of(link.request(id, &GetBill::for_table("99")).await), "TABLE_NOT_FOUND");
    assert_eq!(substate_of(link.request(id, &GetBill::for_table("1")).await), "ORDER_NOT_FOUND");
    assert_eq!(substate_of(link.request(id, &GetBill::for_bill("b-nope")).await), "ORDER_NOT_FOUND");
    let wrong_sum = PayBill { bill_id: "b-32072".into(), sum: money("1.00"), tips: Money::ZERO, fiscal_data: vec![] };
    assert_eq!(substate_of(link.request(id, &wrong_sum).await), "SUM_MISMATCH");

    // Through the admin API: a FAIL is a 502 naming the substate.
    let (status, body) = app.get_json(&format!("/api/admin/restaurants/{id}/staff?refresh=true")).await;
    assert_eq!(status, 200, "{body:?}");
    let path = format!("/api/admin/restaurants/{id}/operations/getBill");
    let raw = app.admin(reqwest::Method::POST, &path).json(&json!({ "tableNumber": 99 })).send().await.unwrap();
    assert_eq!(raw.status(), 200, "the console returns the POS's callback body as sent");
    let raw: serde_json::Value = raw.json().await.unwrap();
    assert_eq!(raw["state"], "FAIL");
    assert_eq!(raw["substate"], "TABLE_NOT_FOUND");
}

async fn admin_pos_data_endpoints_refresh_store_and_serve(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Data").await;
    app.start_virtual_pos(&restaurant).await;
    let id = &restaurant.resto_id;
    for (path, key, count) in [
        ("halls", "hallPlans", 2),
        ("staff", "users", 4),
        ("categories", "categories", 8),
        ("menu", "dishes", 40),
        ("stop-list", "items", 4),
        ("tables", "tables", 12),
    ] {
        let (status, before) = app.get_json(&format!("/api/admin/restaurants/{id}/{path}")).await;
        assert_eq!(status, 200);
        assert!(before["refreshedAt"].is_null(), "{path}: nothing stored before the first refresh");
        let (status, fresh) = app.get_json(&format!("/api/admin/restaurants/{id}/{path}?refresh=true")).await;
        assert_eq!(status, 200, "{path}: {fresh:?}");
        assert_eq!(fresh[key].as_array().unwrap().len(), count, "{path}");
        let (_, stored) = app.get_json(&format!("/api/admin/restaurants/{id}/{path}")).await;
        assert_eq!(stored[key], fresh[key], "{path} is served from the store");
    }
    let (_, menu) = app.get_json(&format!("/api/admin/restaurants/{id}/menu")).await;
    assert_eq!(menu["dishes"][0]["price"], json!(55.0));
    let text = app
        .admin(reqwest::Method::GET, &format!("/api/admin/restaurants/{id}/menu"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains(r#""price":55.00"#), "money keeps two decimals on the wire");
}

on_both_stores!(
    every_operation_round_trips_through_the_virtual_pos,
    pos_failures_come_back_as_typed_errors_with_their_substate,
    admin_pos_data_endpoints_refresh_store_and_serve,
);
