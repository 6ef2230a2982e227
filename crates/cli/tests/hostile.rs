//! Hostile clients against a real `rahunok serve` process, where the server's own memory can be
//! read from `/proc`: a flood of 16 MiB callbacks with wrong signatures costs at most the
//! unverified-body budget, and a genuine callback of another restaurant still completes. Bodies
//! that stop arriving hold their connections and their budget room only until their deadline,
//! and one client address holds only its share of either. (Every address in 127.0.0.0/8 is this
//! machine, so a test plays several clients by binding to 127.0.0.2, 127.0.0.3, …)

mod support;

use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::VirtualPos;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;
use std::time::Duration;
use support::{add_restaurant_offline, create_restaurant, eventually, free_port, wait_ready, ServerProcess, TOKEN};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The server's peak resident memory so far (VmHWM), in bytes.
fn peak_rss(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server runs");
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).expect("Linux reports VmHWM");
    let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kib * 1024
}

const MIB: u64 = 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_huge_unsigned_callbacks_costs_at_most_the_budget_and_others_still_get_in() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let budget = 64 * MIB;
    let server = ServerProcess::start(
        port,
        &["--data".into(), data.path().display().to_string(), "--unverified-body-budget".into(), budget.to_string()],
    );
    let http = reqwest::Client::new();
    wait_ready(&http, &base).await;
    let (flooded, _) = create_restaurant(&http, &base, "Під облогою").await;
    let (other, other_secret) = create_restaurant(&http, &base, "Сусіди").await;
    let mut config = PosConfig::new(&base, &other, &other_secret, "RahunokSim");
    config.reconnect_delay = Duration::from_millis(200);
    tokio::spawn(VirtualPos::kyiv_cafe().run(config, None));
    let get_bill = format!("{base}/api/admin/restaurants/{other}/operations/getBill");
    let ask_bill = || http.post(&get_bill).bearer_auth(TOKEN).json(&serde_json::json!({"tableNumber": "3"})).send();
    for _ in 0..100 {
        if ask_bill().await.is_ok_and(|r| r.status() == 200) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let before = peak_rss(server.0.id());

    let body: &'static [u8] = Box::leak(vec![b'x'; 16 * MIB as usize].into_boxed_slice());
    // The flood comes from another client than the POS (as it would): one address holds only
    // its share of the budget, and the POS's callbacks are counted under their own.
    let attacker = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    let flood: Vec<_> = (0..100)
        .map(|_| {
            let request = reqwest::Client::builder()
                .local_address(attacker)
                .build()
                .unwrap()
                .post(format!("{base}/callback/getBill"))
                .header("restoId", &flooded)
                .header("signature", "AAAA")
                .header("Content-Type", "application/json")
                .body(body);
            tokio::spawn(async move { request.send().await.map(|r| r.status().as_u16()) })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let during = ask_bill().await.expect("the admin API answers during the flood");
    assert_eq!(during.status(), 200, "the other restaurant's callback got in: {}", during.text().await.unwrap());
    let mut statuses = Vec::new();
    for request in flood {
        if let Ok(Ok(status)) = request.await {
            statuses.push(status);
        }
    }
    let after = peak_rss(server.0.id());
    let grown = after.saturating_sub(before);
    eprintln!(
        "peak RSS {} → {} MiB; answers: {} × 401, {} × 503",
        before / MIB,
        after / MIB,
        statuses.iter().filter(|s| **s == 401).count(),
        statuses.iter().filter(|s| **s == 503).count()
    );
    assert!(grown <= budget + 64 * MIB, "peak RSS grew by {} MiB (budget {} MiB)", grown / MIB, budget / MIB);
    assert!(statuses.iter().all(|s| [401, 503].contains(s)), "refused as forged or busy: {statuses:?}");
    assert!(statuses.contains(&503), "some waited for room and were told to retry: {statuses:?}");
}

/// A connection from `from` (an address of this machine) to the server on `port`.
async fn connect_from(from: [u8; 4], port: u16) -> TcpStream {
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind((Ipv4Addr::from(from), 0).into()).unwrap();
    socket.connect((Ipv4Addr::LOCALHOST, port).into()).await.unwrap()
}

/// What the server sent on `stream` until it closed it; `None` when it kept it past `limit`.
async fn answer_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut seen = Vec::new();
    match tokio::time::timeout(limit, stream.read_to_end(&mut seen)).await {
        Ok(_) => Some(String::from_utf8_lossy(&seen).into_owned()),
        Err(_) => None,
    }
}

/// `GET /healthz` on a fresh connection from 127.0.0.1 (closed after the answer): what came back.
async fn health(port: u16) -> String {
    let mut stream = connect_from([127, 0, 0, 1], port).await;
    let asked = stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await;
    match asked {
        Ok(()) => answer_until_closed(&mut stream, Duration::from_secs(5)).await.unwrap_or_default(),
        Err(error) => error.to_string(),
    }
}

/// Waits until the server on `port` answers `/healthz` (without keeping a connection after).
async fn wait_healthy(port: u16) {
    eventually(Duration::from_secs(20), "the server answers /healthz", || health_ok(port)).await;
}

async fn health_ok(port: u16) -> Option<()> {
    let socket = tokio::net::TcpSocket::new_v4().ok()?;
    let mut stream = socket.connect((Ipv4Addr::LOCALHOST, port).into()).await.ok()?;
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").await.ok()?;
    let answered = answer_until_closed(&mut stream, Duration::from_secs(5)).await?;
    answered.starts_with("HTTP/1.1 200").then_some(())
}

/// Starts `rahunok serve` on `data` with `flags`.
fn serve(port: u16, data: &Path, flags: &[&str]) -> ServerProcess {
    let mut args = vec!["--data".to_string(), data.display().to_string()];
    args.extend(flags.iter().map(|f| f.to_string()));
    ServerProcess::start(port, &args)
}

/// A virtual POS for `resto_id` on the server at `base`; waits until the server sees it.
async fn pos_logs_in(http: &reqwest::Client, base: &str, resto_id: &str, secret: &str, within: Duration) {
    let mut config = PosConfig::new(base, resto_id, secret, "RahunokSim");
    config.reconnect_delay = Duration::from_millis(200);
    tokio::spawn(VirtualPos::kyiv_cafe().run(config, None));
    let status = format!("{base}/api/admin/restaurants/{resto_id}");
    eventually(within, "the POS's socket is open", || async {
        let restaurant: serde_json::Value =
            http.get(&status).bearer_auth(TOKEN).send().await.ok()?.json().await.ok()?;
        (restaurant["connection"]["connected"] == true).then_some(())
    })
    .await;
}

/// `getBill` for table 3 of `resto_id` through the admin API (the POS answers by callback):
/// the status and how long it took.
async fn ask_bill(http: &reqwest::Client, base: &str, resto_id: &str) -> (u16, Duration) {
    let started = tokio::time::Instant::now();
    let asked = http
        .post(format!("{base}/api/admin/restaurants/{resto_id}/operations/getBill"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({"tableNumber": "3"}))
        .send()
        .await;
    (asked.map_or(0, |r| r.status().as_u16()), started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stalled_bodies_free_every_slot_within_their_deadline_and_health_and_a_pos_login_answer() {
    const CAP: usize = 200;
    let data = tempfile::tempdir().unwrap();
    let (resto_id, secret) = add_restaurant_offline(data.path(), "Після облоги");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let cap = CAP.to_string();
    // The deadline: 1 s of grace, then 1 s that must bring 16 KiB; the cap is all one address's.
    let flags = ["--max-connections", &cap, "--max-connections-per-address", &cap, "--body-grace", "1"];
    let _server = serve(port, data.path(), &flags);
    wait_healthy(port).await;

    let started = tokio::time::Instant::now();
    let mut stalled = Vec::new();
    for _ in 0..CAP {
        let mut stream = connect_from([127, 0, 0, 1], port).await;
        let head = "POST /panel/sign-in HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n\
                    Content-Length: 100000\r\n\r\nname=olena&password=";
        stream.write_all(head.as_bytes()).await.unwrap();
        stalled.push(stream);
    }
    // Accepted in turn after the stalled ones, and long before their deadline.
    let refused = health(port).await;
    assert!(refused.starts_with("HTTP/1.1 503") && refused.contains("TOO_MANY_CONNECTIONS"), "{refused}");

    let freed = eventually(Duration::from_secs(15), "/healthz answers again", || async {
        health_ok(port).await.map(|()| started.elapsed())
    })
    .await;
    let mut answers = Vec::new();
    for stream in &mut stalled {
        answers.push(answer_until_closed(stream, Duration::from_secs(5)).await.expect("the stalled body is cut"));
    }
    eprintln!("{CAP} stalled bodies: the slots were free again {freed:?} after they began");
    let too_slow = answers.iter().filter(|a| a.starts_with("HTTP/1.1 408") && a.contains("BODY_TOO_SLOW")).count();
    assert_eq!(too_slow, CAP, "each stalled body is told 408: {:?}", answers.iter().find(|a| !a.contains("408")));
    // Grace and one stretch of waiting (2 s), the 408 written, the slot given back.
    assert!(freed < Duration::from_secs(6), "the slots came back {freed:?} after the stall began");

    let http = reqwest::Client::new();
    pos_logs_in(&http, &base, &resto_id, &secret, Duration::from_secs(10)).await;
}

/// Whether the server on `port` has read everything sent on these client connections (their
/// bytes are neither in the client's send queue nor in the server's receive queue; a connection
/// gone has nothing queued), from `/proc/net/tcp`: a client cannot otherwise tell what the server
/// read of a body still open.
fn server_read_everything(port: u16, clients: &[TcpStream]) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").expect("Linux lists TCP sockets");
    let port_of = |address: &str| address.rsplit(':').next().and_then(|p| u16::from_str_radix(p, 16).ok());
    let queued = |local: u16, remote: u16| {
        table.lines().skip(1).find_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (tx, rx) = fields.get(4)?.split_once(':')?;
            let here = port_of(fields.get(1)?)? == local && port_of(fields.get(2)?)? == remote;
            here.then(|| u64::from_str_radix(tx, 16).unwrap_or(1) + u64::from_str_radix(rx, 16).unwrap_or(1))
        })
    };
    clients.iter().all(|client| {
        let client_port = client.local_addr().unwrap().port();
        queued(client_port, port).unwrap_or(0) == 0 && queued(port, client_port).unwrap_or(0) == 0
    })
}

/// Four forged 16 MiB callbacks, each for another restaurant, each `Content-Length` 16 MiB +
/// 10 with the last 10 bytes never sent, from `clients` (one address each, or one for all):
/// the streams, kept open.
async fn stall_four_callbacks(port: u16, resto_ids: &[String], clients: &[[u8; 4]]) -> Vec<TcpStream> {
    let body: &'static [u8] = Box::leak(vec![b'x'; 16 * MIB as usize].into_boxed_slice());
    let mut sending = Vec::new();
    for (n, resto_id) in resto_ids.iter().enumerate() {
        let client = clients[n % clients.len()];
        let head = format!(
            "POST /callback/menuInfo HTTP/1.1\r\nHost: x\r\nrestoId: {resto_id}\r\nsignature: AAAA\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            16 * MIB + 10
        );
        sending.push(tokio::spawn(async move {
            let mut stream = connect_from(client, port).await;
            stream.write_all(head.as_bytes()).await.unwrap();
            // A body refused early (503) is not read on: the write then fails, as it may.
            let _ = stream.write_all(body).await;
            stream
        }));
    }
    let mut streams = Vec::new();
    for sent in sending {
        streams.push(sent.await.unwrap());
    }
    streams
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_stalled_callbacks_from_four_clients_give_the_budget_back_at_their_deadline() {
    let data = tempfile::tempdir().unwrap();
    let flooded: Vec<String> =
        (0..4).map(|n| add_restaurant_offline(data.path(), &format!("Під облогою {n}")).0).collect();
    let (genuine, secret) = add_restaurant_offline(data.path(), "Сусіди");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    // The default budget (64 MiB: four largest bodies, 16 MiB for each address and restaurant);
    // a short deadline so the test is quick: 0.5 s of grace, then 0.5 s that must bring 8 KiB.
    let _server = serve(port, data.path(), &["--body-grace", "0.5"]);
    wait_healthy(port).await;
    let http = reqwest::Client::new();
    pos_logs_in(&http, &base, &genuine, &secret, Duration::from_secs(10)).await;
    assert_eq!(ask_bill(&http, &base, &genuine).await.0, 200, "the POS answers before the flood");

    let clients = [[127, 0, 0, 2], [127, 0, 0, 3], [127, 0, 0, 4], [127, 0, 0, 5]];
    let mut stalled = stall_four_callbacks(port, &flooded, &clients).await;
    // The server has read the four bodies: they hold the whole budget now.
    eventually(Duration::from_secs(10), "the server reads the stalled bodies", || async {
        server_read_everything(port, &stalled).then_some(())
    })
    .await;
    let (status, took) = ask_bill(&http, &base, &genuine).await;
    eprintln!("the genuine callback's round trip with the budget held by stalled bodies: {status} in {took:?}");
    assert_eq!(status, 200, "another restaurant's genuine callback is answered");
    assert!(took < Duration::from_secs(2), "within 2 s: {took:?}");
    for stream in &mut stalled {
        let cut = answer_until_closed(stream, Duration::from_secs(5)).await.expect("the stalled callback is cut");
        assert!(cut.starts_with("HTTP/1.1 408") && cut.contains("BODY_TOO_SLOW"), "{cut}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn four_stalled_callbacks_from_one_client_hold_only_its_share_of_the_budget() {
    let data = tempfile::tempdir().unwrap();
    let flooded: Vec<String> =
        (0..4).map(|n| add_restaurant_offline(data.path(), &format!("Під облогою {n}")).0).collect();
    let (genuine, secret) = add_restaurant_offline(data.path(), "Сусіди");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    // Deadlines far off: only the share per address keeps the budget open here.
    let _server = serve(port, data.path(), &["--body-grace", "60"]);
    wait_healthy(port).await;
    let http = reqwest::Client::new();
    pos_logs_in(&http, &base, &genuine, &secret, Duration::from_secs(10)).await;

    let stalled = stall_four_callbacks(port, &flooded, &[[127, 0, 0, 2]]).await;
    eventually(Duration::from_secs(10), "the server reads the stalled bodies", || async {
        server_read_everything(port, &stalled).then_some(())
    })
    .await;
    let (status, took) = ask_bill(&http, &base, &genuine).await;
    assert_eq!(status, 200, "another restaurant's genuine callback is answered");
    assert!(took < Duration::from_secs(2), "within 2 s: {took:?}");
}
