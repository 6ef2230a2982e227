//! The bus between nodes speaks only for the cluster. Real `rahunok serve` nodes on a NATS of
//! the test's own with an `authorization` block (as `docs/deploying.md` runs it):
//!
//! - without NATS credentials nobody gets on the bus, and a node given wrong ones says so
//!   without printing them;
//! - a node joins with credentials in `--nats-url`, another with an nkey;
//! - a client *with* NATS credentials but without the cluster's master key (a leaked password,
//!   another service on the account) publishes what a node would: a `payBill` for a POS, an
//!   answer to a relayed `getBill` ahead of the real one, a "newer socket" notice, a recorded
//!   request replayed. Each is dropped, counted in `rahunok_bus_messages_refused_total`, and
//!   changes nothing; what it can read of the nodes' traffic is sealed.

mod support;

use async_nats::ConnectErrorKind;
use futures_util::StreamExt;
use rahunok_pos_sdk::{PosClient, PosConfig};
use rahunok_pos_sim::VirtualPos;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::cluster::{connection, Node, TestCluster, WatchedPos};
use support::nats::{raw_client_without_credentials, OwnNats};
use support::{create_restaurant, eventually, free_port, TOKEN};

const NODE_USER: &str = "rahunok";
const NODE_PASSWORD: &str = "node-pass-4c1e9b";
/// Holds NATS credentials, not the cluster's master key.
const BYSTANDER: &str = "bystander";
const BYSTANDER_PASSWORD: &str = "bystander-pass-77d0";

/// What the nodes may do on NATS, as `docs/deploying.md` gives it: the bus's subjects and their
/// inboxes, nothing else.
const NODE_PERMISSIONS: &str = r#"permissions: {
        publish: ["rahunok.>", "_INBOX.rahunok.>"]
        subscribe: ["rahunok.>", "_INBOX.rahunok.>"]
      }"#;

