//! Every way the admin API refuses a call. The HTTP mapping lives in `crate::http_error`.

use crate::gateway::LinkError;
use crate::store::StoreError;

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
    /// The payment cannot do that now (e.g. refund an unpaid payment).
    #[error("{0}")]
    PaymentRefused(String),
    /// The card acquirer could not be reached (after retries); nothing was changed.
    #[error("{0}")]
    AcquirerUnavailable(String),
    /// The request body or query is wrong.
    #[error("{0}")]
    BadRequest(String),
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

impl From<crate::pos_data::PosDataError> for AdminError {
    fn from(error: crate::pos_data::PosDataError) -> AdminError {
        match error {
            crate::pos_data::PosDataError::Link(e) => AdminError::Link(e),
            crate::pos_data::PosDataError::Store(e) => AdminError::Store(e),
        }
    }
}
