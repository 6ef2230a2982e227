//! `rahunok backup` and `rahunok restore`: a consistent copy of an SQLite store taken while the
//! server runs, and putting such a copy back while it does not. PostgreSQL stores are copied
//! with `pg_dump` (the commands say so). Neither copies the master key: it is kept apart from
//! the database on purpose.

use crate::store_args::StoreArgs;
use anyhow::{bail, Result};
use clap::Args;
use rahunok_server::store::backup;
use std::path::PathBuf;

#[derive(Args)]
pub struct BackupArgs {
    /// The file to write (it must not exist yet).
    #[arg(long)]
    to: PathBuf,
    #[command(flatten)]
    store: StoreArgs,
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A copy made by `rahunok backup`.
    #[arg(long)]
    from: PathBuf,
    /// Replace the store in --data (the old files are kept beside it). Stop the server first.
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    store: StoreArgs,
}

const USE_PG_DUMP: &str = "this store is PostgreSQL: use pg_dump and pg_restore (see docs/deploying.md, Backups)";

pub async fn backup(args: BackupArgs) -> Result<()> {
    if args.store.database_url.is_some() {
        bail!(USE_PG_DUMP);
    }
    let copy = backup::backup_sqlite(&args.store.data, &args.to).await?;
    println!(
        "Backed up {} to {} ({} bytes, schema version {}).",
        args.store.data.join(backup::DB_FILE).display(),
        args.to.display(),
        copy.bytes,
        copy.schema_version
    );
    println!("The master key is not in it: keep a copy of the master key apart (see README, secrets at rest).");
    Ok(())
}

pub async fn restore(args: RestoreArgs) -> Result<()> {
    if args.store.database_url.is_some() {
        bail!(USE_PG_DUMP);
    }
    let copy = backup::restore_sqlite(&args.from, &args.store.data, args.force).await?;
    println!(
        "Restored {} into {} (schema version {}). Start the server with the master key that sealed it.",
        args.from.display(),
        args.store.data.join(backup::DB_FILE).display(),
        copy.schema_version
    );
    Ok(())
}
