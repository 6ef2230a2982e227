//! The router wiring: every area's routes, each given only its own state, under the edge that
//! hardens every answer; and the metrics listener's one route. With `state.rs` and `startup.rs`
//! this is the only place that sees every area (`crates/protocol/tests/no_import_cycles.rs`
//! holds that line).

use crate::metrics::{prometheus_text, OPENMETRICS, PROMETHEUS_TEXT};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Every route of the platform.
pub fn router(state: &AppState) -> Router {
    let https = state.base_url.starts_with("https://");
    Router::new()
        .merge(crate::gateway::routes().with_state(state.gateway()))
        .merge(crate::guest::routes().with_state(state.guest()))
        .merge(crate::payments::routes(&state.payments).with_state(state.payment_routes()))
        .merge(crate::admin::routes(state.admin()))
        .merge(crate::panel::routes().with_state(state.panel()))
        .merge(crate::web::assets::routes())
        .merge(crate::web::landing::routes())
        .route("/healthz", get(|| async { "ok" }))
        .fallback(crate::web::no_such_route)
        .method_not_allowed_fallback(crate::http_error::method_not_allowed)
        .layer(axum::middleware::from_fn(move |request, next| crate::web::edge::harden(https, request, next)))
        // Read by `crate::client_address::ClientAddress`: whose `X-Forwarded-For` is believed.
        .layer(axum::Extension(state.config.trusted_proxies.clone()))
}

/// The metrics listener's only route: `GET /metrics`.
pub fn metrics(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(scrape))
        .fallback(crate::web::no_such_route)
        .method_not_allowed_fallback(crate::http_error::method_not_allowed)
        .with_state(state)
}

/// `GET /metrics`: OpenMetrics when the scraper accepts it (Prometheus does), the classic text
/// format otherwise.
async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let accept = headers.get(header::ACCEPT).and_then(|a| a.to_str().ok()).unwrap_or_default();
    let openmetrics = accept.contains("application/openmetrics-text");
    let scraped = state.metrics.scrape(state.link.connected_count(), state.link.waiting_count(), &state.store).await;
    match scraped {
        Ok(text) if openmetrics => ([(header::CONTENT_TYPE, OPENMETRICS)], text).into_response(),
        Ok(text) => ([(header::CONTENT_TYPE, PROMETHEUS_TEXT)], prometheus_text(&text)).into_response(),
        Err(error) => {
            tracing::warn!(%error, "could not read the store for /metrics");
            (StatusCode::SERVICE_UNAVAILABLE, "the store could not be read\n").into_response()
        }
    }
}
