//! The one place where errors become HTTP answers: a status code and the protocol's error body
//! (`docs/pos-protocol.md` section 7) for every refusal of the gateway and the admin API.

use crate::admin::AdminError;
use crate::gateway::{GatewayError, LinkError};
use crate::panel::PanelError;
use crate::payments::PaymentError;
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rahunok_protocol::ErrorBody;

fn answer(status: StatusCode, code: &str, title: &str, kind: &str, text: String) -> Response {
    (status, Json(ErrorBody::new(code, title, kind, text))).into_response()
}

fn store_failure_body(error: &StoreError) -> (StatusCode, ErrorBody) {
    tracing::error!(%error, "store failure");
    let text = "the server could not read or write its store; nothing was changed, try again";
    (StatusCode::INTERNAL_SERVER_ERROR, ErrorBody::new("STORE_ERROR", "Server error", "server", text))
}

fn store_failure(error: &StoreError) -> Response {
    let (status, body) = store_failure_body(error);
    (status, Json(body)).into_response()
}

impl GatewayError {
    /// The status and error body of this refusal: built once, answered to the POS and kept in
    /// the refusal log alike.
    pub fn status_and_body(&self) -> (StatusCode, ErrorBody) {
        use GatewayError::*;
        let text = self.to_string();
        let (status, code, title, kind) = match self {
            MissingBasicAuth => (StatusCode::UNAUTHORIZED, "MISSING_CREDENTIALS", "Unauthorized", "auth"),
            BadBasicAuth => (StatusCode::UNAUTHORIZED, "BAD_CREDENTIALS", "Unauthorized", "auth"),
            TooManyFailedLogins => (StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_FAILURES", "Too many attempts", "auth"),
            MissingPosName => (StatusCode::UNAUTHORIZED, "MISSING_POS_NAME", "Unauthorized", "auth"),
            NotAWebSocket => (StatusCode::BAD_REQUEST, "NOT_A_WEBSOCKET", "Bad request", "request"),
            UnknownRestoId => (StatusCode::UNAUTHORIZED, "UNKNOWN_RESTO_ID", "Unauthorized", "auth"),
            MissingSignature => (StatusCode::UNAUTHORIZED, "MISSING_SIGNATURE", "Unauthorized", "auth"),
            BadSignature => (StatusCode::UNAUTHORIZED, "BAD_SIGNATURE", "Unauthorized", "auth"),
            BodyTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "BODY_TOO_LARGE", "Body too large", "request"),
            Busy => (StatusCode::SERVICE_UNAVAILABLE, "SERVER_BUSY", "Busy", "server"),
            TooLargeToRelay => (StatusCode::SERVICE_UNAVAILABLE, "TOO_LARGE_TO_RELAY", "Busy", "server"),
            Relayed { status, body } => {
                return (StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_GATEWAY), body.clone());
            }
            BodyUnreadable(_) => (StatusCode::BAD_REQUEST, "BODY_UNREADABLE", "Bad request", "request"),
            NotJsonObject(_) => (StatusCode::BAD_REQUEST, "NOT_JSON_OBJECT", "Bad request", "request"),
            UnknownOperation(_) => (StatusCode::NOT_FOUND, "UNKNOWN_OPERATION", "Not found", "request"),
            UnknownRid(_) => (StatusCode::NOT_FOUND, "UNKNOWN_RID", "Not found", "request"),
            RidExpired(_) => (StatusCode::GONE, "RID_EXPIRED", "Too late", "request"),
            RidConflict(_) => (StatusCode::CONFLICT, "RID_ALREADY_ANSWERED", "Conflict", "request"),
            RidRefused(_) => (StatusCode::CONFLICT, "RID_ALREADY_REFUSED", "Conflict", "request"),
            UnknownWebhookType(_) => (StatusCode::BAD_REQUEST, "UNKNOWN_WEBHOOK_TYPE", "Bad request", "request"),
            Invalid(errors) => {
                let body = ErrorBody::new("VALIDATION", "Invalid body", "request", validation_text(errors))
                    .with_field_errors(errors.clone());
                return (StatusCode::BAD_REQUEST, body);
            }
            Store(error) => return store_failure_body(error),
        };
        (status, ErrorBody::new(code, title, kind, text))
    }
}

impl IntoResponse for GatewayError {
    fn into_response(self) -> Response {
        let (status, body) = self.status_and_body();
        let mut response = (status, Json(body)).into_response();
        if matches!(self, GatewayError::Busy) {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        }
        response
    }
}

fn validation_text(errors: &[rahunok_protocol::FieldError]) -> String {
    let listed: Vec<String> = errors.iter().map(ToString::to_string).collect();
    format!(
        "the body is not usable for this operation ({}); the waiting request failed with this reason",
        listed.join("; ")
    )
}

