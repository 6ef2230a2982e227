//! The guest journey: scan the table QR, see the live bill, tip, split, pay, get a receipt;
//! or open the menu, order to the table, and pay now or with the table's bill.
//! Server-rendered, mobile-first pages, Ukrainian first; viewing works without JavaScript.

mod bill;
mod bill_source;
pub mod cart;
mod error;
pub mod hold;
pub mod menu;
mod menu_page;
pub mod order_keeper;
mod order_page;
pub mod ordering;
mod pay;
pub mod payer;
mod rating;
mod receipt;
pub mod split;
mod split_page;
pub mod tips;
mod venue;
pub mod view;
mod visit;

pub use error::GuestError;

use crate::services::FaceServices;
use axum::middleware::from_fn;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// What the guest pages use.
#[derive(Clone)]
pub struct GuestState {
    /// The services every face uses (read as this state's own fields).
    pub services: FaceServices,
    /// Where guests reach this server (no trailing slash).
    pub base_url: Arc<str>,
}

crate::services::face_state!(GuestState);

/// The guest pages.
pub fn routes() -> Router<GuestState> {
    Router::new()
        .route("/t/{resto_id}/{table}", get(bill::table_page))
        .route("/t/{resto_id}/{table}/menu", get(menu_page::menu))
        .route("/t/{resto_id}/{table}/menu/add", post(menu_page::add))
        .route("/t/{resto_id}/{table}/cart/remove", post(menu_page::remove))
        .route("/t/{resto_id}/{table}/order", get(order_page::review).post(order_page::confirm))
        .route("/t/{resto_id}/{table}/order/{id}", get(order_page::placed))
        .route("/b/{resto_id}/{bill_id}", get(bill::bill_id_page))
        .route("/b/{resto_id}/{bill_id}/pay", post(pay::pay))
        .route("/b/{resto_id}/{bill_id}/split", get(split_page::split_form).post(split_page::split))
        .route("/p/{payment_id}", get(receipt::payment_page))
        .route("/p/{payment_id}/cancel", post(receipt::cancel_payment))
        .route("/p/{payment_id}/rating", post(rating::rate))
        .layer(from_fn(crate::web::live_page))
}
