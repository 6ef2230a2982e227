//! `rahunok bench`: load through the real path. Starts a real `rahunok serve` process on a free
//! loopback port, connects the virtual POS, and measures (1) getBill round trips per second
//! (admin API → socket frame → POS → signed callback → answer) with the server's CPU time per
//! round trip and (2) the server's resident memory per idle POS socket. Everything stays on
//! 127.0.0.1 and stops by itself.
//!
//! - `--baseline` measures, in the same run and with the same load generator and POS, a bare
//!   server of the same shape (`bare`), and prints the ratios.
//! - `--guest` measures guest table pages from a fresh `ORDERS_CACHE` against `/healthz`
//!   (`guest`).
//! - With `--database-url` and `--nats-url` it measures a cluster instead: two nodes on that
//!   PostgreSQL and NATS, the POS on node A, and round trips asked first on A (one node, for the
//!   comparison) and then through B (frame and callback relayed between the nodes over NATS).
//! - `--json` prints the figures as one JSON object instead of lines.

pub mod bare;
mod guest;
mod load;

use anyhow::{bail, Context, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use clap::Args;
use load::{LoadFigures, ServerProcess};
use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::VirtualPos;
use std::net::TcpListener;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;

#[derive(Args)]
pub struct BenchArgs {
    /// getBill round trips (or, with --guest, page views) to make.
    #[arg(long, default_value_t = 5_000)]
    requests: usize,
    /// Concurrent requesters.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Idle POS sockets to open for the memory measurement (0: skip).
    #[arg(long, default_value_t = 1_000)]
    idle_sockets: usize,
    /// Also measure a bare server of the same shape (no auth, validation, store or log) in the
    /// same run, with the same load and POS, and print the ratios.
    #[arg(long, conflicts_with = "nats_url")]
    baseline: bool,
    /// Measure guest table pages (from a fresh ORDERS_CACHE) against `/healthz` instead of
    /// round trips.
    #[arg(long, conflicts_with_all = ["baseline", "nats_url"])]
    guest: bool,
    /// With --baseline: measure ours and the bare server this many times, alternately, and
    /// report the median of each (a shared machine's noise moves single runs).
    #[arg(long, default_value_t = 1, requires = "baseline")]
    rounds: usize,
    /// Print the figures as one JSON object.
    #[arg(long)]
    json: bool,
    /// Run the server on this PostgreSQL (a throwaway database: the bench creates restaurants).
    #[arg(long)]
    database_url: Option<String>,
    /// With --nats-url: measure across two nodes joined through that NATS server (needs
    /// --database-url), with these credentials.
    #[command(flatten)]
    nats: crate::nats_args::NatsArgs,
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
    let nats = args.nats.access()?;
    if nats.is_some() && args.database_url.is_none() {
        bail!("--nats-url measures nodes that share one PostgreSQL store: add --database-url postgres://…");
    }
    let outcome = match (nats, args.guest) {
        (Some(_), _) => two_nodes(&args, &data).await,
        (None, true) => guest::run(&args, &data).await,
        (None, false) => one_node(&args, &data).await,
    };
    let _ = std::fs::remove_dir_all(&data);
    outcome
}

/// What one `bench` run (round trips on one node) found.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RoundTripReport {
    ours: LoadFigures,
    baseline: Option<LoadFigures>,
    /// Ours ÷ baseline, round trips per second (higher is better, 1.0 = as fast as bare).
    throughput_ratio: Option<f64>,
    /// Ours ÷ baseline, server CPU per round trip (lower is better, 1.0 = as cheap as bare).
    cpu_ratio: Option<f64>,
    idle_socket_kib: Option<f64>,
    request_log_rows_pruned: Option<u64>,
}

