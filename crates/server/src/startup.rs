//! Building and running the server: open the store, settle the admin token, bind, serve, and
//! shut down gracefully.

use crate::config::{Config, MasterKeySource, Storage};
use crate::gateway::{
    AuthLimiter, Cluster, ClusterError, JournalWriter, LocalNode, PosLink, UnverifiedBudget, CLOSE_GOING_AWAY,
};
use crate::payments::acquirer_kind::AcquirerSetup;
use crate::payments::acquirers::Acquirers;
use crate::payments::Payments;
use crate::pos_data::PosData;
use crate::secrets::AdminToken;
use crate::serving::ConnectionLimits;
use crate::shutdown;
use crate::state::{AppState, Services};
use crate::store::{Store, StoreError};
use rand::distributions::{Alphanumeric, DistString};
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The address could not be bound.
    /// (The reason is in the message, not a `source`: a caller printing the chain said it twice.)
    #[error("cannot listen on {address}: {reason} (is another server running? try --listen 127.0.0.1:0)")]
    Bind {
        /// The address.
        address: SocketAddr,
        /// Why.
        reason: std::io::Error,
    },
    /// The bus to the other nodes could not be joined.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
    /// Other nodes run on this store and this one has no bus to reach them.
    #[error("{0}")]
    PeersWithoutBus(String),
}

/// Where stores written before hashing kept the admin token in clear (moved out at start).
const CLEAR_ADMIN_TOKEN_SETTING: &str = "admin_token";
/// Where the generated admin token's hash is kept.
pub const ADMIN_TOKEN_HASH_SETTING: &str = "admin_token_sha256";

/// Opens the configured store with the configured master key.
pub async fn open_store(storage: &Storage, master_key: &MasterKeySource) -> Result<Store, StoreError> {
    let master_key = master_key.load()?;
    match storage {
        Storage::Sqlite(dir) => Store::open_sqlite(dir, master_key).await,
        Storage::Postgres(url) => Store::open_postgres(url, master_key).await,
    }
}

/// The admin token in force, as the check of a bearer token, and the plaintext when this start
/// generated it (to print once). A configured token is used as is; otherwise a token is
/// generated on the first start: the store keeps only its SHA-256, the plaintext goes to
/// `token_file` (mode 0600) so `rahunok admin-token` shows it again on that machine. A token a
/// store from before kept in clear moves to the file the same way.
pub async fn settle_admin_token(
    store: &Store,
    configured: Option<&str>,
    token_file: Option<&Path>,
) -> Result<(AdminToken, Option<String>), StoreError> {
    if let Some(token) = configured {
        return Ok((AdminToken::new(token), None));
    }
    if let Some(clear) = store.server_setting(CLEAR_ADMIN_TOKEN_SETTING).await? {
        keep_token_file(token_file, &clear);
        store.server_setting_or_insert(ADMIN_TOKEN_HASH_SETTING, &AdminToken::new(&clear).hex()).await?;
        store.delete_server_setting(CLEAR_ADMIN_TOKEN_SETTING).await?;
    }
    let fresh = Alphanumeric.sample_string(&mut rand::thread_rng(), 40);
    let fresh_hash = AdminToken::new(&fresh).hex();
    let stored = store.server_setting_or_insert(ADMIN_TOKEN_HASH_SETTING, &fresh_hash).await?;
    let token = AdminToken::from_hex(&stored).ok_or_else(|| StoreError::Corrupt("admin token hash".into()))?;
    if stored != fresh_hash {
        return Ok((token, None));
    }
    keep_token_file(token_file, &fresh);
    Ok((token, Some(fresh)))
}

fn keep_token_file(token_file: Option<&Path>, token: &str) {
    let Some(path) = token_file else { return };
    let written = path.parent().map_or(Ok(()), crate::data_files::create_private_dir).and_then(|()| {
        let _ = std::fs::remove_file(path);
        crate::data_files::write_new_private(path, &format!("{token}\n"))
    });
    if let Err(error) = written {
        tracing::warn!(path = %path.display(), %error, "could not keep the admin token file");
    }
}

