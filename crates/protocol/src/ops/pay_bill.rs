//! `payBill`: the guest paid; the POS closes the order and prints the fiscal lines.

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::money::Money;
use crate::order::{FiscalLine, Guest};
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: what was paid for which bill.
///
/// ```
/// use rahunok_protocol::{ops::PayBill, Money};
/// let req = PayBill {
///     bill_id: "b-1".into(),
///     sum: Money::from_kopiyky(12920).unwrap(),
///     tips: Money::from_kopiyky(1300).unwrap(),
///     fiscal_data: vec![],
/// };
/// assert_eq!(serde_json::to_string(&req).unwrap(), r#"{"billId":"b-1","sum":129.20,"tips":13.00,"fiscalData":[]}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayBill {
    /// The bill being paid.
    #[serde(deserialize_with = "lenient::string")]
    pub bill_id: String,
    /// The amount for the bill, tips not included.
    pub sum: Money,
    /// The tip for the waiter.
    #[serde(default, deserialize_with = "crate::money::or_zero")]
    pub tips: Money,
    /// Lines for the fiscal receipt (acquirer, RRN, approval code, masked card).
    #[serde(default, deserialize_with = "lenient::list")]
    pub fiscal_data: Vec<FiscalLine>,
}

impl PosRequest for PayBill {
    const OPERATION: Operation = Operation::PayBill;
    type Answer = PayBillAnswer;
}

/// Answer of `payBill`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PayBillAnswer {
    /// The bill that was closed.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub bill_id: Option<String>,
    /// POS diagnostics on failure.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub stack_trace_message: Option<String>,
    /// The order number.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub order_number: Option<i64>,
    /// The waiter's name.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub waiter: Option<String>,
    /// The waiter's POS id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub waiter_id: Option<String>,
    /// The guests of the closed order.
    #[serde(default, deserialize_with = "lenient::list")]
    pub guests: Vec<Guest>,
}

impl AnswerBody for PayBillAnswer {}
