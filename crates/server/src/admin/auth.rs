//! The bearer-token check in front of the admin API (the token's hash, compared in constant time).

use super::AdminError;
use super::AdminState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

/// Refuses requests without the right `Authorization: Bearer` token.
pub async fn require_admin_token(
    State(state): State<AdminState>,
    request: Request,
    next: Next,
) -> Result<Response, AdminError> {
    let presented = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
        .map(str::trim)
        .unwrap_or_default();
    if presented.is_empty() || !state.admin_token.matches(presented) {
        return Err(AdminError::Unauthorized);
    }
    Ok(next.run(request).await)
}