impl IntoResponse for AdminError {
    fn into_response(self) -> Response {
        let text = self.to_string();
        match &self {
            AdminError::Unauthorized => answer(StatusCode::UNAUTHORIZED, "UNAUTHORIZED", "Unauthorized", "auth", text),
            AdminError::UnknownRestaurant(_) => {
                answer(StatusCode::NOT_FOUND, "UNKNOWN_RESTAURANT", "Not found", "request", text)
            }
            AdminError::UnknownOperation(_) => {
                answer(StatusCode::NOT_FOUND, "UNKNOWN_OPERATION", "Not found", "request", text)
            }
            AdminError::UnknownPayment(_) => {
                answer(StatusCode::NOT_FOUND, "UNKNOWN_PAYMENT", "Not found", "request", text)
            }
            AdminError::PaymentRefused(_) => {
                answer(StatusCode::CONFLICT, "PAYMENT_REFUSED", "Not possible now", "request", text)
            }
            AdminError::BadRequest(_) => answer(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Bad request", "request", text),
            AdminError::AcquirerUnavailable(_) => {
                answer(StatusCode::BAD_GATEWAY, "ACQUIRER_UNAVAILABLE", "Acquirer unavailable", "acquirer", text)
            }
            AdminError::Link(error) => link_failure(error),
            AdminError::Store(error) => store_failure(error),
        }
    }
}

fn link_failure(error: &LinkError) -> Response {
    let text = error.to_string();
    match error {
        LinkError::Offline => answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "POS_OFFLINE",
            "POS offline",
            "pos",
            "the restaurant's POS is not connected: check that it runs and holds a socket to /restaurantEntryPoint"
                .into(),
        ),
        LinkError::Timeout(_) => answer(StatusCode::GATEWAY_TIMEOUT, "POS_TIMEOUT", "POS too slow", "pos", text),
        LinkError::PosFail { substate, message } => {
            let text = match message {
                Some(m) => format!("the POS answered FAIL ({substate}): {m}"),
                None => format!("the POS answered FAIL ({substate})"),
            };
            answer(StatusCode::BAD_GATEWAY, "POS_FAIL", substate, "pos", text)
        }
        LinkError::AnswerInvalid(errors) => {
            let body =
                ErrorBody::new("POS_ANSWER_INVALID", "Bad POS answer", "pos", text).with_field_errors(errors.clone());
            (StatusCode::BAD_GATEWAY, Json(body)).into_response()
        }
        LinkError::Unreadable(_) => {
            answer(StatusCode::BAD_GATEWAY, "POS_ANSWER_UNREADABLE", "Bad POS answer", "pos", text)
        }
    }
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
            PanelError::Link(error) => link_failure(error),
            PanelError::Payment(error) => payment_refusal(error),
            PanelError::Store(error) => store_failure(error),
        };
        response.extensions_mut().insert(std::sync::Arc::new(self));
        response
    }
}

fn payment_refusal(error: &PaymentError) -> Response {
    let text = error.to_string();
    match error {
        PaymentError::NotFound => answer(StatusCode::NOT_FOUND, "UNKNOWN_PAYMENT", "Not found", "request", text),
        PaymentError::NotRefundable(_) | PaymentError::NotRetryable(_) | PaymentError::BillHeld(_) => {
            answer(StatusCode::CONFLICT, "PAYMENT_STATE", "Conflict", "payment", text)
        }
        PaymentError::NotYet(_) => answer(StatusCode::SERVICE_UNAVAILABLE, "NOT_YET", "Try again", "payment", text),
        PaymentError::NotYours => answer(StatusCode::FORBIDDEN, "NOT_YOUR_PAYMENT", "Forbidden", "payment", text),
        PaymentError::RefundTooLarge { .. } => {
            answer(StatusCode::BAD_REQUEST, "REFUND_TOO_LARGE", "Bad request", "payment", text)
        }
        PaymentError::Acquirer(_) => {
            answer(StatusCode::BAD_GATEWAY, "ACQUIRER_ERROR", "Acquirer failed", "payment", text)
        }
        PaymentError::Link(error) => link_failure(error),
        PaymentError::Store(error) => store_failure(error),
    }
}

/// Any path no route serves: the error body for API and POS paths, a page for people.
pub async fn no_such_route(lang: crate::web::Lang, uri: axum::http::Uri) -> Response {
    let path = uri.path();
    if path.starts_with("/api/") || path.starts_with("/callback/") || path == "/restaurantEntryPoint" {
        let text = format!("nothing at {path}: check the path against the documentation");
        return answer(StatusCode::NOT_FOUND, "NOT_FOUND", "Not found", "request", text);
    }
    let heading = lang.pick("Сторінку не знайдено", "Page not found");
    let text =
        lang.pick("Перевірте посилання або відскануйте QR-код ще раз.", "Check the link or scan the QR code again.");
    let page = crate::web::message_page(lang, &uri.to_string(), heading, text, maud::html! {});
    crate::web::Page::with_status(StatusCode::NOT_FOUND, page).into_response()
}

/// A URL holding a character no page or record has (`%00`): the protocol's error body (400)
/// for the API, callbacks and the socket; the friendly "page not found" page otherwise.
pub fn unstorable_url(path: &str, why: &str) -> Response {
    let machine = ["/api/", "/callback/", "/restaurantEntryPoint", "/sandbox/notify"];
    if machine.iter().any(|prefix| path.starts_with(prefix)) {
        return answer(StatusCode::BAD_REQUEST, "UNSTORABLE_TEXT", "Bad request", "request", why.to_string());
    }
    let lang = crate::web::Lang::Uk;
    let heading = lang.pick("Сторінку не знайдено", "Page not found");
    let text =
        lang.pick("Перевірте посилання або відскануйте QR-код ще раз.", "Check the link or scan the QR code again.");
    let page = crate::web::message_page(lang, "/", heading, text, maud::html! {});
    crate::web::Page::with_status(StatusCode::NOT_FOUND, page).into_response()
}

/// A body refused before any handler read it, with the protocol's error body.
pub fn body_refused(status: StatusCode, code: &str, why: &str) -> Response {
    answer(status, code, "Bad request", "request", why.to_string())
}

/// A known path with the wrong method.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let text = format!("{method} is not allowed on {}", uri.path());
    answer(StatusCode::METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "Method not allowed", "request", text)
}
