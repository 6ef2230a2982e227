//! `showMessage` (no callback): a text for the POS screen, e.g. "payment for bill 32070 was
//! refunded: mark it unpaid".

use crate::envelope::PosMessage;
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// The message.
///
/// ```
/// use rahunok_protocol::ops::ShowMessage;
/// let m = ShowMessage { message: "Оплату повернено".into(), warning: true, bill_id: None };
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"message":"Оплату повернено","warning":true,"billId":null}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShowMessage {
    /// The text.
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub message: String,
    /// Show as a warning.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub warning: bool,
    /// The bill it is about, if any.
    #[serde(default, with = "lenient::text")]
    pub bill_id: Option<String>,
}

impl PosMessage for ShowMessage {
    const OPERATION: Operation = Operation::ShowMessage;
}
