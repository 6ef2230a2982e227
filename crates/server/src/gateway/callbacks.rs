//! `POST /callback/<operation>`: a POS answers a request. The checks run in the order of spec
//! section 4 and the first failure is returned (and kept in the refusal log).

use super::callback_refusals::{refuse, Refused};
use super::error::GatewayError;
use super::link::PosLink;
use super::pending::Lookup;
use super::signed_body::{read_signed_body, BodyOrigin, SignedBody};
use super::GatewayState;
use crate::client_address::ClientAddress;
use crate::store::{now_ms, StoredWarning};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rahunok_protocol::envelope::parse_tracked;
use rahunok_protocol::ops::{validate_callback, validate_callback_with_warnings, CallbackError};
use rahunok_protocol::{AnswerHead, ConformanceWarning, FieldError, Operation};

/// How much of a body is kept with a warning.
const WARNING_BODY_KEPT: usize = 16 * 1024;

/// The callback handler.
pub async fn callback(
    State(state): State<GatewayState>,
    Path(operation): Path<String>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let largest = state.config.callback_body_limit;
    let origin = BodyOrigin { headers: &headers, client, limit: body_limit(&operation, largest), largest };
    match accept_callback(&state, &operation, origin, body).await {
        Ok(status) => status.into_response(),
        Err(refused) => refuse(&state.link, &headers, format!("/callback/{operation}"), refused),
    }
}

async fn accept_callback(
    state: &GatewayState,
    operation: &str,
    origin: BodyOrigin<'_>,
    body: Body,
) -> Result<StatusCode, Refused> {
    let SignedBody { resto_id, bytes } = read_signed_body(&state.store, &state.unverified_budget, origin, body).await?;
    let with_body = |error: GatewayError| Refused::with_body(error, &bytes);
    let operation = Operation::from_name(operation)
        .filter(|op| op.expects_callback())
        .ok_or_else(|| with_body(GatewayError::UnknownOperation(operation.to_string())))?;
    let reading = first_reading(operation, &bytes).map_err(with_body)?;
    settle(&state.link, &resto_id, operation, reading, &bytes).await.map_err(with_body)
}

/// Steps 5–7 of section 4 for a verified body: here, or on the node where its request waits.
async fn settle(
    link: &PosLink,
    resto_id: &str,
    operation: Operation,
    reading: FirstReading,
    bytes: &Bytes,
) -> Result<StatusCode, GatewayError> {
    match (settle_here(link, resto_id, operation, reading, bytes), link.cluster()) {
        (Err(GatewayError::UnknownRid(rid)), Some(cluster)) => {
            cluster.settle_elsewhere(resto_id, operation, rid, bytes).await
        }
        (settled, _) => settled,
    }
}

/// Steps 5–7 on this node: the `rID` must wait here (or have finished here).
pub(super) fn settle_here(
    link: &PosLink,
    resto_id: &str,
    operation: Operation,
    reading: FirstReading,
    bytes: &Bytes,
) -> Result<StatusCode, GatewayError> {
    let rid = reading.rid().to_owned();
    match link.pending.lookup(&rid, resto_id, operation, bytes) {
        Lookup::Waiting => {}
        other => return refusal(other, rid),
    }
    let validated = match (reading, link.warning_checks.check_this_one(resto_id, operation.name())) {
        (_, true) => validate_callback_with_warnings(operation, bytes),
        (FirstReading::Valid(head), false) => Ok((head, Vec::new())),
        (FirstReading::RidOnly(_), false) => validate_callback(operation, bytes).map(|head| (head, Vec::new())),
    };
    let (head, warnings) = match validated {
        Ok(validated) => validated,
        Err(CallbackError::Invalid(errors)) => {
            // Step 6: the waiting request fails at once with the reason, not at its deadline.
            link.pending.refuse(&rid, resto_id, operation, bytes.clone(), errors.clone());
            return Err(GatewayError::Invalid(errors));
        }
        Err(CallbackError::NoCallback(op)) => return Err(GatewayError::UnknownOperation(op.to_string())),
    };
    match link.pending.complete(&rid, resto_id, operation, bytes.clone(), head.failure()) {
        Lookup::Waiting => {
            keep_warnings(link, resto_id, operation.name(), bytes, warnings);
            Ok(StatusCode::OK)
        }
        other => refusal(other, rid),
    }
}

/// The largest body of `operation`'s answer: `full` for the lists (menus, bills, staff, tables),
/// 1 MiB for answers that are small by nature.
fn body_limit(operation: &str, full: usize) -> usize {
    const SMALL: usize = 1024 * 1024;
    let small = ["payBill", "versionInfo", "checkWork", "checkProductsRestrictions", "createOrderOnTable"];
    if small.contains(&operation) {
        full.min(SMALL)
    } else {
        full
    }
}

