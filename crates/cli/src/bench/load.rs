//! The load generator and the servers it measures: a server process (ours or the bare one),
//! `--concurrency` workers making requests, and the figures — rate, latency percentiles and the
//! server's CPU time per request, read from `/proc/<pid>/stat` before and after (on a shared,
//! noisy machine that is far steadier than wall-clock throughput).

use super::{BenchArgs, TOKEN};
use anyhow::{bail, Context, Result};
use reqwest::Method;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// Clock ticks per second in `/proc/<pid>/stat` (`USER_HZ`, 100 on every Linux ABI).
const USER_HZ: f64 = 100.0;

/// A server started by the bench; killed when dropped.
pub struct ServerProcess {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    pid: u32,
    _child: Child,
}

impl ServerProcess {
    /// `rahunok serve` with `flags`, on a free loopback port.
    pub async fn ours(flags: &[String]) -> Result<ServerProcess> {
        ServerProcess::ours_with_env(flags, &[]).await
    }

    /// [`ServerProcess::ours`] with these environment variables too.
    pub async fn ours_with_env(flags: &[String], environment: &[(&str, String)]) -> Result<ServerProcess> {
        let port = super::free_port()?;
        let mut command = Command::new(std::env::current_exe()?);
        command
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--callback-timeout", "2"])
            .args(flags)
            .envs(environment.iter().map(|(name, value)| (name, value)))
            .env("RAHUNOK_ADMIN_TOKEN", TOKEN)
            .env("RAHUNOK_LOG", "error");
        ServerProcess::spawn(command, port)
    }

    /// The bare server (`super::bare`) checking signatures made with `secret`.
    pub async fn bare(secret: &str) -> Result<ServerProcess> {
        let port = super::free_port()?;
        let mut command = Command::new(std::env::current_exe()?);
        command
            .args(["bench-bare-server", "--listen", &format!("127.0.0.1:{port}")])
            .env(super::bare::SECRET_ENV, secret);
        ServerProcess::spawn(command, port)
    }

    fn spawn(mut command: Command, port: u16) -> Result<ServerProcess> {
        let child = command.stdout(Stdio::null()).kill_on_drop(true).spawn().context("could not start the server")?;
        let pid = child.id().context("the server process has no pid")?;
        Ok(ServerProcess { base: format!("http://127.0.0.1:{port}"), pid, _child: child })
    }

    /// Waits (at most 10 s) for `/healthz`.
    pub async fn wait_ready(&self, http: &reqwest::Client) -> Result<()> {
        for _ in 0..200 {
            if http.get(format!("{}/healthz", self.base)).send().await.is_ok_and(|r| r.status().is_success()) {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("the server did not start within 10 s")
    }

    /// Resident memory (`VmRSS`), KiB.
    pub fn resident_kib(&self) -> Result<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .context("VmRSS not found in /proc")
    }

    /// User + system CPU time so far, µs.
    pub fn cpu_us(&self) -> Result<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid))?;
        // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
        let after_name = stat.rsplit_once(')').context("unexpected /proc stat")?.1;
        let fields: Vec<&str> = after_name.split_whitespace().collect();
        let ticks =
            |n: usize| fields.get(n - 3).and_then(|f| f.parse::<f64>().ok()).context("no CPU time in /proc stat");
        Ok((ticks(14)? + ticks(15)?) / USER_HZ * 1e6)
    }
}

/// What one measured load found.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadFigures {
    pub requests: usize,
    pub concurrency: usize,
    pub seconds: f64,
    pub per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The server process's user + system CPU time ÷ requests.
    pub server_cpu_us_per_request: f64,
}

impl LoadFigures {
    /// Two lines for people.
    pub fn print(&self, what: &str) {
        println!(
            "{what}: {} in {:.2} s = {:.0}/s (concurrency {})",
            self.requests, self.seconds, self.per_second, self.concurrency
        );
        println!(
            "  latency p50 {:.2} ms  p99 {:.2} ms  max {:.2} ms; server CPU {:.1} µs per request",
            self.p50_ms, self.p99_ms, self.max_ms, self.server_cpu_us_per_request
        );
    }
}

/// `--requests` getBill round trips through the admin API of `server`, after a warm-up.
pub async fn round_trips(
    args: &BenchArgs,
    http: &reqwest::Client,
    server: &ServerProcess,
    resto_id: &str,
) -> Result<LoadFigures> {
    let url = format!("{}/api/admin/restaurants/{resto_id}/operations/getBill", server.base);
    let request = Request { method: Method::POST, url, body: r#"{"tableNumber":"3"}"#, accept_encoding: None };
    measure(http, server, &request, args.requests, args.concurrency).await
}

/// One kind of request the workers repeat.
pub struct Request {
    pub method: Method,
    pub url: String,
    pub body: &'static str,
    /// The `Accept-Encoding` to send (the body is read as it comes, not decoded).
    pub accept_encoding: Option<&'static str>,
}

/// A warm-up (a tenth of the load, at most 1 000), then `count` requests from `concurrency`
/// workers, each answered 2xx.
pub async fn measure(
    http: &reqwest::Client,
    server: &ServerProcess,
    request: &Request,
    count: usize,
    concurrency: usize,
) -> Result<LoadFigures> {
    hammer(http, request, (count / 10).clamp(1, 1_000), concurrency).await?;
    let cpu_before = server.cpu_us()?;
    let started = Instant::now();
    let mut latencies = hammer(http, request, count, concurrency).await?;
    let seconds = started.elapsed().as_secs_f64();
    let cpu = server.cpu_us()? - cpu_before;
    latencies.sort();
    let ms = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)].as_secs_f64() * 1e3;
    Ok(LoadFigures {
        requests: latencies.len(),
        concurrency,
        seconds,
        per_second: latencies.len() as f64 / seconds,
        p50_ms: ms(0.50),
        p99_ms: ms(0.99),
        max_ms: ms(1.0),
        server_cpu_us_per_request: cpu / latencies.len() as f64,
    })
}

/// `count` requests from `concurrency` workers; each one's latency.
async fn hammer(http: &reqwest::Client, request: &Request, count: usize, concurrency: usize) -> Result<Vec<Duration>> {
    let per_worker = count.div_ceil(concurrency);
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (http, method, url, body) = (http.clone(), request.method.clone(), request.url.clone(), request.body);
        let accept_encoding = request.accept_encoding;
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_worker);
            for _ in 0..per_worker {
                let t = Instant::now();
                let mut asked = http.request(method.clone(), &url).bearer_auth(TOKEN).body(body);
                if let Some(encodings) = accept_encoding {
                    asked = asked.header("Accept-Encoding", encodings);
                }
                let response = asked.send().await?;
                if !response.status().is_success() {
                    bail!("{method} {url} failed: {}", response.status());
                }
                response.bytes().await?;
                latencies.push(t.elapsed());
            }
            Ok(latencies)
        }));
    }
    let mut latencies = Vec::with_capacity(per_worker * concurrency);
    for worker in workers {
        latencies.extend(worker.await??);
    }
    Ok(latencies)
}
