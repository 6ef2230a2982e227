//! A restaurant's dashboard: is its POS connected, since when, which POS and plugin version,
//! which protocol features it implements, when it was last heard from, and what looks wrong.
//! The page polls a small JSON endpoint, so the status changes without a reload.

use super::access::{InRestaurant, Viewer};
use super::layout::{self, csrf_field, Place, Section};
use super::origin::{public_base, socket_url};
use super::PanelError;
use super::PanelState;
use crate::gateway::ConnectionInfo;
use crate::pos_data::orders_cache_is_fresh;
use crate::store::now_ms;
use crate::store::{CallbackRefusal, StoredWarning};
use crate::web::{assets, Page};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::Json;
use maud::{html, Markup};
use serde::Serialize;

/// How long a POS may take to answer `versionInfo` before the dashboard says so.
const VERSION_INFO_GRACE_MS: i64 = 10_000;

/// One protocol feature from `versionInfo`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureView {
    feature: String,
    implemented: bool,
    available: bool,
}

/// The connection as the dashboard shows it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionView {
    connected: bool,
    status: String,
    since: Option<i64>,
    pos_name: Option<String>,
    plugin_version: Option<String>,
    features: Vec<FeatureView>,
    last_seen: Option<i64>,
    warnings: Vec<String>,
}

fn warnings(viewer: &Viewer, info: &ConnectionInfo, cache_pushed_at: Option<i64>) -> Vec<String> {
    let now = now_ms();
    let mut warnings = Vec::new();
    if info.pos_name_missing {
        warnings.push(viewer.t(
            "Каса не надсилає cookie «system»: назва каси невідома (у суворому режимі таке з'єднання відхиляється).",
            "The POS sends no “system” cookie: its product name is unknown (strict mode refuses such sockets).",
        ));
    }
    if info.plugin_version.is_none() && info.plugin_version_text.is_none() && now - info.since > VERSION_INFO_GRACE_MS {
        warnings.push(viewer.t(
            "Каса не відповіла на versionInfo: версія плагіна і можливості невідомі.",
            "The POS did not answer versionInfo: plugin version and features are unknown.",
        ));
    }
    let mut warnings: Vec<String> = warnings.into_iter().map(str::to_string).collect();
    if info.text_pings == 0 && now - info.since > TEXT_PING_GRACE_MS {
        warnings.push(
            viewer
                .t(
                    "Каса не надсилає текстові пінги «Resto {id} ping» (кожні ~15 с за протоколом).",
                    "The POS sends no “Resto {id} ping” text frames (every ~15 s per the protocol).",
                )
                .to_string(),
        );
    }
    if let Some(text) = &info.last_ignored_text {
        let said =
            viewer.t("Каса надсилає невідомі текстові кадри", "The POS sends text frames the protocol does not know");
        warnings.push(format!("{said} ({}): «{text}»", info.ignored_texts));
    }
    if !orders_cache_is_fresh(cache_pushed_at) {
        warnings.push(
            viewer
                .t(
                    "Каса не надсилає ORDERS_CACHE кожні 5 с: рахунки запитуються в каси наживо (повільніше).",
                    "The POS sends no ORDERS_CACHE every 5 s: bills are asked for live (slower).",
                )
                .to_string(),
        );
    }
    warnings
}

/// How long a connection may go without a text ping before the page says so (two of the
/// protocol's ~15 s intervals, and some).
const TEXT_PING_GRACE_MS: i64 = 40_000;

async fn connection_view(state: &PanelState, at: &InRestaurant) -> Result<ConnectionView, PanelError> {
    let viewer = &at.viewer;
    let Some(info) = state.link.connection_info(at.resto_id()) else {
        return Ok(ConnectionView {
            connected: false,
            status: viewer.t("Не підключена", "Not connected").to_string(),
            since: None,
            pos_name: None,
            plugin_version: None,
            features: Vec::new(),
            last_seen: None,
            warnings: Vec::new(),
        });
    };
    let (_, cache_pushed_at) = state.store.cached_orders(at.resto_id()).await?;
    Ok(ConnectionView {
        connected: true,
        status: viewer.t("Підключена", "Connected").to_string(),
        since: Some(info.since),
        pos_name: Some(info.pos_name.clone()),
        plugin_version: info.plugin_version_text.clone().or_else(|| info.plugin_version.map(|v| v.to_string())),
        warnings: warnings(viewer, &info, cache_pushed_at),
        last_seen: Some(info.last_seen),
        features: info
            .implemented_features
            .into_iter()
            .map(|f| FeatureView { feature: f.feature, implemented: f.implemented, available: f.available })
            .collect(),
    })
}

