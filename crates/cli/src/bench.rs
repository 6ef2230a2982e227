//! `rahunok bench`: load through the real path. Starts a real `rahunok serve` process on a free
//! loopback port, connects the virtual POS, and measures (1) getBill round trips per second
//! (admin API → socket frame → POS → signed callback → answer) and (2) the server's resident
//! memory per idle POS socket. Everything stays on 127.0.0.1 and stops by itself.
//!
//! With `--database-url` and `--nats-url` it measures a cluster instead: two nodes on that
//! PostgreSQL and NATS, the POS on node A, and round trips asked first on A (one node, for the
//! comparison) and then through B (frame and callback relayed between the nodes over NATS).

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use clap::Args;
use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::VirtualPos;
use std::net::TcpListener;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

#[derive(Args)]
pub struct BenchArgs {
    /// getBill round trips to make.
    #[arg(long, default_value_t = 5_000)]
    requests: usize,
    /// Concurrent requesters.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Idle POS sockets to open for the memory measurement (0: skip).
    #[arg(long, default_value_t = 1_000)]
    idle_sockets: usize,
    /// Run the server on this PostgreSQL (a throwaway database: the bench creates restaurants).
    #[arg(long)]
    database_url: Option<String>,
    /// Measure across two nodes joined through this NATS server (needs --database-url).
    #[arg(long, requires = "database_url")]
    nats_url: Option<String>,
    /// Run the server with this request-log row bound (`serve --log-max-rows`), to measure
    /// round trips while the pruner deletes.
    #[arg(long)]
    log_max_rows: Option<u64>,
}

const TOKEN: &str = "bench-admin-token";

pub async fn run(args: BenchArgs) -> Result<()> {
    if args.concurrency == 0 || args.requests == 0 {
        bail!("--requests and --concurrency must be at least 1");
    }
    let data = std::env::temp_dir().join(format!("rahunok-bench-{}", std::process::id()));
    let outcome = match &args.nats_url {
        None => one_node(&args, &data).await,
        Some(nats_url) => two_nodes(&args, &data, nats_url).await,
    };
    let _ = std::fs::remove_dir_all(&data);
    outcome
}

async fn one_node(args: &BenchArgs, data: &std::path::Path) -> Result<()> {
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let mut flags = node_args(args, data, "bench");
    let metrics = format!("127.0.0.1:{}", free_port()?);
    flags.extend(["--metrics-listen".to_string(), metrics.clone()]);
    let mut server = start_server(&flags, port).await?;
    let mut outcome = measure(args, &base, server.id()).await;
    if outcome.is_ok() && args.log_max_rows.is_some() {
        outcome = print_pruned(&metrics).await;
    }
    let _ = server.kill().await;
    outcome
}

