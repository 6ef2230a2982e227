//! The store: everything Rahunok must remember, in an SQLite file by default or in PostgreSQL
//! for a cluster. One set of queries serves both (through sqlx's `Any` driver); the schema uses
//! only types both understand (TEXT, BIGINT), and times are unix milliseconds.

mod acquirers;
pub mod backup;
mod cluster_nodes;
mod conformance;
mod credential_notices;
mod guest_orders;
mod guest_settings;
mod kept;
mod migrations;
mod orders_cache;
mod panel_users;
mod payments;
mod request_log;
mod restaurants;
mod retention;
mod sandbox;
mod sealed;
mod server_settings;
mod snapshots;

pub use acquirers::{AcquirerChoice, AcquirerCredentials, CredentialsRefusal, RefundRecord, RefundReservation};
pub use cluster_nodes::LiveNode;
pub use conformance::{CallbackRefusal, StoredWarning, KEPT_PER_RESTAURANT};
pub use credential_notices::CredentialNotice;
pub use guest_orders::{GuestOrder, GuestOrderStatus, PlacedOnPos, SendLease};
pub use guest_settings::GuestSettings;
pub use orders_cache::CachedOrder;
pub use panel_users::{ListedPanelUser, PanelRole, PanelUser, PanelUserCredentials};
pub use payments::{
    CreateOutcome, HeldLease, NewPayment, NextAttempt, PaymentFilter, PaymentRecord, PaymentStatus, PaymentTransition,
    TransitionChanges,
};
pub use request_log::{BodyCut, RequestLogEntry, RequestLogQuery, RequestOutcome};
pub use restaurants::{InvalidRestaurantName, Restaurant, RestaurantCredentials, RestaurantName};
pub use sandbox::{SandboxCharge, SandboxChargeStatus};
pub use snapshots::{Snapshot, SnapshotKind};

use crate::secrets::MasterKey;
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::path::Path;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// What went wrong talking to the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A payment was asked to make a move its state table forbids (a bug in the caller).
    #[error(transparent)]
    ForbiddenMove(#[from] crate::payment_status::ForbiddenMove),
    /// A stored value could not be read back.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The master key does not open this store's sealed values, or could not be loaded.
    #[error(transparent)]
    Secrets(#[from] crate::secrets::SecretsError),
    /// The data directory could not be created.
    #[error("cannot use data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

/// What the store keeps in memory (see [`kept`]).
#[derive(Debug)]
struct KeptRows {
    /// Signing keys: every callback and socket sign-in.
    credentials: kept::Kept<restaurants::StoredKeys>,
    /// Restaurants: every guest page and admin operation.
    restaurants: kept::Kept<Restaurant>,
    /// Guest settings: every guest page.
    guest_settings: kept::Kept<GuestSettings>,
    /// The `ORDERS_CACHE` as guest pages read it: briefly, since it changes with every push.
    orders: kept::Kept<(Arc<Vec<CachedOrder>>, Option<i64>)>,
    /// When a guest's order was last placed on a table (keyed `restoId\ntable`), as guest
    /// pages read it beside the `ORDERS_CACHE`.
    placed_on_table: kept::Kept<Option<i64>>,
}

impl Default for KeptRows {
    fn default() -> KeptRows {
        let rarely_changed = std::time::Duration::from_secs(5);
        KeptRows {
            credentials: kept::Kept::new(rarely_changed),
            restaurants: kept::Kept::new(rarely_changed),
            guest_settings: kept::Kept::new(rarely_changed),
            orders: kept::Kept::new(std::time::Duration::from_secs(1)),
            placed_on_table: kept::Kept::new(std::time::Duration::from_secs(1)),
        }
    }
}

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// An SQLite file in the data directory.
    Sqlite,
    /// A PostgreSQL server.
    Postgres,
}

/// A handle to the store; cheap to clone.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    master_key: MasterKey,
    kept: Arc<KeptRows>,
}

impl Store {
    /// Opens (creating if needed) `rahunok.db` in `data_dir` and migrates it; secrets are
    /// sealed with `master_key` (see [`crate::secrets`]). A directory or file it creates is
    /// private ([`crate::data_files`]): the file is made `0600` before SQLite opens it, and SQLite
    /// gives its `-wal` and `-shm` the same mode.
    pub async fn open_sqlite(data_dir: &Path, master_key: MasterKey) -> Result<Store, StoreError> {
        let file = data_dir.join(backup::DB_FILE);
        crate::data_files::create_private_dir(data_dir)
            .and_then(|()| crate::data_files::create_private_file(&file))
            .map_err(|source| StoreError::DataDir { path: data_dir.display().to_string(), source })?;
        let url = format!("sqlite://{}?mode=rwc", file.display());
        Store::connect(&url, Backend::Sqlite, master_key).await
    }

    /// Connects to PostgreSQL (`postgres://…`) and migrates it.
    pub async fn open_postgres(url: &str, master_key: MasterKey) -> Result<Store, StoreError> {
        Store::connect(url, Backend::Postgres, master_key).await
    }

    /// The key every secret in this store is sealed with.
    pub fn master_key(&self) -> &MasterKey {
        &self.master_key
    }

    async fn connect(url: &str, backend: Backend, master_key: MasterKey) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let options = AnyPoolOptions::new().max_connections(if backend == Backend::Sqlite { 4 } else { 8 });
        let options = if backend == Backend::Sqlite {
            // A file has no connection to lose: pinging it before each use only cost a round
            // trip to sqlx's worker thread (BENCHMARKS.md).
            options.test_before_acquire(false).after_connect(|conn, _meta| {
                Box::pin(async move {
                    // Only a new file takes it (one in WAL mode keeps its size): a request-log
                    // row fills most of a 4 KiB page on its own (docs/deploying.md).
                    conn.execute("PRAGMA page_size = 16384").await?;
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    Ok(())
                })
            })
        } else {
            options
        };
        let pool = options.connect(url).await?;
        let store = Store { pool, backend, master_key, kept: Arc::default() };
        migrations::run(&store).await?;
        store.check_master_key().await?;
        store.seal_clear_secrets().await?;
        store.adopt_legacy_acquirer_tokens().await?;
        Ok(store)
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock up front
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads before it writes fails at once
    /// under WAL when another connection committed in between, whatever the busy timeout.
    pub async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>, sqlx::Error> {
        match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Backend::Postgres => self.pool.begin().await,
        }
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool (for the store's own modules, and for tests that look at the tables).
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }
}

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or_default()
}

/// Reads a column, as a store error when it is missing or of the wrong type.
pub fn column<T>(row: &AnyRow, name: &str) -> Result<T, StoreError>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    row.try_get(name).map_err(StoreError::from)
}
