//! The acquirer card of a restaurant's settings: which acquirer guests pay through, and its
//! credentials — one choice and one set of inputs per kind of acquirer, as each kind's
//! descriptor lists them (`crate::payments::acquirers`: the built-in sandbox with none, monobank
//! with its merchant token, LiqPay with its public and private keys and a test-mode flag): a
//! text input for text, a password input for a secret, a checkbox for a flag. Credentials are
//! checked with the acquirer when saved. A secret is never shown again: its input is always
//! empty (left empty, the saved one is kept); text fields and flags show what was saved. While
//! the chosen acquirer refuses the saved credentials (revoked at the acquirer), the card says so
//! first, with since when and the acquirer's words.

use super::access::{InRestaurant, Viewer};
use super::layout::{csrf_field, Section};
use super::PanelError;
use super::PanelState;
use crate::payments::acquirer_kind::{AcquirerKind, FLAG_OFF, FLAG_ON};
use crate::payments::acquirers::ChoiceError;
use crate::store::{AcquirerChoice, AcquirerCredentials};
use axum::extract::State;
use axum::response::Redirect;
use axum::Form;
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::Arc;

/// What the card shows: the choice, every kind, and the saved values of fields that are not
/// secret.
pub struct AcquirerCard {
    choice: AcquirerChoice,
    kinds: Vec<Arc<dyn AcquirerKind>>,
    /// Saved values of fields that are not secret, by input name.
    saved: HashMap<String, String>,
    /// The chosen acquirer's refusal of the saved credentials, when it refuses them: since when
    /// (in the restaurant's time) and its words.
    refused: Option<(String, String)>,
}

/// Where the card posts.
pub fn path(resto_id: &str) -> String {
    format!("{}/acquirer", Section::Settings.path(resto_id))
}

/// The form input of a kind's field (fields of different kinds may share a name).
fn input_name(kind: &dyn AcquirerKind, field: &str) -> String {
    format!("{}.{field}", kind.name())
}

/// Reads what the card shows for a restaurant.
pub async fn load(state: &PanelState, resto_id: &str) -> Result<AcquirerCard, PanelError> {
    let acquirers = state.payments.acquirers();
    let choice = acquirers.choice(resto_id).await?;
    let kinds = acquirers.kinds().to_vec();
    let mut saved = HashMap::new();
    for kind in kinds.iter().filter(|kind| kind.fields().iter().any(|f| !f.is_secret())) {
        let Some(credentials) = state.store.acquirer_credentials(resto_id, kind.name()).await? else { continue };
        for field in kind.fields().iter().filter(|f| !f.is_secret()) {
            if let Some(value) = credentials.get(field.name) {
                saved.insert(input_name(kind.as_ref(), field.name), value.to_string());
            }
        }
    }
    let refused = match acquirers.credentials_refusal(resto_id, &choice.kind).await? {
        Some(refusal) => {
            let zone = state.store.guest_settings(resto_id).await?.time_zone;
            Some((crate::web::clock::date_time(refusal.since, &zone), refusal.reason))
        }
        None => None,
    };
    Ok(AcquirerCard { choice, kinds, saved, refused })
}

/// The card, showing the current choice.
pub fn card(viewer: &Viewer, resto_id: &str, card: &AcquirerCard) -> Markup {
    let now = card.kinds.iter().find(|kind| kind.name() == card.choice.kind);
    html! {
        section.card #acquirer {
            h2 { (viewer.t("Еквайринг", "Card payments")) }
            p #acquirer-now {
                (viewer.t("Зараз: ", "Now: "))
                @match now {
                    Some(kind) => { (kind.title()) }
                    None => { (card.choice.kind) " " (viewer.t("(невідомий цьому серверу)", "(unknown to this server)")) }
                }
                @if let Some(account) = &card.choice.account_name {
                    (viewer.t(", мерчант ", ", merchant ")) strong { (account) }
                }
                @if let Some(note) = now.and_then(|kind| kind.note()) {
                    " — " (viewer.t(note.uk, note.en))
                }
                "."
            }
            @if let Some((since, reason)) = &card.refused {
                p.alert #acquirer-refused role="alert" {
                    (viewer.t("Еквайр не приймає збережені облікові дані з ", "The acquirer no longer accepts the saved credentials, since "))
                    (since) " (" (reason) "). "
                    (viewer.t(
                        "Незавершені оплати буде відхилено, щойно спливе їхній строк; збережіть нові облікові дані.",
                        "Unfinished payments fail once their charge lapses; save new credentials.",
                    ))
                }
            }
            form method="post" action=(path(resto_id)) {
                (csrf_field(viewer))
                @for kind in &card.kinds {
                    label.check { input type="radio" name="kind" value=(kind.name()) checked[kind.name() == card.choice.kind]; (kind.title()) }
                }
                @for kind in &card.kinds {
                    @for field in kind.fields() {
                        @let name = input_name(kind.as_ref(), field.name);
                        @if field.is_flag() {
                            label.check {
                                input type="checkbox" name=(name) value=(FLAG_ON) checked[card.saved.get(&name).is_some_and(|v| v == FLAG_ON)];
                                (viewer.t(field.label.uk, field.label.en))
                            }
                        } @else {
                            label {
                                (viewer.t(field.label.uk, field.label.en))
                                @if field.is_secret() {
                                    " " (viewer.t("(порожньо — залишити збережений)", "(empty keeps the saved one)"))
                                    input type="password" name=(name) value="" autocomplete="off";
                                } @else {
                                    input type="text" name=(name) value=(card.saved.get(&name).map_or("", String::as_str)) autocomplete="off";
                                }
                            }
                        }
                    }
                }
                button type="submit" { (viewer.t("Зберегти еквайринг", "Save card payments")) }
            }
        }
    }
}

