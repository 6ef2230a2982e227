//! Server configuration: where to listen, where to store, and the protocol's timings (all
//! overridable so tests can run the 80 s / 15 s / 90 s rules in milliseconds; "spec" below
//! means `docs/pos-protocol.md`). It names plain values only and imports nothing from the
//! server's areas: each area is handed what it uses.

pub use crate::nats_access::{NatsAccess, NatsCredentials, NatsTls};
pub use crate::secrets::MasterKeySource;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The master key's file name in a data directory.
pub const MASTER_KEY_FILE: &str = "master.key";
/// The generated admin token's file name in a data directory.
pub const ADMIN_TOKEN_FILE: &str = "admin-token";

/// Where the store lives.
#[derive(Debug, Clone)]
pub enum Storage {
    /// `rahunok.db` in this directory (created if missing).
    Sqlite(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// The store.
    pub storage: Storage,
    /// How long a request waits for its callback (spec: 80 s).
    pub callback_timeout: Duration,
    /// How often the server pings each socket (spec: 15 s).
    pub ping_interval: Duration,
    /// How long a socket may stay silent before it is closed (spec: 90 s).
    pub silence_timeout: Duration,
    /// Refuse sockets without `Cookie: system=` (production behaviour).
    pub strict_pos_name: bool,
    /// Largest callback body accepted (spec: 16 MiB); answers that are small by nature
    /// (`payBill`, `versionInfo`, `checkWork`, the order operations) get 1 MiB.
    pub callback_body_limit: usize,
    /// Bytes of callback bodies held, server-wide, before their signatures are verified; a
    /// quarter of it (at least one largest body) per restaurant.
    pub unverified_body_budget: usize,
    /// The share of `unverified_body_budget` one client address may hold (at least one largest
    /// body, at most the whole); a quarter of it when `None`.
    pub unverified_body_budget_per_address: Option<usize>,
    /// How long an old secret keeps working after a rotation, unless the call says otherwise.
    pub secret_grace: Duration,
    /// Failed POS authentications allowed per address or RESTO_ID per window.
    pub auth_failures_allowed: u32,
    /// The window for `auth_failures_allowed`.
    pub auth_failure_window: Duration,
    /// The admin API token; generated on first start when `None` (stored only as a hash; the
    /// plaintext goes to `admin_token_file`).
    pub admin_token: Option<String>,
    /// Where a generated admin token is written (mode 0600) for `rahunok admin-token`.
    pub admin_token_file: Option<PathBuf>,
    /// Where the master key that seals secrets in the store comes from.
    pub master_key: MasterKeySource,
    /// The address guests and the acquirer reach this server at (`https://pay.example.com`);
    /// `http://<listen address>` when `None`.
    pub public_url: Option<String>,
    /// How long a guest page waits for the POS before offering a retry (the request itself
    /// keeps its full deadline).
    pub guest_wait: Duration,
    /// How old the menu and stop list snapshots of a connected restaurant may grow before they
    /// are asked again (guests read the snapshots; the POS is never asked per guest view).
    pub menu_refresh_every: Duration,
    /// Timings of the payment closer.
    pub payment_timings: PaymentTimings,
    /// Timings of the guest orders' keeper (resending orders left `sending`, pruning carts).
    pub order_timings: OrderTimings,
    /// An acquirer's API address by its kind (`monobank` → an emulator in tests and staging); a
    /// kind not listed talks to its real API.
    pub acquirer_api_urls: std::collections::BTreeMap<String, String>,
    /// After SIGTERM/SIGINT, how long requests in flight may take to finish before the server
    /// stops anyway.
    pub shutdown_grace: Duration,
    /// Open connections at most, POS sockets included (the open-file limit must allow more).
    pub max_connections: usize,
    /// Open connections one client address may hold (at most `max_connections`). Behind a
    /// proxy every client has the proxy's address: set it to `max_connections` there.
    pub max_connections_per_address: usize,
    /// A request's headers must arrive within this; idle keep-alive connections close after it.
    pub header_read_timeout: Duration,
    /// The reverse proxies whose `X-Forwarded-For` names the client
    /// (`crate::client_address`); none by default.
    pub trusted_proxies: crate::client_address::TrustedProxies,
    /// How fast, and within how long, a request's body must arrive.
    pub body_deadlines: BodyDeadlines,
    /// The NATS server joining this node to the others (`nats://127.0.0.1:4222`), with the
    /// credentials and TLS to reach it; `None`: one node on its own.
    pub nats: Option<NatsAccess>,
    /// This node's name among the others (shown on the panel); the host name and process id
    /// when `None`.
    pub node_name: Option<String>,
    /// How much of the gateway's journal is kept, and for how long.
    pub retention: Retention,
    /// Where Prometheus scrapes `/metrics` (a listener of its own, meant for a private
    /// address); no metrics listener when `None`.
    pub metrics_listen: Option<SocketAddr>,
}

/// How fast, and within how long, a request body must arrive before its connection is cut (408)
/// and what it held (its connection slot, its room in the unverified-body budget) is given back.
/// Time is counted while the server waits for the body, not while it works on what came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BodyDeadlines {
    /// The first stretch of waiting, during which a body need not arrive at any rate; it is
    /// also the length of each later stretch the rate is measured over (default 5 s).
    pub grace: Duration,
    /// After the grace, every `grace` of waiting must bring at least this many bytes a second
    /// (default 16 KiB/s: 80 KiB per 5 s), or the rest of the body.
    pub min_bytes_per_second: u64,
    /// A POS callback or webhook body (`/callback/…`, up to 16 MiB) must be whole within this,
    /// counted from when the server first waits for it (default 120 s: a callback answers a
    /// request that waits 80 s; 16 MiB in 120 s is about 1.1 Mbit/s).
    pub callback_body_within: Duration,
    /// Any other body (panel and guest forms, admin JSON, the acquirer's webhooks: at most
    /// 2 MiB, most under a kilobyte) must be whole within this (default 30 s).
    pub other_body_within: Duration,
}

