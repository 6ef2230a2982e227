//! What every HTML page shares: the language (Ukrainian first, English second), the page shell
//! with its small inline stylesheet (no third-party requests, nothing to download but the page),
//! and the HTML response type. Guest pages and the admin panel build on this.

mod lang;

pub use lang::Lang;

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// The stylesheet, inlined in every page: mobile-first, readable on a cheap phone.
pub const STYLE: &str = include_str!("style.css");

/// A rendered page with its status code.
pub struct Page {
    /// HTTP status.
    pub status: StatusCode,
    /// The document.
    pub markup: Markup,
}

impl Page {
    /// A 200 page.
    pub fn ok(markup: Markup) -> Page {
        Page { status: StatusCode::OK, markup }
    }

    /// A page with another status (a friendly error page).
    pub fn with_status(status: StatusCode, markup: Markup) -> Page {
        Page { status, markup }
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = (self.status, Html(self.markup.into_string())).into_response();
        response.headers_mut().insert(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; form-action 'self'",
            ),
        );
        response
    }
}

/// The document shell: `<html lang>`, viewport, the inline stylesheet, a language switch that
/// keeps the current path, and `body`.
pub fn shell(lang: Lang, title: &str, current_path: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(STYLE)) }
            }
            body {
                nav.lang {
                    @for other in Lang::ALL {
                        @if *other == lang {
                            span.current { (other.label()) }
                        } @else {
                            a href=(other.switch_link(current_path)) { (other.label()) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A friendly full page with a heading, a sentence and optional extra content (buttons).
pub fn message_page(lang: Lang, path: &str, heading: &str, text: &str, extra: Markup) -> Markup {
    shell(
        lang,
        heading,
        path,
        html! {
            section.message {
                h1 { (heading) }
                p { (text) }
                (extra)
            }
        },
    )
}
