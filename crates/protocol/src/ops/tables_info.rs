//! `tablesInfo`: the restaurant's tables (what "Tables and QR codes" shows).

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablesInfo {}

impl PosRequest for TablesInfo {
    const OPERATION: Operation = Operation::TablesInfo;
    type Answer = TablesInfoAnswer;
}

/// Answer: the tables.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TablesInfoAnswer {
    /// Every table.
    #[serde(default, deserialize_with = "lenient::list")]
    pub tables: Vec<Table>,
}

impl AnswerBody for TablesInfoAnswer {}

/// One table. The seed documentation spells the hall field `hallplanId`; both spellings are read.
///
/// ```
/// use rahunok_protocol::ops::Table;
/// let t: Table = serde_json::from_str(r#"{"id": "xxx", "name": "у камина", "number": "12", "hallplanId": "Зала 1"}"#).unwrap();
/// assert_eq!((t.number, t.hall_plan_id.as_deref()), (12, Some("Зала 1")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Table {
    /// POS id.
    #[serde(deserialize_with = "lenient::string")]
    pub id: String,
    /// Name (`Біля вікна`).
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    pub name: String,
    /// The number guests see (and the QR link carries).
    #[serde(deserialize_with = "lenient::int")]
    pub number: i64,
    /// The hall the table stands in.
    #[serde(
        default,
        alias = "hallplanId",
        deserialize_with = "lenient::opt_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub hall_plan_id: Option<String>,
}
