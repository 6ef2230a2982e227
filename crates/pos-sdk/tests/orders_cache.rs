//! The ORDERS_CACHE publisher: `actualOrders` always, full `orders` only for what changed since
//! the last successful push, `ORDERS_CLOSED` once for orders that are no longer open.

mod support;

use rahunok_pos_sdk::protocol::order::{Order, OrderState};
use rahunok_pos_sdk::protocol::webhook::Webhook;
use rahunok_pos_sdk::protocol::Money;
use rahunok_pos_sdk::{CallbackSender, OrdersCachePublisher};
use support::{Reply, ScriptedEndpoint};

fn order(bill_id: &str, table: &str, total: i64) -> Order {
    let json = serde_json::json!({ "billId": bill_id, "tableNumber": table, "state": "BILL", "totalSum": 0 });
    let mut order: Order = serde_json::from_value(json).unwrap();
    order.total_sum = Money::from_kopiyky(total).unwrap();
    order
}

fn pushed(endpoint: &ScriptedEndpoint, index: usize) -> Webhook {
    Webhook::parse(&endpoint.received()[index].body).unwrap()
}

fn cache(hook: Webhook) -> (Vec<String>, Vec<String>) {
    let Webhook::OrdersCache(cache) = hook else { panic!("ORDERS_CACHE expected, got {hook:?}") };
    (
        cache.actual_orders.into_iter().map(|o| o.bill_id).collect(),
        cache.orders.into_iter().map(|o| o.bill_id).collect(),
    )
}

#[tokio::test]
async fn only_changed_orders_are_sent_in_full_and_gone_ones_are_reported_closed() {
    let endpoint = ScriptedEndpoint::start(Vec::new()).await;
    let mut publisher = OrdersCachePublisher::new(CallbackSender::new(&endpoint.base_url, "r", "secret"));
    let mut open = vec![order("b-1", "1", 10000), order("b-2", "2", 5000)];

    let first = publisher.push(&open).await.unwrap();
    assert_eq!(first.full_orders, ["b-1", "b-2"], "the first push sends everything");
    assert_eq!(cache(pushed(&endpoint, 0)), (vec!["b-1".into(), "b-2".into()], vec!["b-1".into(), "b-2".into()]));

    let unchanged = publisher.push(&open).await.unwrap();
    assert!(unchanged.full_orders.is_empty());
    assert_eq!(cache(pushed(&endpoint, 1)), (vec!["b-1".into(), "b-2".into()], vec![]));

    open[1].total_sum = Money::from_kopiyky(7500).unwrap();
    open.push(order("b-3", "3", 100));
    let changed = publisher.push(&open).await.unwrap();
    assert_eq!(changed.full_orders, ["b-2", "b-3"]);
    assert_eq!(cache(pushed(&endpoint, 2)).1, ["b-2", "b-3"]);

    open[0].state = Some(OrderState::Payed); // paid: no longer open
    open.remove(1);
    let closing = publisher.push(&open).await.unwrap();
    assert_eq!(cache(pushed(&endpoint, 3)), (vec!["b-3".into()], vec![]));
    assert_eq!(closing.closed.len(), 2);
    let Webhook::OrdersClosed(closed) = pushed(&endpoint, 4) else { panic!("ORDERS_CLOSED follows") };
    let mut ids: Vec<String> = closed.closed_orders.into_iter().map(|c| c.bill_id).collect();
    ids.sort();
    assert_eq!(ids, ["b-1", "b-2"]);

    publisher.push(&open).await.unwrap();
    assert_eq!(endpoint.received().len(), 6, "closed orders are reported once");
}

#[tokio::test]
async fn after_a_refused_push_the_next_one_resends_what_changed() {
    let endpoint = ScriptedEndpoint::start(vec![Reply::Status(400)]).await;
    let mut publisher = OrdersCachePublisher::new(CallbackSender::new(&endpoint.base_url, "r", "secret"));
    let open = vec![order("b-1", "1", 10000)];
    assert!(publisher.push(&open).await.is_err());
    let retry = publisher.push(&open).await.unwrap();
    assert_eq!(retry.full_orders, ["b-1"]);
}
