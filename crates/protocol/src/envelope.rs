//! The envelope around every message: request frames (server → POS) and the common head of
//! every callback (POS → server), plus the parsing that turns raw callback bytes into a typed
//! answer or a list of field errors.
//!
//! Why this exists: every operation shares the same `rID` correlation and the same
//! `state`/`substate` failure convention; the per-operation files only describe their own fields.

use crate::error_body::FieldError;
use crate::lenient::{self, wire_enum};
use crate::operation::Operation;
use serde::de::DeserializeOwned;
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
}

/// A request the server sends to the POS over the socket, answered by a callback.
///
/// ```
/// use rahunok_protocol::{ops::TablesInfo, Operation, PosRequest};
/// assert_eq!(TablesInfo::OPERATION, Operation::TablesInfo);
/// ```
pub trait PosRequest: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The operation name on the wire.
    const OPERATION: Operation;
    /// The operation-specific part of the callback body.
    type Answer: AnswerBody;
}

/// A message the server sends to the POS that needs no callback (`setSettings`, `showMessage`).
pub trait PosMessage: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The operation name on the wire.
    const OPERATION: Operation;
}

/// The operation-specific part of a callback body.
pub trait AnswerBody: Serialize + DeserializeOwned + Default + Send + Sync + 'static {
    /// Checks that go beyond field types (e.g. `splitOrder` returns exactly two orders).
    fn validate(&self, _head: &AnswerHead) -> Vec<FieldError> {
        Vec::new()
    }
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
    /// Why it failed; required with `FAIL`.
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
    pub fn fail(rid: impl Into<String>, substate: &str, message: impl Into<String>) -> AnswerHead {
        AnswerHead {
            rid: rid.into(),
            state: AnswerState::Fail,
            substate: Some(substate.to_string()),
            error_code: None,
            error_message: Some(message.into()),
        }
    }

    /// The substate in canonical upper case, when the answer failed.
    pub fn failure(&self) -> Option<String> {
        match self.state {
            AnswerState::Success => None,
            AnswerState::Fail => Some(self.substate.clone().unwrap_or_default().to_ascii_uppercase()),
        }
    }

    fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        if self.rid.trim().is_empty() {
            errors.push(FieldError::new("rID", "must name the request being answered"));
        }
        if self.state == AnswerState::Fail && self.substate.is_none() {
            errors.push(FieldError::new(
                "substate",
                "a FAIL answer needs a substate (e.g. TABLE_NOT_FOUND, ORDER_NOT_FOUND)",
            ));
        }
        errors
    }
}

/// A whole callback body: the common head and the operation's own fields, side by side.
///
/// ```
/// use rahunok_protocol::envelope::{AnswerHead, Callback};
/// use rahunok_protocol::ops::{Table, TablesInfoAnswer};
/// let answer = Callback::new(AnswerHead::success("r1"), TablesInfoAnswer {
///     tables: vec![Table { id: "t1".into(), name: "Біля вікна".into(), number: 12, hall_plan_id: None }],
/// });
/// let bytes = serde_json::to_vec(&answer).unwrap();
/// let parsed = Callback::<TablesInfoAnswer>::parse(&bytes).unwrap();
/// assert_eq!(parsed.body.tables[0].number, 12);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Callback<A> {
    /// `rID` and outcome.
    #[serde(flatten)]
    pub head: AnswerHead,
    /// The operation's own fields.
    #[serde(flatten)]
    pub body: A,
}

impl<A: AnswerBody> Callback<A> {
    /// A callback from its two halves.
    pub fn new(head: AnswerHead, body: A) -> Callback<A> {
        Callback { head, body }
    }

    /// Parses raw callback bytes. On a `FAIL` answer a body that does not parse is replaced by
    /// its default (a failed answer carries no data we rely on).
    pub fn parse(bytes: &[u8]) -> Result<Callback<A>, Vec<FieldError>> {
        let head: AnswerHead = parse_tracked(bytes)?;
        let mut errors = head.validate();
        let body = match (parse_tracked::<A>(bytes), head.state) {
            (Ok(body), _) => body,
            (Err(_), AnswerState::Fail) => A::default(),
            (Err(mut body_errors), AnswerState::Success) => {
                errors.append(&mut body_errors);
                A::default()
            }
        };
        errors.extend(body.validate(&head));
        if errors.is_empty() {
            Ok(Callback { head, body })
        } else {
            Err(errors)
        }
    }
}

/// Parses JSON into `T`, reporting the first problem as a field error with its path
/// (`orders[0].totalSum`).
pub fn parse_tracked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Vec<FieldError>> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(&mut deserializer).map_err(|error| {
        let path = error.path().to_string();
        let message = error.inner().to_string();
        vec![field_error_from(&path, &message)]
    })
}

fn field_error_from(path: &str, message: &str) -> FieldError {
    let message = strip_position(message);
    if let Some(rest) = message.strip_prefix("missing field `") {
        let name = rest.trim_end_matches('`');
        let field = if path == "." || path.is_empty() { name.to_string() } else { format!("{path}.{name}") };
        return FieldError::new(field, "is required");
    }
    let field = if path == "." { String::new() } else { path.to_string() };
    FieldError::new(field, message)
}

/// serde_json appends " at line 1 column 42"; the path already says where.
fn strip_position(message: &str) -> &str {
    match message.rfind(" at line ") {
        Some(at) => &message[..at],
        None => message,
    }
}

/// A request frame as sent on the socket: `{"rID": ..., "operation": ..., <fields>}`.
///
/// ```
/// use rahunok_protocol::envelope::RequestFrame;
/// use rahunok_protocol::ops::GetBill;
/// let request = GetBill::for_table("12");
/// let frame = RequestFrame::new("2022-11-18 13:18:51.694125371#Lm4R2EQ", &request);
/// assert_eq!(
///     serde_json::to_string(&frame).unwrap(),
///     r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"getBill","tableNumber":"12"}"#
/// );
/// ```
#[derive(Debug, Serialize)]
pub struct RequestFrame<'a, R> {
    /// The request id.
    #[serde(rename = "rID")]
    pub rid: &'a str,
    /// The operation name.
    pub operation: Operation,
    /// The operation's own fields.
    #[serde(flatten)]
    pub request: &'a R,
}

impl<'a, R: Serialize> RequestFrame<'a, R> {
    /// A frame for a request that expects a callback.
    pub fn new(rid: &'a str, request: &'a R) -> RequestFrame<'a, R>
    where
        R: PosRequest,
    {
        RequestFrame { rid, operation: R::OPERATION, request }
    }

    /// A frame for a message that needs no callback.
    pub fn message(rid: &'a str, message: &'a R) -> RequestFrame<'a, R>
    where
        R: PosMessage,
    {
        RequestFrame { rid, operation: R::OPERATION, request: message }
    }
}

/// The head of any frame the POS receives: enough to pick the handler.
#[derive(Debug, Clone, Deserialize)]
pub struct FrameHead {
    /// The request id to echo back in the callback.
    #[serde(rename = "rID", default, deserialize_with = "lenient::string_or_empty")]
    pub rid: String,
    /// The operation name, as sent.
    #[serde(deserialize_with = "lenient::string")]
    pub operation: String,
}
