//! Answering a refused callback or webhook, and keeping the refusal with what was sent.
//!
//! Why this exists: a refused callback completes no request, so it never reaches the request
//! log — yet "your signature does not match", "FAIL needs a substate" or "that answer came
//! after the deadline" is exactly what a POS developer needs to see. The conformance checker
//! (`rahunok check-pos`) reads these to name the failure, and an operator can read them at
//! `GET /api/admin/restaurants/{id}/callback-refusals`. Only refusals for a known `restoId`
//! are kept, in the store (bounded per restaurant, see `crate::store::conformance`).

use super::error::GatewayError;
use super::link::PosLink;
use crate::store::{now_ms, BodyCut, CallbackRefusal};
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

/// How much of a refused body is kept (a longer one is kept cut, with its size and SHA-256).
const BODY_KEPT: usize = 16 * 1024;

/// A refusal, with the raw body when it had been read.
pub struct Refused {
    /// Why.
    pub error: GatewayError,
    /// The body as received (up to the body limit), when it was read.
    pub body: Option<Bytes>,
}

impl From<GatewayError> for Refused {
    fn from(error: GatewayError) -> Refused {
        Refused { error, body: None }
    }
}

impl Refused {
    /// The same refusal, carrying the body it refers to.
    pub fn with_body(error: GatewayError, body: &Bytes) -> Refused {
        Refused { error, body: Some(body.clone()) }
    }
}

/// Answers a refused callback or webhook the usual way (the mapping in `crate::http_error`)
/// and keeps a copy of the refusal when the `restoId` is known.
pub fn refuse(link: &PosLink, headers: &HeaderMap, path: String, refused: Refused) -> Response {
    let (status, error) = refused.error.status_and_body();
    link.journal.metrics().callback_refused(&error.err_code);
    // Not the POS's doing (or not provably its: a body cut before its signature was checked
    // may be anyone's): not kept in its refusal log.
    let unattributable = matches!(
        refused.error,
        GatewayError::UnknownRestoId | GatewayError::Store(_) | GatewayError::Busy | GatewayError::BodyTooSlow(_)
    );
    if let Some(resto_id) = header(headers, "restoId").filter(|_| !unattributable) {
        let sent = refused.body.unwrap_or_default();
        let kept = &sent[..sent.len().min(BODY_KEPT)];
        let refusal = CallbackRefusal {
            at: now_ms(),
            path,
            rid: request_id_hint(&sent),
            status: status.as_u16(),
            err_code: error.err_code.clone(),
            err_text: error.err_text.clone(),
            field_errors: error.field_errors.clone(),
            signature: header(headers, "signature"),
            body: String::from_utf8_lossy(kept).into_owned(),
            body_truncated: kept.len() < sent.len(),
            body_cut: (kept.len() < sent.len()).then(|| BodyCut::of(&sent)),
        };
        link.journal.refusal(&resto_id, refusal);
    }
    // The same answer the error gives everywhere (with `Retry-After` when busy).
    refused.error.into_response()
}

fn request_id_hint(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "rID", default, deserialize_with = "rahunok_protocol::lenient::opt_string")]
        rid: Option<String>,
    }
    serde_json::from_slice::<Head>(body).ok()?.rid
}

/// A header's trimmed, non-empty value.
pub(super) fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::trim).filter(|v| !v.is_empty()).map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_id_is_read_from_an_unsigned_body_when_possible() {
        assert_eq!(request_id_hint(br#"{"rID": 42, "state": "FAIL"}"#).as_deref(), Some("42"));
        assert_eq!(request_id_hint(b"not json"), None);
    }
}