/// Records what a strict reader would have refused in this accepted answer or webhook
/// (section 4), under the operation's name or the webhook's kind.
pub(super) fn keep_warnings(
    link: &PosLink,
    resto_id: &str,
    operation: &str,
    body: &[u8],
    warnings: Vec<ConformanceWarning>,
) {
    if warnings.is_empty() {
        return;
    }
    let kept = String::from_utf8_lossy(&body[..body.len().min(WARNING_BODY_KEPT)]).into_owned();
    let now = now_ms();
    for warning in warnings {
        link.journal.warning(
            resto_id,
            StoredWarning {
                operation: operation.to_string(),
                kind: warning.kind,
                field: warning.field,
                message: warning.message,
                body: kept.clone(),
                first_at: now,
                last_at: now,
                count: 1,
            },
        );
    }
}

/// What the first reading of a callback found.
pub(super) enum FirstReading {
    /// The whole answer is valid for the operation (step 6 has nothing left to check); its head.
    Valid(AnswerHead),
    /// Only the `rID`: step 6 reads the answer (a callback relayed from another node, or one
    /// that did not read cleanly).
    RidOnly(String),
}

impl FirstReading {
    fn rid(&self) -> &str {
        match self {
            FirstReading::Valid(head) => &head.rid,
            FirstReading::RidOnly(rid) => rid,
        }
    }
}

/// Step 4: a JSON object. Then `rID`, which step 5 needs. Most answers are valid, so the whole
/// answer is read first, in one pass that checks the JSON, finds the `rID` and does step 6's
/// reading; only when that fails are the steps taken one by one, so the first failure in
/// spec order is the one reported (a syntax error is step 4's, a wrong `rID` step 5's, a
/// wrong field step 6's).
fn first_reading(operation: Operation, bytes: &Bytes) -> Result<FirstReading, GatewayError> {
    ensure_object_within_limits(bytes)?;
    match validate_callback(operation, bytes) {
        Ok(head) if !head.rid.is_empty() => Ok(FirstReading::Valid(head)),
        _ => request_id(bytes).map(FirstReading::RidOnly),
    }
}

/// The `rID` alone, or why there is none (a syntax error is step 4's).
fn request_id(bytes: &Bytes) -> Result<String, GatewayError> {
    let head: FrameHeadOrMissing = match serde_json::from_slice(bytes) {
        Ok(head) => head,
        Err(e) if e.is_data() => parse_tracked(bytes).map_err(GatewayError::Invalid)?,
        Err(e) => return Err(GatewayError::NotJsonObject(e.to_string())),
    };
    match head.rid {
        Some(rid) if !rid.is_empty() => Ok(rid),
        _ => Err(GatewayError::Invalid(vec![FieldError::new(
            "rID",
            "is required: echo the rID of the request you answer",
        )])),
    }
}

#[derive(serde::Deserialize)]
struct FrameHeadOrMissing {
    #[serde(rename = "rID", default, deserialize_with = "rahunok_protocol::lenient::opt_string")]
    rid: Option<String>,
}

/// Checks that a body is one JSON object, without building it in memory, within the limits on
/// JSON from outside (nesting depth, no NUL characters: `rahunok_protocol::untrusted`).
pub(super) fn ensure_json_object(bytes: &[u8]) -> Result<(), GatewayError> {
    ensure_object_within_limits(bytes)?;
    serde_json::from_slice::<serde::de::IgnoredAny>(bytes)
        .map(|_| ())
        .map_err(|e| GatewayError::NotJsonObject(e.to_string()))
}

/// Starts with `{` and passes `rahunok_protocol::untrusted::check` (the JSON itself is checked
/// by whoever parses it next).
fn ensure_object_within_limits(bytes: &[u8]) -> Result<(), GatewayError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(GatewayError::NotJsonObject("it does not start with `{`".into()));
    }
    rahunok_protocol::untrusted::check(bytes)
        .map_err(|why| GatewayError::Invalid(vec![FieldError::new("", why.to_string())]))
}

fn refusal(lookup: Lookup, rid: String) -> Result<StatusCode, GatewayError> {
    match lookup {
        Lookup::Waiting | Lookup::AnsweredSame => Ok(StatusCode::OK),
        Lookup::Unknown => Err(GatewayError::UnknownRid(rid)),
        Lookup::Expired => Err(GatewayError::RidExpired(rid)),
        Lookup::AnsweredDifferent => Err(GatewayError::RidConflict(rid)),
        Lookup::Refused => Err(GatewayError::RidRefused(rid)),
    }
}
