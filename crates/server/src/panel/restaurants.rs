//! The operator's restaurants: the list with a live connection dot for each, creating a
//! restaurant, and issuing or rotating its POS credentials. The secret appears on exactly one
//! page, right after it is issued, with copy buttons and a ready `Authorization` header; the
//! store keeps only the key derived from it, so it can never be shown again.

use super::access::{InRestaurant, Viewer};
use super::layout::{self, csrf_field, Place, Section};
use super::origin::socket_url;
use super::PanelError;
use super::PanelState;
use crate::store::{CredentialNotice, Restaurant, RestaurantName};
use crate::web::{assets, Page};
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Redirect;
use axum::{Form, Json};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use maud::{html, Markup};
use serde::{Deserialize, Serialize};

/// Which of `restaurants` hold a POS socket on any node, in the same order.
async fn connected(state: &PanelState, restaurants: &[Restaurant]) -> Vec<bool> {
    let connections = state.link.connections_anywhere(restaurants.iter().map(|r| r.resto_id.as_str())).await;
    connections.iter().map(Option::is_some).collect()
}

fn restaurant_row(viewer: &Viewer, restaurant: &Restaurant, on: bool) -> Markup {
    let (on_text, off_text) = (viewer.t("підключена", "connected"), viewer.t("не підключена", "not connected"));
    html! {
        tr data-resto=(restaurant.resto_id) {
            td { span class=(if on { "dot on" } else { "dot" }) {} a href={"/panel/r/" (restaurant.resto_id)} { (restaurant.name) } }
            td.mono { (restaurant.resto_id) }
            td { span.status data-on=(on_text) data-off=(off_text) { (if on { on_text } else { off_text }) } }
        }
    }
}

/// The list of restaurants and the form to add one.
pub async fn list(State(state): State<PanelState>, viewer: Viewer) -> Result<Page, PanelError> {
    viewer.require_operator()?;
    let restaurants = state.store.restaurants().await?;
    let connected = connected(&state, &restaurants).await;
    let body = html! {
        section.card {
            h2 { (viewer.t("Новий ресторан", "New restaurant")) }
            form.row method="post" action="/panel/restaurants" {
                (csrf_field(&viewer))
                label { (viewer.t("Назва", "Name")) input type="text" name="name" required maxlength="200"; }
                button.inline type="submit" { (viewer.t("Створити і видати ключі каси", "Create and issue POS credentials")) }
            }
        }
        @if restaurants.is_empty() {
            p.muted { (viewer.t("Ресторанів ще немає.", "No restaurants yet.")) }
        } @else {
            div.table-wrap { table {
                thead { tr {
                    th { (viewer.t("Ресторан", "Restaurant")) }
                    th { "RESTO_ID" }
                    th { (viewer.t("Каса", "POS")) }
                } }
                tbody { @for (restaurant, on) in restaurants.iter().zip(connected) { (restaurant_row(&viewer, restaurant, on)) } }
            } }
        }
        (assets::script("panel-restaurants.js"))
    };
    Ok(layout::page(&viewer, viewer.t("Ресторани", "Restaurants"), Place::Platform, body))
}

/// One restaurant's connection, for the live dots.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveDot {
    resto_id: String,
    connected: bool,
}

/// Which restaurants are connected now.
pub async fn live_dots(State(state): State<PanelState>, viewer: Viewer) -> Result<Json<Vec<LiveDot>>, PanelError> {
    viewer.require_operator()?;
    let restaurants = state.store.restaurants().await?;
    let connected = connected(&state, &restaurants).await;
    let dots = restaurants
        .into_iter()
        .zip(connected)
        .map(|(r, connected)| LiveDot { connected, resto_id: r.resto_id })
        .collect();
    Ok(Json(dots))
}

#[derive(Deserialize)]
pub struct NewRestaurant {
    name: String,
}

/// Creates a restaurant, then redirects to its credentials, shown once (POST → GET: a refresh
/// repeats the GET, never the creation).
pub async fn create(
    State(state): State<PanelState>,
    viewer: Viewer,
    Form(form): Form<NewRestaurant>,
) -> Result<Redirect, PanelError> {
    viewer.require_operator()?;
    let name = RestaurantName::parse(&form.name).map_err(|_| {
        PanelError::BadRequest(viewer.t("Назва: від 1 до 200 символів.", "A name is 1 to 200 characters.").into())
    })?;
    let (restaurant, secret) = state.store.create_restaurant(&name).await?;
    tracing::info!(resto_id = restaurant.resto_id, by = viewer.user.name, "restaurant created in the panel");
    let notice = CredentialNotice { resto_id: restaurant.resto_id, secret, previous_valid_until: None };
    show_once(&state, &viewer, notice).await
}

/// Keeps the new secret for the viewer and sends them to the page that shows it once.
async fn show_once(state: &PanelState, viewer: &Viewer, notice: CredentialNotice) -> Result<Redirect, PanelError> {
    let id = state.store.keep_credential_notice(&viewer.user.name, &notice).await?;
    Ok(Redirect::to(&format!("/panel/r/{}/credentials/{id}", notice.resto_id)))
}