impl Default for BodyDeadlines {
    fn default() -> BodyDeadlines {
        BodyDeadlines {
            grace: Duration::from_secs(5),
            min_bytes_per_second: 16 * 1024,
            callback_body_within: Duration::from_secs(120),
            other_body_within: Duration::from_secs(30),
        }
    }
}

/// How much of what the gateway saw is kept (see `crate::retention`).
#[derive(Debug, Clone)]
pub struct Retention {
    /// Request-log rows, refusals and warnings older than this are deleted (default 7 days).
    pub max_age: Duration,
    /// The request log keeps at most this many rows, the newest (default 1 000 000, about
    /// 1.2 GB at the ~1.2 KB a typical row takes).
    pub max_request_rows: u64,
    /// A logged body longer than this is kept cut, with its size and SHA-256 (default 16 KiB).
    pub body_limit: usize,
    /// Finished requests remembered (for 600 s) to answer repeated callbacks, at most (default
    /// 100 000, ~38 MB).
    pub finished_requests_kept: usize,
    /// How often the pruner looks (default 10 s).
    pub prune_every: Duration,
    /// Rows deleted per statement (default 500), so no deletion holds the store for long.
    pub batch: u32,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            max_age: Duration::from_secs(7 * 24 * 3600),
            max_request_rows: 1_000_000,
            body_limit: 16 * 1024,
            finished_requests_kept: 100_000,
            prune_every: Duration::from_secs(10),
            batch: 500,
        }
    }
}

