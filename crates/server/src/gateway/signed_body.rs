//! Steps 1–3 of `docs/pos-protocol.md` section 4, shared by callbacks and webhooks: a known `restoId`, a
//! signature over the exact raw bytes (checked against every key valid now, in constant time),
//! and the body size limit. The body is hashed as it streams in, so an oversized body with a
//! bad signature still gets 401, as the order of checks requires — also when the operation's own
//! limit is the small one (1 MiB) and the body is as large as a menu may be. Past the limit only
//! the hash is kept up, never the bytes; a body more than [`READ_PAST_LIMIT_FACTOR`] times the
//! largest callback body of any operation is cut with 413 before its signature is known (the
//! protocol says so: hashing without end is work for anyone who can send bytes). A body that
//! stops arriving fails its read at its deadline (`crate::body_deadline`): 408, and its budget
//! room comes back.

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

/// How far past the largest callback body we keep reading (only hashing) before giving up on a
/// body unverified.
pub const READ_PAST_LIMIT_FACTOR: usize = 4;

/// Where a signed body comes from and how large it may be.
pub struct BodyOrigin<'a> {
    /// The request's headers (`restoId`, `signature`).
    pub headers: &'a HeaderMap,
    /// The client address it is counted under in the budget (`crate::client_address`).
    pub client: IpAddr,
    /// The largest body accepted here.
    pub limit: usize,
    /// The largest callback body of any operation (`Config::callback_body_limit`): what is read
    /// past `limit` to check the signature first is bounded by it, not by `limit`.
    pub largest: usize,
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
    let BodyOrigin { headers, client, limit, largest } = origin;
    let read_at_most = largest.max(limit).saturating_mul(READ_PAST_LIMIT_FACTOR);
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
        if seen > read_at_most {
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
