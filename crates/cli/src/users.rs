//! `rahunok user add|list`: the admin panel's users, created on the store directly (there is
//! no panel user to create the first one with), and the hint `rahunok serve` prints while the
//! panel has nobody who can sign in.

use crate::store_args::StoreArgs;
use anyhow::{bail, Context, Result};
use clap::{Subcommand, ValueEnum};
use rahunok_server::panel::users::{create_user, password_rule};
use rahunok_server::store::{PanelRole, Store};
use rahunok_server::web::Lang;
use std::io::{BufRead, IsTerminal, Write};
use std::process::{Command, Stdio};

/// What a panel user may do.
#[derive(Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// Every restaurant: create restaurants, issue credentials.
    Operator,
    /// One restaurant (give --restaurant).
    RestaurantAdmin,
}

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an admin panel user (asks for the password, or reads it with --password-stdin).
    Add {
        /// The sign-in name (letters, digits, `.`, `_`, `-`, `@`; case does not matter).
        name: String,
        /// What the user may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// The RESTO_ID a restaurant admin manages.
        #[arg(long, value_name = "RESTO_ID")]
        restaurant: Option<String>,
        /// Read the password from the first line of stdin instead of asking.
        #[arg(long)]
        password_stdin: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// List the admin panel users.
    List {
        #[command(flatten)]
        store: StoreArgs,
    },
}

pub async fn run(command: UserCommand) -> Result<()> {
    match command {
        UserCommand::Add { name, role, restaurant, password_stdin, store } => {
            let role = match (role, restaurant) {
                (RoleArg::Operator, None) => PanelRole::Operator,
                (RoleArg::Operator, Some(_)) => bail!("an operator sees every restaurant: drop --restaurant"),
                (RoleArg::RestaurantAdmin, Some(resto_id)) => PanelRole::RestaurantAdmin { resto_id },
                (RoleArg::RestaurantAdmin, None) => {
                    bail!("a restaurant admin needs --restaurant RESTO_ID (see `rahunok restaurant list`)")
                }
            };
            let password = if password_stdin { read_line()? } else { ask_password()? };
            let store = store.open().await?;
            let user = create_user(&store, &name, &password, role).await?;
            println!("Created panel user `{}` ({}). Sign in at /panel.", user.name, user.role.code());
        }
        UserCommand::List { store } => {
            let store = store.open().await?;
            for user in store.panel_users().await? {
                println!("{}\t{}\t{}", user.name, user.role.code(), user.role.own_restaurant().unwrap_or("*"));
            }
        }
    }
    Ok(())
}

fn read_line() -> Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Switches terminal echo (best effort: `stty` on Unix terminals).
fn echo(on: bool) {
    let _ = Command::new("stty").arg(if on { "echo" } else { "-echo" }).stdin(Stdio::inherit()).status();
}

fn prompt(text: &str) -> Result<String> {
    eprint!("{text}");
    std::io::stderr().flush()?;
    let line = read_line();
    eprintln!();
    line
}

fn ask_password() -> Result<String> {
    if !std::io::stdin().is_terminal() {
        return read_line();
    }
    echo(false);
    let first = prompt(&format!("Password ({}): ", password_rule(Lang::En)));
    let second = prompt("Again: ");
    echo(true);
    let (first, second) = (first?, second?);
    if first != second {
        bail!("the two passwords differ; nothing was created");
    }
    Ok(first)
}

/// Tells how to create the first operator while nobody can sign in to the panel.
pub async fn print_first_start_hint(store: &Store, args: &StoreArgs, base_url: &str) -> Result<()> {
    if store.has_panel_users().await? {
        return Ok(());
    }
    let location = match &args.database_url {
        Some(_) => "--database-url \"$RAHUNOK_DATABASE_URL\"".to_string(),
        None => format!("--data {}", args.data.display()),
    };
    println!("Admin panel: {base_url}/panel — nobody can sign in yet. Create the first operator:");
    println!("  rahunok user add {location} --role operator NAME");
    Ok(())
}
