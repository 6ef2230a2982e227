//! brotli or gzip, as the client asks, for answers over 4 KiB that are not images or event
//! streams (the panel's pages and logs, the admin API's JSON, long bills), at the fastest
//! level. Smaller answers go out as they are: a guest table page (3.4 KB) fits the first flight
//! of packets either way, and compressing it cost half as much again as building it (gzip five
//! times as much: its encoder zeroes ~300 KB of tables per answer) — BENCHMARKS.md.
//!
//! tower-http does the compressing, but only for an answer that will be compressed: its body
//! type holds every encoder's state inline (5.8 KB), and wrapping every answer in it, as its
//! layer does, moved those kilobytes several times per answer — 2 % of a getBill round trip's
//! CPU for answers that were never compressed (BENCHMARKS.md). The edge ([`super::edge`])
//! calls it last, for every answer.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::ACCEPT_ENCODING;
use axum::http::HeaderValue;
use axum::response::Response;
use std::convert::Infallible;
use tower::{Layer, ServiceExt};
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;

/// The `Accept-Encoding` values of a request, kept for its answer.
pub fn accepted_encodings(request: &Request) -> Vec<HeaderValue> {
    request.headers().get_all(ACCEPT_ENCODING).iter().cloned().collect()
}

/// `answer`, compressed as a request that sent `accepted` can read it, when that pays.
pub async fn compress_if_worth_it(answer: Response, accepted: Vec<HeaderValue>) -> Response {
    if !worth_compressing().should_compress(&answer) {
        return answer;
    }
    // Boxed: the compressing future is large, and inline it would be copied into every
    // request's boxed middleware future, compressed or not.
    Box::pin(compressed(answer, accepted)).await
}

fn worth_compressing() -> impl Predicate {
    SizeAbove::new(4096).and(NotForContentType::GRPC).and(NotForContentType::IMAGES).and(NotForContentType::SSE)
}

/// `answer` through tower-http's compression, for a request that accepted `accepted`
/// (it chooses the encoding, sets `Vary` and leaves alone what is already encoded).
async fn compressed(answer: Response, accepted: Vec<HeaderValue>) -> Response {
    let mut answer = Some(answer);
    // Called once, by `oneshot` below; the default is never reached.
    let answered = tower::service_fn(move |_: Request<()>| {
        std::future::ready(Ok::<_, Infallible>(answer.take().unwrap_or_default()))
    });
    let compressing = CompressionLayer::new()
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(worth_compressing())
        .layer(answered);
    let mut request = Request::new(());
    for value in accepted {
        request.headers_mut().append(ACCEPT_ENCODING, value);
    }
    match compressing.oneshot(request).await {
        Ok(answer) => answer.map(Body::new),
        Err(never) => match never {},
    }
}
