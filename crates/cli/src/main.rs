//! `rahunok`: run the platform, manage restaurants, run a virtual POS, measure.

mod backup;
mod bench;
mod check_pos;
mod demo;
mod nats_args;
mod store_args;
mod users;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use nats_args::NatsArgs;
use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::{Fixture, VirtualPos};
use rahunok_server::{Config, Server};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use store_args::StoreArgs;

/// mimalloc instead of glibc's malloc: the server allocates a few hundred times per getBill
/// round trip, and glibc's allocator was a sixth of its CPU (BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "rahunok",
    version,
    about = "Pay the restaurant bill by QR code: an Expirenza-compatible POS gateway."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Log lines as text for people or as JSON objects for log collectors.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "RAHUNOK_LOG_FORMAT")]
    log_format: LogFormat,
    /// On failure, show the whole chain of causes and a backtrace (when RUST_BACKTRACE is set)
    /// instead of one line.
    #[arg(short, long, global = true)]
    verbose: bool,
}

/// How log lines are written (to stderr).
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    /// One readable line per event.
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (SQLite in --data by default; PostgreSQL with --database-url).
    Serve(Box<ServeArgs>),
    /// Create, list and re-key restaurants (works on the store directly).
    #[command(subcommand)]
    Restaurant(RestaurantCommand),
    /// Print the admin API token of a store.
    AdminToken(StoreArgs),
    /// Create and list admin panel users (operators and restaurant admins).
    #[command(subcommand)]
    User(users::UserCommand),
    /// Run a virtual restaurant POS against a server.
    PosSim(PosSimArgs),
    /// Measure getBill round trips and idle-socket memory against a real server process.
    Bench(bench::BenchArgs),
    /// The bare server `bench --baseline` measures against (started by the bench).
    #[command(hide = true)]
    BenchBareServer(BareServerArgs),
    /// Check a POS integration against the protocol: credentials, a scripted suite, a report.
    CheckPos(check_pos::CheckPosArgs),
    /// Copy an SQLite store to a file while the server runs (consistent: `VACUUM INTO`).
    Backup(backup::BackupArgs),
    /// Put a copy made by `rahunok backup` back as the store (stop the server first).
    Restore(backup::RestoreArgs),
}

