//! A restaurant's card acquirer: `GET` shows which kind, the account the acquirer named for its
//! credentials, the credential fields that are not secret (never a secret), and
//! `credentialsRefused` (`{since, reason}`) while the acquirer no longer accepts the credentials
//! (its unfinished payments fail once their charge lapses; saving them again clears it); `PUT {"kind": …,
//! <its credential fields>}` checks the credentials with the acquirer and switches
//! (`{"kind": "monobank", "token": "…"}`, `{"kind": "liqpay", "publicKey": "…", "privateKey":
//! "…", "sandbox": false}`, `{"kind": "sandbox"}`). The kinds and their fields are the
//! acquirers' own descriptors (`crate::payments::acquirers`); an unknown kind is refused with
//! `UNKNOWN_ACQUIRER`.

use super::openapi::AdminErrors;
use super::restaurants::known_restaurant;
use super::AdminError;
use super::AdminState;
use crate::payments::acquirers::{Acquirers, ChoiceError, GivenValue, ShownField};
use crate::store::AcquirerChoice;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What `PUT` takes.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AcquirerSetting {
    /// The kind of acquirer: `sandbox` (no credentials), `monobank` (`token`) or `liqpay`
    /// (`publicKey`, `privateKey`, `sandbox`).
    kind: String,
    /// The kind's credential fields: text (monobank's `token`, LiqPay's keys) or, for a flag,
    /// `true`/`false` (LiqPay's `sandbox`, off when absent).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    credentials: BTreeMap<String, GivenValue>,
}

/// What the API shows: the kind, the account and the fields that are not secret; never a
/// secret.
#[derive(Serialize)]
pub struct AcquirerView {
    /// The kind of acquirer.
    kind: String,
    /// The account the acquirer named for the credentials (monobank's merchant).
    #[serde(rename = "merchantName", skip_serializing_if = "Option::is_none")]
    merchant_name: Option<String>,
    /// The credential fields that may be shown (LiqPay's `publicKey`; a flag when it is on).
    #[serde(flatten)]
    shown: BTreeMap<&'static str, serde_json::Value>,
    /// While the acquirer refuses the credentials: since when (unix ms) and its words.
    #[serde(rename = "credentialsRefused", skip_serializing_if = "Option::is_none")]
    credentials_refused: Option<serde_json::Value>,
}

/// The view of a restaurant's choice, with what may be shown of its credentials.
async fn view(acquirers: &Acquirers, resto_id: &str, choice: AcquirerChoice) -> Result<AcquirerView, AdminError> {
    let shown = acquirers.shown_fields(resto_id, &choice.kind).await?;
    let shown = shown
        .into_iter()
        .map(|(name, value)| match value {
            ShownField::Text(text) => (name, serde_json::Value::String(text)),
            ShownField::On => (name, serde_json::Value::Bool(true)),
        })
        .collect();
    let refusal = acquirers.credentials_refusal(resto_id, &choice.kind).await?;
    let credentials_refused =
        refusal.map(|refusal| serde_json::json!({"since": refusal.since, "reason": refusal.reason}));
    Ok(AcquirerView { kind: choice.kind, merchant_name: choice.account_name, shown, credentials_refused })
}

/// `GET /api/admin/restaurants/{id}/acquirer`.
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/acquirer",
    summary = "The restaurant's card acquirer (never a credential)",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    responses((status = 200, description = "`{kind}`, `{kind, merchantName}` or `{kind, publicKey}` (never a secret)", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn show(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
) -> Result<Json<AcquirerView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let acquirers = state.payments.acquirers();
    Ok(Json(view(acquirers, &resto_id, acquirers.choice(&resto_id).await?).await?))
}

/// `PUT /api/admin/restaurants/{id}/acquirer`.
#[utoipa::path(
    put,
    path = "/api/admin/restaurants/{resto_id}/acquirer",
    summary = "Choose the card acquirer (its credentials are checked live)",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    request_body(content = AcquirerSetting, content_type = "application/json"),
    responses((status = 200, description = "`{kind}`, `{kind, merchantName}` or `{kind, publicKey}` (never a secret)", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn choose(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
    body: Result<Json<AcquirerSetting>, JsonRejection>,
) -> Result<Json<AcquirerView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let acquirers = state.payments.acquirers();
    let Json(setting) =
        body.map_err(|e| AdminError::BadRequest(format!("send {}: {}", expected_body(acquirers), e.body_text())))?;
    let credentials = acquirers.given_credentials(&setting.kind, &setting.credentials).map_err(choice_error)?;
    let chosen = acquirers.choose(&resto_id, &setting.kind, credentials).await.map_err(choice_error)?;
    Ok(Json(view(acquirers, &resto_id, chosen).await?))
}

/// The bodies `PUT` takes, as the kinds describe them: `{"kind": "sandbox"} or {"kind":
/// "monobank", "token": "…"}`.
fn expected_body(acquirers: &Acquirers) -> String {
    let bodies: Vec<String> = acquirers
        .kinds()
        .iter()
        .map(|kind| {
            let fields = kind
                .fields()
                .iter()
                .map(|f| match f.is_flag() {
                    true => format!(", \"{}\": false", f.name),
                    false => format!(", \"{}\": \"…\"", f.name),
                })
                .collect::<String>();
            format!("{{\"kind\": \"{}\"{fields}}}", kind.name())
        })
        .collect();
    bodies.join(" or ")
}

fn choice_error(error: ChoiceError) -> AdminError {
    match error {
        ChoiceError::UnknownKind(unknown) => AdminError::UnknownAcquirer(unknown),
        ChoiceError::Invalid(reason) | ChoiceError::Refused(reason) => AdminError::BadRequest(reason),
        ChoiceError::Unavailable(reason) => AdminError::AcquirerUnavailable(reason),
        ChoiceError::Store(e) => AdminError::Store(e),
    }
}
