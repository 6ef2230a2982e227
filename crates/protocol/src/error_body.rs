//! The error body of every 4xx/5xx answer (spec section 7).
//!
//! Why this exists: a POS developer reading an error must see a stable machine code and a
//! sentence they can act on, and, for validation failures, which field was wrong.

use serde::{Deserialize, Serialize};

/// One problem with one field of a body; `field` is a path such as `orders[0].totalSum`.
///
/// ```
/// use rahunok_protocol::FieldError;
/// let e = FieldError::new("orders[0].totalSum", "is required");
/// assert_eq!(e.to_string(), "orders[0].totalSum: is required");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The path of the field.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl FieldError {
    /// A field error from a path and a message.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), message: message.into() }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// `{"errCode", "errText", "errTitle", "errType", "fieldErrors"}`.
///
/// ```
/// use rahunok_protocol::ErrorBody;
/// let body = ErrorBody::new("BAD_SIGNATURE", "Unauthorized", "auth", "The signature does not match the body.");
/// let json = serde_json::to_string(&body).unwrap();
/// assert!(json.starts_with(r#"{"errCode":"BAD_SIGNATURE""#));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    /// A stable machine code (`BAD_SIGNATURE`, `UNKNOWN_RID`, `RID_EXPIRED`, `VALIDATION`, ...).
    pub err_code: String,
    /// A sentence the reader can act on.
    pub err_text: String,
    /// A short title.
    pub err_title: String,
    /// The area: `auth`, `request`, `pos`, `server`.
    pub err_type: String,
    /// Field problems, for validation failures.
    #[serde(default)]
    pub field_errors: Vec<FieldError>,
}

impl ErrorBody {
    /// An error body without field errors.
    pub fn new(code: &str, title: &str, kind: &str, text: impl Into<String>) -> ErrorBody {
        ErrorBody {
            err_code: code.to_string(),
            err_text: text.into(),
            err_title: title.to_string(),
            err_type: kind.to_string(),
            field_errors: Vec::new(),
        }
    }

    /// Adds field errors.
    pub fn with_field_errors(mut self, errors: Vec<FieldError>) -> ErrorBody {
        self.field_errors = errors;
        self
    }
}