/// The connection, for the page's polling.
pub async fn connection(State(state): State<PanelState>, at: InRestaurant) -> Result<Json<ConnectionView>, PanelError> {
    Ok(Json(connection_view(&state, &at).await?))
}

fn optional_time(ms: Option<i64>) -> Markup {
    match ms {
        Some(ms) => layout::time(ms),
        None => html! { "—" },
    }
}

fn feature_badges(features: &[FeatureView]) -> Markup {
    html! {
        @for f in features {
            span class=(if f.implemented && f.available { "badge good" } else { "badge" }) { (f.feature) } " "
        }
        @if features.is_empty() { "—" }
    }
}

fn connection_card(viewer: &Viewer, resto_id: &str, view: &ConnectionView) -> Markup {
    html! {
        section.card #connection data-url={"/panel/r/" (resto_id) "/connection.json"} {
            h2 { span #conn-dot class=(if view.connected { "dot on" } else { "dot" }) {} span #conn-status { (view.status) } }
            dl.facts {
                dt { (viewer.t("Підключена з", "Connected since")) } dd #conn-since { (optional_time(view.since)) }
                dt { (viewer.t("Каса", "POS")) } dd #conn-pos { (view.pos_name.as_deref().unwrap_or("—")) }
                dt { (viewer.t("Версія плагіна", "Plugin version")) }
                dd #conn-plugin { (view.plugin_version.as_deref().unwrap_or("—")) }
                dt { (viewer.t("Можливості", "Features")) } dd #conn-features { (feature_badges(&view.features)) }
                dt { (viewer.t("Остання ознака життя", "Last sign of life")) } dd #conn-last-seen { (optional_time(view.last_seen)) }
            }
            ul #conn-warnings { @for warning in &view.warnings { li.alert { (warning) } } }
        }
    }
}

/// What the POS sends that a strict reader would refuse, grouped by kind, with the latest body;
/// and the latest refused callbacks. Both are kept in the store across restarts.
fn conformance_card(viewer: &Viewer, warnings: &[StoredWarning], refusals: &[CallbackRefusal]) -> Markup {
    let mut kinds: Vec<&str> = warnings.iter().map(|w| w.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    html! {
        section.card #conformance {
            h2 { (viewer.t("Відповідність протоколу", "Protocol conformance")) }
            @if warnings.is_empty() && refusals.is_empty() {
                p.muted { (viewer.t("Зауважень немає.", "Nothing to report.")) }
            }
            @for kind in &kinds {
                @let of_kind: Vec<&StoredWarning> = warnings.iter().filter(|w| w.kind == *kind).collect();
                @let latest = of_kind.iter().max_by_key(|w| w.last_at).expect("a kind has warnings");
                details.warning-kind {
                    summary {
                        span.badge { (kind) } " × " (of_kind.iter().map(|w| w.count).sum::<i64>()) " — "
                        (of_kind.iter().map(|w| format!("{} {}", w.operation, w.field)).collect::<Vec<_>>().join(", "))
                    }
                    p { (latest.message) }
                    p.muted { (viewer.t("Останнє тіло", "Latest body")) ", " (layout::time(latest.last_at)) ":" }
                    pre { (latest.body) }
                }
            }
            @if !refusals.is_empty() {
                h3 { (viewer.t("Останні відхилені колбеки", "Latest refused callbacks")) }
                ul {
                    @for r in refusals.iter().take(10) {
                        li { (layout::time(r.at)) " " span.badge.bad { (r.status) " " (r.err_code) } " " (r.path) " — " (r.err_text) }
                    }
                }
            }
        }
    }
}

/// The "issue a new secret" form, with the grace period for the old one.
pub(super) fn rotation_form(viewer: &Viewer, resto_id: &str) -> Markup {
    html! {
        form.row method="post" action={"/panel/r/" (resto_id) "/credentials"} {
            (csrf_field(viewer))
            label { (viewer.t("Старий секрет діє ще", "Old secret keeps working for"))
                select name="grace_hours" {
                    option value="0" { (viewer.t("0 год (одразу вимкнути)", "0 h (stop at once)")) }
                    option value="1" { (viewer.t("1 год", "1 h")) }
                    option value="24" selected { (viewer.t("24 год", "24 h")) }
                    option value="72" { (viewer.t("72 год", "72 h")) }
                }
            }
            button.inline.secondary type="submit" { (viewer.t("Видати новий секрет", "Issue a new secret")) }
        }
    }
}

