//! `createOrderOnTable`: an order placed (and paid) from the guest's phone; the POS finds or
//! creates the order, prints kitchen tickets and pays it.

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::money::{self, Money};
use crate::ops::OrderItem;
use crate::order::{FiscalLine, Guest};
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request.
///
/// ```
/// use rahunok_protocol::ops::CreateOrderOnTable;
/// let req = CreateOrderOnTable { external_id: "ord-1".into(), origin_name: "Rahunok".into(), table_id: "tbl-03".into(), items: vec![], fiscal_data: vec![] };
/// assert!(serde_json::to_string(&req).unwrap().contains(r#""externalId":"ord-1""#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrderOnTable {
    /// The platform's order id; the POS uses it to detect a repeat.
    #[serde(deserialize_with = "lenient::string")]
    pub external_id: String,
    /// Where the order came from.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub origin_name: String,
    /// POS table id.
    #[serde(deserialize_with = "lenient::string")]
    pub table_id: String,
    /// What to cook.
    #[serde(default, deserialize_with = "lenient::list")]
    pub items: Vec<OrderItem>,
    /// Lines for the fiscal receipt.
    #[serde(default, deserialize_with = "lenient::list")]
    pub fiscal_data: Vec<FiscalLine>,
}

impl PosRequest for CreateOrderOnTable {
    const OPERATION: Operation = Operation::CreateOrderOnTable;
    type Answer = CreateOrderAnswer;
}

/// Answer: `{"result": {...}}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CreateOrderAnswer {
    /// The result. Required in a `SUCCESS` answer: absent, `null` or `""` is the field error
    /// `result: is required` (a `FAIL` answer needs none).
    #[serde(deserialize_with = "lenient::required_object")]
    pub result: CreateOrderResult,
}

impl AnswerBody for CreateOrderAnswer {}

/// What the POS did with the order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrderResult {
    /// The order was created (or found) and paid.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub success: bool,
    /// Where it stopped, on failure.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// The order on the table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub root_order: Option<RootOrder>,
    /// Summary of the orders on the table, free-form.
    #[serde(default, deserialize_with = "lenient::list")]
    pub orders_summary: Vec<serde_json::Value>,
    /// Guests and dishes.
    #[serde(default, deserialize_with = "lenient::list")]
    pub guests: Vec<Guest>,
}

/// The order the items went into.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RootOrder {
    /// POS order id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// Order number.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub order_number: Option<i64>,
    /// Resulting sum.
    #[serde(default, deserialize_with = "money::optional", skip_serializing_if = "Option::is_none")]
    pub result_sum: Option<Money>,
    /// Order status.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub order_status: Option<String>,
    /// Table number.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub table_number: Option<String>,
    /// Waiter id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub waiter_id: Option<String>,
    /// Waiter name.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub waiter: Option<String>,
}
