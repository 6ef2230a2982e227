//! A restaurant's card acquirer: `GET` shows which one (and monobank's merchant name, never the
//! token); `PUT {"kind": "monobank", "token": "…"}` checks the token with monobank and switches,
//! `PUT {"kind": "sandbox"}` switches back to the built-in sandbox.

use super::openapi::AdminErrors;
use super::restaurants::known_restaurant;
use super::AdminError;
use super::AdminState;
use crate::payments::acquirer::AcquirerError;
use crate::payments::PaymentError;
use crate::store::{AcquirerChoice, MerchantToken};
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::Json;
use serde::{Deserialize, Serialize};

/// What `PUT` takes.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum AcquirerSetting {
    /// The built-in sandbox.
    Sandbox,
    /// monobank with a merchant token.
    Monobank {
        /// The token from monobank's merchant cabinet.
        token: String,
    },
}

/// What the API shows: never the token.
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum AcquirerView {
    /// The built-in sandbox.
    Sandbox,
    /// monobank.
    Monobank {
        /// The merchant monobank named for the token.
        #[serde(rename = "merchantName")]
        merchant_name: String,
    },
}

impl From<AcquirerChoice> for AcquirerView {
    fn from(choice: AcquirerChoice) -> AcquirerView {
        match choice {
            AcquirerChoice::Sandbox => AcquirerView::Sandbox,
            AcquirerChoice::Monobank { merchant_name } => AcquirerView::Monobank { merchant_name },
        }
    }
}

/// `GET /api/admin/restaurants/{id}/acquirer`.
#[utoipa::path(
    get,
    path = "/api/admin/restaurants/{resto_id}/acquirer",
    summary = "The restaurant's card acquirer (never the token)",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    responses((status = 200, description = "`{kind}` or `{kind: monobank, merchantName}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn show(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
) -> Result<Json<AcquirerView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    Ok(Json(state.store.acquirer_choice(&resto_id).await?.into()))
}

/// `PUT /api/admin/restaurants/{id}/acquirer`.
#[utoipa::path(
    put,
    path = "/api/admin/restaurants/{resto_id}/acquirer",
    summary = "Choose the card acquirer (a monobank token is checked live)",
    params(("resto_id" = String, Path, description = "the RESTO_ID")),
    request_body(content = AcquirerSetting, content_type = "application/json"),
    responses((status = 200, description = "`{kind}` or `{kind: monobank, merchantName}`", body = serde_json::Value, content_type = "application/json"), AdminErrors),
)]
pub async fn choose(
    State(state): State<AdminState>,
    Path(resto_id): Path<String>,
    body: Result<Json<AcquirerSetting>, JsonRejection>,
) -> Result<Json<AcquirerView>, AdminError> {
    known_restaurant(&state, &resto_id).await?;
    let Json(setting) = body.map_err(|e| {
        AdminError::BadRequest(format!(
            "send {{\"kind\": \"monobank\", \"token\": \"…\"}} or {{\"kind\": \"sandbox\"}}: {}",
            e.body_text()
        ))
    })?;
    match setting {
        AcquirerSetting::Sandbox => state.store.choose_sandbox(&resto_id).await?,
        AcquirerSetting::Monobank { token } => {
            let token = MerchantToken::new(&token);
            state.payments.acquirers().choose_monobank(&resto_id, &token).await.map_err(choice_error)?;
        }
    }
    Ok(Json(state.store.acquirer_choice(&resto_id).await?.into()))
}

fn choice_error(error: PaymentError) -> AdminError {
    match error {
        PaymentError::Store(e) => AdminError::Store(e),
        PaymentError::Acquirer(AcquirerError::Refused(reason)) => AdminError::BadRequest(reason),
        other => AdminError::AcquirerUnavailable(other.to_string()),
    }
}