/// What a POS needs to connect, for a restaurant whose POS is not connected: the addresses,
/// the header formats (never the secret itself: it was shown once), a ready conformance check,
/// and a new secret for whoever lost it.
fn setup_card(viewer: &Viewer, resto_id: &str, base: &str, socket_url: &str) -> Markup {
    let check = format!("rahunok check-pos --server {base} --admin-token \"$RAHUNOK_ADMIN_TOKEN\"");
    html! {
        section.card #pos-setup {
            h2 { (viewer.t("Як підключити касу", "How to connect the POS")) }
            dl.facts {
                dt { (viewer.t("Адреса сокета", "Socket URL")) } dd.mono { (socket_url) }
                dt { (viewer.t("Заголовки сокета", "Socket headers")) }
                dd.mono { "Authorization: Basic base64(" (resto_id) ":SECRET_KEY)" br; "Cookie: system=<POS name>" }
                dt { (viewer.t("Адреса колбеків", "Callback URL")) } dd.mono { (base) "/callback/<operation>" }
                dt { (viewer.t("Заголовки колбеків", "Callback headers")) }
                dd.mono { "restoId: " (resto_id) br; "signature: base64(HMAC-SHA256(SECRET_KEY, body))" }
            }
            p.muted { (viewer.t(
                "SECRET_KEY показано один раз, коли його видали; сервер його не зберігає.",
                "SECRET_KEY was shown once, when it was issued; the server does not keep it.",
            )) }
            h3 { (viewer.t("Перевірити інтеграцію каси", "Check a POS integration")) }
            p { (viewer.t(
                "Команда створює на цьому сервері тестовий ресторан, друкує його ключі для каси й перевіряє кожну операцію протоколу:",
                "The command creates a test restaurant on this server, prints its credentials for the POS, and checks every operation of the protocol:",
            )) }
            pre.mono #check-pos-command { (check) }
            @if viewer.is_operator() {
                h3 { (viewer.t("Секрет загублено?", "Lost the secret?")) }
                (rotation_form(viewer, resto_id))
            } @else {
                p.muted { (viewer.t("Новий секрет видає оператор платформи.", "The platform's operator issues a new secret.")) }
            }
        }
    }
}

/// The dashboard page.
pub async fn page(State(state): State<PanelState>, at: InRestaurant, headers: HeaderMap) -> Result<Page, PanelError> {
    let view = connection_view(&state, &at).await?;
    let viewer = &at.viewer;
    let restaurant = &at.restaurant;
    state.link.flush_journal().await;
    let warnings = state.store.conformance_warnings(&restaurant.resto_id).await?;
    let refusals = state.store.callback_refusals(&restaurant.resto_id).await?;
    let body = html! {
        (connection_card(viewer, &restaurant.resto_id, &view))
        @if !view.connected {
            (setup_card(viewer, &restaurant.resto_id, &public_base(&state.config, &headers), &socket_url(&state.config, &headers)))
        }
        (conformance_card(viewer, &warnings, &refusals))
        section.card {
            h2 { (viewer.t("Ресторан", "Restaurant")) }
            dl.facts {
                dt { (viewer.t("Назва", "Name")) } dd { (restaurant.name) }
                dt { "RESTO_ID" } dd.mono { (restaurant.resto_id) }
                dt { (viewer.t("Створено", "Created")) } dd { (layout::time(restaurant.created_at)) }
                @if let Some(until) = restaurant.previous_secret_valid_until {
                    dt { (viewer.t("Попередній секрет діє до", "Previous secret works until")) } dd { (layout::time(until)) }
                }
            }
            @if viewer.is_operator() { (rotation_form(viewer, &restaurant.resto_id)) }
        }
        (assets::script("panel-dashboard.js"))
    };
    Ok(layout::page(
        viewer,
        viewer.t("Підключення каси", "POS connection"),
        Place::Restaurant(restaurant, Section::Dashboard),
        body,
    ))
}
