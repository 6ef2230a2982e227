//! Three nodes behind nginx, configured with the very `nginx` block of `docs/deploying.md` (its
//! upstream addresses and `listen` line swapped for this machine's, its `ssl_` lines left out):
//! the POS and the guests know only nginx's address. A node holding the POS socket is killed;
//! the POS comes back through nginx to a live node and the guests go on paying, each payment
//! closed once.
//!
//! One node behind the same nginx, started with `--trusted-proxies` as the guide says, counts
//! wrong POS secrets per client nginx forwards, not for everyone behind nginx.
//!
//! Needs nginx (Debian's `nginx-light`; `.ci/run` installs it when missing); see
//! `support/nginx.rs`.

mod support;

use rahunok_pos_sdk::{PosClient, PosConfig};
use rahunok_pos_sim::VirtualPos;
use rahunok_server::payments::sandbox::paid_charges_for_bill;
use std::time::Duration;
use support::cluster::{connection, guest_pays, payment_when_closed, TestCluster, WatchedPos};
use support::nginx::{config_for, start_nginx};
use support::{create_restaurant, free_port, ServerProcess};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_behind_the_documented_nginx_serve_the_pos_and_guests_through_it_alone() {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let nginx_port = free_port();
    let front = format!("http://127.0.0.1:{nginx_port}");
    let cluster = TestCluster::behind(&front).await;
    let mut nodes = Vec::new();
    for name in ["node-a", "node-b", "node-c"] {
        nodes.push(cluster.start(name, &http).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    let _nginx = start_nginx(&config_for(&ports, nginx_port, dir.path()), dir.path());
    support::wait_ready(&http, &front).await;

    // Everything below talks to nginx only.
    let (resto_id, secret) = create_restaurant(&http, &front, "Кав'ярня за nginx").await;
    let pos = WatchedPos::new(VirtualPos::kyiv_cafe());
    let mut config = PosConfig::new(&front, &resto_id, &secret, "BehindNginxPOS");
    config.reconnect_delay = Duration::from_millis(300);
    config.callback_deadline = Duration::from_secs(10);
    tokio::spawn(PosClient::new(config).run(pos.clone()));
    let holder = holder_node(&http, &front, &resto_id, None).await;

    let first =
        guest_pays(&http, &resto_id, "b-32070", 20, || front.clone()).await.expect("a guest paid through nginx");
    let closed = payment_when_closed(&http, &front, &resto_id, &first.payment_id, Duration::from_secs(60)).await;
    assert_eq!(closed["status"], "closed", "{closed}");

    // The node holding the socket dies: the POS reconnects through nginx to another node.
    nodes.iter_mut().find(|n| n.name == holder).expect("the holder is one of ours").kill();
    let new_holder = holder_node(&http, &front, &resto_id, Some(&holder)).await;
    assert_ne!(new_holder, holder);
    println!("socket moved from {holder} to {new_holder}; first payment {}", first.payment_id);

    let second = guest_pays(&http, &resto_id, "b-32071", 20, || front.clone()).await.expect("the next guest paid");
    let closed = payment_when_closed(&http, &front, &resto_id, &second.payment_id, Duration::from_secs(60)).await;
    assert_eq!(closed["status"], "closed", "{closed}");
    let store = cluster.store().await;
    for bill in ["b-32070", "b-32071"] {
        assert_eq!(pos.accepted(bill), 1, "{bill}: one payBill accepted");
        assert_eq!(paid_charges_for_bill(&store, &resto_id, bill).await.unwrap(), 1, "{bill}: one charge");
    }
    let receipt = http.get(format!("{front}/p/{}", second.payment_id)).send().await.unwrap();
    assert_eq!(receipt.status(), 200, "the receipt is served through nginx");
}

/// A wrong POS login through nginx from a client at `address` (any 127.x.y.z on Linux), with
/// the `X-Forwarded-For` the client writes itself, if any: its status.
async fn wrong_login_from(front: &str, address: [u8; 4], forged: Option<&str>) -> u16 {
    let http = reqwest::Client::builder().local_address(std::net::IpAddr::from(address)).build().unwrap();
    let request = http.get(format!("{front}/restaurantEntryPoint")).basic_auth("no-such-restaurant", Some("wrong"));
    let request = match forged {
        Some(forwarded) => request.header("X-Forwarded-For", forwarded),
        None => request,
    };
    request.send().await.unwrap().status().as_u16()
}

/// Found 5 of issue 28, as deployed: a node behind the documented nginx, told to trust it,
/// slows down the client guessing POS secrets and nobody else behind nginx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_the_documented_nginx_wrong_pos_secrets_are_limited_per_client_not_for_everyone() {
    let port = free_port();
    let _node = ServerProcess::start(port, &["--trusted-proxies".to_string(), "127.0.0.1".to_string()]);
    let nginx_port = free_port();
    let front = format!("http://127.0.0.1:{nginx_port}");
    let dir = tempfile::tempdir().unwrap();
    let _nginx = start_nginx(&config_for(&[port, port, port], nginx_port, dir.path()), dir.path());
    support::wait_ready(&reqwest::Client::new(), &front).await;

    let (guesser, other) = ([127, 0, 0, 2], [127, 0, 0, 3]);
    for attempt in 1..=10 {
        assert_eq!(wrong_login_from(&front, guesser, None).await, 401, "attempt {attempt}");
    }
    assert_eq!(wrong_login_from(&front, guesser, None).await, 429, "the guessing client is slowed down");
    assert_eq!(
        wrong_login_from(&front, guesser, Some("127.0.0.9")).await,
        429,
        "writing X-Forwarded-For itself does not make it someone else"
    );
    assert_eq!(wrong_login_from(&front, other, None).await, 401, "another client behind nginx is not");
}

/// The node holding the restaurant's socket (other than `not`), as seen through nginx.
async fn holder_node(http: &reqwest::Client, front: &str, resto_id: &str, not: Option<&str>) -> String {
    for _ in 0..400 {
        let node = connection(http, front, resto_id).await["node"].as_str().map(String::from);
        if let Some(node) = node.filter(|n| Some(n.as_str()) != not) {
            return node;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the POS never connected through nginx (other than to {not:?})");
}
