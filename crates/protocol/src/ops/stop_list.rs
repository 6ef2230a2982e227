//! `stopList`: dishes that are out (balance 0) or running low.

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::quantity::Quantity;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopList {}

impl PosRequest for StopList {
    const OPERATION: Operation = Operation::StopList;
    type Answer = StopListAnswer;
}

/// Answer: the stop list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StopListAnswer {
    /// Every restricted product.
    #[serde(default, deserialize_with = "lenient::list")]
    pub items: Vec<StopItem>,
}

impl AnswerBody for StopListAnswer {}

/// One product and what is left of it (0 = unavailable).
///
/// ```
/// use rahunok_protocol::ops::StopItem;
/// let s: StopItem = serde_json::from_str(r#"{"productId": "dish-raf", "balance": 0}"#).unwrap();
/// assert!(s.balance.is_zero());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StopItem {
    /// Menu id of the product.
    #[serde(deserialize_with = "lenient::string")]
    pub product_id: String,
    /// What is left.
    pub balance: Quantity,
}
