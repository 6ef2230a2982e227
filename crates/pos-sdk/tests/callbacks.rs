//! Signed POSTs: the SDK signs the exact bytes it sends, retries network failures and 5xx with
//! the very same bytes until the deadline, and stops at the first 4xx.

mod support;

use rahunok_pos_sdk::protocol::ops::User;
use rahunok_pos_sdk::protocol::signing;
use rahunok_pos_sdk::protocol::webhook::{UserAction, Webhook};
use rahunok_pos_sdk::protocol::Operation;
use rahunok_pos_sdk::{CallbackSender, SendError};
use std::time::Duration;
use support::{Reply, ScriptedEndpoint};
use tokio::time::Instant;

const SECRET: &str = "a-test-secret";
const BODY: &[u8] = br#"{"rID":"r-1", "state":"SUCCESS","tables":[]}"#;

#[tokio::test]
async fn network_failures_and_5xx_are_retried_with_the_same_signed_bytes_until_accepted() {
    let endpoint = ScriptedEndpoint::start(vec![Reply::Drop, Reply::Status(503), Reply::Drop]).await;
    let sender = CallbackSender::new(&endpoint.base_url, "resto-1", SECRET);
    let deadline = Instant::now() + Duration::from_secs(20);
    sender.send_callback(Operation::TablesInfo, BODY.to_vec(), deadline).await.expect("delivered at last");

    let received = endpoint.received();
    assert_eq!(received.len(), 4, "three failures, then the accepted attempt");
    for request in &received {
        assert_eq!(request.path, "/callback/tablesInfo");
        assert_eq!(request.body, BODY, "the same bytes every time");
        assert_eq!(request.header("restoId"), Some("resto-1"));
        assert!(signing::verify(SECRET.as_bytes(), &request.body, request.header("signature").unwrap()));
    }
    assert!(received.windows(2).all(|w| w[0].header("signature") == w[1].header("signature")));
}

#[tokio::test]
async fn retries_stop_at_the_deadline() {
    let endpoint = ScriptedEndpoint::start(vec![Reply::Status(503); 1000]).await;
    let sender = CallbackSender::new(&endpoint.base_url, "resto-1", SECRET);
    let started = Instant::now();
    let deadline = started + Duration::from_millis(1500);
    let outcome = sender.send_callback(Operation::GetBill, BODY.to_vec(), deadline).await;
    assert!(matches!(outcome, Err(SendError::Unreachable(_))), "{outcome:?}");
    assert!(Instant::now() < deadline + Duration::from_secs(5), "gave up around the deadline");
    assert!(endpoint.received().len() >= 2, "retried before giving up");
}

#[tokio::test]
async fn a_4xx_refusal_is_final() {
    let endpoint = ScriptedEndpoint::start(vec![Reply::Status(401)]).await;
    let sender = CallbackSender::new(&endpoint.base_url, "resto-1", SECRET);
    let deadline = Instant::now() + Duration::from_secs(20);
    let outcome = sender.send_callback(Operation::GetBill, BODY.to_vec(), deadline).await;
    assert!(matches!(outcome, Err(SendError::Refused { status: 401, .. })), "{outcome:?}");
    assert_eq!(endpoint.received().len(), 1);
}

#[tokio::test]
async fn orders_closed_and_user_update_are_signed_webhooks_the_protocol_can_read() {
    let endpoint = ScriptedEndpoint::start(Vec::new()).await;
    let sender = CallbackSender::new(&endpoint.base_url, "resto-1", SECRET);
    sender.send_orders_closed(&["b-1".to_string(), "b-2".to_string()]).await.unwrap();
    let user = User { id: "u-1".into(), name: "Оксана".into(), cell_phone: None, roles: vec!["waiter".into()] };
    sender.send_user_update(UserAction::Updated, user.clone()).await.unwrap();

    let received = endpoint.received();
    assert_eq!(received.len(), 2);
    for request in &received {
        assert_eq!(request.path, "/callback/webhook");
        assert!(signing::verify(SECRET.as_bytes(), &request.body, request.header("signature").unwrap()));
    }
    let Webhook::OrdersClosed(closed) = Webhook::parse(&received[0].body).unwrap() else { panic!("ORDERS_CLOSED") };
    let ids: Vec<&str> = closed.closed_orders.iter().map(|c| c.bill_id.as_str()).collect();
    assert_eq!(ids, ["b-1", "b-2"]);
    assert!(closed.event_time.unwrap().ends_with('Z'));
    let Webhook::UserUpdate(update) = Webhook::parse(&received[1].body).unwrap() else { panic!("USER_UPDATE") };
    assert_eq!((update.action, update.user), (UserAction::Updated, user));
}