/// Reads the admin token a start wrote to `token_file`.
pub fn read_admin_token_file(token_file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(token_file).ok()?;
    Some(text.trim().to_string()).filter(|t| !t.is_empty())
}

/// The configured node name, or the host's name (so a node restarted on its host is itself,
/// not a peer; several nodes on one host need `--node-name`).
fn node_name(config: &Config) -> String {
    config.node_name.clone().filter(|n| !n.trim().is_empty()).unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_default();
        if host.is_empty() {
            "node".to_string()
        } else {
            host
        }
    })
}

/// How often a node says it is alive, and how long after its last word it counts as gone.
const NODE_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(5);
const NODE_GONE_AFTER_MS: i64 = 15_000;

/// On PostgreSQL, other nodes seen lately mean this one needs the bus to reach their sockets.
async fn refuse_peers_without_bus(store: &Store, node: &str, has_bus: bool) -> Result<(), StartupError> {
    if store.backend() != crate::store::Backend::Postgres {
        return Ok(());
    }
    let peers = store.live_nodes_besides(node, crate::store::now_ms() - NODE_GONE_AFTER_MS).await?;
    if !has_bus && !peers.is_empty() {
        let names: Vec<&str> = peers.iter().map(|p| p.name.as_str()).collect();
        return Err(StartupError::PeersWithoutBus(format!(
            "other nodes run on this database ({}): start every node with --nats-url (RAHUNOK_NATS_URL) so \
             requests reach the node holding each POS socket; or, if they stopped, wait {} s",
            names.join(", "),
            NODE_GONE_AFTER_MS / 1000
        )));
    }
    if let Some(peer) = peers.iter().find(|p| !p.has_bus) {
        tracing::warn!(
            peer = peer.name,
            "a node on this database runs without the bus: its POS sockets are out of reach"
        );
    }
    store.node_seen(node, has_bus, crate::store::now_ms()).await?;
    Ok(())
}

/// Says every few seconds that this node is alive (PostgreSQL only), until `shutdown`.
async fn heartbeat(store: Store, node: String, has_bus: bool, mut shutdown: shutdown::Shutdown) {
    if store.backend() != crate::store::Backend::Postgres {
        return;
    }
    while !shutdown.is_shutdown() {
        if let Err(error) = store.node_seen(&node, has_bus, crate::store::now_ms()).await {
            tracing::warn!(%error, "could not record this node as alive");
        }
        tokio::select! {
            _ = tokio::time::sleep(NODE_HEARTBEAT) => {}
            _ = shutdown.recv() => {}
        }
    }
    let _ = store.node_left(&node).await;
}

/// A server ready to run.
pub struct Server {
    listener: TcpListener,
    /// Where `/metrics` is served, when configured.
    metrics_listener: Option<TcpListener>,
    state: AppState,
    node: String,
    /// Set when the admin token was generated by this start (print it once).
    pub generated_admin_token: Option<String>,
}