/// Timings of the payment machinery (shortened in tests).
#[derive(Debug, Clone)]
pub struct PaymentTimings {
    /// How often the closer looks for work even when not woken.
    pub tick: Duration,
    /// First retry delay after a failed `payBill`; doubles up to `max_retry_delay`.
    pub retry_base: Duration,
    /// Longest delay between `payBill` retries.
    pub max_retry_delay: Duration,
    /// Ask the acquirer about a `created` payment with no notification after this long.
    pub reconcile_after: Duration,
    /// A payment the guest never finished expires after this long.
    pub expire_after: Duration,
    /// A payment holds its bill this long after the last sign of the guest at the acquirer
    /// (created, the card page opened, a card sent); then it expires early and the bill is
    /// free for the others at the table.
    pub hold_without_activity: Duration,
    /// How long the acquirer is given to create a charge (with its own retries: the monobank
    /// client's four tries of 20 s fit). Meanwhile the payment is held as being created and the
    /// closer leaves it alone; an acquirer slower than this fails the payment and frees the bill.
    pub create_charge_within: Duration,
}

impl Default for PaymentTimings {
    fn default() -> PaymentTimings {
        PaymentTimings {
            tick: Duration::from_secs(1),
            retry_base: Duration::from_secs(2),
            max_retry_delay: Duration::from_secs(300),
            reconcile_after: Duration::from_secs(20),
            expire_after: Duration::from_secs(15 * 60),
            hold_without_activity: Duration::from_secs(3 * 60),
            create_charge_within: Duration::from_secs(90),
        }
    }
}

/// Timings of the keeper of guest orders (see `crate::guest::order_keeper`).
#[derive(Debug, Clone)]
pub struct OrderTimings {
    /// How often the keeper looks (default 5 s).
    pub tick: Duration,
    /// An order left `sending` with nobody sending it (its sender's node died, or its attempt
    /// ended without the POS's answer) is sent again, with the same `externalId`, once nothing
    /// happened to it for this long (default 30 s).
    pub resend_after: Duration,
    /// A cart nobody changed for this long is deleted (default 24 h).
    pub cart_kept_for: Duration,
}

impl Default for OrderTimings {
    fn default() -> OrderTimings {
        OrderTimings {
            tick: Duration::from_secs(5),
            resend_after: Duration::from_secs(30),
            cart_kept_for: Duration::from_secs(24 * 3600),
        }
    }
}

impl Config {
    /// The protocol's defaults, listening on `127.0.0.1:8080`; the master key and the admin
    /// token file live in the SQLite data directory (`rahunok-data` for PostgreSQL).
    pub fn new(storage: Storage) -> Config {
        let key_dir = match &storage {
            Storage::Sqlite(dir) => dir.clone(),
            Storage::Postgres(_) => PathBuf::from("rahunok-data"),
        };
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            storage,
            callback_timeout: Duration::from_secs(80),
            ping_interval: Duration::from_secs(15),
            silence_timeout: Duration::from_secs(90),
            strict_pos_name: false,
            callback_body_limit: 16 * 1024 * 1024,
            unverified_body_budget: 64 * 1024 * 1024,
            unverified_body_budget_per_address: None,
            secret_grace: Duration::from_secs(24 * 3600),
            auth_failures_allowed: 10,
            auth_failure_window: Duration::from_secs(60),
            admin_token: None,
            admin_token_file: Some(key_dir.join(ADMIN_TOKEN_FILE)),
            master_key: MasterKeySource::File(key_dir.join(MASTER_KEY_FILE)),
            public_url: None,
            guest_wait: Duration::from_secs(8),
            menu_refresh_every: Duration::from_secs(15 * 60),
            payment_timings: PaymentTimings::default(),
            order_timings: OrderTimings::default(),
            acquirer_api_urls: Default::default(),
            shutdown_grace: Duration::from_secs(10),
            max_connections: 10_000,
            max_connections_per_address: 1_000,
            header_read_timeout: Duration::from_secs(10),
            body_deadlines: BodyDeadlines::default(),
            nats: None,
            node_name: None,
            trusted_proxies: Default::default(),
            metrics_listen: None,
            retention: Retention::default(),
        }
    }
}
