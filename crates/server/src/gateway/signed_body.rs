//! Steps 1–3 of `docs/pos-protocol.md` section 4, shared by callbacks and webhooks: a known `restoId`, a
//! signature over the exact raw bytes (checked against every key valid now, in constant time),
//! and the body size limit. The body is hashed as it streams in, so an oversized body with a
//! bad signature still gets 401, as the order of checks requires. A body that stops arriving
//! fails its read at its deadline (`crate::body_deadline`): 408, and its budget room comes back.

use super::callback_refusals::{header, Refused};
use super::error::GatewayError;
use super::unverified_budget::UnverifiedBudget;
use crate::store::Store;
use axum::body::{Body, Bytes};
use axum::http::HeaderMap;
use http_body_util::BodyExt;
use std::net::IpAddr;

/// A body whose signature checked out.
pub struct SignedBody {
    /// The restaurant that signed it.
    pub resto_id: String,
    /// The raw bytes.
    pub bytes: Bytes,
}

/// How far past the limit we keep reading (only hashing) before giving up on the body.
const READ_PAST_LIMIT_FACTOR: usize = 4;

/// Where a signed body comes from and how large it may be.
pub struct BodyOrigin<'a> {
    /// The request's headers (`restoId`, `signature`).
    pub headers: &'a HeaderMap,
    /// The client address it is counted under in the budget (`crate::client_address`).
    pub client: IpAddr,
    /// The largest body accepted.
    pub limit: usize,
}

/// Reads and authenticates a POS-signed body of at most `origin.limit` bytes, holding room in
/// the unverified `budget` for what it keeps until the signature is checked. A refusal after the
/// body was read carries it (for the refusal log).
pub async fn read_signed_body(
    store: &Store,
    budget: &UnverifiedBudget,
    origin: BodyOrigin<'_>,
    body: Body,
) -> Result<SignedBody, Refused> {
    let BodyOrigin { headers, client, limit } = origin;
    let resto_id = header(headers, "restoId").ok_or(GatewayError::UnknownRestoId)?;
    let credentials =
        store.credentials(&resto_id).await.map_err(GatewayError::from)?.ok_or(GatewayError::UnknownRestoId)?;
    let signature = header(headers, "signature").ok_or(GatewayError::MissingSignature)?;
    let mut verifiers: Vec<_> = credentials.keys().map(|key| key.streaming_verifier()).collect();
    let mut room = budget.room();
    let mut kept: Vec<Bytes> = Vec::new();
    let mut seen = 0usize;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| match crate::body_deadline::deadline_missed(&error) {
            Some(missed) => GatewayError::BodyTooSlow(missed),
            None => GatewayError::BodyUnreadable(error.to_string()),
        })?;
        let Ok(piece) = frame.into_data() else { continue };
        seen += piece.len();
        if seen > limit.saturating_mul(READ_PAST_LIMIT_FACTOR) {
            return Err(GatewayError::BodyTooLarge(limit).into());
        }
        verifiers.iter_mut().for_each(|v| v.update(&piece));
        if seen <= limit {
            budget.grow(&mut room, &resto_id, client, piece.len()).await.map_err(|_| GatewayError::Busy)?;
            kept.push(piece);
        }
    }
    let signed = verifiers.into_iter().fold(false, |ok, v| v.verify(&signature) | ok);
    drop(room);
    // A body that came in one piece is kept as it came.
    let bytes = if kept.len() == 1 { kept.swap_remove(0) } else { Bytes::from(kept.concat()) };
    if !signed {
        return Err(Refused::with_body(GatewayError::BadSignature, &bytes));
    }
    if seen > limit {
        return Err(Refused::with_body(GatewayError::BodyTooLarge(limit), &bytes));
    }
    Ok(SignedBody { resto_id, bytes })
}
