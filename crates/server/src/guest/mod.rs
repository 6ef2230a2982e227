//! The guest journey: scan the table QR, see the live bill, tip, split, pay, get a receipt;
//! or open the menu, order to the table, and pay now or with the table's bill.
//! Server-rendered, mobile-first pages, Ukrainian first; viewing works without JavaScript.

mod bill;
mod bill_source;
pub mod cart;
pub mod clock;
mod error;
pub mod hold;
pub mod menu;
mod menu_page;
mod order_page;
pub mod ordering;
mod pay;
pub mod payer;
mod rating;
mod receipt;
pub mod receipt_data;
pub mod split;
mod split_page;
pub mod tips;
pub mod view;

pub use error::GuestError;

use crate::payments::checkout_pages;
use crate::state::AppState;
use crate::web::Lang;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, SET_COOKIE};
use axum::http::HeaderValue;
use axum::middleware::{from_fn, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

/// The guest pages and the sandbox acquirer's hosted pages.
pub fn routes() -> Router<AppState> {
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
        .route("/sandbox/checkout/{reference}", get(checkout_pages::checkout).post(checkout_pages::pay_with_card))
        .route("/sandbox/checkout/{reference}/confirm", post(checkout_pages::confirm))
        .route(crate::payments::sandbox::NOTIFY_PATH, post(checkout_pages::notification))
        .layer(from_fn(finish_response))
}

/// Guest pages are live (the bill, who is paying it): never cached, so Back shows the bill as
/// it is now rather than a stale pay form. A `?lang=` choice is remembered in the `lang` cookie
/// and follows the guest through paying, the card page and the receipt.
async fn finish_response(request: Request, next: Next) -> Response {
    let chosen = Lang::chosen_in(request.uri().query());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(lang) = chosen {
        headers.append(SET_COOKIE, lang.cookie());
    }
    response
}