async fn one_node(args: &BenchArgs, data: &std::path::Path) -> Result<()> {
    let http = reqwest::Client::new();
    let mut flags = node_args(args, data, "bench");
    // Room for the idle sockets beside the load (the default cap is 10 000 connections).
    flags.extend(["--max-connections".to_string(), (args.idle_sockets + 1_000).max(10_000).to_string()]);
    let metrics = format!("127.0.0.1:{}", free_port()?);
    flags.extend(["--metrics-listen".to_string(), metrics.clone()]);
    let server = ServerProcess::ours(&flags).await?;
    server.wait_ready(&http).await?;
    let pos = connect_pos(&http, &server.base).await?;
    let resto_id = &pos.resto_id;
    let (ours, baseline) = match args.baseline {
        false => {
            let ours = load::round_trips(args, &http, &server, resto_id).await?;
            if !args.json {
                ours.print("ours");
            }
            (ours, None)
        }
        true => {
            let (ours, bare) = alternate_with_bare(args, &http, &server, resto_id).await?;
            (ours, Some(bare))
        }
    };
    let idle_socket_kib = match args.idle_sockets {
        0 => None,
        count => Some(idle_sockets(&http, &server, count, args.json).await?),
    };
    let request_log_rows_pruned = match args.log_max_rows {
        Some(_) => Some(pruned(&metrics).await?),
        None => None,
    };
    let report = RoundTripReport {
        throughput_ratio: baseline.as_ref().map(|b| ours.per_second / b.per_second),
        // CPU time is counted in 10 ms ticks: a short run may see none on the bare server.
        cpu_ratio: baseline
            .as_ref()
            .filter(|b| b.server_cpu_us_per_request > 0.0)
            .map(|b| ours.server_cpu_us_per_request / b.server_cpu_us_per_request),
        ours,
        baseline,
        idle_socket_kib,
        request_log_rows_pruned,
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        report.print_ratios();
    }
    Ok(())
}

impl RoundTripReport {
    fn print_ratios(&self) {
        if let (Some(throughput), Some(cpu)) = (self.throughput_ratio, self.cpu_ratio) {
            if let Some(baseline) = &self.baseline {
                self.ours.print("median round: ours");
                baseline.print("median round: bare baseline");
            }
            println!("ours / baseline: round trips {throughput:.2}×, server CPU per round trip {cpu:.2}×");
        }
        if let Some(rows) = self.request_log_rows_pruned {
            println!("request-log rows pruned during the run: {rows}");
        }
    }
}

/// `--rounds` times: the load on ours, then the same load on the bare server (with the virtual
/// POS connected to it). The median round of each, by server CPU per round trip.
async fn alternate_with_bare(
    args: &BenchArgs,
    http: &reqwest::Client,
    ours: &ServerProcess,
    resto_id: &str,
) -> Result<(LoadFigures, LoadFigures)> {
    let secret = rahunok_protocol::signing::generate_secret();
    let bare = ServerProcess::bare(&secret).await?;
    bare.wait_ready(http).await?;
    let pos = tokio::spawn(VirtualPos::kyiv_cafe().run(PosConfig::new(&bare.base, "bare", &secret, "bench"), None));
    // The POS stops with the bare server, however the rounds end (quietly: no reconnect logs).
    let _stop_pos = AbortOnDrop(pos);
    wait_connected(http, &bare.base, 1).await?;
    let mut rounds = (Vec::new(), Vec::new());
    for round in 1..=args.rounds.max(1) {
        let ours_now = load::round_trips(args, http, ours, resto_id).await?;
        let bare_now = load::round_trips(args, http, &bare, "bare").await?;
        if !args.json {
            ours_now.print(&format!("round {round}: ours"));
            bare_now.print(&format!("round {round}: bare baseline"));
        }
        rounds.0.push(ours_now);
        rounds.1.push(bare_now);
    }
    Ok((median_by_cpu(rounds.0), median_by_cpu(rounds.1)))
}

/// Stops a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The round whose server CPU per request is the median.
fn median_by_cpu(mut rounds: Vec<LoadFigures>) -> LoadFigures {
    rounds.sort_by(|a, b| a.server_cpu_us_per_request.total_cmp(&b.server_cpu_us_per_request));
    rounds.swap_remove(rounds.len() / 2)
}