#[derive(Args)]
struct BareServerArgs {
    /// Address to listen on.
    #[arg(long)]
    listen: SocketAddr,
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "RAHUNOK_LISTEN")]
    listen: SocketAddr,
    #[command(flatten)]
    store: StoreArgs,
    /// Serve Prometheus metrics at `/metrics` on this address (its own listener, without
    /// authentication: give it a private address); off when not set.
    #[arg(long, env = "RAHUNOK_METRICS_LISTEN")]
    metrics_listen: Option<SocketAddr>,
    /// Seconds a request waits for the POS callback.
    #[arg(long, default_value_t = 80.0, env = "RAHUNOK_CALLBACK_TIMEOUT")]
    callback_timeout: f64,
    /// Seconds between server pings on each POS socket.
    #[arg(long, default_value_t = 15.0, env = "RAHUNOK_PING_INTERVAL")]
    ping_interval: f64,
    /// Seconds of silence after which a POS socket is closed.
    #[arg(long, default_value_t = 90.0, env = "RAHUNOK_SILENCE_TIMEOUT")]
    silence_timeout: f64,
    /// Largest callback body, in bytes.
    #[arg(long, default_value_t = 16 * 1024 * 1024, env = "RAHUNOK_CALLBACK_BODY_LIMIT")]
    callback_body_limit: usize,
    /// Bytes of callback bodies held before their signatures are verified, server-wide (a
    /// quarter, at least one largest body, per restaurant); past it callbacks get 503 with
    /// Retry-After.
    #[arg(long, default_value_t = 64 * 1024 * 1024, env = "RAHUNOK_UNVERIFIED_BODY_BUDGET")]
    unverified_body_budget: usize,
    /// Bytes of that budget one client address may hold (at least one largest callback body);
    /// behind a proxy, where every client has its address, set it to the whole budget
    /// [default: a quarter of --unverified-body-budget].
    #[arg(long, env = "RAHUNOK_UNVERIFIED_BODY_BUDGET_PER_ADDRESS")]
    unverified_body_budget_per_address: Option<usize>,
    /// Open connections at most, POS sockets included; more are answered 503 and closed. Keep
    /// it under the open-file limit (`ulimit -n`).
    #[arg(long, default_value_t = 10_000, env = "RAHUNOK_MAX_CONNECTIONS")]
    max_connections: usize,
    /// Open connections one client address may hold; more are answered 503 and closed. Behind
    /// a proxy, where every client has its address, set it to --max-connections.
    #[arg(long, default_value_t = 1_000, env = "RAHUNOK_MAX_CONNECTIONS_PER_ADDRESS")]
    max_connections_per_address: usize,
    /// Reverse proxies in front of this server (addresses or networks, comma-separated, e.g.
    /// `127.0.0.1,10.0.0.0/8`): their `X-Forwarded-For` names the client the per-address limits
    /// count (wrong POS secrets, the unverified-body share); anyone else's is ignored.
    #[arg(long, env = "RAHUNOK_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Vec<String>,
    /// Seconds a request's headers may take to arrive; idle keep-alive connections close after
    /// it too.
    #[arg(long, default_value_t = 10.0, env = "RAHUNOK_HEADER_READ_TIMEOUT")]
    header_read_timeout: f64,
    /// Seconds of waiting a request body gets before --body-min-rate applies; each later stretch
    /// this long must bring the rate's share, or the connection is answered 408 and closed.
    #[arg(long, default_value_t = 5.0, env = "RAHUNOK_BODY_GRACE")]
    body_grace: f64,
    /// Bytes a second a request body must keep arriving at after the grace (0: no minimum rate).
    #[arg(long, default_value_t = 16 * 1024, env = "RAHUNOK_BODY_MIN_RATE")]
    body_min_rate: u64,
    /// Seconds a POS callback or webhook body (up to --callback-body-limit) may take in all.
    #[arg(long, default_value_t = 120.0, env = "RAHUNOK_CALLBACK_BODY_DEADLINE")]
    callback_body_deadline: f64,
    /// Seconds any other request body (forms, admin JSON, acquirer webhooks) may take in all.
    #[arg(long, default_value_t = 30.0, env = "RAHUNOK_BODY_DEADLINE")]
    body_deadline: f64,
    /// Days the request log, refused callbacks and conformance warnings are kept.
    #[arg(long, default_value_t = 7.0, env = "RAHUNOK_LOG_RETENTION_DAYS")]
    log_retention_days: f64,
    /// Request-log rows kept at most (the oldest go first).
    #[arg(long, default_value_t = 1_000_000, env = "RAHUNOK_LOG_MAX_ROWS")]
    log_max_rows: u64,
    /// Bytes of each logged request or callback body kept; a longer body is kept cut, with its
    /// full size and SHA-256.
    #[arg(long, default_value_t = 16 * 1024, env = "RAHUNOK_LOG_BODY_LIMIT")]
    log_body_limit: usize,
    /// Finished requests remembered (for 600 s) to answer repeated callbacks, at most.
    #[arg(long, default_value_t = 100_000, env = "RAHUNOK_FINISHED_REQUESTS_KEPT")]
    finished_requests_kept: usize,
    #[command(flatten)]
    nats: NatsArgs,
    /// This node's name among the others [default: the host name].
    #[arg(long, env = "RAHUNOK_NODE_NAME")]
    node_name: Option<String>,
    /// The address guests, POS systems and the acquirer reach this server at (for QR codes and
    /// return links), e.g. `https://pay.example.com`; default: the listen address over http.
    #[arg(long, env = "RAHUNOK_PUBLIC_URL")]
    public_url: Option<String>,
    /// monobank's acquiring API, for restaurants that take payments with monobank (point it at
    /// an emulator for tests and staging).
    #[arg(long, env = "RAHUNOK_MONOBANK_API_URL", default_value = rahunok_server::payments::monobank::API_URL)]
    monobank_api_url: String,
    /// LiqPay's API (its checkout and `/api/request`), for restaurants that take payments with
    /// LiqPay (point it at an emulator for tests and staging).
    #[arg(long, env = "RAHUNOK_LIQPAY_API_URL", default_value = rahunok_server::payments::liqpay::API_URL)]
    liqpay_api_url: String,
    /// Seconds an unfinished payment holds its bill with no sign of the guest at the acquirer
    /// (the card page opened, a card sent); after it the bill is free for the others at the
    /// table.
    #[arg(long, default_value_t = 180.0, env = "RAHUNOK_PAYMENT_HOLD")]
    payment_hold: f64,
    /// Refuse POS sockets without `Cookie: system=<POS name>` (as production does).
    #[arg(long, env = "RAHUNOK_STRICT")]
    strict: bool,
    /// Also create a demo restaurant (once) and run the virtual POS against it in-process.
    #[arg(long, env = "RAHUNOK_DEMO")]
    demo: bool,
    /// Seconds requests in flight may take to finish after SIGTERM/SIGINT (a second signal
    /// exits at once).
    #[arg(long, default_value_t = 10.0, env = "RAHUNOK_SHUTDOWN_GRACE")]
    shutdown_grace: f64,
}

