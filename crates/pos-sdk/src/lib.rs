//! The Rust SDK for POS integrators: keep the socket to a Rahunok (or Expirenza) server, answer
//! its requests with signed callbacks, and push webhooks.
//!
//! You implement [`Handler`] — one async method per operation, typed request in, typed answer
//! out — and [`PosClient::run`] does the rest: Basic auth and the `system` cookie, the
//! `Resto <id> ping` keep-alive, reconnecting no faster than the protocol allows, and signing
//! the exact bytes it POSTs to `/callback/<operation>`.
//!
//! ```no_run
//! use rahunok_pos_sdk::{Answer, Failure, Handler, PosClient, PosConfig};
//! use rahunok_protocol::ops::{BillAnswer, GetBill, Table, TablesInfo, TablesInfoAnswer};
//!
//! struct MyPos;
//!
//! impl Handler for MyPos {
//!     async fn tables_info(&self, _request: TablesInfo) -> Answer<TablesInfoAnswer> {
//!         Ok(TablesInfoAnswer { tables: vec![Table { id: "t1".into(), name: "Біля вікна".into(), number: 1, hall_plan_id: None }] })
//!     }
//!     async fn get_bill(&self, _request: GetBill) -> Answer<BillAnswer> {
//!         Err(Failure::new("ORDER_NOT_FOUND", "no open order on this table"))
//!     }
//! }
//!
//! # async fn run() {
//! let config = PosConfig::new("http://127.0.0.1:8080", "RESTO_ID", "SECRET_KEY", "MyPOS");
//! PosClient::new(config).run(MyPos).await;
//! # }
//! ```

mod callbacks;
mod client;
mod handler;

pub use callbacks::{CallbackSender, SendError};
pub use client::{ConnectionState, PosClient, PosConfig};
pub use handler::{Answer, Failure, Handler};
