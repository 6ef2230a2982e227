//! `checkWork`: is the POS up and ready to take payments.

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckWork {}

impl PosRequest for CheckWork {
    const OPERATION: Operation = Operation::CheckWork;
    type Answer = CheckWorkAnswer;
}

/// Answer: the POS clock and readiness.
///
/// ```
/// use rahunok_protocol::ops::CheckWorkAnswer;
/// let a: CheckWorkAnswer = serde_json::from_str(r#"{"dateTime": "2026.11.28 12:00:00", "readyToWork": "true"}"#).unwrap();
/// assert!(a.ready_to_work);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckWorkAnswer {
    /// POS time, `yyyy.MM.dd HH:mm:ss`.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub date_time: Option<String>,
    /// Ready to work.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub ready_to_work: bool,
}

impl AnswerBody for CheckWorkAnswer {}
