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

/// One table. The seed documentation spells the hall field `hallplanId`; both spellings are
/// read, also together (`hallPlanId` wins).
///
/// ```
/// use rahunok_protocol::ops::Table;
/// let t: Table = serde_json::from_str(r#"{"id": "xxx", "name": "у камина", "number": "12", "hallplanId": "Зала 1"}"#).unwrap();
/// assert_eq!((t.number, t.hall_plan_id.as_deref()), (12, Some("Зала 1")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "TableWire")]
pub struct Table {
    /// POS id.
    pub id: String,
    /// Name (`Біля вікна`).
    pub name: String,
    /// The number guests see (and the QR link carries).
    pub number: i64,
    /// The hall the table stands in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hall_plan_id: Option<String>,
}

/// A table as it may arrive, with both spellings of the hall field.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TableWire {
    #[serde(deserialize_with = "lenient::string")]
    id: String,
    #[serde(default, deserialize_with = "lenient::string_or_empty")]
    name: String,
    #[serde(deserialize_with = "lenient::int")]
    number: i64,
    #[serde(default, with = "lenient::text")]
    hall_plan_id: Option<String>,
    #[serde(default, rename = "hallplanId", with = "lenient::text")]
    seed_hall_plan_id: Option<String>,
}

impl From<TableWire> for Table {
    fn from(wire: TableWire) -> Table {
        Table {
            id: wire.id,
            name: wire.name,
            number: wire.number,
            hall_plan_id: wire.hall_plan_id.or(wire.seed_hall_plan_id),
        }
    }
}