/// `GET /panel/r/{resto_id}/credentials/{notice}`: the secret just issued, once; afterwards a
/// page that says it was shown and how to get a new one.
pub async fn issued(
    State(state): State<PanelState>,
    at: InRestaurant,
    headers: HeaderMap,
    Path((_, notice_id)): Path<(String, String)>,
) -> Result<Page, PanelError> {
    at.viewer.require_operator()?;
    let socket_url = socket_url(&state.config, &headers);
    match state.store.take_credential_notice(&notice_id, at.resto_id(), &at.viewer.user.name).await? {
        Some(notice) => {
            let issued = Issued {
                restaurant: &at.restaurant,
                secret: &notice.secret,
                previous_valid_until: notice.previous_valid_until,
            };
            Ok(credentials_page(&at.viewer, &socket_url, issued))
        }
        None => Ok(shown_already_page(&at)),
    }
}

fn shown_already_page(at: &InRestaurant) -> Page {
    let viewer = &at.viewer;
    let resto_id = at.resto_id();
    let body = html! {
        p.notice role="status" {
            (viewer.t(
                "Цей секрет уже показано (або минуло 10 хвилин): сервер не зберігає його і не покаже знову. Ресторан створено лише один раз.",
                "This secret was shown already (or 10 minutes passed): the server does not keep it and cannot show it again. The restaurant was created only once.",
            ))
        }
        section.card {
            h2 { (at.restaurant.name) }
            dl.facts { dt { "RESTO_ID" } dd.mono { (resto_id) } }
            p { (viewer.t(
                "Не зберегли секрет? Видайте новий — стара каса працюватиме зі старим секретом ще обраний час.",
                "Did not save the secret? Issue a new one — the POS keeps working with the old one for the time you choose.",
            )) }
            (super::dashboard::rotation_form(viewer, resto_id))
        }
        p { a.button href=(Section::Dashboard.path(resto_id)) { (viewer.t("До ресторану", "Open the restaurant")) } }
    };
    layout::page(viewer, viewer.t("Ключі каси", "POS credentials"), Place::Platform, body)
}

#[derive(Deserialize)]
pub struct Rotation {
    grace_hours: u32,
}

/// Issues a new secret; the old one works for the chosen grace period. Redirects to the page
/// that shows the new secret once.
pub async fn rotate(
    State(state): State<PanelState>,
    at: InRestaurant,
    Form(form): Form<Rotation>,
) -> Result<Redirect, PanelError> {
    at.viewer.require_operator()?;
    let grace_ms = i64::from(form.grace_hours.min(24 * 30)) * 3600 * 1000;
    let (secret, valid_until) = state
        .store
        .rotate_secret(at.resto_id(), grace_ms)
        .await?
        .ok_or_else(|| PanelError::UnknownRestaurant(at.resto_id().into()))?;
    tracing::info!(resto_id = at.resto_id(), by = at.viewer.user.name, "POS secret rotated in the panel");
    let notice =
        CredentialNotice { resto_id: at.resto_id().to_string(), secret, previous_valid_until: Some(valid_until) };
    show_once(&state, &at.viewer, notice).await
}

/// A freshly issued secret.
struct Issued<'a> {
    restaurant: &'a Restaurant,
    secret: &'a str,
    previous_valid_until: Option<i64>,
}

fn copyable(viewer: &Viewer, id: &str, label: &str, value: &str) -> Markup {
    html! {
        dt { (label) }
        dd.copyable {
            code.secret id=(id) { (value) }
            button.inline.secondary type="button" data-copy=(id) data-copied=(viewer.t("Скопійовано", "Copied")) {
                (viewer.t("Копіювати", "Copy"))
            }
        }
    }
}

fn credentials_page(viewer: &Viewer, socket_url: &str, issued: Issued<'_>) -> Page {
    let resto_id = &issued.restaurant.resto_id;
    let authorization = format!("Basic {}", STANDARD.encode(format!("{resto_id}:{}", issued.secret)));
    let body = html! {
        p.alert role="alert" {
            strong { (viewer.t("Збережіть секрет зараз.", "Save the secret now.")) } " "
            (viewer.t(
                "Його показано лише один раз: сервер зберігає тільки похідний ключ і не зможе показати секрет знову.",
                "It is shown only once: the server keeps only a key derived from it and cannot show the secret again.",
            ))
        }
        @if let Some(until) = issued.previous_valid_until {
            p.notice { (viewer.t("Попередній секрет діє до", "The previous secret works until")) " " (layout::time(until)) "." }
        }
        section.card {
            h2 { (issued.restaurant.name) }
            dl.facts {
                (copyable(viewer, "resto-id", "RESTO_ID", resto_id))
                (copyable(viewer, "secret-key", "SECRET_KEY", issued.secret))
                (copyable(viewer, "authorization", viewer.t("Заголовок Authorization", "Authorization header"), &authorization))
                (copyable(viewer, "socket-url", viewer.t("Адреса сокета", "Socket URL"), socket_url))
            }
            p.muted {
                (viewer.t("Каса також надсилає", "The POS also sends")) " " code { "Cookie: system=<POS name>" } "; "
                (viewer.t("колбеки підписуються HMAC-SHA256 цим секретом.", "callbacks are signed with HMAC-SHA256 of this secret."))
            }
        }
        p { a.button href=(Section::Dashboard.path(resto_id)) { (viewer.t("Я зберіг секрет — до ресторану", "I saved the secret — open the restaurant")) } }
    };
    layout::page(viewer, viewer.t("Ключі каси", "POS credentials"), Place::Platform, body)
}
