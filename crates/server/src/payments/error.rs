//! Every way a payment action can be refused.

use crate::gateway::LinkError;
use crate::payments::acquirer::AcquirerError;
use crate::store::{PaymentRecord, PaymentStatus, StoreError};

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
    /// The POS did not answer usefully.
    #[error(transparent)]
    Link(#[from] LinkError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}
