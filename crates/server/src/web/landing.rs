//! `GET /`: whoever opens the server's bare address (an owner after installing it, a curious
//! guest, a link checker) learns what it is and finds the way to the panel, instead of a 404.

use super::{shell, Lang, Page};
use axum::extract::OriginalUri;
use axum::routing::get;
use axum::Router;
use maud::html;

/// The landing route.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/", get(landing))
}

async fn landing(lang: Lang, OriginalUri(uri): OriginalUri) -> Page {
    let t = |uk, en| lang.pick(uk, en);
    let body = html! {
        section.message {
            h1 { "Rahunok" }
            p { (t("Оплата рахунку в закладі за QR-кодом. Гості сканують код на столі або на пречеку, бачать рахунок, залишають чайові й сплачують карткою; каса закладу закриває рахунок сама.",
                   "Pay the restaurant bill by QR code. Guests scan the code on the table or the pre-check, see the bill, leave a tip and pay by card; the restaurant's till closes the bill by itself.")) }
            p.muted { (t("Щоб сплатити, відскануйте QR-код у закладі.", "To pay, scan the QR code at the restaurant.")) }
            a.button href="/panel" { (t("Панель закладу", "Restaurant panel")) }
        }
    };
    Page::ok(shell(lang, "Rahunok", &uri.to_string(), body))
}