/// How many request-log rows the retention bounds deleted during the run (from `/metrics`).
async fn pruned(metrics: &str) -> Result<u64> {
    let text = reqwest::get(format!("http://{metrics}/metrics")).await?.text().await?;
    let pruned = text
        .lines()
        .find(|l| l.starts_with("rahunok_journal_pruned_total{table=\"request_log\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .unwrap_or("0");
    Ok(pruned.parse::<f64>().unwrap_or(0.0) as u64)
}

/// Node A holds the POS socket; round trips are asked on A, then through B.
async fn two_nodes(args: &BenchArgs, data: &std::path::Path) -> Result<()> {
    let http = reqwest::Client::new();
    let mut nodes = Vec::new();
    for name in ["bench-a", "bench-b"] {
        let mut node_args = node_args(args, data, name);
        node_args.extend(["--node-name", name].map(String::from));
        // The NATS settings (credentials too) go in the nodes' environment, not on their
        // command lines.
        let node = ServerProcess::ours_with_env(&node_args, &args.nats.child_environment()).await?;
        node.wait_ready(&http).await?;
        nodes.push(node);
    }
    let (a, b) = (&nodes[0], &nodes[1]);
    let pos = connect_pos(&http, &a.base).await?;
    let resto_id = &pos.resto_id;
    let on_a = load::round_trips(args, &http, a, resto_id).await?;
    let through_b = load::round_trips(args, &http, b, resto_id).await?;
    if args.json {
        let report = serde_json::json!({ "askedOnA": on_a, "askedThroughB": through_b });
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        on_a.print("one node (PostgreSQL), the POS on A, asked on A");
        through_b.print("across nodes, the POS on A, asked through B (relayed over NATS)");
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

/// A restaurant of the run with the virtual POS connected for it. The POS stops when this is
/// dropped — declared after the server, so before the server stops (quietly: no reconnect logs
/// after the figures).
struct ConnectedPos {
    resto_id: String,
    _stop: AbortOnDrop,
}

/// A new restaurant with the virtual POS connected to `base`.
async fn connect_pos(http: &reqwest::Client, base: &str) -> Result<ConnectedPos> {
    connect_pos_pushing(http, base, None).await
}

/// [`connect_pos`], the POS pushing its `ORDERS_CACHE` every `cache_interval`.
async fn connect_pos_pushing(
    http: &reqwest::Client,
    base: &str,
    cache_interval: Option<Duration>,
) -> Result<ConnectedPos> {
    let (resto_id, secret) = create_restaurant(http, base, "Bench café").await?;
    let pos = VirtualPos::kyiv_cafe();
    let running = tokio::spawn(pos.run(PosConfig::new(base, &resto_id, &secret, "bench"), cache_interval));
    let connected = ConnectedPos { resto_id, _stop: AbortOnDrop(running) };
    wait_connected(http, base, 1).await?;
    Ok(connected)
}

/// Opens `count` authenticated idle POS sockets; the server's RSS growth per socket, in KiB.
async fn idle_sockets(http: &reqwest::Client, server: &ServerProcess, count: usize, quiet: bool) -> Result<f64> {
    let mut credentials = Vec::with_capacity(count);
    for n in 0..count {
        credentials.push(create_restaurant(http, &server.base, &format!("Idle {n}")).await?);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = server.resident_kib()?;
    let ws_base = server.base.replacen("http://", "ws://", 1);
    let mut sockets = Vec::with_capacity(count);
    for (resto_id, secret) in &credentials {
        let mut request = format!("{ws_base}/restaurantEntryPoint").into_client_request()?;
        let basic = STANDARD.encode(format!("{resto_id}:{secret}"));
        request.headers_mut().insert("Authorization", HeaderValue::from_str(&format!("Basic {basic}"))?);
        request.headers_mut().insert("Cookie", HeaderValue::from_static("system=bench-idle"));
        let (socket, _) = tokio_tungstenite::connect_async(request).await?;
        sockets.push(socket);
    }
    wait_connected(http, &server.base, count + 1).await?;
    // Let the versionInfo requests sent on connect time out (the server runs with a 2 s deadline).
    tokio::time::sleep(Duration::from_secs(3)).await;
    let after = server.resident_kib()?;
    let per_socket = (after.saturating_sub(before)) as f64 / count as f64;
    if !quiet {
        println!("idle POS sockets: {count}; server RSS {before} KiB -> {after} KiB = {per_socket:.1} KiB per socket");
    }
    drop(sockets);
    Ok(per_socket)
}

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
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