impl Server {
    /// Opens the store, settles the admin token, and binds the listener.
    pub async fn build(config: Config) -> Result<Server, StartupError> {
        let store = open_store(&config.storage, &config.master_key).await?;
        let (admin_token, generated) =
            settle_admin_token(&store, config.admin_token.as_deref(), config.admin_token_file.as_deref()).await?;
        crate::data_files::warn_if_readable_by_others(&kept_files(&config));
        let listener = bind(config.listen).await?;
        let local = listener.local_addr().map_err(|reason| StartupError::Bind { address: config.listen, reason })?;
        let base_url =
            config.public_url.clone().unwrap_or_else(|| format!("http://{local}")).trim_end_matches('/').to_string();
        let metrics_listener = match config.metrics_listen {
            Some(address) => Some(bind(address).await?),
            None => None,
        };
        let metrics = Arc::new(crate::metrics::Metrics::new());
        let log = JournalWriter::start(store.clone(), metrics.clone(), config.retention.body_limit);
        let link = Arc::new(PosLink::new(config.callback_timeout, log, config.retention.finished_requests_kept));
        let node = node_name(&config);
        refuse_peers_without_bus(&store, &node, config.nats.is_some()).await?;
        // This node's previous run is gone: whatever it held is free (before anything is served).
        let released = store.release_payment_leases_of(&node).await?;
        if released > 0 {
            tracing::info!(node, released, "gave back the payment leases of this node's previous run");
        }
        let released = store.release_order_sends_of(&node).await?;
        if released > 0 {
            tracing::info!(node, released, "gave back the order send leases of this node's previous run");
        }
        if let Some(nats) = &config.nats {
            let this_node: std::sync::Weak<dyn LocalNode> = Arc::downgrade(&link) as std::sync::Weak<PosLink>;
            let cluster = Cluster::join(nats, &node, store.master_key(), metrics.clone(), this_node).await?;
            link.attach_cluster(cluster);
            // The URL without credentials; the credentials by kind only.
            tracing::info!(node, nats = nats.url, credentials = nats.credentials.kind(), "joined the other nodes");
        }
        let setup = AcquirerSetup {
            store: store.clone(),
            public_url: base_url.clone(),
            api_urls: config.acquirer_api_urls.clone(),
        };
        let acquirers = Acquirers::start(&setup, metrics.clone()).await?;
        let payments = Payments::new(store.clone(), link.clone(), acquirers, config.payment_timings.clone(), &base_url)
            .on_node(&node);
        let state = AppState::new(Services {
            payments: Arc::new(payments),
            pos_data: PosData::new(link.clone(), store.clone()),
            base_url: Arc::from(base_url.as_str()),
            link,
            auth_limiter: Arc::new(AuthLimiter::new(config.auth_failures_allowed, config.auth_failure_window)),
            sign_in_throttle: Arc::default(),
            unverified_budget: Arc::new(unverified_budget(&config)),
            admin_token: Arc::new(admin_token),
            metrics,
            config: Arc::new(config),
            store,
        });
        Ok(Server { listener, metrics_listener, state, node, generated_admin_token: generated })
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound listener has an address")
    }

    /// The metrics listener's bound address, when there is one.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_listener.as_ref().and_then(|l| l.local_addr().ok())
    }

    /// The shared state (for in-process tools such as the demo).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `signal` completes, then shuts down gracefully (see `crate::shutdown`):
    /// stop accepting, close every POS socket with `1001`, give requests in flight the grace
    /// period, stop the payment closer between steps, and write out the request log. The
    /// background tasks (the closer, the pruner, the guest orders' keeper, the menus'
    /// refresher, the heartbeat) run meanwhile.
    pub async fn run(self, signal: impl Future<Output = ()> + Send + 'static) -> std::io::Result<()> {
        let Server { listener, metrics_listener, state, node, .. } = self;
        let (trigger, closer_shutdown) = shutdown::channel();
        let retention = state.config.retention.clone();
        let pruner = crate::retention::run(state.store.clone(), retention, state.metrics.clone(), trigger.subscribe());
        tokio::spawn(pruner);
        if let Some(listener) = metrics_listener {
            tokio::spawn(serve_metrics(listener, state.clone(), trigger.subscribe()));
        }
        let closer = tokio::spawn(crate::payments::closer::run(state.payments.clone(), closer_shutdown));
        let orders = crate::guest::order_keeper::OrderKeeper {
            sender: crate::guest::ordering::OrderSender::new(
                state.store.clone(),
                state.link.clone(),
                &node,
                state.config.callback_timeout,
            ),
            store: state.store.clone(),
            pos_data: state.pos_data.clone(),
            timings: state.config.order_timings.clone(),
        };
        tokio::spawn(crate::guest::order_keeper::run(orders, trigger.subscribe()));
        let menus = crate::pos_data::keep_menus_fresh(
            state.pos_data.clone(),
            state.config.menu_refresh_every,
            trigger.subscribe(),
        );
        tokio::spawn(menus);
        let has_bus = state.link.cluster().is_some();
        let alive = tokio::spawn(heartbeat(state.store.clone(), node, has_bus, trigger.subscribe()));
        let mut stop_accepting = trigger.subscribe();
        let limits = ConnectionLimits {
            max_connections: state.config.max_connections,
            max_connections_per_address: state.config.max_connections_per_address,
            header_read_timeout: state.config.header_read_timeout,
            body_deadlines: state.config.body_deadlines,
        };
        let serving = crate::serving::serve(listener, crate::routes::router(&state), limits, async move {
            stop_accepting.recv().await
        });
        let mut serving = std::pin::pin!(serving);
        tokio::select! {
            served = &mut serving => return served,
            () = signal => {}
        }
        let grace = state.config.shutdown_grace;
        tracing::info!(grace_seconds = grace.as_secs_f64(), "shutting down: no new connections, POS sockets get 1001");
        trigger.trigger();
        state.link.close_all_sockets(CLOSE_GOING_AWAY, "the server is shutting down");
        let finished = tokio::time::timeout(grace, async {
            let served = (&mut serving).await;
            state.link.wait_for_sockets_closed(grace).await;
            let _ = closer.await;
            served
        })
        .await;
        if finished.is_err() {
            tracing::warn!("the grace period ran out; requests still in flight were cut short");
        }
        state.link.flush_journal().await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), alive).await;
        tracing::info!("stopped");
        match finished {
            Ok(served) => served,
            Err(_) => Ok(()),
        }
    }
}