/// How many request-log rows the retention bounds deleted during the run (from `/metrics`).
async fn print_pruned(metrics: &str) -> Result<()> {
    let text = reqwest::get(format!("http://{metrics}/metrics")).await?.text().await?;
    let pruned = text
        .lines()
        .find(|l| l.starts_with("rahunok_journal_pruned_total{table=\"request_log\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .unwrap_or("0");
    println!("request-log rows pruned during the run: {pruned}");
    Ok(())
}

/// Node A holds the POS socket; round trips are asked on A, then through B.
async fn two_nodes(args: &BenchArgs, data: &std::path::Path, nats_url: &str) -> Result<()> {
    let http = reqwest::Client::new();
    let mut nodes = Vec::new();
    for name in ["bench-a", "bench-b"] {
        let port = free_port()?;
        let mut node_args = node_args(args, data, name);
        node_args.extend(["--nats-url", nats_url, "--node-name", name].map(String::from));
        nodes.push((start_server(&node_args, port).await?, format!("http://127.0.0.1:{port}")));
        wait_ready(&http, &nodes.last().expect("just started").1).await?;
    }
    let (a, b) = (&nodes[0].1, &nodes[1].1);
    let resto_id = connect_pos(&http, a).await?;
    println!("one node (PostgreSQL): the POS on A, asked on A");
    round_trips(args, &http, a, &resto_id).await?;
    println!("across nodes: the POS on A, asked through B (frame and callback relayed over NATS)");
    round_trips(args, &http, b, &resto_id).await?;
    for (mut process, _) in nodes {
        let _ = process.kill().await;
    }
    Ok(())
}

/// The `serve` flags of one bench node keeping its files under `data`.
fn node_args(args: &BenchArgs, data: &std::path::Path, name: &str) -> Vec<String> {
    let mut flags = vec!["--data".to_string(), data.join(name).display().to_string()];
    flags.extend(["--master-key-file".to_string(), data.join("master.key").display().to_string()]);
    if let Some(url) = &args.database_url {
        flags.extend(["--database-url".to_string(), url.clone()]);
    }
    if let Some(rows) = args.log_max_rows {
        flags.extend(["--log-max-rows".to_string(), rows.to_string()]);
    }
    flags
}

/// A new restaurant with the virtual POS connected to `base`; its id.
async fn connect_pos(http: &reqwest::Client, base: &str) -> Result<String> {
    let (resto_id, secret) = create_restaurant(http, base, "Bench café").await?;
    let pos = VirtualPos::kyiv_cafe();
    tokio::spawn(pos.run(PosConfig::new(base, &resto_id, &secret, "bench"), None));
    wait_connected(http, base, 1).await?;
    Ok(resto_id)
}

async fn measure(args: &BenchArgs, base: &str, pid: Option<u32>) -> Result<()> {
    let http = reqwest::Client::new();
    wait_ready(&http, base).await?;
    let resto_id = connect_pos(&http, base).await?;
    round_trips(args, &http, base, &resto_id).await?;
    if args.idle_sockets > 0 {
        let pid = pid.context("the server process has no pid")?;
        idle_sockets(&http, base, pid, args.idle_sockets).await?;
    }
    Ok(())
}

/// `--requests` getBill round trips from `--concurrency` workers, asked on `base`.
async fn round_trips(args: &BenchArgs, http: &reqwest::Client, base: &str, resto_id: &str) -> Result<()> {
    let url = format!("{base}/api/admin/restaurants/{resto_id}/operations/getBill");
    let started = Instant::now();
    let per_worker = args.requests.div_ceil(args.concurrency);
    let mut workers = Vec::new();
    for _ in 0..args.concurrency {
        let (http, url) = (http.clone(), url.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_worker);
            for _ in 0..per_worker {
                let t = Instant::now();
                let response = http.post(&url).bearer_auth(TOKEN).body(r#"{"tableNumber":"3"}"#).send().await?;
                if !response.status().is_success() {
                    bail!("getBill failed: {}", response.status());
                }
                response.bytes().await?;
                latencies.push(t.elapsed());
            }
            Ok(latencies)
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await??);
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "getBill round trips: {} in {:.2?} = {:.0}/s (concurrency {})",
        latencies.len(),
        elapsed,
        latencies.len() as f64 / elapsed.as_secs_f64(),
        args.concurrency
    );
    println!("  latency p50 {:.2?}  p99 {:.2?}  max {:.2?}", pct(0.50), pct(0.99), pct(1.0));
    Ok(())
}

async fn idle_sockets(http: &reqwest::Client, base: &str, pid: u32, count: usize) -> Result<()> {
    let mut credentials = Vec::with_capacity(count);
    for n in 0..count {
        credentials.push(create_restaurant(http, base, &format!("Idle {n}")).await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = resident_kib(pid)?;
    let ws_base = base.replacen("http://", "ws://", 1);
    let mut sockets = Vec::with_capacity(count);
    for (resto_id, secret) in &credentials {
        let mut request = format!("{ws_base}/restaurantEntryPoint").into_client_request()?;
        let basic = STANDARD.encode(format!("{resto_id}:{secret}"));
        request.headers_mut().insert("Authorization", HeaderValue::from_str(&format!("Basic {basic}"))?);
        request.headers_mut().insert("Cookie", HeaderValue::from_static("system=bench-idle"));
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        sockets.push(socket);
    }
    wait_connected(http, base, count + 1).await?;
    // Let the versionInfo requests sent on connect time out (the server runs with a 2 s deadline).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = resident_kib(pid)?;
    let per_socket = (after.saturating_sub(before)) as f64 / count as f64;
    println!("idle POS sockets: {count}; server RSS {before} KiB -> {after} KiB = {per_socket:.1} KiB per socket");
    drop(sockets);
    Ok(())
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

async fn start_server(flags: &[String], port: u16) -> Result<Child> {
    let exe = std::env::current_exe()?;
    Command::new(exe)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--callback-timeout", "2"])
        .args(flags)
        .env("RAHUNOK_ADMIN_TOKEN", TOKEN)
        .env("RAHUNOK_LOG", "error")
        .stdout(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("could not start `rahunok serve`")
}

async fn wait_ready(http: &reqwest::Client, base: &str) -> Result<()> {
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the server did not start within 10 s")
}

async fn wait_connected(http: &reqwest::Client, base: &str, count: usize) -> Result<()> {
    for _ in 0..600 {
        let health: serde_json::Value =
            http.get(format!("{base}/api/admin/health")).bearer_auth(TOKEN).send().await?.json().await?;
        if health["connectedRestaurants"].as_u64() >= Some(count as u64) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{count} POS sockets did not connect within 30 s")
}

async fn create_restaurant(http: &reqwest::Client, base: &str, name: &str) -> Result<(String, String)> {
    let created: serde_json::Value = http
        .post(format!("{base}/api/admin/restaurants"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await?
        .json()
        .await?;
    let field = |name: &str| created[name].as_str().map(String::from).context("unexpected create answer");
    Ok((field("restoId")?, field("secretKey")?))
}

fn resident_kib(pid: u32) -> Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .context("VmRSS not found in /proc")
}
