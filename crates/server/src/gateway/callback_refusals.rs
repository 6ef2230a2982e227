//! The callbacks and webhooks the gateway refused lately, kept in memory with what was sent.
//!
//! Why this exists: a refused callback completes no request, so it never reaches the request
//! log — yet "your signature does not match", "FAIL needs a substate" or "that answer came
//! after the deadline" is exactly what a POS developer needs to see. The conformance checker
//! (`rahunok check-pos`) reads these to name the failure, and an operator can read them at
//! `GET /api/admin/restaurants/{id}/callback-refusals`. Only refusals for a known `restoId`
//! are kept, in one ring of bounded size (a noisy restaurant may push others' entries out).

use super::error::GatewayError;
use super::link::PosLink;
use super::signed_body::header;
use crate::store::now_ms;
use axum::body::Bytes;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rahunok_protocol::FieldError;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::Mutex;

/// How many refusals are kept, over all restaurants.
const KEPT: usize = 1000;
/// How much of a refused body is kept.
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

/// One refused callback or webhook, as the admin API shows it (clients such as `check-pos`
/// read it back; missing fields read as empty).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct CallbackRefusal {
    /// When, unix ms.
    pub at: i64,
    /// `/callback/<operation>` or `/callback/webhook`.
    pub path: String,
    /// The `rID` of the body, when it could be read (the body may be unsigned: a hint only).
    #[serde(rename = "rID")]
    pub rid: Option<String>,
    /// The HTTP status answered.
    pub status: u16,
    /// `BAD_SIGNATURE`, `VALIDATION`, `RID_EXPIRED`, ...
    pub err_code: String,
    /// The sentence answered.
    pub err_text: String,
    /// Field problems, for `VALIDATION`.
    pub field_errors: Vec<FieldError>,
    /// The `signature` header as sent.
    pub signature: Option<String>,
    /// The body as received (lossy UTF-8), cut at 16 KiB.
    pub body: String,
    /// True when `body` was cut.
    pub body_truncated: bool,
}

struct Entry {
    resto_id: String,
    refusal: CallbackRefusal,
}

/// The ring of recent refusals (see the module docs).
#[derive(Default)]
pub struct CallbackRefusals {
    entries: Mutex<VecDeque<Entry>>,
}

impl CallbackRefusals {
    /// Keeps a refusal for `resto_id`, dropping the oldest beyond the ring's size.
    pub fn record(&self, resto_id: &str, refusal: CallbackRefusal) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() == KEPT {
            entries.pop_front();
        }
        entries.push_back(Entry { resto_id: resto_id.to_string(), refusal });
    }

    /// A restaurant's refusals, newest first.
    pub fn recent(&self, resto_id: &str) -> Vec<CallbackRefusal> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.iter().rev().filter(|e| e.resto_id == resto_id).map(|e| e.refusal.clone()).collect()
    }
}

/// Answers a refused callback or webhook the usual way (the mapping in `crate::http_error`)
/// and keeps a copy of the refusal when the `restoId` is known.
pub fn refuse(link: &PosLink, headers: &HeaderMap, path: String, refused: Refused) -> Response {
    let (status, error) = refused.error.status_and_body();
    let unattributable = matches!(refused.error, GatewayError::UnknownRestoId | GatewayError::Store(_));
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
        };
        link.refusals.record(&resto_id, refusal);
    }
    (status, Json(error)).into_response()
}

fn request_id_hint(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Head {
        #[serde(rename = "rID", default, deserialize_with = "rahunok_protocol::lenient::opt_string")]
        rid: Option<String>,
    }
    serde_json::from_slice::<Head>(body).ok()?.rid
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(code: &str) -> CallbackRefusal {
        CallbackRefusal {
            at: 0,
            path: "/callback/getBill".into(),
            rid: None,
            status: 401,
            err_code: code.into(),
            err_text: String::new(),
            field_errors: Vec::new(),
            signature: None,
            body: String::new(),
            body_truncated: false,
        }
    }

    #[test]
    fn recent_lists_one_restaurants_refusals_newest_first() {
        let ring = CallbackRefusals::default();
        ring.record("a", refusal("FIRST"));
        ring.record("b", refusal("OTHER"));
        ring.record("a", refusal("SECOND"));
        let codes: Vec<String> = ring.recent("a").into_iter().map(|r| r.err_code).collect();
        assert_eq!(codes, ["SECOND", "FIRST"]);
    }

    #[test]
    fn the_ring_keeps_the_newest_entries_only() {
        let ring = CallbackRefusals::default();
        for n in 0..KEPT + 5 {
            ring.record("a", refusal(&n.to_string()));
        }
        let recent = ring.recent("a");
        assert_eq!(recent.len(), KEPT);
        assert_eq!(recent[0].err_code, (KEPT + 4).to_string());
    }

    #[test]
    fn the_request_id_is_read_from_an_unsigned_body_when_possible() {
        assert_eq!(request_id_hint(br#"{"rID": 42, "state": "FAIL"}"#).as_deref(), Some("42"));
        assert_eq!(request_id_hint(b"not json"), None);
    }
}
