//! `splitOrder`: move the positions a guest chose into a new bill they pay on their own.

use crate::envelope::{AnswerBody, AnswerHead, AnswerState, PosRequest};
use crate::error_body::FieldError;
use crate::lenient;
use crate::money::Money;
use crate::ops::BillAnswer;
use crate::quantity::Quantity;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: which positions, how many of each, and their total.
///
/// ```
/// use rahunok_protocol::{ops::{SplitOrder, SplitPosition}, Money, Quantity};
/// let req = SplitOrder {
///     bill_id: "b-1".into(),
///     control_sum: Money::from_kopiyky(6500).unwrap(),
///     positions: vec![SplitPosition { id: "p-1".into(), quantity: Quantity::whole(1) }],
/// };
/// assert_eq!(
///     serde_json::to_string(&req).unwrap(),
///     r#"{"billId":"b-1","controlSum":65.00,"positions":[{"id":"p-1","quantity":1}]}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SplitOrder {
    /// The bill to split.
    #[serde(deserialize_with = "lenient::string")]
    pub bill_id: String,
    /// The sum of the chosen positions.
    pub control_sum: Money,
    /// The chosen positions (`id` is the line's `positionId`).
    #[serde(default, deserialize_with = "lenient::list")]
    pub positions: Vec<SplitPosition>,
}

/// One chosen position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitPosition {
    /// The line's `positionId`.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// How much of the line moves.
    pub quantity: Quantity,
}

impl PosRequest for SplitOrder {
    const OPERATION: Operation = Operation::SplitOrder;
    type Answer = SplitAnswer;
}

/// Answer of `splitOrder`: the getBill shape with exactly two orders — the parent (what
/// remains) first, then the child (what the guest chose).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SplitAnswer(pub BillAnswer);

impl AnswerBody for SplitAnswer {
    fn shape_warnings(
        &self,
        head: &AnswerHead,
        raw: &crate::conformance::WireValue,
    ) -> Vec<crate::conformance::ConformanceWarning> {
        self.0.shape_warnings(head, raw)
    }

    fn validate(&self, head: &AnswerHead) -> Vec<FieldError> {
        if head.state == AnswerState::Success && self.0.orders.len() != 2 {
            return vec![FieldError::new(
                "orders",
                format!("a successful split returns exactly two orders (parent, child); got {}", self.0.orders.len()),
            )];
        }
        Vec::new()
    }
}
