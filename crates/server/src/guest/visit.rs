//! A guest page request as the guest handlers read it: the page's language, the guest's browser
//! and the address asked for (the language switch and the error pages link back to it); and a
//! form sent to a guest page, or the page saying what was wrong with it.
//!
//! Why this exists: every guest page took the same three extractors and turned the address into
//! text the same way, and every form handler answered an unreadable form with the same error
//! page; reading them once keeps the pages alike.

use super::error::error_page;
use super::payer::GuestBrowser;
use super::GuestError;
use crate::web::{Lang, Page};
use axum::extract::rejection::FormRejection;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::Form;
use std::convert::Infallible;

/// Who asks for a guest page, and which.
pub struct Visit {
    /// The page's language.
    pub lang: Lang,
    /// The guest's browser.
    pub browser: GuestBrowser,
    /// The address asked for, path and query (`/b/r1/b-1?lang=en`).
    pub path: String,
}

impl<S: Send + Sync> FromRequestParts<S> for Visit {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Visit, Infallible> {
        let Ok(lang) = Lang::from_request_parts(parts, state).await;
        let Ok(browser) = GuestBrowser::from_request_parts(parts, state).await;
        let Ok(OriginalUri(uri)) = OriginalUri::from_request_parts(parts, state).await;
        Ok(Visit { lang, browser, path: uri.to_string() })
    }
}

/// The form sent, or the error page (for the page at `path`) saying what was wrong with it,
/// its "try again" leading to `retry`.
pub fn sent_form<T>(form: Result<Form<T>, FormRejection>, lang: Lang, path: &str, retry: &str) -> Result<T, Page> {
    form.map(|Form(form)| form)
        .map_err(|rejection| error_page(lang, path, &GuestError::BadInput(rejection.body_text()), retry))
}
