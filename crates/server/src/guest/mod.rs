//! The guest journey: scan the table QR, see the live bill, tip, split, pay, get a receipt.
//! Server-rendered, mobile-first pages, Ukrainian first; viewing works without JavaScript.

mod bill;
mod bill_source;
mod error;
mod pay;
mod receipt;
pub mod receipt_data;
pub mod split;
mod split_page;
pub mod tips;
pub mod view;

pub use error::GuestError;

use crate::payments::checkout_pages;
use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The guest pages and the sandbox acquirer's hosted pages.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/t/{resto_id}/{table}", get(bill::table_page))
        .route("/b/{resto_id}/{bill_id}", get(bill::bill_id_page))
        .route("/b/{resto_id}/{bill_id}/pay", post(pay::pay))
        .route("/b/{resto_id}/{bill_id}/split", get(split_page::split_form).post(split_page::split))
        .route("/p/{payment_id}", get(receipt::payment_page))
        .route("/sandbox/checkout/{reference}", get(checkout_pages::checkout).post(checkout_pages::pay_with_card))
        .route("/sandbox/checkout/{reference}/confirm", post(checkout_pages::confirm))
        .route(crate::payments::sandbox::NOTIFY_PATH, post(checkout_pages::notification))
}
