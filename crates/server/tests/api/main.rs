//! Black-box tests of the gateway and the admin API: the real server on a random port, real
//! sockets, each test on SQLite and on PostgreSQL.

mod helpers;

mod acquirers;
mod admin;
mod amount_rule;
mod assets;
mod callback_refusals;
mod callbacks;
mod closer;
mod deadlines;
mod guest_holds;
mod guest_pages;
mod hostile;
mod liqpay;
mod liqpay_emulator;
mod metrics;
mod monobank;
mod monobank_emulator;
mod openapi;
mod operations;
mod ordering;
mod panel_auth;
mod panel_console;
mod panel_language;
mod panel_payments;
mod panel_reports;
mod panel_users;
mod payments;
mod pos_answers;
mod retention;
mod secrets_at_rest;
mod seed_scenario;
mod socket;
mod table_numbers;
mod upgrades;
mod webhooks;
