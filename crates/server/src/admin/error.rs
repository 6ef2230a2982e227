//! Every way the admin API refuses a call, and its HTTP answer. A refused payment action is
//! answered by the payments' own mapping (`payments/error.rs`), the same as in the panel.

use crate::gateway::LinkError;
use crate::http_error::answer;
use crate::payments::acquirer_kind::UnknownAcquirer;
use crate::payments::{PaymentError, UNKNOWN_ACQUIRER};
use crate::store::StoreError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A refusal of the admin API.
#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    /// Missing or wrong bearer token.
    #[error("send `Authorization: Bearer <admin token>` (see `rahunok admin-token --data DIR`)")]
    Unauthorized,
    /// No such restaurant.
    #[error("no restaurant with RESTO_ID `{0}`")]
    UnknownRestaurant(String),
    /// No such operation.
    #[error("`{0}` is not an operation of the protocol")]
    UnknownOperation(String),
    /// No such payment for this restaurant.
    #[error("no payment `{0}` for this restaurant")]
    UnknownPayment(String),
    /// A payment action was refused (e.g. refund an unpaid payment).
    #[error(transparent)]
    Payment(PaymentError),
    /// The card acquirer could not be reached (after retries); nothing was changed.
    #[error("{0}")]
    AcquirerUnavailable(String),
    /// The request body or query is wrong.
    #[error("{0}")]
    BadRequest(String),
    /// The body names a kind of acquirer this server does not know.
    #[error(transparent)]
    UnknownAcquirer(UnknownAcquirer),
    /// The POS did not give a usable answer.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<axum::extract::rejection::QueryRejection> for AdminError {
    fn from(rejection: axum::extract::rejection::QueryRejection) -> AdminError {
        AdminError::BadRequest(format!("the query string is not valid: {}", rejection.body_text()))
    }
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
            AdminError::Payment(error) => error.answer(),
            AdminError::BadRequest(_) => answer(StatusCode::BAD_REQUEST, "BAD_REQUEST", "Bad request", "request", text),
            AdminError::UnknownAcquirer(_) => {
                answer(StatusCode::BAD_REQUEST, UNKNOWN_ACQUIRER, "Bad request", "request", text)
            }
            AdminError::AcquirerUnavailable(_) => {
                answer(StatusCode::BAD_GATEWAY, "ACQUIRER_UNAVAILABLE", "Acquirer unavailable", "acquirer", text)
            }
            AdminError::Link(error) => error.answer(),
            AdminError::Store(error) => crate::http_error::store_failure(error),
        }
    }
}
