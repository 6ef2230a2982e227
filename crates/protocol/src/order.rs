//! The bill as the POS describes it: orders, guests, dish lines, discounts.
//!
//! Why this exists: `getBill`, `splitOrder`, `payBill` and the `ORDERS_CACHE` webhook all carry
//! orders. They share these types so a bill reads the same whichever way it arrived.

use crate::lenient::{self, wire_enum};
use crate::money::{self, Money};
use crate::quantity::Quantity;
use serde::{Deserialize, Serialize};

wire_enum! {
    /// Where an order is in its life on the POS.
    OrderState {
        /// Open, no pre-check printed yet.
        New = "NEW",
        /// Pre-check printed, waiting for payment.
        Bill = "BILL",
        /// Paid (the spelling is the protocol's).
        Payed = "PAYED",
    }
}

/// One open order (bill) on a table.
///
/// ```
/// use rahunok_protocol::order::Order;
/// let order: Order = serde_json::from_str(
///     r#"{"billId": 32070, "orderNumber": "17", "totalSum": 129.2, "state": "New", "guests": null}"#,
/// ).unwrap();
/// assert_eq!(order.bill_id, "32070");
/// assert_eq!(order.total_sum.kopiyky(), 12920);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The POS bill id (what `payBill` and `splitOrder` name).
    #[serde(deserialize_with = "lenient::string")]
    pub bill_id: String,
    /// The bill this one was split from, or itself.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub root_bill_id: Option<String>,
    /// The order number printed on the check.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub order_number: Option<i64>,
    /// The POS table id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub table_id: Option<String>,
    /// The table number as the guest sees it (`0` reads as none: [`lenient::table`]).
    #[serde(default, with = "lenient::table", skip_serializing_if = "Option::is_none")]
    pub table_number: Option<String>,
    /// `yyyy.MM.dd HH:mm:ss`, or `None` when unknown.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// `NEW`, `BILL` or `PAYED`.
    #[serde(default, deserialize_with = "opt_order_state", skip_serializing_if = "Option::is_none")]
    pub state: Option<OrderState>,
    /// What the guest owes (after discounts).
    pub total_sum: Money,
    /// The sum of the lines before discounts.
    #[serde(default, deserialize_with = "money::optional", skip_serializing_if = "Option::is_none")]
    pub raw_sum: Option<Money>,
    /// Bonus points spent on this order.
    #[serde(default, deserialize_with = "money::optional", skip_serializing_if = "Option::is_none")]
    pub bonus_sum: Option<Money>,
    /// The base for tip percentages.
    #[serde(default, deserialize_with = "money::optional", skip_serializing_if = "Option::is_none")]
    pub bill_amount_for_tips: Option<Money>,
    /// Discounts applied.
    #[serde(default, deserialize_with = "lenient::object_or_default")]
    pub discounts: Discounts,
    /// Payment type name, if the POS has one.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub payment_type: Option<String>,
    /// When prices were computed.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub pricing_time: Option<String>,
    /// A banquet order.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_banquet_order: bool,
    /// A delivery order.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub is_delivery: bool,
    /// The POS can split this order (`splitOrder`).
    #[serde(default, deserialize_with = "lenient::bool")]
    pub split_available: bool,
    /// The waiter's name.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub waiter: Option<String>,
    /// The waiter's POS id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub waiter_id: Option<String>,
    /// Guests and their dishes.
    #[serde(default, deserialize_with = "lenient::list")]
    pub guests: Vec<Guest>,
}

impl Order {
    /// Every dish line of every guest, in order.
    pub fn lines(&self) -> impl Iterator<Item = &Dish> {
        self.guests.iter().flat_map(|g| g.dishes.iter())
    }
}

pub(crate) fn opt_order_state<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<OrderState>, D::Error> {
    match lenient::opt_string(d)? {
        None => Ok(None),
        Some(text) => OrderState::from_wire(&text)
            .map(Some)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not one of NEW, BILL, PAYED"))),
    }
}

/// The `discounts` object: `{"list": [...]}`; `null` lists read as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discounts {
    /// The discount lines.
    #[serde(default, deserialize_with = "lenient::list")]
    pub list: Vec<Discount>,
}

/// One discount line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Discount {
    /// POS id of the discount.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub id: String,
    /// Name shown to the guest.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// Amount taken off.
    #[serde(default, deserialize_with = "money::or_zero")]
    pub sum: Money,
}

/// A guest at the table and what they ordered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Guest {
    /// Guest label (`Гість 1`).
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// Dish lines.
    #[serde(default, deserialize_with = "lenient::list")]
    pub dishes: Vec<Dish>,
}

/// One line of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Dish {
    /// Menu id of the dish.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub dish_id: Option<String>,
    /// The line's id (what `splitOrder` names).
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub position_id: Option<String>,
    /// The parent line for modifiers and combo parts; `None` for a top-level line.
    #[serde(default, with = "lenient::text")]
    pub linked_to: Option<String>,
    /// Dish name.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// How many (may be fractional for weight dishes); absent or `null` means one.
    #[serde(default, deserialize_with = "crate::quantity::or_one")]
    pub count: Quantity,
    /// The line's sum.
    #[serde(default, deserialize_with = "money::or_zero")]
    pub sum: Money,
    /// Category name.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Category id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub category_id: Option<String>,
    /// Check number.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub check_number: Option<i64>,
    /// Order number.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub order_number: Option<i64>,
    /// Tax category name.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub tax_category: Option<String>,
    /// Tax category id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub tax_category_id: Option<String>,
    /// Line type, e.g. `modifier`.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub r#type: Option<String>,
    /// Hidden lines are not shown to the guest.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub hidden: bool,
}

/// A line to print on the fiscal receipt (`payBill`, `createOrderOnTable`).
///
/// ```
/// use rahunok_protocol::order::FiscalLine;
/// let line = FiscalLine::new("RRN", "123456789012");
/// assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"key":"RRN","value":"123456789012"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FiscalLine {
    /// Label.
    #[serde(deserialize_with = "lenient::string_or_empty")]
    pub key: String,
    /// Value.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub value: String,
}

impl FiscalLine {
    /// A fiscal line from a label and a value.
    pub fn new(key: impl Into<String>, value: impl Into<String>) -> FiscalLine {
        FiscalLine { key: key.into(), value: value.into() }
    }
}
