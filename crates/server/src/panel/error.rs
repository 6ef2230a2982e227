//! Every way the admin panel refuses a request, and its HTTP answer: a friendly page in the
//! viewer's language (for pages), the JSON error body (for the panel's JSON endpoints and image
//! downloads). A refused payment action is answered by the payments' own mapping
//! (`payments/error.rs`), the same as in the admin API.

use crate::gateway::LinkError;
use crate::http_error::answer;
use crate::payments::PaymentError;
use crate::store::StoreError;
use crate::web::{self, Lang, Page};
use axum::extract::{FromRequestParts, Request};
use axum::http::header::ACCEPT;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use std::sync::Arc;

/// A refusal of the admin panel.
#[derive(Debug, thiserror::Error)]
pub enum PanelError {
    /// No valid session cookie.
    #[error("sign in to the admin panel first")]
    NotSignedIn,
    /// A restaurant admin asked for a restaurant that is not theirs.
    #[error("this restaurant is not yours")]
    NotYourRestaurant,
    /// A restaurant admin asked for an operator's page.
    #[error("only a platform operator may do this")]
    OperatorsOnly,
    /// No such restaurant.
    #[error("no restaurant with RESTO_ID `{0}`")]
    UnknownRestaurant(String),
    /// No such thing on this page (a payment, a table).
    #[error("there is no such {0}")]
    NotFound(&'static str),
    /// A state-changing request without the right CSRF token.
    #[error("the form is out of date or came from another site (CSRF check failed): reload the page and try again")]
    BadCsrf,
    /// The form or query is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// The POS gave no usable answer.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// A payment action was refused.
    #[error(transparent)]
    Payment(#[from] PaymentError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PanelError {
    /// A heading and a sentence for the viewer.
    pub fn explain(&self, lang: Lang) -> (String, String) {
        let pick = |uk: &str, en: &str| lang.pick(uk, en).to_string();
        match self {
            PanelError::NotSignedIn => {
                (pick("Увійдіть", "Sign in"), pick("Спершу увійдіть у панель.", "Sign in to the panel first."))
            }
            PanelError::NotYourRestaurant => (
                pick("Немає доступу", "No access"),
                pick(
                    "Цей ресторан не ваш: ви можете бачити лише свій ресторан.",
                    "This restaurant is not yours: you can only see your own.",
                ),
            ),
            PanelError::OperatorsOnly => (
                pick("Немає доступу", "No access"),
                pick("Це може робити лише оператор платформи.", "Only a platform operator may do this."),
            ),
            PanelError::UnknownRestaurant(id) => (
                pick("Не знайдено", "Not found"),
                format!("{} `{id}`.", lang.pick("Немає ресторану з RESTO_ID", "No restaurant with RESTO_ID")),
            ),
            PanelError::NotFound(_) => {
                (pick("Не знайдено", "Not found"), pick("Такого тут немає.", "There is no such thing here."))
            }
            PanelError::BadCsrf => (
                pick("Форма застаріла", "The form is out of date"),
                pick(
                    "Форма застаріла або надіслана з іншого сайту. Оновіть сторінку й спробуйте ще раз.",
                    "The form is out of date or came from another site. Reload the page and try again.",
                ),
            ),
            PanelError::BadRequest(text) => (pick("Неправильний запит", "Bad request"), text.clone()),
            PanelError::Link(error) => (pick("Каса не відповіла", "The POS did not answer"), explain_link(error, lang)),
            PanelError::Payment(error) => (pick("Платіж", "Payment"), explain_payment(error, lang)),
            PanelError::Store(_) => (
                pick("Помилка сервера", "Server error"),
                pick(
                    "Сервер не зміг прочитати чи записати дані; нічого не змінено, спробуйте ще раз.",
                    "The server could not read or write its store; nothing was changed, try again.",
                ),
            ),
        }
    }
}

/// What went wrong with the POS, for a restaurant's staff.
pub fn explain_link(error: &LinkError, lang: Lang) -> String {
    match error {
        LinkError::Offline => lang
            .pick(
                "Каса не підключена: перевірте, що вона працює і тримає з'єднання з /restaurantEntryPoint.",
                "The POS is not connected: check that it runs and holds a socket to /restaurantEntryPoint.",
            )
            .to_string(),
        LinkError::Timeout(after) => format!(
            "{} {} {}",
            lang.pick("Каса не відповіла за", "The POS did not answer within"),
            after.as_secs(),
            lang.pick("с.", "s.")
        ),
        LinkError::PosFail { substate, message } => format!(
            "{} {substate}{}",
            lang.pick("Каса відповіла FAIL:", "The POS answered FAIL:"),
            message.as_deref().map(|m| format!(" — {m}")).unwrap_or_default()
        ),
        LinkError::AnswerInvalid(errors) => format!(
            "{} {}",
            lang.pick(
                "Каса відповіла непридатним тілом (відхилено з 400):",
                "The POS answered with an unusable body (refused with 400):"
            ),
            errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
        ),
        LinkError::Unreadable(errors) => format!(
            "{} {errors:?}",
            lang.pick("Відповідь каси не вдалося прочитати:", "The POS answer could not be read:")
        ),
    }
}

fn explain_payment(error: &PaymentError, lang: Lang) -> String {
    match error {
        PaymentError::Link(link) => explain_link(link, lang),
        PaymentError::NotFound => lang.pick("Такого платежу немає.", "There is no such payment.").to_string(),
        other => other.to_string(),
    }
}

/// Whether a request wants JSON or an image rather than a page: a `.json`, `.png` or `.svg`
/// path, or a client that accepts JSON and not HTML (a script; a browser's own requests always
/// name `text/html`), which then reads the refusal's `errCode` as the admin API gives it.
fn wants_data(request: &Request) -> bool {
    let path = request.uri().path();
    let accepts =
        |kind: &str| request.headers().get_all(ACCEPT).iter().any(|v| v.to_str().is_ok_and(|v| v.contains(kind)));
    path.ends_with(".json")
        || path.ends_with(".png")
        || path.ends_with(".svg")
        || (accepts("application/json") && !accepts("text/html"))
}

/// Replaces the JSON body of a refused page request with a page in the viewer's language, and
/// sends a viewer who is not signed in to the sign-in page.
pub async fn render_error_pages(request: Request, next: Next) -> Response {
    if wants_data(&request) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let Ok(lang) = Lang::from_request_parts(&mut parts, &()).await;
    let path = parts.uri.path_and_query().map(ToString::to_string).unwrap_or_default();
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(error) = response.extensions().get::<Arc<PanelError>>().cloned() else { return response };
    if matches!(*error, PanelError::NotSignedIn) {
        let target = format!("/panel/sign-in?next={}", crate::web::percent::path(&path));
        return Redirect::to(&target).into_response();
    }
    let (heading, text) = error.explain(lang);
    let back = html! { p { a href="/panel" { (lang.pick("До панелі", "To the panel")) } } };
    let status = response.status();
    Page::with_status(status, web::message_page(lang, &path, &heading, &text, back)).into_response()
}

impl IntoResponse for PanelError {
    /// The protocol's error body with the status; the panel's page requests get a friendly page
    /// in the viewer's language instead (`crate::panel` reads the error from the extensions).
    fn into_response(self) -> Response {
        let text = self.to_string();
        let mut response = match &self {
            PanelError::NotSignedIn => answer(StatusCode::UNAUTHORIZED, "NOT_SIGNED_IN", "Unauthorized", "auth", text),
            PanelError::NotYourRestaurant | PanelError::OperatorsOnly => {
                answer(StatusCode::FORBIDDEN, "FORBIDDEN", "Forbidden", "auth", text)
            }
            PanelError::UnknownRestaurant(_) => {
                answer(StatusCode::NOT_FOUND, "UNKNOWN_RESTAURANT", "Not found", "request", text)
            }
            PanelError::NotFound(_) => answer(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found", "request", text),
            PanelError::BadCsrf => answer(StatusCode::FORBIDDEN, "BAD_CSRF_TOKEN", "Forbidden", "auth", text),
            PanelError::BadRequest(_) => answer(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Bad request", "request", text),
            PanelError::Link(error) => error.answer(),
            PanelError::Payment(error) => error.answer(),
            PanelError::Store(error) => crate::http_error::store_failure(error),
        };
        response.extensions_mut().insert(std::sync::Arc::new(self));
        response
    }
}
