//! `POST /callback/webhook`: pushes the POS starts itself (`docs/pos-protocol.md` section 6), signed like
//! callbacks. Each kind is applied to the store in one transaction.

use super::callback_refusals::{refuse, Refused};
use super::callbacks::{ensure_json_object, keep_warnings};
use super::error::GatewayError;
use super::signed_body::{read_signed_body, BodyOrigin, SignedBody};
use super::GatewayState;
use crate::client_address::ClientAddress;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use rahunok_protocol::ops::User;
use rahunok_protocol::webhook::{UserAction, Webhook, WebhookError};

/// The webhook handler.
pub async fn webhook(
    State(state): State<GatewayState>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let largest = state.config.callback_body_limit;
    let origin = BodyOrigin { headers: &headers, client, limit: largest, largest };
    let (resto_id, hook, bytes) = match read_webhook(&state, origin, body).await {
        Ok(read) => read,
        Err(refused) => return refuse(&state.link, &headers, "/callback/webhook".into(), refused),
    };
    if state.link.warning_checks.check_this_one(&resto_id, hook.kind()) {
        keep_warnings(&state.link, &resto_id, hook.kind(), &bytes, hook.conformance_warnings(&bytes));
    }
    match apply(&state, &resto_id, hook).await {
        Ok(status) => status.into_response(),
        Err(error) => error.into_response(),
    }
}

async fn read_webhook(
    state: &GatewayState,
    origin: BodyOrigin<'_>,
    body: Body,
) -> Result<(String, Webhook, bytes::Bytes), Refused> {
    let SignedBody { resto_id, bytes } = read_signed_body(&state.store, &state.unverified_budget, origin, body).await?;
    ensure_json_object(&bytes).map_err(|e| Refused::with_body(e, &bytes))?;
    let hook = Webhook::parse(&bytes).map_err(|e| {
        let error = match e {
            WebhookError::UnknownType(kind) => GatewayError::UnknownWebhookType(kind),
            WebhookError::Invalid(errors) => GatewayError::Invalid(errors),
        };
        Refused::with_body(error, &bytes)
    })?;
    Ok((resto_id, hook, bytes))
}

async fn apply(state: &GatewayState, resto_id: &str, hook: Webhook) -> Result<StatusCode, GatewayError> {
    state.link.touch(resto_id);
    match hook {
        Webhook::OrdersCache(push) => state.store.apply_orders_cache(resto_id, &push).await?,
        Webhook::OrdersClosed(closed) => state.store.apply_orders_closed(resto_id, &closed.closed_orders).await?,
        Webhook::UserUpdate(update) => {
            let user = serde_json::to_value(&update.user).expect("users serialise");
            state
                .store
                .update_staff(resto_id, |users| apply_user_update(users, update.action, &update.user, user))
                .await?
        }
    }
    Ok(StatusCode::OK)
}

fn apply_user_update(users: &mut Vec<serde_json::Value>, action: UserAction, user: &User, value: serde_json::Value) {
    let same_id = |u: &serde_json::Value| {
        u.get("id").map(|id| id.as_str().map(String::from).unwrap_or_else(|| id.to_string())) == Some(user.id.clone())
    };
    users.retain(|u| !same_id(u));
    if action != UserAction::Deleted {
        users.push(value);
    }
}
