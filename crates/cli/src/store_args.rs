//! The `--data DIR` / `--database-url URL` pair every store-touching command takes.

use anyhow::{Context, Result};
use clap::Args;
use rahunok_server::store::Store;
use rahunok_server::Storage;
use std::path::PathBuf;

/// Where the store is.
#[derive(Args, Clone)]
pub struct StoreArgs {
    /// Data directory for the SQLite store (created if missing).
    #[arg(long, default_value = "rahunok-data", env = "RAHUNOK_DATA")]
    pub data: PathBuf,
    /// Use PostgreSQL instead (postgres://user@host:5432/db).
    #[arg(long, env = "RAHUNOK_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl StoreArgs {
    /// The storage these flags name.
    pub fn storage(&self) -> Storage {
        match &self.database_url {
            Some(url) => Storage::Postgres(url.clone()),
            None => Storage::Sqlite(self.data.clone()),
        }
    }

    /// Opens (and migrates) the store.
    pub async fn open(&self) -> Result<Store> {
        rahunok_server::startup::open_store(&self.storage()).await.with_context(|| match &self.database_url {
            Some(_) => "cannot open the PostgreSQL store: check --database-url and that the server runs".to_string(),
            None => format!("cannot open the store in {}", self.data.display()),
        })
    }
}
