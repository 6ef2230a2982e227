//! Hostile clients against a real `rahunok serve` process, where the server's own memory can be
//! read from `/proc`: a flood of 16 MiB callbacks with wrong signatures costs at most the
//! unverified-body budget, and a genuine callback of another restaurant still completes.

mod support;

use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::VirtualPos;
use std::time::Duration;
use support::{create_restaurant, free_port, wait_ready, ServerProcess, TOKEN};

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
    let flood: Vec<_> = (0..100)
        .map(|_| {
            let request = reqwest::Client::new()
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
