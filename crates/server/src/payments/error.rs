//! Every way a payment action can be refused, and its one HTTP answer.

use crate::gateway::LinkError;
use crate::http_error::answer;
use crate::payments::acquirer::AcquirerError;
use crate::payments::acquirer_kind::UnknownAcquirer;
use crate::store::{PaymentRecord, PaymentStatus, StoreError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The error code of every refusal naming an acquirer this server does not know.
pub const UNKNOWN_ACQUIRER: &str = "UNKNOWN_ACQUIRER";

/// A refused payment action.
#[derive(Debug, thiserror::Error)]
pub enum PaymentError {
    /// Another payment holds the bill (someone is paying it, or it is paid).
    #[error("bill is held by payment {}", .0.id)]
    BillHeld(Box<PaymentRecord>),
    /// No such payment.
    #[error("no such payment")]
    NotFound,
    /// A guest asked to cancel a payment another browser started.
    #[error("this payment was started in another browser")]
    NotYours,
    /// Refund asked for a payment that is not closed.
    #[error("a payment in status {} cannot be refunded", .0.as_str())]
    NotRefundable(PaymentStatus),
    /// A refund larger than what is left of the payment.
    #[error("cannot refund {asked} UAH: {left} UAH is left to refund")]
    RefundTooLarge {
        /// Asked.
        asked: rahunok_protocol::Money,
        /// Left.
        left: rahunok_protocol::Money,
    },
    /// The acquirer's news cannot be applied yet (a charge reversed while the POS is still
    /// closing the bill); the acquirer should send it again.
    #[error("{0}")]
    NotYet(String),
    /// Retry asked for a payment that is not waiting for the POS.
    #[error("a payment in status {} is not waiting for the POS", .0.as_str())]
    NotRetryable(PaymentStatus),
    /// The acquirer failed or refused.
    #[error(transparent)]
    Acquirer(#[from] AcquirerError),
    /// The payment (or the restaurant's choice) names an acquirer this server does not know.
    #[error(transparent)]
    UnknownAcquirer(#[from] UnknownAcquirer),
    /// The POS did not answer usefully.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl PaymentError {
    /// The one answer to a refused payment action, whoever asked (the admin API or the panel):
    /// the same error, the same status and code.
    pub fn answer(&self) -> Response {
        let error = self;
        let text = error.to_string();
        match error {
            PaymentError::NotFound => answer(StatusCode::NOT_FOUND, "UNKNOWN_PAYMENT", "Not found", "request", text),
            PaymentError::NotRefundable(_) | PaymentError::NotRetryable(_) | PaymentError::BillHeld(_) => {
                answer(StatusCode::CONFLICT, "PAYMENT_REFUSED", "Not possible now", "payment", text)
            }
            PaymentError::NotYet(_) => answer(StatusCode::SERVICE_UNAVAILABLE, "NOT_YET", "Try again", "payment", text),
            PaymentError::NotYours => answer(StatusCode::FORBIDDEN, "NOT_YOUR_PAYMENT", "Forbidden", "payment", text),
            PaymentError::RefundTooLarge { .. } => {
                answer(StatusCode::BAD_REQUEST, "REFUND_TOO_LARGE", "Bad request", "payment", text)
            }
            PaymentError::Acquirer(AcquirerError::Unavailable(_)) => {
                answer(StatusCode::BAD_GATEWAY, "ACQUIRER_UNAVAILABLE", "Acquirer unavailable", "acquirer", text)
            }
            PaymentError::Acquirer(AcquirerError::Refused(_)) => {
                answer(StatusCode::CONFLICT, "PAYMENT_REFUSED", "Not possible now", "acquirer", text)
            }
            PaymentError::Acquirer(AcquirerError::CredentialsRefused(_)) => answer(
                StatusCode::CONFLICT,
                "ACQUIRER_CREDENTIALS_REFUSED",
                "Set the acquirer's credentials again",
                "acquirer",
                text,
            ),
            PaymentError::Acquirer(_) => {
                answer(StatusCode::BAD_GATEWAY, "ACQUIRER_ERROR", "Acquirer failed", "acquirer", text)
            }
            PaymentError::UnknownAcquirer(_) => {
                answer(StatusCode::CONFLICT, UNKNOWN_ACQUIRER, "Not possible now", "acquirer", text)
            }
            PaymentError::Link(error) => error.answer(),
            PaymentError::Store(error) => crate::http_error::store_failure(error),
        }
    }
}

impl IntoResponse for PaymentError {
    fn into_response(self) -> Response {
        self.answer()
    }
}

/// The answer to an acquirer's notification, and the one log line about it: 200 when applied;
/// 400 when it does not verify or is not usable (nothing changed); 404 for a charge we do not
/// know; 503 for anything else (nothing changed; the acquirer sends it again, or the closer asks
/// its status). `payment` is what the notification named, already made safe to log.
pub fn notification_answer(acquirer: &str, payment: &str, outcome: Result<(), PaymentError>) -> StatusCode {
    match outcome {
        Ok(()) => StatusCode::OK,
        Err(PaymentError::Acquirer(AcquirerError::BadSignature)) => {
            tracing::warn!(acquirer, payment, "a notification did not verify; ignored");
            StatusCode::BAD_REQUEST
        }
        Err(PaymentError::NotFound | PaymentError::Acquirer(AcquirerError::UnknownCharge(_))) => StatusCode::NOT_FOUND,
        Err(PaymentError::Acquirer(AcquirerError::Refused(reason))) => {
            tracing::warn!(acquirer, payment, reason, "a notification was not usable");
            StatusCode::BAD_REQUEST
        }
        Err(error) => {
            tracing::warn!(acquirer, payment, %error, "a notification was not processed; it may come again");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}
