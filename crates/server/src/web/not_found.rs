//! What a path no route serves, or a URL no record can hold, is answered with: the protocol's
//! error body for machines (the API, callbacks, the socket), a friendly page for people.

use crate::http_error::answer;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// Any path no route serves: the error body for API and POS paths, a page for people.
pub async fn no_such_route(lang: super::Lang, uri: axum::http::Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path.starts_with("/callback/") || path == "/restaurantEntryPoint" {
        let text = format!("nothing at {path}: check the path against the documentation");
        return answer(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found", "request", text);
    }
    let heading = lang.pick("Сторінку не знайдено", "Page not found");
    let text =
        lang.pick("Перевірте посилання або відскануйте QR-код ще раз.", "Check the link or scan the QR code again.");
    let page = super::message_page(lang, &uri.to_string(), heading, text, maud::html! {});
    super::Page::with_status(StatusCode::NOT_FOUND, page).into_response()
}

/// A URL holding a character no page or record has (`%00`): the protocol's error body (400)
/// for the API, callbacks and the socket; the friendly "page not found" page otherwise.
pub fn unstorable_url(path: &str, why: &str) -> Response {
    let machine = ["/api/", "/callback/", "/restaurantEntryPoint", "/sandbox/notify"];
    if machine.iter().any(|prefix| path.starts_with(prefix)) {
        return answer(StatusCode::BAD_REQUEST, "UNSTORABLE_TEXT", "Bad request", "request", why.to_string());
    }
    let lang = super::Lang::Uk;
    let heading = lang.pick("Сторінку не знайдено", "Page not found");
    let text =
        lang.pick("Перевірте посилання або відскануйте QR-код ще раз.", "Check the link or scan the QR code again.");
    let page = super::message_page(lang, "/", heading, text, maud::html! {});
    super::Page::with_status(StatusCode::NOT_FOUND, page).into_response()
}
