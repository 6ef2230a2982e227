//! The head every callback carries — `rID` and the outcome (`state`, `substate`, the POS's own
//! error code and message) — apart from the envelope so the one-pass reader and the envelope
//! both build on it.

use crate::conformance::{kind, ConformanceWarning};
use crate::error_body::FieldError;
use crate::lenient::{self, wire_enum};
use serde::{Deserialize, Serialize};

wire_enum! {
    /// The outcome a POS reports in a callback.
    AnswerState {
        /// The POS did what was asked.
        Success = "SUCCESS",
        /// The POS could not; `substate` says why.
        Fail = "FAIL",
    }
}

/// Well-known `substate` values. The POS may send others; they are kept as written.
pub mod substate {
    /// No such table on the POS.
    pub const TABLE_NOT_FOUND: &str = "TABLE_NOT_FOUND";
    /// No open order on the table, or no bill with that id.
    pub const ORDER_NOT_FOUND: &str = "ORDER_NOT_FOUND";
    /// `payBill` for a bill that is already closed.
    pub const ORDER_ALREADY_PAID: &str = "ORDER_ALREADY_PAID";
    /// `payBill` with a sum that does not match the bill.
    pub const SUM_MISMATCH: &str = "SUM_MISMATCH";
    /// The order is open on a terminal and cannot be changed.
    pub const ORDER_LOCKED: &str = "ORDER_LOCKED";
    /// Any other POS-side failure.
    pub const POS_ERROR: &str = "POS_ERROR";
    /// What [`AnswerHead::failure`](super::AnswerHead::failure) reports for a `FAIL` answer
    /// that names no substate (a failure with an unspecified reason). Never sent on the wire.
    pub const UNSPECIFIED: &str = "UNSPECIFIED";
}

/// The fields every callback may carry: `rID` and the outcome.
///
/// ```
/// use rahunok_protocol::envelope::{AnswerHead, AnswerState};
/// let head: AnswerHead = serde_json::from_str(r#"{"rID": "r1", "state": "fail", "substate": "TABLE_NOT_FOUND"}"#).unwrap();
/// assert_eq!(head.state, AnswerState::Fail);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnswerHead {
    /// The id of the request this answers.
    #[serde(rename = "rID", deserialize_with = "lenient::string")]
    pub rid: String,
    /// `SUCCESS` (also when absent) or `FAIL`.
    #[serde(default = "success", deserialize_with = "state_or_success")]
    pub state: AnswerState,
    /// Why it failed. A `FAIL` answer without one is a failure with an unspecified reason
    /// (`None` here, [`substate::UNSPECIFIED`] from [`AnswerHead::failure`]).
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub substate: Option<String>,
    /// POS error code, free text.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// POS error message, free text.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

fn success() -> AnswerState {
    AnswerState::Success
}

fn state_or_success<'de, D: serde::Deserializer<'de>>(d: D) -> Result<AnswerState, D::Error> {
    match lenient::opt_string(d)? {
        None => Ok(AnswerState::Success),
        Some(text) => AnswerState::from_wire(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("`{text}` is not one of SUCCESS, FAIL"))),
    }
}

impl AnswerHead {
    /// A successful head for request `rid`.
    ///
    /// ```
    /// let head = rahunok_protocol::AnswerHead::success("r1");
    /// assert_eq!(head.failure(), None);
    /// ```
    pub fn success(rid: impl Into<String>) -> AnswerHead {
        AnswerHead {
            rid: rid.into(),
            state: AnswerState::Success,
            substate: None,
            error_code: None,
            error_message: None,
        }
    }

    /// A failed head for request `rid` with a `substate` such as `TABLE_NOT_FOUND`.
    ///
    /// ```
    /// let head = rahunok_protocol::AnswerHead::fail("r1", "TABLE_NOT_FOUND", "no table 99");
    /// assert_eq!(head.failure().as_deref(), Some("TABLE_NOT_FOUND"));
    /// ```
    pub fn fail(rid: impl Into<String>, substate: &str, message: impl Into<String>) -> AnswerHead {
        AnswerHead {
            rid: rid.into(),
            state: AnswerState::Fail,
            substate: Some(substate.to_string()),
            error_code: None,
            error_message: Some(message.into()),
        }
    }

    /// `None` when the answer succeeded; when it failed, the substate in canonical upper case,
    /// or [`substate::UNSPECIFIED`] when the POS named none (a `FAIL` answer without a
    /// substate is still a failure, with an unspecified reason).
    ///
    /// ```
    /// use rahunok_protocol::envelope::{substate, AnswerHead};
    /// let head: AnswerHead = serde_json::from_str(r#"{"rID": "r1", "state": "FAIL", "substate": "table_not_found"}"#).unwrap();
    /// assert_eq!(head.failure().as_deref(), Some(substate::TABLE_NOT_FOUND));
    /// let head: AnswerHead = serde_json::from_str(r#"{"rID": "r1", "state": "FAIL"}"#).unwrap();
    /// assert_eq!(head.substate, None);
    /// assert_eq!(head.failure().as_deref(), Some(substate::UNSPECIFIED));
    /// ```
    pub fn failure(&self) -> Option<String> {
        match self.state {
            AnswerState::Success => None,
            AnswerState::Fail => Some(match &self.substate {
                Some(text) => text.to_ascii_uppercase(),
                None => substate::UNSPECIFIED.to_string(),
            }),
        }
    }

    pub(crate) fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.rid.trim().is_empty() {
            errors.push(FieldError::new("rID", "must name the request being answered"));
        }
        errors
    }

    pub(crate) fn shape_warnings(&self) -> Vec<ConformanceWarning> {
        if self.state == AnswerState::Fail && self.substate.is_none() {
            return vec![ConformanceWarning::new(
                kind::FAIL_WITHOUT_SUBSTATE,
                "substate",
                "a FAIL answer without a substate (e.g. TABLE_NOT_FOUND) read as a failure with an unspecified reason",
            )];
        }
        Vec::new()
    }
}
