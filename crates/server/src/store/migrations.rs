//! Schema migrations, the same statements for SQLite and PostgreSQL. Each migration runs once,
//! in a transaction, and is recorded in `schema_migrations`.

use super::{now_ms, Store, StoreError};
use sqlx::Row;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_gateway.sql")),
    (2, include_str!("migrations/0002_payments.sql")),
    (3, include_str!("migrations/0003_panel.sql")),
    (4, include_str!("migrations/0004_conformance.sql")),
    (6, include_str!("migrations/0006_acquirers.sql")),
];

pub(super) async fn run(store: &Store) -> Result<(), StoreError> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .execute(store.pool())
    .await?;
    for (version, script) in MIGRATIONS {
        let mut tx = store.begin_write().await?;
        let applied = sqlx::query("SELECT COUNT(*) AS n FROM schema_migrations WHERE version = $1")
            .bind(*version)
            .fetch_one(&mut *tx)
            .await?
            .try_get::<i64, _>("n")?;
        if applied > 0 {
            continue;
        }
        for statement in script.split(';').map(str::trim).filter(|s| !s.is_empty()) {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        sqlx::query("INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)")
            .bind(*version)
            .bind(now_ms())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}