/// Saves the choice; the credentials are checked with the acquirer first.
pub async fn save(
    State(state): State<PanelState>,
    at: InRestaurant,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Redirect, PanelError> {
    let resto_id = at.resto_id();
    let acquirers = state.payments.acquirers();
    let chosen = form.get("kind").map_or("", String::as_str);
    let saved = match acquirers.kind(chosen) {
        Err(_) => "acquirer-unknown",
        Ok(kind) => match typed_credentials(&state, resto_id, kind.as_ref(), &form).await? {
            None => "token-missing",
            Some(credentials) => match acquirers.choose(resto_id, kind.name(), credentials).await {
                Ok(_) => "acquirer",
                Err(ChoiceError::Invalid(_) | ChoiceError::Refused(_)) => "token-refused",
                Err(ChoiceError::Unavailable(_)) => "acquirer-unavailable",
                Err(ChoiceError::UnknownKind(_)) => "acquirer-unknown",
                Err(ChoiceError::Store(error)) => return Err(error.into()),
            },
        },
    };
    tracing::info!(resto_id, by = at.viewer.user.name, acquirer = chosen, saved, "acquirer saved in the panel");
    Ok(Redirect::to(&format!("{}?saved={saved}", Section::Settings.path(resto_id))))
}

/// The kind's credentials as typed in the form; a secret left empty is the saved one. `None`
/// when a field has no value either way.
async fn typed_credentials(
    state: &PanelState,
    resto_id: &str,
    kind: &dyn AcquirerKind,
    form: &HashMap<String, String>,
) -> Result<Option<AcquirerCredentials>, PanelError> {
    let mut credentials = AcquirerCredentials::new();
    let mut saved: Option<AcquirerCredentials> = None;
    for field in kind.fields() {
        let typed = form.get(&input_name(kind, field.name)).map_or("", |value| value.trim());
        if field.is_flag() {
            // A checkbox left unticked is not sent at all: off.
            credentials.set(field.name, if typed == FLAG_ON { FLAG_ON } else { FLAG_OFF });
            continue;
        }
        let value = if typed.is_empty() && field.is_secret() {
            if saved.is_none() {
                saved = Some(state.store.acquirer_credentials(resto_id, kind.name()).await?.unwrap_or_default());
            }
            saved.as_ref().and_then(|saved| saved.get(field.name)).unwrap_or_default().to_string()
        } else {
            typed.to_string()
        };
        if value.is_empty() {
            return Ok(None);
        }
        credentials.set(field.name, &value);
    }
    Ok(Some(credentials))
}

/// The notice after saving, if `saved` is one of this card's.
pub fn notice(viewer: &Viewer, saved: &str) -> Option<Markup> {
    let (alert, text) = match saved {
        "acquirer" => (false, viewer.t("Еквайринг збережено.", "Card payments saved.")),
        "token-missing" => (
            true,
            viewer.t(
                "Заповніть дані для входу до еквайра; нічого не змінено.",
                "Fill in the acquirer's credentials; nothing changed.",
            ),
        ),
        "token-refused" => (
            true,
            viewer.t(
                "Еквайр не прийняв дані для входу; нічого не змінено.",
                "The acquirer did not accept the credentials; nothing changed.",
            ),
        ),
        "acquirer-unavailable" => (
            true,
            viewer.t(
                "Еквайр зараз недоступний; спробуйте пізніше.",
                "The acquirer cannot be reached now; try again later.",
            ),
        ),
        "acquirer-unknown" => {
            (true, viewer.t("Такого еквайра немає; нічого не змінено.", "No such acquirer; nothing changed."))
        }
        _ => return None,
    };
    Some(if alert {
        html! { p.alert role="alert" { (text) } }
    } else {
        html! { p.notice role="status" { (text) } }
    })
}
