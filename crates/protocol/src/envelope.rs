//! The envelope around every message: request frames (server → POS) and the common head of
//! every callback (POS → server), plus the parsing that turns raw callback bytes into a typed
//! answer or a list of field errors.
//!
//! Why this exists: every operation shares the same `rID` correlation and the same
//! `state`/`substate` failure convention; the per-operation files only describe their own fields.

use crate::conformance::{self, ConformanceWarning, WireValue};
use crate::error_body::FieldError;
use crate::lenient;
use crate::operation::Operation;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

pub use crate::answer_head::{substate, AnswerHead, AnswerState};

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
///
/// ```
/// use rahunok_protocol::conformance::{ConformanceWarning, WireValue};
/// use rahunok_protocol::envelope::{AnswerBody, AnswerHead, Callback};
/// use rahunok_protocol::FieldError;
///
/// #[derive(Debug, Default, serde::Serialize, serde::Deserialize)]
/// struct Ping { pong: bool }
///
/// impl AnswerBody for Ping {
///     fn validate(&self, _head: &AnswerHead) -> Vec<FieldError> {
///         if self.pong { vec![] } else { vec![FieldError::new("pong", "must be true")] }
///     }
///     fn shape_warnings(&self, _head: &AnswerHead, raw: &WireValue) -> Vec<ConformanceWarning> {
///         raw.get("PONG").map(|_| ConformanceWarning::new("SHOUTING", "PONG", "upper-case key")).into_iter().collect()
///     }
/// }
///
/// assert!(Callback::<Ping>::parse(br#"{"rID":"r1","pong":false}"#).is_err());
/// let (_, warnings) = Callback::<Ping>::parse_with_warnings(br#"{"rID":"r1","pong":true,"PONG":1}"#).unwrap();
/// assert_eq!(warnings[0].kind, "SHOUTING");
/// ```
pub trait AnswerBody: Serialize + DeserializeOwned + Default + Send + Sync + 'static {
    /// Checks that go beyond field types (e.g. `splitOrder` returns exactly two orders).
    fn validate(&self, _head: &AnswerHead) -> Vec<FieldError> {
        Vec::new()
    }

    /// Conformance warnings for loose shapes that comparing the raw body with the canonical
    /// one cannot see (renamed keys, values filled in from elsewhere). `raw` is the whole raw
    /// callback body; paths are relative to it.
    fn shape_warnings(&self, _head: &AnswerHead, _raw: &WireValue) -> Vec<ConformanceWarning> {
        Vec::new()
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
    ///
    /// ```
    /// use rahunok_protocol::{envelope::Callback, ops::CheckWorkAnswer, AnswerHead};
    /// let c = Callback::new(AnswerHead::success("r1"), CheckWorkAnswer { date_time: None, ready_to_work: true });
    /// assert_eq!(serde_json::to_string(&c).unwrap(), r#"{"rID":"r1","state":"SUCCESS","readyToWork":true}"#);
    /// ```
    pub fn new(head: AnswerHead, body: A) -> Callback<A> {
        Callback { head, body }
    }

    /// Parses raw callback bytes. On a `FAIL` answer a body that does not parse is replaced by
    /// its default (a failed answer carries no data we rely on). A `FAIL` answer without a
    /// substate is accepted (see [`AnswerHead::failure`]).
    ///
    /// ```
    /// use rahunok_protocol::{envelope::Callback, ops::BillAnswer};
    /// let bill = Callback::<BillAnswer>::parse(br#"{"rID":"r1","state":"FAIL"}"#).unwrap();
    /// assert_eq!(bill.head.failure().as_deref(), Some("UNSPECIFIED"));
    /// assert!(Callback::<BillAnswer>::parse(br#"{"state":"FAIL"}"#).is_err());
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<Callback<A>, Vec<FieldError>> {
        let (head, body, body_errors) = match crate::one_pass::read::<A>(bytes) {
            Some((head, body)) => (head, body, Vec::new()),
            None => Callback::read_apart(bytes)?,
        };
        let mut errors = head.validate();
        errors.extend(body_errors);
        errors.extend(body.validate(&head));
        if errors.is_empty() {
            Ok(Callback { head, body })
        } else {
            Err(errors)
        }
    }

    /// The head, then the body, each read on its own with the path of its first problem: the
    /// head's errors end the reading; a body that does not read is the default (on `FAIL`,
    /// quietly; on `SUCCESS`, with its errors).
    pub(crate) fn read_apart(bytes: &[u8]) -> Result<(AnswerHead, A, Vec<FieldError>), Vec<FieldError>> {
        let head: AnswerHead = parse_tracked(bytes)?;
        Ok(match (parse_tracked::<A>(bytes), head.state) {
            (Ok(body), _) => (head, body, Vec::new()),
            (Err(_), AnswerState::Fail) => (head, A::default(), Vec::new()),
            (Err(body_errors), AnswerState::Success) => (head, A::default(), body_errors),
        })
    }

    /// [`Callback::parse`] plus the conformance warnings of the raw body
    /// ([`Callback::conformance_warnings`]).
    ///
    /// ```
    /// use rahunok_protocol::{conformance::kind, envelope::Callback, ops::SplitAnswer};
    /// let body = br#"{"rID": "r1", "state": "FAIL", "tableNumber": 12, "orders": null}"#;
    /// let (split, warnings) = Callback::<SplitAnswer>::parse_with_warnings(body).unwrap();
    /// assert_eq!(split.head.substate, None);
    /// let kinds: Vec<&str> = warnings.iter().map(|w| w.kind.as_str()).collect();
    /// assert_eq!(kinds, [kind::FAIL_WITHOUT_SUBSTATE, kind::STRING_AS_NUMBER, kind::NULL_LIST]);
    /// ```
    pub fn parse_with_warnings(bytes: &[u8]) -> Result<(Callback<A>, Vec<ConformanceWarning>), Vec<FieldError>> {
        let callback = Callback::<A>::parse(bytes)?;
        let warnings = callback.conformance_warnings(bytes);
        Ok((callback, warnings))
    }

    /// The conformance warnings of `raw`, the bytes this callback was parsed from: the head's
    /// (`FAIL` without a substate), the differences between the raw body and this callback
    /// written canonically ([`conformance::compare`]), and the body's own
    /// ([`AnswerBody::shape_warnings`]). Each (kind, field) is reported once.
    ///
    /// ```
    /// use rahunok_protocol::{envelope::Callback, ops::TablesInfoAnswer};
    /// let raw = br#"{"rID":"r1","tables":[{"id":"t1","name":"A","number":"12"}]}"#;
    /// let tables = Callback::<TablesInfoAnswer>::parse(raw).unwrap();
    /// let warnings = tables.conformance_warnings(raw);
    /// assert_eq!(warnings[0].field, "tables[0].number");
    /// assert_eq!(warnings[0].kind, "NUMBER_AS_STRING");
    /// ```
    pub fn conformance_warnings(&self, raw: &[u8]) -> Vec<ConformanceWarning> {
        let Ok(raw) = WireValue::parse(raw) else { return Vec::new() };
        let mut warnings = self.head.shape_warnings();
        let canonical = serde_json::to_vec(self).ok().and_then(|bytes| WireValue::parse(&bytes).ok());
        if let Some(canonical) = canonical {
            warnings.extend(conformance::compare(&raw, &canonical));
        }
        warnings.extend(self.body.shape_warnings(&self.head, &raw));
        conformance::dedup(warnings)
    }
}

/// Parses JSON into `T`, reporting the first problem as a field error with its path
/// (`orders[0].totalSum`).
pub fn parse_tracked<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Vec<FieldError>> {
    // Tracking the path costs as much again as the parse: a body that parses needs no path.
    // Read as text after one UTF-8 check of the whole body: read as bytes, every string and
    // raw number was checked again on its own.
    let parsed = match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    };
    if let Ok(parsed) = parsed {
        return Ok(parsed);
    }
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
