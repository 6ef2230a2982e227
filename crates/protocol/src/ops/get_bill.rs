//! `getBill`: the open orders on a table (table QR) or one bill by id (pre-check QR).

use crate::conformance::{kind, ConformanceWarning, WireValue};
use crate::envelope::{AnswerBody, AnswerHead, PosRequest};
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

/// Answer of `getBill` (and of `splitOrder`): the table and its open orders. A `tableNumber`
/// at the top level applies to every order that has none of its own.
///
/// ```
/// use rahunok_protocol::ops::BillAnswer;
/// let bill: BillAnswer = serde_json::from_str(
///     r#"{"tableNumber": 12, "orders": [{"billId": "b-1", "totalSum": 10}, {"billId": "b-2", "totalSum": 5, "tableNumber": "7"}]}"#,
/// ).unwrap();
/// assert_eq!(bill.orders[0].table_number.as_deref(), Some("12"));
/// assert_eq!(bill.orders[1].table_number.as_deref(), Some("7"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "BillAnswerWire")]
pub struct BillAnswer {
    /// The table the orders are on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table_number: Option<String>,
    /// Open orders (a table may have several).
    pub orders: Vec<Order>,
}

/// [`BillAnswer`] as it arrives, before the top-level `tableNumber` is given to the orders.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BillAnswerWire {
    #[serde(default, with = "lenient::table")]
    table_number: Option<String>,
    #[serde(default, deserialize_with = "lenient::list")]
    orders: Vec<Order>,
}

impl From<BillAnswerWire> for BillAnswer {
    fn from(wire: BillAnswerWire) -> BillAnswer {
        let BillAnswerWire { table_number, mut orders } = wire;
        for order in orders.iter_mut().filter(|o| o.table_number.is_none()) {
            order.table_number.clone_from(&table_number);
        }
        BillAnswer { table_number, orders }
    }
}

impl AnswerBody for BillAnswer {
    fn shape_warnings(&self, _head: &AnswerHead, raw: &WireValue) -> Vec<ConformanceWarning> {
        if raw.get("tableNumber").is_none_or(WireValue::is_no_table) {
            return Vec::new();
        }
        let Some(WireValue::Array(orders)) = raw.get("orders") else { return Vec::new() };
        orders
            .iter()
            .enumerate()
            .filter(|(_, order)| order.get("tableNumber").is_none_or(WireValue::is_no_table))
            .map(|(index, _)| {
                ConformanceWarning::new(
                    kind::TOP_LEVEL_TABLE_NUMBER,
                    format!("orders[{index}].tableNumber"),
                    "tableNumber only at the top level: applied to this order",
                )
            })
            .collect()
    }
}
