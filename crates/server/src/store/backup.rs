//! Copies of an SQLite store: [`backup_sqlite`] while the server runs (`rahunok backup`),
//! [`restore_sqlite`] while it does not (`rahunok restore`).
//!
//! Why `VACUUM INTO`: it reads the whole database in one read transaction, so the copy is the
//! store as of one moment — every transaction committed before it began, none half-written —
//! while the server goes on writing (the store runs in WAL mode, where a reader never stops a
//! writer). The copy is a plain, compact SQLite file with no `-wal` beside it. It is written
//! under a temporary name and renamed, so a file at the target path is always a whole copy.
//! A copy holds everything the store does (password hashes, payments, guests' phone numbers in
//! the request log), so it is made `0600` like the store (`crate::data_files`): the temporary
//! file is created empty with that mode before SQLite writes into it, and a restored store is
//! made `0600` too (a copy keeps its source's mode otherwise).
//! PostgreSQL stores are copied with PostgreSQL's own tools (`pg_dump`; see
//! `docs/deploying.md`).

use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection, Row, SqliteConnection};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The store's file in a data directory.
pub const DB_FILE: &str = "rahunok.db";

/// Why a backup or a restore did not happen.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    /// The data directory holds no store.
    #[error("no store at {0} (check --data)")]
    NoStore(PathBuf),
    /// A backup never overwrites a file.
    #[error("{0} already exists: a backup never overwrites, choose a new file name")]
    TargetExists(PathBuf),
    /// The file is not a readable Rahunok store.
    #[error("{path} is not a usable Rahunok store: {why}")]
    NotAStore {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A restore would replace a store and was not told to.
    #[error("a store already exists in {0}: stop the server, then add --force to replace it (the old files are kept beside it)")]
    StoreExists(PathBuf),
    /// SQLite refused.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A file could not be read, written or renamed.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// What a copy holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySummary {
    /// The copy's size in bytes.
    pub bytes: u64,
    /// The newest schema migration in it.
    pub schema_version: i64,
}

fn file_error(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::File { path: path.to_path_buf(), source }
}

async fn connect(file: &Path) -> Result<SqliteConnection, BackupError> {
    let options = SqliteConnectOptions::new().filename(file).busy_timeout(Duration::from_secs(30));
    Ok(options.connect().await?)
}

/// Copies the store in `data_dir` to `to` while a server may be writing to it.
pub async fn backup_sqlite(data_dir: &Path, to: &Path) -> Result<CopySummary, BackupError> {
    let source = data_dir.join(DB_FILE);
    if !source.is_file() {
        return Err(BackupError::NoStore(data_dir.to_path_buf()));
    }
    if to.exists() {
        return Err(BackupError::TargetExists(to.to_path_buf()));
    }
    let partial = with_suffix(to, ".partial");
    let _ = std::fs::remove_file(&partial);
    // SQLite writes into an empty file as into a new one, and keeps its mode.
    crate::data_files::create_private_file(&partial).map_err(file_error(&partial))?;
    let mut connection = connect(&source).await?;
    let copied = sqlx::query("VACUUM INTO ?").bind(partial.display().to_string()).execute(&mut connection).await;
    connection.close().await?;
    if let Err(error) = copied {
        let _ = std::fs::remove_file(&partial);
        return Err(error.into());
    }
    let summary = match check_copy(&partial).await {
        Ok(summary) => summary,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, to).map_err(file_error(to))?;
    Ok(summary)
}

/// Checks that `file` is a whole Rahunok store (`PRAGMA integrity_check`, a migrated schema).
pub async fn check_copy(file: &Path) -> Result<CopySummary, BackupError> {
    let not_a_store = |why: String| BackupError::NotAStore { path: file.to_path_buf(), why };
    if !file.is_file() {
        return Err(not_a_store("no such file".into()));
    }
    let mut connection = SqliteConnectOptions::new().filename(file).read_only(true).connect().await?;
    let integrity: String = sqlx::query("PRAGMA integrity_check")
        .fetch_one(&mut connection)
        .await
        .map_err(|e| not_a_store(e.to_string()))?
        .try_get(0)?;
    if integrity != "ok" {
        return Err(not_a_store(format!("integrity check: {integrity}")));
    }
    let version: Option<i64> = sqlx::query("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&mut connection)
        .await
        .map_err(|_| not_a_store("it has no schema_migrations table".into()))?
        .try_get(0)?;
    connection.close().await?;
    let bytes = std::fs::metadata(file).map_err(file_error(file))?.len();
    Ok(CopySummary { bytes, schema_version: version.ok_or_else(|| not_a_store("it was never migrated".into()))? })
}

/// Makes `from` (a copy made by [`backup_sqlite`]) the store in `data_dir`. The server must be
/// stopped. A store already there is replaced only with `replace`, and its files are kept
/// beside it as `rahunok.db.before-restore-<unix seconds>` (with its `-wal` and `-shm`).
pub async fn restore_sqlite(from: &Path, data_dir: &Path, replace: bool) -> Result<CopySummary, BackupError> {
    let summary = check_copy(from).await?;
    let target = data_dir.join(DB_FILE);
    if target.exists() && !replace {
        return Err(BackupError::StoreExists(data_dir.to_path_buf()));
    }
    crate::data_files::create_private_dir(data_dir).map_err(file_error(data_dir))?;
    let incoming = with_suffix(&target, ".restoring");
    std::fs::copy(from, &incoming).map_err(file_error(&incoming))?;
    crate::data_files::make_private(&incoming).map_err(file_error(&incoming))?;
    std::fs::File::open(&incoming).and_then(|f| f.sync_all()).map_err(file_error(&incoming))?;
    let stamp = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    for suffix in ["", "-wal", "-shm"] {
        let current = with_suffix(&target, suffix);
        if current.exists() {
            let kept = with_suffix(&target, &format!("{suffix}.before-restore-{stamp}"));
            std::fs::rename(&current, &kept).map_err(file_error(&current))?;
        }
    }
    std::fs::rename(&incoming, &target).map_err(file_error(&target))?;
    Ok(summary)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    PathBuf::from(name)
}