/// What this server keeps on disk (the SQLite store with its `-wal` and `-shm`, the master key
/// file, the admin token file, and the directories holding them), as checked at start.
fn kept_files(config: &Config) -> crate::data_files::KeptFiles {
    let mut kept = crate::data_files::KeptFiles::default();
    if let Storage::Sqlite(dir) = &config.storage {
        kept.dirs.push(dir.clone());
        let db = dir.join(crate::store::backup::DB_FILE);
        for suffix in ["-wal", "-shm"] {
            let mut name = db.clone().into_os_string();
            name.push(suffix);
            kept.files.push(name.into());
        }
        kept.files.insert(0, db);
    }
    if let MasterKeySource::File(path) = &config.master_key {
        kept.files.push(path.clone());
    }
    if let Some(path) = &config.admin_token_file {
        kept.files.push(path.clone());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty() && !kept.dirs.iter().any(|k| k == d)) {
            kept.dirs.push(dir.to_path_buf());
        }
    }
    kept
}

/// The unverified-body budget of `config`: the whole at least one largest callback body; a
/// quarter of it per restaurant, and per client address unless configured, each at least one
/// largest body and at most the whole.
fn unverified_budget(config: &Config) -> UnverifiedBudget {
    let largest = config.callback_body_limit;
    let total = config.unverified_body_budget.max(largest);
    let share = |bytes: usize| bytes.max(largest).min(total);
    let per_address = config.unverified_body_budget_per_address.unwrap_or(total / 4);
    UnverifiedBudget::new(total, share(total / 4), share(per_address))
}

async fn bind(address: SocketAddr) -> Result<TcpListener, StartupError> {
    TcpListener::bind(address).await.map_err(|reason| StartupError::Bind { address, reason })
}

/// Serves `/metrics` until the shutdown starts (few connections: it is for a scraper).
async fn serve_metrics(listener: TcpListener, state: AppState, mut stop: shutdown::Shutdown) {
    let limits = ConnectionLimits {
        max_connections: 64,
        max_connections_per_address: 64,
        header_read_timeout: state.config.header_read_timeout,
        body_deadlines: state.config.body_deadlines,
    };
    let served = crate::serving::serve(listener, crate::routes::metrics(state), limits, async move {
        stop.recv().await;
    })
    .await;
    if let Err(error) = served {
        tracing::error!(%error, "the metrics listener stopped");
    }
}