#[derive(Subcommand)]
enum RestaurantCommand {
    /// Create a restaurant and print its RESTO_ID and SECRET_KEY (the secret is shown only now).
    Add {
        /// The restaurant's name.
        name: String,
        #[command(flatten)]
        store: StoreArgs,
        /// Print JSON instead of KEY=value lines.
        #[arg(long)]
        json: bool,
    },
    /// List restaurants.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Issue a new SECRET_KEY; the old one keeps working for the grace period.
    RotateSecret {
        /// The RESTO_ID.
        resto_id: String,
        #[command(flatten)]
        store: StoreArgs,
        /// Seconds the old secret stays valid.
        #[arg(long, default_value_t = 86_400)]
        grace_seconds: u64,
        /// Print JSON instead of KEY=value lines.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args)]
struct PosSimArgs {
    /// The server, e.g. http://127.0.0.1:8080; for a cluster without a load balancer, every
    /// node, comma-separated (the POS fails over to the next when one cannot be reached).
    #[arg(long, env = "RAHUNOK_SERVER", value_delimiter = ',', required = true)]
    server: Vec<String>,
    /// The restaurant's RESTO_ID.
    #[arg(long, env = "RESTO_ID")]
    resto: String,
    /// The restaurant's SECRET_KEY.
    #[arg(long, env = "SECRET_KEY", hide_env_values = true)]
    secret: String,
    /// A fixture JSON file (default: the bundled Kyiv café).
    #[arg(long)]
    fixture: Option<PathBuf>,
    /// The POS name sent in the `system` cookie.
    #[arg(long, default_value = "RahunokSim")]
    pos_name: String,
    /// Seconds between ORDERS_CACHE pushes (0: none).
    #[arg(long, default_value_t = 5.0)]
    cache_interval: f64,
    /// Answer in the loose shapes production integrations send (dotted versionInfo, stopList
    /// as {id, quantity}, numeric top-level tableNumber, null lists, mixed-case enums).
    #[arg(long)]
    quirks: bool,
    /// Seconds between `Resto <id> ping` text frames (the protocol: ~15).
    #[arg(long, default_value_t = 15.0)]
    text_ping_interval: f64,
    /// The least seconds between two connection attempts (the protocol: 15; shorter only for
    /// tests and demos against your own server).
    #[arg(long, default_value_t = 15.0)]
    reconnect_delay: f64,
}

fn seconds(value: f64, flag: &str) -> Result<Duration> {
    match Duration::try_from_secs_f64(value) {
        Ok(duration) if value > 0.0 => Ok(duration),
        _ => bail!("--{flag} must be a positive number of seconds, got {value}"),
    }
}

fn init_logging(format: LogFormat) {
    let level = match std::env::var("RAHUNOK_LOG").unwrap_or_default().to_ascii_lowercase().as_str() {
        "debug" => tracing::Level::DEBUG,
        "warn" => tracing::Level::WARN,
        "error" => tracing::Level::ERROR,
        "trace" => tracing::Level::TRACE,
        _ => tracing::Level::INFO,
    };
    let logs = tracing_subscriber::fmt().with_max_level(level).with_target(false).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}

/// Sets the umask to `077`: whatever this process (and SQLite inside it) creates is readable by
/// its own account only. The server also gives its files their modes explicitly
/// (`rahunok_server::data_files`); this covers what it does not name.
fn private_files_by_default() {
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
}

/// Runs the command; a failure is one line on stderr (`error: …` with its causes) and exit code
/// 1, whatever `RUST_BACKTRACE` says; `-v` shows the causes one per line and the backtrace.
fn main() -> ExitCode {
    private_files_by_default();
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let verbose = cli.verbose;
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli.command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if verbose => {
            eprintln!("error: {error:?}");
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command) -> Result<()> {
    match command {
        Command::Serve(args) => serve(*args).await,
        Command::Restaurant(command) => restaurant(command).await,
        Command::AdminToken(store) => {
            let file = store.admin_token_file();
            match rahunok_server::startup::read_admin_token_file(&file) {
                Some(token) => println!("{token}"),
                None => bail!(
                    "no admin token in {}: start `rahunok serve` with this data directory once (the store keeps \
                     only the token's hash, so it is shown again only on the machine that generated it), \
                     or set RAHUNOK_ADMIN_TOKEN",
                    file.display()
                ),
            }
            Ok(())
        }
        Command::User(command) => users::run(command).await,
        Command::PosSim(args) => pos_sim(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::BenchBareServer(args) => bench::bare::serve(args.listen).await,
        Command::CheckPos(args) => check_pos::run(args).await,
        Command::Backup(args) => backup::backup(args).await,
        Command::Restore(args) => backup::restore(args).await,
    }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let mut config = Config::new(args.store.storage());
    config.listen = args.listen;
    config.metrics_listen = args.metrics_listen;
    config.callback_timeout = seconds(args.callback_timeout, "callback-timeout")?;
    config.ping_interval = seconds(args.ping_interval, "ping-interval")?;
    config.silence_timeout = seconds(args.silence_timeout, "silence-timeout")?;
    config.callback_body_limit = args.callback_body_limit;
    config.unverified_body_budget = args.unverified_body_budget;
    config.unverified_body_budget_per_address = args.unverified_body_budget_per_address;
    config.max_connections = args.max_connections.max(1);
    config.max_connections_per_address = args.max_connections_per_address.max(1);
    config.header_read_timeout = seconds(args.header_read_timeout, "header-read-timeout")?;
    config.trusted_proxies = rahunok_server::client_address::TrustedProxies::parse(&args.trusted_proxies)
        .map_err(|item| anyhow::anyhow!("--trusted-proxies: `{item}` is neither an address nor a network"))?;
    config.body_deadlines = rahunok_server::config::BodyDeadlines {
        grace: seconds(args.body_grace, "body-grace")?,
        min_bytes_per_second: args.body_min_rate,
        callback_body_within: seconds(args.callback_body_deadline, "callback-body-deadline")?,
        other_body_within: seconds(args.body_deadline, "body-deadline")?,
    };
    config.retention.max_age = seconds(args.log_retention_days * 86_400.0, "log-retention-days")?;
    config.retention.max_request_rows = args.log_max_rows;
    config.retention.body_limit = args.log_body_limit;
    config.retention.finished_requests_kept = args.finished_requests_kept;
    config.nats = args.nats.access()?;
    if config.nats.is_some() && args.store.database_url.is_none() {
        bail!("--nats-url joins nodes that share one PostgreSQL store: add --database-url postgres://…");
    }
    config.node_name = args.node_name;
    config.strict_pos_name = args.strict;
    config.shutdown_grace = seconds(args.shutdown_grace, "shutdown-grace")?;
    config.payment_timings.hold_without_activity = seconds(args.payment_hold, "payment-hold")?;
    config.public_url = args.public_url.filter(|u| !u.trim().is_empty());
    config.acquirer_api_urls.insert(rahunok_server::payments::monobank::NAME.to_string(), args.monobank_api_url);
    config.acquirer_api_urls.insert(rahunok_server::payments::liqpay::NAME.to_string(), args.liqpay_api_url);
    config.admin_token = std::env::var("RAHUNOK_ADMIN_TOKEN").ok().filter(|t| !t.trim().is_empty());
    config.master_key = args.store.master_key();
    config.admin_token_file = Some(args.store.admin_token_file());
    let configured_token = config.admin_token.clone();
    let server = Server::build(config).await.context("the server could not start")?;
    let address = server.local_addr();
    let base_url = format!("http://{address}");
    if let Some(token) = &server.generated_admin_token {
        println!("Admin API token (shown once; `rahunok admin-token` prints it again): {token}");
    }
    users::print_first_start_hint(&server.state().store, &args.store, &base_url).await?;
    tracing::info!(%address, "Rahunok is listening");
    if let Some(metrics) = server.metrics_addr() {
        tracing::info!(%metrics, "Prometheus metrics at /metrics");
    }
    if args.demo {
        let token = configured_token
            .or_else(|| server.generated_admin_token.clone())
            .or_else(|| rahunok_server::startup::read_admin_token_file(&args.store.admin_token_file()));
        demo::start(&server, &base_url, token.as_deref()).await?;
    }
    server.run(shutdown_signal()).await.context("the server stopped with an error")?;
    tracing::info!("Rahunok stopped");
    Ok(())
}

/// Completes at the first SIGINT or SIGTERM, which starts the graceful shutdown; a second
/// signal during it exits at once.
async fn shutdown_signal() {
    let mut signals = Signals::new();
    signals.next().await;
    tokio::spawn(async move {
        signals.next().await;
        eprintln!("second signal: exiting now");
        std::process::exit(130);
    });
}

/// SIGINT (Ctrl-C) and SIGTERM as one stream.
struct Signals {
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> Signals {
        Signals {
            #[cfg(unix)]
            terminate: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("a SIGTERM handler"),
        }
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = self.terminate.recv() => {}
        }
        #[cfg(not(unix))]
        let _ = tokio::signal::ctrl_c().await;
    }
}

async fn restaurant(command: RestaurantCommand) -> Result<()> {
    match command {
        RestaurantCommand::Add { name, store, json } => {
            let store = store.open().await?;
            let name = rahunok_server::store::RestaurantName::parse(&name)?;
            let (restaurant, secret) = store.create_restaurant(&name).await?;
            if json {
                let out =
                    serde_json::json!({ "restoId": restaurant.resto_id, "secretKey": secret, "name": restaurant.name });
                println!("{out}");
            } else {
                println!("RESTO_ID={}", restaurant.resto_id);
                println!("SECRET_KEY={secret}");
            }
        }
        RestaurantCommand::List { store } => {
            let store = store.open().await?;
            for r in store.restaurants().await? {
                println!("{}\t{}", r.resto_id, r.name);
            }
        }
        RestaurantCommand::RotateSecret { resto_id, store, grace_seconds, json } => {
            let store = store.open().await?;
            let grace_ms = i64::try_from(grace_seconds.saturating_mul(1000)).unwrap_or(i64::MAX / 2);
            let Some((secret, until)) = store.rotate_secret(&resto_id, grace_ms).await? else {
                bail!("no restaurant with RESTO_ID `{resto_id}` (see `rahunok restaurant list`)");
            };
            if json {
                println!(
                    "{}",
                    serde_json::json!({ "restoId": resto_id, "secretKey": secret, "previousSecretValidUntil": until })
                );
            } else {
                println!("RESTO_ID={resto_id}");
                println!("SECRET_KEY={secret}");
            }
        }
    }
    Ok(())
}

async fn pos_sim(args: PosSimArgs) -> Result<()> {
    let fixture = match &args.fixture {
        Some(path) => Fixture::load(path)?,
        None => Fixture::kyiv_cafe(),
    };
    let (first, others) = args.server.split_first().context("--server names the server")?;
    let mut config = PosConfig::new(first, &args.resto, &args.secret, &args.pos_name);
    config.fallback_server_urls = others.iter().map(|url| url.trim_end_matches('/').to_string()).collect();
    config.text_ping_interval = seconds(args.text_ping_interval, "text-ping-interval")?;
    config.reconnect_delay = seconds(args.reconnect_delay, "reconnect-delay")?;
    config.max_reconnect_delay = config.max_reconnect_delay.max(config.reconnect_delay);
    let cache = (args.cache_interval > 0.0).then(|| Duration::from_secs_f64(args.cache_interval));
    tracing::info!(
        server = args.server.join(","),
        resto_id = args.resto,
        restaurant = fixture.restaurant.name,
        "virtual POS starting"
    );
    VirtualPos::new(fixture).with_quirks(args.quirks).run(config, cache).await;
    Ok(())
}
