//! Schema migrations, the same statements for SQLite and PostgreSQL. Each migration runs once,
//! in a transaction, and is recorded in `schema_migrations`. Migrations only add (tables,
//! nullable columns, indexes), so a store migrated by a newer release still serves an older one
//! (a downgrade); the older one says so in its log and leaves the newer migrations alone.
//!
//! Why not `sqlx::migrate!`: every store in service records its migrations here, in
//! `schema_migrations`; sqlx's migrator keeps its own `_sqlx_migrations` with checksums, so
//! moving over would need a hand-written bridge for the stores already migrated (or their
//! `CREATE TABLE`s run again), and the macro needs sqlx's `macros` feature. Each script runs
//! whole ([`sqlx::raw_sql`]: SQLite and PostgreSQL both take several statements at once).

use super::{now_ms, Store, StoreError};
use sqlx::Row;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_gateway.sql")),
    (2, include_str!("migrations/0002_payments.sql")),
    (3, include_str!("migrations/0003_panel.sql")),
    (4, include_str!("migrations/0004_conformance.sql")),
    (5, include_str!("migrations/0005_cluster_nodes.sql")),
    (6, include_str!("migrations/0006_acquirers.sql")),
    (7, include_str!("migrations/0007_guest_holds.sql")),
    (9, include_str!("migrations/0009_credential_notices.sql")),
    (10, include_str!("migrations/0010_panel_user_state.sql")),
    (11, include_str!("migrations/0011_retention.sql")),
    (12, include_str!("migrations/0012_guest_orders.sql")),
    (13, include_str!("migrations/0013_acquirer_credentials.sql")),
    (15, include_str!("migrations/0015_guest_order_sends.sql")),
    (16, include_str!("migrations/0016_unfinished_payments.sql")),
];

/// Nodes starting at once on one PostgreSQL take turns migrating (a transaction-scoped lock).
const MIGRATION_LOCK: i64 = 0x0072_6168_756e_6f6b;

async fn take_turn(store: &Store, tx: &mut sqlx::Transaction<'static, sqlx::Any>) -> Result<(), StoreError> {
    if store.backend() == super::Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)").bind(MIGRATION_LOCK).execute(&mut **tx).await?;
    }
    Ok(())
}

pub(super) async fn run(store: &Store) -> Result<(), StoreError> {
    let mut tx = store.begin_write().await?;
    take_turn(store, &mut tx).await?;
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    for (version, script) in MIGRATIONS {
        let mut tx = store.begin_write().await?;
        take_turn(store, &mut tx).await?;
        let applied = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
            .bind(*version)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("n")?;
        if applied > 0 {
            continue;
        }
        // The script as it is, several statements in one (no splitting at `;` by hand).
        sqlx::raw_sql(script).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(*version)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    warn_if_newer(store).await
}

/// The newest migration this binary knows.
fn latest_known() -> i64 {
    MIGRATIONS.last().map_or(0, |(version, _)| *version)
}

async fn warn_if_newer(store: &Store) -> Result<(), StoreError> {
    let newest: Option<i64> =
        sqlx::query("SELECT MAX(version) AS v FROM schema_migrations").fetch_one(store.pool()).await?.try_get("v")?;
    if let Some(newest) = newest.filter(|v| *v > latest_known()) {
        tracing::warn!(
            store_schema = newest,
            known_schema = latest_known(),
            "this store was migrated by a newer Rahunok; running on it as an older release (a downgrade): \
             what the newer release added is left alone"
        );
    }
    Ok(())
}
