//! `getBill`: the open orders on a table (table QR) or one bill by id (pre-check QR).

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::order::Order;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: exactly one of `tableNumber` or `billId`.
///
/// ```
/// use rahunok_protocol::ops::GetBill;
/// let req = GetBill::for_bill("b-32070");
/// assert_eq!(serde_json::to_string(&req).unwrap(), r#"{"billId":"b-32070"}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetBill {
    /// The table the guest scanned.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub table_number: Option<String>,
    /// The bill printed on the pre-check.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub bill_id: Option<String>,
}

impl GetBill {
    /// The bill(s) on a table.
    pub fn for_table(table_number: impl Into<String>) -> GetBill {
        GetBill { table_number: Some(table_number.into()), bill_id: None }
    }

    /// One bill by id.
    pub fn for_bill(bill_id: impl Into<String>) -> GetBill {
        GetBill { table_number: None, bill_id: Some(bill_id.into()) }
    }
}

impl PosRequest for GetBill {
    const OPERATION: Operation = Operation::GetBill;
    type Answer = BillAnswer;
}

/// Answer of `getBill` (and of `splitOrder`): the table and its open orders.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BillAnswer {
    /// The table the orders are on.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub table_number: Option<String>,
    /// Open orders (a table may have several).
    #[serde(default, deserialize_with = "lenient::list")]
    pub orders: Vec<Order>,
}

impl AnswerBody for BillAnswer {}
