//! The Rust SDK for POS integrators: keep the socket to a Rahunok (or Expirenza) server, answer
//! its requests with signed callbacks, and push webhooks.
//!
//! You implement [`Handler`] — one async method per operation, typed request in, typed answer
//! out; what you leave out answers `FAIL` / `POS_ERROR` "not implemented" — and
//! [`PosClient::run`] does the rest:
//! - Basic auth (`RESTO_ID:SECRET_KEY`) and the `Cookie: system=<POS name>` on the socket;
//! - answering the server's pings, sending `Resto <id> ping` every 15 s, declaring the link
//!   dead after 90 s without a frame;
//! - reconnecting with jittered backoff, never sooner than 15 s after the previous attempt,
//!   and reporting every [`ConnectionState`] change ([`PosClient::state_changes`]);
//! - signing the exact bytes it POSTs to `/callback/<operation>`, and retrying network
//!   failures with the same bytes until the request's deadline.
//!
//! For the pushes a POS starts itself there is [`OrdersCachePublisher`] (`ORDERS_CACHE` every
//! 5 s, full orders only when they changed) and [`CallbackSender::send_orders_closed`] /
//! [`CallbackSender::send_user_update`]. `https://` server URLs use TLS (rustls, with the
//! webpki roots) for both the socket (`wss://`) and the callbacks, so the same POS works
//! against production Expirenza by changing the host.
//!
//! The wire types are re-exported as [`protocol`], so this crate is the only dependency a POS
//! needs.
//!
//! # A complete minimal POS
//!
//! ```
//! use rahunok_pos_sdk::protocol::envelope::substate;
//! use rahunok_pos_sdk::protocol::ops::{BillAnswer, GetBill, Table, TablesInfo, TablesInfoAnswer};
//! use rahunok_pos_sdk::{Answer, Failure, Handler, PosClient, PosConfig};
//!
//! /// A café with one table and nothing open on it yet.
//! struct MyPos;
//!
//! impl Handler for MyPos {
//!     async fn tables_info(&self, _request: TablesInfo) -> Answer<TablesInfoAnswer> {
//!         let table = Table { id: "t-1".into(), name: "Біля вікна".into(), number: 1, hall_plan_id: None };
//!         Ok(TablesInfoAnswer { tables: vec![table] })
//!     }
//!
//!     async fn get_bill(&self, request: GetBill) -> Answer<BillAnswer> {
//!         match request.table_number.as_deref() {
//!             Some("1") => Err(Failure::new(substate::ORDER_NOT_FOUND, "nothing is open on table 1")),
//!             _ => Err(Failure::new(substate::TABLE_NOT_FOUND, "this café has only table 1")),
//!         }
//!     }
//!     // Every other operation answers FAIL / POS_ERROR "not implemented".
//! }
//!
//! #[tokio::main]
//! async fn main() {
//! #   doc_server::start().await;
//!     let setting = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("set {name}"));
//!     let server = setting("RAHUNOK_SERVER"); // e.g. http://127.0.0.1:8080
//!     let config = PosConfig::new(&server, &setting("RESTO_ID"), &setting("SECRET_KEY"), "MyPOS");
//!     PosClient::new(config).run(MyPos).await; // serves until the process stops
//! }
//! # // The doc test really runs this POS: the hidden `doc_server::start` starts a throwaway
//! # // Rahunok server in this process, creates a restaurant, sets the three variables, and
//! # // spawns a driver that asks the POS for tables and bills through the server and ends the
//! # // process (exit code 0 only when the answers are right).
//! # mod doc_server {
//! #     use rahunok_pos_sdk::protocol::ops::{GetBill, TablesInfo};
//! #     use rahunok_server::gateway::LinkError;
//! #     use rahunok_server::{state::AppState, Config, Server, Storage};
//! #     use std::time::Duration;
//! #     pub async fn start() {
//! #         let dir = std::env::temp_dir().join(format!("rahunok-sdk-doc-{}", std::process::id()));
//! #         let mut config = Config::new(Storage::Sqlite(dir.clone()));
//! #         config.listen = "127.0.0.1:0".parse().unwrap();
//! #         let server = Server::build(config).await.expect("the server starts");
//! #         let state = server.state().clone();
//! #         let name = rahunok_server::store::RestaurantName::parse("Doc café").unwrap();
//! #         let (restaurant, secret) = state.store.create_restaurant(&name).await.unwrap();
//! #         std::env::set_var("RAHUNOK_SERVER", format!("http://{}", server.local_addr()));
//! #         std::env::set_var("RESTO_ID", &restaurant.resto_id);
//! #         std::env::set_var("SECRET_KEY", &secret);
//! #         tokio::spawn(server.run(std::future::pending()));
//! #         tokio::spawn(async move {
//! #             let verdict = tokio::time::timeout(Duration::from_secs(30), drive(&state, &restaurant.resto_id)).await;
//! #             let _ = std::fs::remove_dir_all(&dir);
//! #             match verdict {
//! #                 Ok(Ok(())) => std::process::exit(0),
//! #                 Ok(Err(problem)) => { eprintln!("{problem}"); std::process::exit(1) }
//! #                 Err(_) => { eprintln!("the POS did not connect and answer within 30 s"); std::process::exit(1) }
//! #             }
//! #         });
//! #     }
//! #     async fn drive(state: &AppState, resto_id: &str) -> Result<(), String> {
//! #         while !state.link.is_connected(resto_id) {
//! #             tokio::time::sleep(Duration::from_millis(20)).await;
//! #         }
//! #         let tables = state.link.request(resto_id, &TablesInfo::default()).await.map_err(|e| e.to_string())?;
//! #         if tables.body.tables.len() != 1 { return Err(format!("tables: {:?}", tables.body)); }
//! #         for (table, expected) in [("1", "ORDER_NOT_FOUND"), ("7", "TABLE_NOT_FOUND")] {
//! #             match state.link.request(resto_id, &GetBill::for_table(table)).await {
//! #                 Err(LinkError::PosFail { substate, .. }) if substate == expected => {}
//! #                 other => return Err(format!("getBill on table {table}: {other:?}")),
//! #             }
//! #         }
//! #         Ok(())
//! #     }
//! # }
//! ```
//!
//! `examples/minimal_pos.rs` is a fuller POS (open orders, `payBill`, `ORDERS_CACHE`,
//! connection state on the console); a test runs it against a real server.
#![warn(missing_docs)]

mod callbacks;
mod client;
mod dispatch;
mod handler;
mod orders_cache;

pub use callbacks::{CallbackSender, SendError};
pub use client::{ConnectionState, PosClient, PosConfig, StateChange};
pub use dispatch::{answer_frame, OutgoingCallback};
pub use handler::{Answer, Failure, Handler};
pub use orders_cache::{short_order, OrdersCachePublisher, PushReport, ORDERS_CACHE_INTERVAL};

/// The wire types of the protocol (`rahunok-protocol`), re-exported.
pub use rahunok_protocol as protocol;
