//! The Rahunok platform server: the POS gateway (socket, callbacks, webhooks, the request
//! path), the store (SQLite or PostgreSQL), and the admin API.
//!
//! Start it with [`startup::Server::build`] and [`startup::Server::run`]; the `rahunok` binary
//! does that for `rahunok serve`.

pub mod admin;
pub mod body_deadline;
pub mod client_address;
pub mod config;
pub mod data_files;
pub mod gateway;
pub mod guest;
pub mod http_error;
pub mod metrics;
pub mod nats_access;
pub mod panel;
pub mod payment_status;
pub mod payments;
pub mod pos_data;
pub mod rate_limit;
pub mod retention;
pub mod routes;
pub mod secrets;
pub mod services;
pub mod serving;
pub mod shutdown;
pub mod startup;
pub mod state;
pub mod store;
pub mod web;

pub use config::{Config, Storage};
pub use startup::Server;
