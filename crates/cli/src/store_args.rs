//! The `--data DIR` / `--database-url URL` pair every store-touching command takes, and where
//! the master key that seals the store's secrets comes from.

use anyhow::{Context, Result};
use clap::Args;
use rahunok_server::config::{self, MasterKeySource};
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
    /// The master key file sealing the store's secrets (created, mode 0600, when missing)
    /// [default: master.key in --data]. Every node of a cluster needs the same key.
    #[arg(long, env = "RAHUNOK_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,
}

impl StoreArgs {
    /// The storage these flags name.
    pub fn storage(&self) -> Storage {
        match &self.database_url {
            Some(url) => Storage::Postgres(url.clone()),
            None => Storage::Sqlite(self.data.clone()),
        }
    }

    /// The master key: `RAHUNOK_MASTER_KEY` (base64 of 32 bytes), else the key file.
    pub fn master_key(&self) -> MasterKeySource {
        match std::env::var("RAHUNOK_MASTER_KEY").ok().filter(|k| !k.trim().is_empty()) {
            Some(key) => MasterKeySource::Base64(key),
            None => MasterKeySource::File(
                self.master_key_file.clone().unwrap_or_else(|| self.data.join(config::MASTER_KEY_FILE)),
            ),
        }
    }

    /// Where a generated admin token is kept for `rahunok admin-token`.
    pub fn admin_token_file(&self) -> PathBuf {
        self.data.join(config::ADMIN_TOKEN_FILE)
    }

    /// Opens (and migrates) the store.
    pub async fn open(&self) -> Result<Store> {
        let opened = rahunok_server::startup::open_store(&self.storage(), &self.master_key()).await;
        opened.with_context(|| match &self.database_url {
            Some(_) => "cannot open the PostgreSQL store: check --database-url and that the server runs".to_string(),
            None => format!("cannot open the store in {}", self.data.display()),
        })
    }
}
