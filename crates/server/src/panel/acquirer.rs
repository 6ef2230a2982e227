//! The acquirer card of a restaurant's settings: which acquirer guests pay through (the
//! built-in sandbox, or monobank with the restaurant's merchant token). The token is checked
//! with monobank when saved and never shown again: the field is always empty, and the card shows
//! only monobank's name for the merchant.

use super::access::{InRestaurant, Viewer};
use super::layout::{csrf_field, Section};
use super::PanelError;
use super::PanelState;
use crate::payments::acquirer::AcquirerError;
use crate::payments::PaymentError;
use crate::store::{AcquirerChoice, MerchantToken};
use axum::extract::State;
use axum::response::Redirect;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

/// The card's form.
#[derive(Deserialize)]
pub struct AcquirerForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    token: String,
}

/// Where the card posts.
pub fn path(resto_id: &str) -> String {
    format!("{}/acquirer", Section::Settings.path(resto_id))
}

/// The card, showing the current choice.
pub fn card(viewer: &Viewer, resto_id: &str, choice: &AcquirerChoice) -> Markup {
    let monobank = matches!(choice, AcquirerChoice::Monobank { .. });
    html! {
        section.card #acquirer {
            h2 { (viewer.t("Еквайринг", "Card payments")) }
            p #acquirer-now {
                @match choice {
                    AcquirerChoice::Sandbox => {
                        (viewer.t("Зараз: тестовий еквайр (Sandbox), гроші не списуються.", "Now: the test acquirer (Sandbox), no money moves."))
                    }
                    AcquirerChoice::Monobank { merchant_name } => {
                        (viewer.t("Зараз: monobank, мерчант ", "Now: monobank, merchant ")) strong { (merchant_name) }
                    }
                }
            }
            form method="post" action=(path(resto_id)) {
                (csrf_field(viewer))
                label.check { input type="radio" name="kind" value="sandbox" checked[!monobank]; "Sandbox" }
                label.check { input type="radio" name="kind" value="monobank" checked[monobank]; "monobank" }
                label { (viewer.t("Токен monobank (з кабінету web.monobank.ua; порожньо — залишити збережений)", "monobank token (from web.monobank.ua; empty keeps the saved one)"))
                    input type="password" name="token" value="" autocomplete="off";
                }
                button type="submit" { (viewer.t("Зберегти еквайринг", "Save card payments")) }
            }
        }
    }
}

/// Saves the choice; a monobank token is checked with monobank first.
pub async fn save(
    State(state): State<PanelState>,
    at: InRestaurant,
    Form(form): Form<AcquirerForm>,
) -> Result<Redirect, PanelError> {
    let resto_id = at.resto_id();
    let outcome = match form.kind.as_str() {
        "monobank" if form.token.trim().is_empty() => match state.store.monobank_token(resto_id).await? {
            Some(token) => state.payments.acquirers().choose_monobank(resto_id, &token).await.map(|_| "acquirer"),
            None => Ok("token-missing"),
        },
        "monobank" => {
            let token = MerchantToken::new(&form.token);
            state.payments.acquirers().choose_monobank(resto_id, &token).await.map(|_| "acquirer")
        }
        _ => state.store.choose_sandbox(resto_id).await.map(|_| "acquirer").map_err(PaymentError::from),
    };
    let saved = match outcome {
        Ok(saved) => saved,
        Err(PaymentError::Acquirer(AcquirerError::Refused(_))) => "token-refused",
        Err(PaymentError::Acquirer(_)) => "acquirer-unavailable",
        Err(other) => return Err(other.into()),
    };
    tracing::info!(resto_id, by = at.viewer.user.name, saved, "acquirer saved in the panel");
    Ok(Redirect::to(&format!("{}?saved={saved}", Section::Settings.path(resto_id))))
}

/// The notice after saving, if `saved` is one of this card's.
pub fn notice(viewer: &Viewer, saved: &str) -> Option<Markup> {
    let (alert, text) = match saved {
        "acquirer" => (false, viewer.t("Еквайринг збережено.", "Card payments saved.")),
        "token-missing" => (true, viewer.t("Введіть токен monobank.", "Enter the monobank token.")),
        "token-refused" => (
            true,
            viewer.t(
                "monobank не прийняв токен; нічого не змінено.",
                "monobank did not accept the token; nothing changed.",
            ),
        ),
        "acquirer-unavailable" => (
            true,
            viewer.t(
                "monobank зараз недоступний; спробуйте пізніше.",
                "monobank cannot be reached now; try again later.",
            ),
        ),
        _ => return None,
    };
    Some(if alert {
        html! { p.alert role="alert" { (text) } }
    } else {
        html! { p.notice role="status" { (text) } }
    })
}
