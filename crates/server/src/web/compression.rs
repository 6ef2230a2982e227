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

/// What a request's `Accept-Encoding` said, kept for its answer: its one line as it came (a
/// shared reference to the request's bytes, no copy), or several lines joined with commas, as
/// HTTP reads them.
pub struct AcceptedEncodings(Option<HeaderValue>);

impl AcceptedEncodings {
    /// The encodings `request` accepts.
    pub fn of(request: &Request) -> AcceptedEncodings {
        let lines = request.headers().get_all(ACCEPT_ENCODING);
        let mut each = lines.iter();
        match (each.next(), each.next()) {
            (None, _) => AcceptedEncodings(None),
            (Some(only), None) => AcceptedEncodings(Some(only.clone())),
            _ => {
                let joined = lines.iter().map(HeaderValue::as_bytes).collect::<Vec<_>>().join(b", ".as_slice());
                AcceptedEncodings(HeaderValue::from_bytes(&joined).ok())
            }
        }
    }
}

/// `answer`, compressed as a request that sent `accepted` can read it, when that pays.
pub async fn compress_if_worth_it(answer: Response, accepted: AcceptedEncodings) -> Response {
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
async fn compressed(answer: Response, accepted: AcceptedEncodings) -> Response {
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
    if let AcceptedEncodings(Some(value)) = accepted {
        request.headers_mut().insert(ACCEPT_ENCODING, value);
    }
    match compressing.oneshot(request).await {
        Ok(answer) => answer.map(Body::new),
        Err(never) => match never {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::{CONTENT_ENCODING, CONTENT_TYPE};

    fn asking(lines: &[&'static str]) -> Request {
        let mut request = Request::new(Body::empty());
        for line in lines {
            request.headers_mut().append(ACCEPT_ENCODING, HeaderValue::from_static(line));
        }
        request
    }

    fn answer_of(bytes: usize) -> Response {
        let mut answer = Response::new(Body::from("x".repeat(bytes)));
        answer.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        answer
    }

    #[test]
    fn one_line_is_kept_as_it_came_and_several_are_joined_as_http_reads_them() {
        assert_eq!(AcceptedEncodings::of(&asking(&[])).0, None);
        assert_eq!(AcceptedEncodings::of(&asking(&["gzip"])).0, Some(HeaderValue::from_static("gzip")));
        assert_eq!(
            AcceptedEncodings::of(&asking(&["gzip", "br;q=1"])).0,
            Some(HeaderValue::from_static("gzip, br;q=1"))
        );
    }

    #[tokio::test]
    async fn a_large_answer_is_compressed_as_any_of_the_lines_allows_and_a_small_one_is_not() {
        let encoding = |answer: &Response| answer.headers().get(CONTENT_ENCODING).cloned();
        let two_lines = AcceptedEncodings::of(&asking(&["gzip", "br"]));
        let large = compress_if_worth_it(answer_of(5000), two_lines).await;
        assert_eq!(encoding(&large), Some(HeaderValue::from_static("br")));
        let small = compress_if_worth_it(answer_of(4000), AcceptedEncodings::of(&asking(&["br"]))).await;
        assert_eq!(encoding(&small), None);
        let unasked = compress_if_worth_it(answer_of(5000), AcceptedEncodings::of(&asking(&[]))).await;
        assert_eq!(encoding(&unasked), None);
    }
}