/// Who may connect: the nodes' user, a bystander (anything), and (when given) a node user known
/// by its nkey.
fn authorization(nkey_user: Option<&str>) -> String {
    let nkey = nkey_user.map(|key| format!("    {{ nkey: \"{key}\", {NODE_PERMISSIONS} }}\n")).unwrap_or_default();
    format!(
        "  users = [\n    {{ user: \"{NODE_USER}\", password: \"{NODE_PASSWORD}\", {NODE_PERMISSIONS} }}\n    \
         {{ user: \"{BYSTANDER}\", password: \"{BYSTANDER_PASSWORD}\" }}\n{nkey}  ]"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_nats_credentials_nobody_gets_on_the_bus_and_wrong_ones_are_never_printed() {
    let nats = OwnNats::start(&authorization(None)).await;

    let refused = async_nats::connect(nats.url()).await.expect_err("a client without credentials is refused");
    assert_eq!(refused.kind(), ConnectErrorKind::AuthorizationViolation, "{refused}");
    let heard = raw_client_without_credentials(nats.port, "rahunok.>", "rahunok.sockets").await;
    assert!(heard.contains("-ERR 'Authorization Violation'"), "{heard}");
    assert!(!heard.contains("PONG") && !heard.contains("MSG "), "it neither subscribed nor published: {heard}");

    let cluster = TestCluster::new().await;
    let wrong_password = "wrong-pass-51c9e2";
    let said = cluster.refused_node(&["--nats-url", &nats.url_as(NODE_USER, wrong_password)], &[]).await;
    let expected = format!("the NATS server at {} refused this node (a user and password)", nats.url());
    assert!(said.contains(&expected), "{said}");
    assert!(!said.contains(wrong_password), "the password is never printed, even at debug level: {said}");

    let wrong_token = "wrong-token-8d2e6a";
    let said = cluster.refused_node(&["--nats-url", &nats.url()], &[("RAHUNOK_NATS_TOKEN", wrong_token)]).await;
    assert!(said.contains("refused this node (a token)"), "{said}");
    assert!(!said.contains(wrong_token), "{said}");

    let unreachable = format!("nats://{NODE_USER}:{NODE_PASSWORD}@127.0.0.1:{}", free_port());
    let said = cluster.refused_node(&["--nats-url", &unreachable], &[]).await;
    assert!(said.contains("cannot connect to NATS at nats://127.0.0.1:"), "{said}");
    assert!(!said.contains(NODE_PASSWORD), "{said}");

    let said = cluster
        .refused_node(&["--nats-url", &nats.url_as(NODE_USER, NODE_PASSWORD)], &[("RAHUNOK_NATS_TOKEN", wrong_token)])
        .await;
    assert!(said.contains("NATS credentials are given twice (a user and password and a token)"), "{said}");
    assert!(!said.contains(NODE_PASSWORD) && !said.contains(wrong_token), "{said}");
}

/// The payload of a message a node would have published, but in the seal's shape with a tag
/// made up (no master key): version 1, now, a nonce, the JSON, 16 bytes of tag.
fn with_made_up_seal(json: &[u8]) -> Vec<u8> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let mut payload = vec![1u8];
    payload.extend(now.to_be_bytes());
    payload.extend([0xA5; 24]);
    payload.extend(json);
    payload.extend([0x5A; 16]);
    payload
}

/// The bus messages refused by `node` for `reason`, as its metrics count them.
async fn refused(http: &reqwest::Client, node: &Node, reason: &str) -> f64 {
    node.metric(http, &format!("rahunok_bus_messages_refused_total{{reason=\"{reason}\"}}")).await
}

/// Waits until `node` counted at least `count` refusals for `reason`.
async fn until_refused(http: &reqwest::Client, node: &Node, reason: &str, count: f64) {
    let what = format!("{} counts {count} bus messages refused as {reason}", node.name);
    eventually(Duration::from_secs(10), &what, || async { (refused(http, node, reason).await >= count).then_some(()) })
        .await;
}

/// Asks `operation` of the restaurant's POS through the admin API of the node at `base`.
async fn ask(http: &reqwest::Client, base: &str, resto_id: &str, operation: &str, fields: Value) -> (u16, Value) {
    let response = http
        .post(format!("{base}/api/admin/restaurants/{resto_id}/operations/{operation}"))
        .bearer_auth(TOKEN)
        .json(&fields)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// What the bystander saw of the nodes' traffic: requests for the POS (subject, reply,
/// payload) and answers.
#[derive(Default)]
struct Overheard {
    requests: Vec<(String, String, Vec<u8>)>,
    answers: Vec<Vec<u8>>,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_messages_sealed_by_a_node_move_the_cluster() {
    let http = reqwest::Client::new();
    let nkey = nkeys::KeyPair::new_user();
    let nats = OwnNats::start(&authorization(Some(&nkey.public_key()))).await;
    let seed = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(seed.path(), nkey.seed().unwrap()).unwrap();
    let seed_path = seed.path().display().to_string();

    // A joins with its credentials in --nats-url, B with an nkey seed file.
    let cluster = TestCluster::new().await;
    let a = cluster.start_joining("node-a", &http, &nats.url_as(NODE_USER, NODE_PASSWORD), &[]).await;
    let b = cluster.start_joining("node-b", &http, &nats.url(), &[("RAHUNOK_NATS_NKEY_FILE", &seed_path)]).await;
    let (resto_id, secret) = create_restaurant(&http, &a.base, "Кав'ярня за печаткою").await;
    let pos = WatchedPos::new(VirtualPos::kyiv_cafe());
    let mut config = PosConfig::new(&a.base, &resto_id, &secret, "SealedPOS");
    config.reconnect_delay = Duration::from_millis(300);
    tokio::spawn(PosClient::new(config).run(pos.clone()));
    let held_on_a = eventually(Duration::from_secs(10), "B sees the POS connected on A", || async {
        let seen = connection(&http, &b.base, &resto_id).await;
        (seen["node"] == "node-a").then_some(seen)
    })
    .await;

    // The bystander: NATS credentials, no master key. It overhears requests for the POS and
    // the answers, and answers every request first: with a bill of its own in plain JSON, the
    // same in the seal's shape, and a real answer it recorded from an earlier request.
    let bystander = async_nats::ConnectOptions::with_user_and_password(BYSTANDER.into(), BYSTANDER_PASSWORD.into())
        .connect(nats.url())
        .await
        .expect("the bystander has NATS credentials");
    let overheard = Arc::new(Mutex::new(Overheard::default()));
    let mut requests = bystander.subscribe(format!("rahunok.pos.{resto_id}")).await.unwrap();
    let mut answers = bystander.subscribe("_INBOX.rahunok.>").await.unwrap();
    bystander.flush().await.unwrap();
    let forged_bill = json!({"rID": "x", "state": "SUCCESS", "orders": [{"billId": "b-forged", "totalSum": 1.00}]});
    let forged_answer = serde_json::to_vec(&json!({ "Answered": forged_bill.to_string() })).unwrap();
    let (forger, heard) = (bystander.clone(), overheard.clone());
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            let Some(reply) = request.reply.clone() else { continue };
            if !reply.starts_with("_INBOX.rahunok.") {
                continue; // the bystander's own publications, echoed
            }
            let recorded = heard.lock().unwrap().answers.first().cloned();
            let mut forgeries = vec![forged_answer.clone(), with_made_up_seal(&forged_answer)];
            forgeries.extend(recorded);
            for forgery in forgeries {
                let _ = forger.publish(reply.clone(), forgery.into()).await;
            }
            let _ = forger.flush().await;
            let entry = (request.subject.to_string(), reply.to_string(), request.payload.to_vec());
            heard.lock().unwrap().requests.push(entry);
        }
    });
    let heard = overheard.clone();
    tokio::spawn(async move {
        while let Some(answer) = answers.next().await {
            if answer.payload.first() == Some(&1) && answer.payload.get(9) != Some(&0xA5) {
                heard.lock().unwrap().answers.push(answer.payload.to_vec());
            }
        }
    });

    // A getBill asked on B goes through A over the bus, where the POS holds it until the
    // bystander's answers reached B first and were refused; then B shows the POS's bill. In the
    // second round the bystander also replays the real answer it recorded in the first.
    let mut refusals = (0.0, 0.0);
    for round in 1..=2 {
        pos.hold_next_bill();
        let (client, base, resto) = (http.clone(), b.base.clone(), resto_id.clone());
        let asking =
            tokio::spawn(async move { ask(&client, &base, &resto, "getBill", json!({"tableNumber": "3"})).await });
        tokio::time::timeout(Duration::from_secs(10), pos.bill_held()).await.expect("getBill reached the POS");
        refusals = (refusals.0 + 1.0, refusals.1 + f64::from(round));
        until_refused(&http, &b, "malformed", refusals.0).await;
        until_refused(&http, &b, "bad_mac", refusals.1).await;
        pos.release();
        let (status, bill) = asking.await.unwrap();
        assert_eq!(status, 200, "round {round}: {bill}");
        assert_eq!(bill["orders"][0]["billId"], "b-32070", "round {round}: the POS's bill, not the forged one: {bill}");
        assert_eq!(bill["orders"].as_array().map(Vec::len), Some(1), "{bill}");
        eventually(Duration::from_secs(10), "the bystander recorded a real answer", || async {
            (!overheard.lock().unwrap().answers.is_empty()).then_some(())
        })
        .await;
    }
    let overheard_requests: Vec<(String, String, Vec<u8>)> = overheard.lock().unwrap().requests.clone();
    assert_eq!(overheard_requests.len(), 2, "the bystander overheard both requests");
    for (_, _, payload) in &overheard_requests {
        let readable = payload.windows(7).any(|w| w == b"getBill" || w == b"b-32070");
        assert!(!readable, "what the bus carries is sealed: {}", String::from_utf8_lossy(payload));
    }

    // A forged payBill for the open bill, sent to the node holding the socket: in plain JSON,
    // in the seal's shape, and a recorded real request replayed (as it was, and to another
    // reply subject). The POS never sees a payBill.
    let subject = format!("rahunok.pos.{resto_id}");
    let frame = json!({"rID": "2026-12-07 10:00:00.000000000#forged1", "operation": "payBill", "billId": "b-32070",
        "sum": 448.0, "tips": 0, "fiscalData": [{"text": "forged"}]});
    let pay =
        serde_json::to_vec(&json!({"Send": {"operation": "payBill", "rid": "2026-12-07 10:00:00.000000000#forged1",
        "frame": frame.to_string(), "round_trip": true}}))
        .unwrap();
    let before = (refused(&http, &a, "malformed").await, refused(&http, &a, "bad_mac").await);
    bystander.publish_with_reply(subject.clone(), "_INBOX.bystander.1", pay.clone().into()).await.unwrap();
    bystander.publish_with_reply(subject.clone(), "_INBOX.bystander.2", with_made_up_seal(&pay).into()).await.unwrap();
    let (recorded_subject, recorded_reply, recorded) = overheard_requests[0].clone();
    bystander.publish_with_reply(recorded_subject.clone(), recorded_reply, recorded.clone().into()).await.unwrap();
    bystander.publish_with_reply(recorded_subject, "_INBOX.bystander.3", recorded.into()).await.unwrap();
    bystander.flush().await.unwrap();
    until_refused(&http, &a, "malformed", before.0 + 1.0).await;
    until_refused(&http, &a, "bad_mac", before.1 + 2.0).await;
    until_refused(&http, &a, "replayed", 1.0).await;
    assert_eq!(pos.accepted("b-32070"), 0, "no payBill reached the POS");
    let (status, bill) = ask(&http, &a.base, &resto_id, "getBill", json!({"tableNumber": "3"})).await;
    assert_eq!((status, &bill["orders"][0]["billId"]), (200, &json!("b-32070")), "the bill is still open: {bill}");

    // A forged "newer socket on another node" notice, in plain JSON and in the seal's shape:
    // A keeps its socket.
    let notice = serde_json::to_vec(&json!({"resto_id": resto_id, "node": "intruder"})).unwrap();
    let before = (refused(&http, &a, "malformed").await, refused(&http, &a, "bad_mac").await);
    bystander.publish("rahunok.sockets", notice.clone().into()).await.unwrap();
    bystander.publish("rahunok.sockets", with_made_up_seal(&notice).into()).await.unwrap();
    bystander.flush().await.unwrap();
    until_refused(&http, &a, "malformed", before.0 + 1.0).await;
    until_refused(&http, &a, "bad_mac", before.1 + 1.0).await;
    let still = connection(&http, &b.base, &resto_id).await;
    assert_eq!(still["node"], "node-a", "{still}");
    assert_eq!(still["since"], held_on_a["since"], "the same socket, never closed: {still}");

    // And the bus still works for the nodes.
    let (status, bill) = ask(&http, &b.base, &resto_id, "getBill", json!({"tableNumber": "3"})).await;
    assert_eq!((status, &bill["orders"][0]["billId"]), (200, &json!("b-32070")), "{bill}");
}
