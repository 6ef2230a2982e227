//! The admin panel in the browser: the restaurant's and the operator's window into Rahunok.
//!
//! Server-rendered pages (maud) with a little vanilla JavaScript where the page must change
//! without a reload (the connection status, the tables as the POS sends them). Ukrainian by
//! default, English on the switch. Signed-in users only: operators see every restaurant, a
//! restaurant admin only their own (`access::InRestaurant` enforces it). Every
//! state-changing request passes the CSRF check in `session::require_csrf_token`.
//!
//! Routes: `/panel` (start), `/panel/sign-in`, `/panel/sign-out`, `/panel/restaurants`
//! (operators), and per restaurant `/panel/r/{resto_id}/…`: the connection dashboard, tables
//! and QR codes, POS data, payments, the request log, the console, settings.

mod access;
mod acquirer;
mod console;
mod dashboard;
mod error;
mod layout;
mod orders;
mod origin;
mod payments;
mod pos_data;
mod pretty_json;
mod qr;
mod reports;
mod restaurants;
mod session;
mod settings;
mod sign_in;
mod sign_in_throttle;
mod tables;
pub mod users;
mod users_page;
mod words;

pub use error::PanelError;
pub use sign_in_throttle::SignInThrottle;

use crate::services::FaceServices;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::{from_fn, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use std::sync::Arc;

/// What the panel's pages use.
#[derive(Clone)]
pub struct PanelState {
    /// The services every face uses (read as this state's own fields).
    pub services: FaceServices,
    /// Slows down password guessing at the sign-in.
    pub sign_in_throttle: Arc<sign_in_throttle::SignInThrottle>,
}

crate::services::face_state!(PanelState);

/// The panel's routes.
pub fn routes() -> Router<PanelState> {
    Router::new()
        .route("/panel", get(sign_in::home))
        .route("/panel/sign-in", get(sign_in::form).post(sign_in::submit))
        .route("/panel/sign-out", post(sign_in::sign_out))
        .route("/panel/restaurants", get(restaurants::list).post(restaurants::create))
        .route("/panel/restaurants.json", get(restaurants::live_dots))
        .route("/panel/users", get(users_page::page).post(users_page::add))
        .route("/panel/users/{name}/password", post(users_page::reset_password))
        .route("/panel/users/{name}/role", post(users_page::change_role))
        .route("/panel/users/{name}/{action}", post(users_page::set_active))
        .route("/panel/r/{resto_id}", get(dashboard::page))
        .route("/panel/r/{resto_id}/connection.json", get(dashboard::connection))
        .route("/panel/r/{resto_id}/credentials", post(restaurants::rotate))
        .route("/panel/r/{resto_id}/credentials/{notice}", get(restaurants::issued))
        .route("/panel/r/{resto_id}/tables", get(tables::page))
        .route("/panel/r/{resto_id}/tables.json", post(tables::fetch))
        .route("/panel/r/{resto_id}/tables/print", get(tables::print_all))
        .route("/panel/r/{resto_id}/tables/{number}/{file}", get(tables::code))
        .route("/panel/r/{resto_id}/pos/{kind}", get(pos_data::page).post(pos_data::refresh))
        .route("/panel/r/{resto_id}/requests", get(console::request_log))
        .route("/panel/r/{resto_id}/requests/{rid}/{file}", get(console::download_body))
        .route("/panel/r/{resto_id}/console", get(console::console).post(console::send_operation))
        .route("/panel/r/{resto_id}/settings", get(settings::page).post(settings::save))
        .route("/panel/r/{resto_id}/settings/acquirer", post(acquirer::save))
        .route("/panel/r/{resto_id}/payments", get(payments::list))
        .route("/panel/r/{resto_id}/orders", get(orders::list))
        .route("/panel/r/{resto_id}/reports", get(reports::page))
        .route("/panel/r/{resto_id}/reports.csv", get(reports::csv))
        .route("/panel/r/{resto_id}/payments/{payment_id}", get(payments::detail))
        .route("/panel/r/{resto_id}/payments/{payment_id}/refund", post(payments::refund))
        .route("/panel/r/{resto_id}/payments/{payment_id}/retry", post(payments::retry))
        .layer(from_fn(session::require_csrf_token))
        .layer(from_fn(error::render_error_pages))
        .layer(from_fn(finish_response))
}

/// Panel answers are live pages ([`crate::web::live_page`]: never cached, they carry CSRF
/// tokens, secrets shown once, live data), never framed, and send no referrer off the site.
async fn finish_response(request: Request, next: Next) -> Response {
    let mut response = crate::web::live_page(request, next).await;
    let headers = response.headers_mut();
    headers.insert("x-frame-options", HeaderValue::from_static("DENY"));
    headers.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    response
}
