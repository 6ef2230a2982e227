//! `rahunok check-pos`: the conformance checker for POS integrations, in any language.
//!
//! It runs a throwaway server (or uses a running one with `--server`), creates a test
//! restaurant, prints the credentials for the POS under test, waits for it to connect, drives a
//! scripted suite, and reports every check as PASS / FAIL / SKIP — for each failure what was
//! sent, what came back, and the rule of the spec it breaks. Loose forms the server accepted
//! (conformance warnings) are listed too, and never change the exit code, which is 0 only when
//! every required check passed.
//!
//! Why this exists: POS vendors decide whether a restaurant can use Rahunok at all; this tells
//! them exactly what their integration gets wrong before a restaurant sees it.

mod bill_flow;
mod callback_audit;
mod checks;
mod keepalive;
mod operations;
mod orders_cache;
mod report;
mod runner;
mod target;

use crate::seconds;
use anyhow::{bail, Context, Result};
use clap::Args;
use rahunok_pos_sdk::PosConfig;
use report::Report;
use runner::Settings;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use target::{AdminApi, ThrowawayServer, ThrowawaySettings};

/// `rahunok check-pos` flags.
#[derive(Args)]
pub struct CheckPosArgs {
    /// Check against this running server (e.g. http://127.0.0.1:8080) instead of a throwaway one.
    #[arg(long, requires = "admin_token")]
    server: Option<String>,
    /// The admin API token of `--server`.
    #[arg(long, env = "RAHUNOK_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Where the throwaway server listens (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Seconds to wait for the POS to connect.
    #[arg(long, default_value_t = 120.0)]
    connect_timeout: f64,
    /// Seconds a request waits for its callback (the throwaway server's deadline; with
    /// `--server`, the deadline that server uses).
    #[arg(long, default_value_t = 80.0)]
    callback_timeout: f64,
    /// Seconds between the throwaway server's pings.
    #[arg(long, default_value_t = 5.0)]
    ping_interval: f64,
    /// Seconds of silence after which the throwaway server closes a socket (short, so a POS
    /// that does not answer pings is caught within the run).
    #[arg(long, default_value_t = 15.0)]
    silence_timeout: f64,
    /// Seconds the POS's first socket must stay open [default: silence timeout + 2 pings; 100
    /// with --server].
    #[arg(long)]
    keepalive_window: Option<f64>,
    /// Seconds the POS may take to connect again after its socket is replaced.
    #[arg(long, default_value_t = 60.0)]
    reconnect_wait: f64,
    /// The least seconds between two reconnections (the spec: 15).
    #[arg(long, default_value_t = 15.0)]
    min_reconnect_gap: f64,
    /// The expected seconds between ORDERS_CACHE pushes (the spec: 5).
    #[arg(long, default_value_t = 5.0)]
    cache_interval: f64,
    /// Seconds to watch ORDERS_CACHE pushes [default: 3.5 intervals].
    #[arg(long)]
    cache_window: Option<f64>,
    /// A table with an open bill (otherwise every table from tablesInfo is tried).
    #[arg(long)]
    table: Option<String>,
    /// Print the report as JSON (credentials and progress go to stderr).
    #[arg(long)]
    json: bool,
    /// Also write the report as JUnit XML to this file.
    #[arg(long)]
    junit: Option<PathBuf>,
}

/// Runs the checker; an error when a required check did not pass.
pub async fn run(args: CheckPosArgs) -> Result<()> {
    let started = Instant::now();
    let (_server, api) = open_target(&args).await?;
    let settings = settings(&args)?;
    let name = format!("check-pos {}", std::process::id());
    let credentials = api.create_restaurant(&name).await?;
    let socket_url = PosConfig::new(api.base_url(), "", "", "").socket_url();
    print_credentials(api.base_url(), &socket_url, &credentials, settings.connect_timeout);
    let outcome = runner::run_suite(&api, &credentials, &socket_url, &settings).await;
    let report = Report::new(
        api.base_url().to_string(),
        credentials.resto_id,
        outcome.pos_name,
        outcome.checks,
        started.elapsed(),
    )
    .with_warnings(outcome.warnings);
    if let Some(path) = &args.junit {
        std::fs::write(path, report.junit()).with_context(|| format!("writing {}", path.display()))?;
    }
    println!("{}", if args.json { report.json() } else { report.human() });
    let blocking: Vec<&str> = report.blocking().map(|c| c.id).collect();
    if !blocking.is_empty() {
        bail!("{} required check(s) did not pass: {}", blocking.len(), blocking.join(", "));
    }
    Ok(())
}

/// The running server of `--server`, or a throwaway one (kept alive by the returned guard).
async fn open_target(args: &CheckPosArgs) -> Result<(Option<ThrowawayServer>, AdminApi)> {
    if let Some(server) = &args.server {
        let token = args.admin_token.as_deref().context("--server needs --admin-token")?;
        return Ok((None, AdminApi::new(server, token)));
    }
    let settings = ThrowawaySettings {
        listen: args.listen,
        callback_timeout: seconds(args.callback_timeout, "callback-timeout")?,
        ping_interval: seconds(args.ping_interval, "ping-interval")?,
        silence_timeout: seconds(args.silence_timeout, "silence-timeout")?,
    };
    let (server, base_url, token) = ThrowawayServer::start(&settings).await?;
    Ok((Some(server), AdminApi::new(&base_url, &token)))
}

fn settings(args: &CheckPosArgs) -> Result<Settings> {
    let keepalive_default = match args.server {
        Some(_) => 100.0,
        None => args.silence_timeout + 2.0 * args.ping_interval,
    };
    let cache_interval = seconds(args.cache_interval, "cache-interval")?;
    Ok(Settings {
        connect_timeout: seconds(args.connect_timeout, "connect-timeout")?,
        deadline: seconds(args.callback_timeout, "callback-timeout")?,
        keepalive_window: seconds(args.keepalive_window.unwrap_or(keepalive_default), "keepalive-window")?,
        reconnect_wait: seconds(args.reconnect_wait, "reconnect-wait")?,
        min_reconnect_gap: seconds(args.min_reconnect_gap, "min-reconnect-gap")?,
        cache_interval,
        cache_window: match args.cache_window {
            Some(window) => seconds(window, "cache-window")?,
            None => cache_interval.mul_f64(3.5),
        },
        table: args.table.clone(),
    })
}

/// The credentials for the POS under test, on stderr (stdout carries the report).
fn print_credentials(server: &str, socket: &str, credentials: &target::Credentials, wait: Duration) {
    eprintln!("Rahunok check-pos: connect the POS under test with these settings.");
    eprintln!();
    eprintln!("SERVER={server}");
    eprintln!("SOCKET={socket}");
    eprintln!("RESTO_ID={}", credentials.resto_id);
    eprintln!("SECRET_KEY={}", credentials.secret_key);
    eprintln!();
    eprintln!("Waiting up to {} s for the POS to connect…", wait.as_secs());
}
