//! `checkProductsRestrictions`: can the kitchen make these items right now (stock check before
//! an order is placed from the guest's phone).

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::quantity::Quantity;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: the items to check.
///
/// ```
/// use rahunok_protocol::{ops::{CheckProductsRestrictions, OrderItem}, Quantity};
/// let req = CheckProductsRestrictions { items: vec![OrderItem { id: "dish-latte".into(), quantity: Quantity::whole(2), modifier: vec![] }] };
/// assert_eq!(serde_json::to_string(&req).unwrap(), r#"{"items":[{"id":"dish-latte","quantity":2,"modifier":[]}]}"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckProductsRestrictions {
    /// Items to check.
    #[serde(default, deserialize_with = "lenient::list")]
    pub items: Vec<OrderItem>,
}

/// An item of a new order (also used by `createOrderOnTable`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderItem {
    /// Menu id of the dish.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// How many.
    pub quantity: Quantity,
    /// Chosen modifiers.
    #[serde(default, deserialize_with = "lenient::list")]
    pub modifier: Vec<ItemModifier>,
}

/// A modifier chosen for an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemModifier {
    /// Modifier id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Modifier group id.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    /// How many.
    pub quantity: Quantity,
}

impl PosRequest for CheckProductsRestrictions {
    const OPERATION: Operation = Operation::CheckProductsRestrictions;
    type Answer = RestrictionsAnswer;
}

/// Answer: `{"result": {"checkResult", "itemResults": [...]}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RestrictionsAnswer {
    /// The result. Required in a `SUCCESS` answer: absent, `null` or `""` is the field error
    /// `result: is required` (a `FAIL` answer needs none).
    #[serde(deserialize_with = "lenient::required_object")]
    pub result: Restrictions,
}

impl AnswerBody for RestrictionsAnswer {}

/// The outcome of a stock check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Restrictions {
    /// True when every item is available.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub check_result: bool,
    /// Per item.
    #[serde(default, deserialize_with = "lenient::list")]
    pub item_results: Vec<ItemRestriction>,
}

/// One item's availability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ItemRestriction {
    /// Menu id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Dish name.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// Available in the asked quantity.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub available: bool,
    /// How much more was asked than is left.
    #[serde(default, deserialize_with = "crate::quantity::optional", skip_serializing_if = "Option::is_none")]
    pub exceed_quantity: Option<Quantity>,
}
