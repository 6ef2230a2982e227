//! `stopList`: dishes that are out (balance 0) or running low.

use crate::conformance::{kind, ConformanceWarning, WireValue};
use crate::envelope::{AnswerBody, AnswerHead, PosRequest};
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

impl AnswerBody for StopListAnswer {
    fn shape_warnings(&self, _head: &AnswerHead, raw: &WireValue) -> Vec<ConformanceWarning> {
        let Some(WireValue::Array(items)) = raw.get("items") else { return Vec::new() };
        items
            .iter()
            .enumerate()
            .filter(|(_, item)| {
                let written = |key: &str| item.get(key).is_some_and(|v| !v.is_blank());
                (written("id") && !written("productId")) || (written("quantity") && !written("balance"))
            })
            .map(|(index, _)| {
                ConformanceWarning::new(
                    kind::STOP_LIST_ID_QUANTITY,
                    format!("items[{index}]"),
                    "stopList item written as {id, quantity}, read as {productId, balance}",
                )
            })
            .collect()
    }
}

/// One product and what is left of it (0 = unavailable). Also read when written as
/// `{id, quantity}`; always written as `{productId, balance}`.
///
/// ```
/// use rahunok_protocol::ops::StopItem;
/// let s: StopItem = serde_json::from_str(r#"{"productId": "dish-raf", "balance": 0}"#).unwrap();
/// assert!(s.balance.is_zero());
/// let s: StopItem = serde_json::from_str(r#"{"id": "dish-uzvar", "quantity": 2}"#).unwrap();
/// assert_eq!((s.product_id.as_str(), s.balance.to_string().as_str()), ("dish-uzvar", "2"));
/// assert_eq!(serde_json::to_string(&s).unwrap(), r#"{"productId":"dish-uzvar","balance":2}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "StopItemWire")]
pub struct StopItem {
    /// Menu id of the product.
    pub product_id: String,
    /// What is left.
    pub balance: Quantity,
}

/// Both spellings of a stop-list item; folded into [`StopItem`] (`productId`/`balance` win).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StopItemWire {
    #[serde(default, with = "lenient::text")]
    product_id: Option<String>,
    #[serde(default, with = "lenient::text")]
    id: Option<String>,
    #[serde(default, deserialize_with = "crate::quantity::optional")]
    balance: Option<Quantity>,
    #[serde(default, deserialize_with = "crate::quantity::optional")]
    quantity: Option<Quantity>,
}

impl TryFrom<StopItemWire> for StopItem {
    type Error = String;
    fn try_from(wire: StopItemWire) -> Result<StopItem, String> {
        // "missing field `x`" becomes the field error `<path>.x: is required`.
        let product_id = wire.product_id.or(wire.id).ok_or("missing field `productId`")?;
        let balance = wire.balance.or(wire.quantity).ok_or("missing field `balance`")?;
        Ok(StopItem { product_id, balance })
    }
}
