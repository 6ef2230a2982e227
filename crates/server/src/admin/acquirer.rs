//! A restaurant's card acquirer: `GET` shows which kind (and the account the acquirer named for
//! its credentials, never a credential); `PUT {"kind": …, <its credential fields>}` checks the
//! credentials with the acquirer and switches (`{"kind": "monobank", "token": "…"}`,
//! `{"kind": "sandbox"}`). The kinds and their fields are the acquirers' own descriptors
//! (`crate::payments::acquirers`); an unknown kind is refused with `UNKNOWN_ACQUIRER`.

use super::openapi::AdminErrors;
use super::restaurants::known_restaurant;
use super::AdminError;
use super::AdminState;
use crate::payments::acquirers::{Acquirers, ChoiceError};
use crate::store::{AcquirerChoice, AcquirerCredentials};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What `PUT` takes.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct AcquirerSetting {
    /// The kind of acquirer: `sandbox` (no credentials) or `monobank` (`token`).
    kind: String,
    /// The kind's credential fields, each a string (monobank: `token`, from its merchant
    /// cabinet).
    #[serde(flatten)]
    credentials: BTreeMap<String, String>,
}

/// What the API shows: the kind and the account, never a credential.
#[derive(Serialize)]
pub struct AcquirerView {
    /// The kind of acquirer.
    kind: String,
    /// The account the acquirer named for the credentials (monobank's merchant).
    #[serde(rename = "merchantName", skip_serializing_if = "Option::is_none")]
    merchant_name: Option<String>,
}

impl From<AcquirerChoice> for AcquirerView {
    fn from(choice: AcquirerChoice) -> AcquirerView {
        AcquirerView { kind: choice.kind, merchant_name: choice.account_name }
    }
}

/// `GET /api/admin/restaurants/{id}/acquirer`.
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/acquirer",
    summary = "The restaurant's card acquirer (never a credential)",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    responses((status = 200, description = "`{kind}` or `{kind, merchantName}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn show(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
) -> Result<Json<AcquirerView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    Ok(Json(state.payments.acquirers().choice(&resto_id).await?.into()))
}

/// `PUT /api/admin/restaurants/{id}/acquirer`.
#[utoipa::path(
    put,
    path = "/api/admin/restaurants/{resto_id}/acquirer",
    summary = "Choose the card acquirer (its credentials are checked live)",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    request_body(content = AcquirerSetting, content_type = "application/json"),
    responses((status = 200, description = "`{kind}` or `{kind, merchantName}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
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
    let credentials =
        setting.credentials.iter().fold(AcquirerCredentials::new(), |given, (name, value)| given.with(name, value));
    let chosen = acquirers.choose(&resto_id, &setting.kind, credentials).await.map_err(choice_error)?;
    Ok(Json(chosen.into()))
}

/// The bodies `PUT` takes, as the kinds describe them: `{"kind": "sandbox"} or {"kind":
/// "monobank", "token": "…"}`.
fn expected_body(acquirers: &Acquirers) -> String {
    let bodies: Vec<String> = acquirers
        .kinds()
        .iter()
        .map(|kind| {
            let fields = kind.fields().iter().map(|f| format!(", \"{}\": \"…\"", f.name)).collect::<String>();
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
