//! The link under stress: the server is killed mid-session and started again on the same port
//! and store; the server stops pinging; the server pings often and closes silent sockets.

mod support;

use rahunok_pos_sdk::protocol::envelope::substate;
use rahunok_pos_sdk::protocol::ops::{BillAnswer, GetBill};
use rahunok_pos_sdk::{Answer, ConnectionState, Failure, Handler, PosClient, PosConfig, StateChange};
use serde_json::json;
use std::time::Duration;
use support::{Admin, KillableServer, Timings};
use tokio::sync::broadcast;
use tokio::time::Instant;

/// Knows one thing: there is no table 99.
struct TinyPos;

impl Handler for TinyPos {
    async fn get_bill(&self, request: GetBill) -> Answer<BillAnswer> {
        Err(Failure::new(substate::TABLE_NOT_FOUND, format!("no table {:?}", request.table_number)))
    }
}

fn fast_config(base: &str, resto_id: &str, secret: &str) -> PosConfig {
    let mut config = PosConfig::new(base, resto_id, secret, "SdkTestPOS");
    config.reconnect_delay = Duration::from_millis(400);
    config.max_reconnect_delay = Duration::from_millis(1600);
    config
}

/// A POS client of a new restaurant on `server`, its config changed by `adjust`, started.
async fn running_client(
    server: &KillableServer,
    name: &str,
    adjust: impl FnOnce(&mut PosConfig),
) -> (Admin, String, broadcast::Receiver<StateChange>) {
    let admin = Admin::new(&server.base_url());
    let (resto_id, secret) = admin.create_restaurant(name).await;
    let mut config = fast_config(&server.base_url(), &resto_id, &secret);
    adjust(&mut config);
    let client = PosClient::new(config);
    let changes = client.state_changes();
    tokio::spawn(client.run(TinyPos));
    (admin, resto_id, changes)
}

/// Collects state changes until one matches `done`; panics after `limit`.
async fn changes_until(
    changes: &mut broadcast::Receiver<StateChange>,
    limit: Duration,
    done: impl Fn(&ConnectionState) -> bool,
) -> Vec<StateChange> {
    let mut seen = Vec::new();
    let deadline = Instant::now() + limit;
    loop {
        let change = tokio::time::timeout_at(deadline, changes.recv())
            .await
            .unwrap_or_else(|_| panic!("no matching state within {limit:?}; saw {seen:?}"))
            .expect("the client keeps reporting");
        let finished = done(&change.state);
        seen.push(change);
        if finished {
            return seen;
        }
    }
}

async fn assert_served(admin: &Admin, resto_id: &str) {
    let answer = admin.ask(resto_id, "getBill", json!({ "tableNumber": "99" })).await;
    assert_eq!(answer["state"], "FAIL");
    assert_eq!(answer["substate"], "TABLE_NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_server_is_killed_and_restarted_the_client_reconnects_no_faster_than_allowed_and_serves_again() {
    let data = tempfile::tempdir().unwrap();
    let store = data.path().join("store");
    let server = KillableServer::start(store.clone(), "127.0.0.1:0".parse().unwrap(), Timings::default());
    let address = server.address;
    let reconnect_delay = fast_config("http://x", "", "").reconnect_delay;
    let (admin, resto_id, mut changes) = running_client(&server, "Перезапуск", |_| {}).await;
    changes_until(&mut changes, Duration::from_secs(10), |s| *s == ConnectionState::Connected).await;
    admin.wait_connected(&resto_id, Duration::from_secs(10)).await;
    assert_served(&admin, &resto_id).await;

    server.kill();
    let killed_at = Instant::now();
    let down =
        changes_until(&mut changes, Duration::from_secs(10), |s| matches!(s, ConnectionState::Disconnected(_))).await;
    assert!(matches!(down.last().unwrap().state, ConnectionState::Disconnected(_)));
    // Stay down long enough for a few refused attempts.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let restarted = KillableServer::start(store, address, Timings::default());
    let restarted_at = Instant::now();
    let back = changes_until(&mut changes, Duration::from_secs(15), |s| *s == ConnectionState::Connected).await;

    let attempts: Vec<Instant> = back.iter().filter(|c| c.state == ConnectionState::Connecting).map(|c| c.at).collect();
    assert!(attempts.len() >= 2, "attempts were refused while the server was down: {back:?}");
    for pair in attempts.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= reconnect_delay, "two attempts {gap:?} apart, sooner than {reconnect_delay:?}: {back:?}");
    }
    let while_down = attempts.iter().filter(|at| **at < restarted_at).count();
    let allowed = ((restarted_at - killed_at).as_secs_f64() / reconnect_delay.as_secs_f64()).ceil() as usize + 1;
    assert!(while_down <= allowed, "{while_down} attempts in the downtime, at most {allowed} allowed");
    let connected_at = back.last().unwrap().at;
    assert!(connected_at - restarted_at < Duration::from_secs(10), "reconnected within the backoff cap");

    let admin = Admin::new(&restarted.base_url());
    admin.wait_connected(&resto_id, Duration::from_secs(10)).await;
    assert_served(&admin, &resto_id).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_that_falls_silent_is_declared_dead_and_the_client_reconnects() {
    let data = tempfile::tempdir().unwrap();
    // The server pings rarely; the client expects a frame every 600 ms.
    let timings = Timings { ping_interval: Duration::from_secs(60), ..Timings::default() };
    let server = KillableServer::start(data.path().join("store"), "127.0.0.1:0".parse().unwrap(), timings);
    let (_admin, _resto_id, mut changes) =
        running_client(&server, "Тиша", |config| config.dead_after = Duration::from_millis(600)).await;
    let seen = changes_until(
        &mut changes,
        Duration::from_secs(10),
        |s| matches!(s, ConnectionState::Disconnected(reason) if reason.contains("no frame from the server")),
    )
    .await;
    assert!(seen.iter().any(|c| c.state == ConnectionState::Connected), "it had connected first: {seen:?}");
    changes_until(&mut changes, Duration::from_secs(10), |s| *s == ConnectionState::Connected).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_answers_server_pings_so_a_strict_silence_timeout_never_closes_it() {
    let data = tempfile::tempdir().unwrap();
    // Pings every 100 ms, silence closes after 2 s; the client's own text pings come only
    // every minute, so only its pongs keep the socket open.
    let timings = Timings {
        ping_interval: Duration::from_millis(100),
        silence_timeout: Duration::from_secs(2),
        ..Timings::default()
    };
    let server = KillableServer::start(data.path().join("store"), "127.0.0.1:0".parse().unwrap(), timings);
    let (admin, resto_id, mut changes) =
        running_client(&server, "Пінг", |config| config.text_ping_interval = Duration::from_secs(60)).await;
    changes_until(&mut changes, Duration::from_secs(10), |s| *s == ConnectionState::Connected).await;
    admin.wait_connected(&resto_id, Duration::from_secs(10)).await;
    let since = admin.restaurant(&resto_id).await["connection"]["since"].clone();
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(changes.try_recv().is_err(), "no state change: the socket stayed open");
    assert_eq!(admin.restaurant(&resto_id).await["connection"]["since"], since, "still the first socket");
    assert_served(&admin, &resto_id).await;
}
