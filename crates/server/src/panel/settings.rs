//! A restaurant's settings: what the POS prints on the pre-check (a QR code to pay that exact
//! bill, with messages before and after it) — pushed to the POS with `setSettings` on save, and
//! by the gateway on every connect — and what guests are offered: tip presets, splitting, and
//! ordering from the menu at the table (off until switched on here).

use super::access::{InRestaurant, Viewer};
use super::layout::{self, csrf_field, Place, Section};
use super::origin::public_base;
use super::PanelError;
use super::PanelState;
use crate::gateway::LinkError;
use crate::store::GuestSettings;
use crate::web::Page;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use rahunok_protocol::ops::SetSettings;
use serde::Deserialize;

/// The longest pre-check text or URL accepted.
const MAX_TEXT_CHARS: usize = 500;

/// The settings form, as submitted or as stored. Checkboxes are absent when unchecked.
#[derive(Deserialize, Default)]
pub struct SettingsForm {
    print_precheck_qr: Option<String>,
    print_delivery_precheck_qr: Option<String>,
    precheck_qr_url: String,
    message_before_qr: String,
    message_after_qr: String,
    payment_allowed: Option<String>,
    tip_percents: String,
    split_enabled: Option<String>,
    ordering_enabled: Option<String>,
    #[serde(default)]
    time_zone: String,
    #[serde(default)]
    review_url: String,
}

fn checked(on: bool) -> Option<String> {
    on.then(|| "on".to_string())
}

impl SettingsForm {
    fn from_stored(settings: &SetSettings, guest: &GuestSettings) -> SettingsForm {
        SettingsForm {
            print_precheck_qr: checked(settings.print_precheck_qr),
            print_delivery_precheck_qr: checked(settings.print_delivery_precheck_qr),
            precheck_qr_url: settings.precheck_qr_url.clone(),
            message_before_qr: settings.message_before_qr.clone(),
            message_after_qr: settings.message_after_qr.clone(),
            payment_allowed: checked(settings.payment_allowed),
            tip_percents: guest.tip_percents.iter().map(u32::to_string).collect::<Vec<_>>().join(", "),
            split_enabled: checked(guest.split_enabled),
            ordering_enabled: checked(guest.ordering_enabled),
            time_zone: guest.time_zone.clone(),
            review_url: guest.review_url.clone().unwrap_or_default(),
        }
    }

    /// The POS settings: the stored ones with this form's fields in place.
    fn pos_settings(&self, viewer: &Viewer, stored: &SetSettings, suggested_url: &str) -> Result<SetSettings, String> {
        let texts = [&self.precheck_qr_url, &self.message_before_qr, &self.message_after_qr];
        if texts.iter().any(|t| t.chars().count() > MAX_TEXT_CHARS) {
            return Err(format!(
                "{} {MAX_TEXT_CHARS}.",
                viewer.t("Найбільша довжина тексту —", "The longest text allowed is")
            ));
        }
        let print = self.print_precheck_qr.is_some();
        let url = match self.precheck_qr_url.trim() {
            "" if print => suggested_url.to_string(),
            url => url.to_string(),
        };
        // The POS prints it as a QR code a guest's phone opens: a web address, nothing else
        // (a `javascript:` or `data:` URL would run in whoever scans it).
        if !url.is_empty() && !web_address(&url) {
            return Err(viewer
                .t(
                    "Адреса QR на пречеку: адреса http(s)://… з {billId}.",
                    "The pre-check QR URL: an http(s)://… address with {billId}.",
                )
                .into());
        }
        if print && !url.contains("{billId}") {
            return Err(viewer
                .t("Адреса QR на пречеку має містити {billId}.", "The pre-check QR URL must contain {billId}.")
                .into());
        }
        Ok(SetSettings {
            print_precheck_qr: print,
            print_delivery_precheck_qr: self.print_delivery_precheck_qr.is_some(),
            precheck_qr_url: url,
            message_before_qr: self.message_before_qr.trim().to_string(),
            message_after_qr: self.message_after_qr.trim().to_string(),
            payment_allowed: self.payment_allowed.is_some(),
            ..stored.clone()
        })
    }

    fn guest_settings(&self, viewer: &Viewer) -> Result<GuestSettings, String> {
        let tip_percents = parse_tip_percents(&self.tip_percents).ok_or_else(|| {
            format!(
                "{} {} {}.",
                viewer.t("Чайові: до", "Tips: up to"),
                GuestSettings::MAX_TIPS,
                viewer
                    .t("цілих відсотків від 1 до 100 через кому", "whole percents from 1 to 100, separated by commas")
            )
        })?;
        let time_zone = match self.time_zone.trim() {
            "" => GuestSettings::DEFAULT_TIME_ZONE.to_string(),
            zone if crate::web::clock::known_zone(zone) => zone.to_string(),
            _ => {
                return Err(viewer
                    .t(
                        "Часовий пояс: назва з бази IANA, напр. Europe/Kyiv.",
                        "Time zone: an IANA name such as Europe/Kyiv.",
                    )
                    .into())
            }
        };
        let review_url = match self.review_url.trim() {
            "" => None,
            url if web_address(url) => Some(url.to_string()),
            _ => {
                return Err(viewer
                    .t("Посилання на відгук: адреса http(s)://…", "Review link: an http(s)://… address")
                    .into())
            }
        };
        Ok(GuestSettings {
            tip_percents,
            split_enabled: self.split_enabled.is_some(),
            time_zone,
            review_url,
            ordering_enabled: self.ordering_enabled.is_some(),
        })
    }
}

/// Whether `text` is an http(s) address a guest's browser can open: the rule for every setting
/// that becomes a link (the pre-check's QR, the receipt's review link).
fn web_address(text: &str) -> bool {
    reqwest::Url::parse(text).is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

/// `"5, 10, 15"` → `[5, 10, 15]`; `None` for anything else (an empty list is allowed: no presets).
fn parse_tip_percents(text: &str) -> Option<Vec<u32>> {
    let percents: Vec<u32> = text
        .split([',', ' ', ';'])
        .filter(|p| !p.trim().is_empty())
        .map(|p| p.trim().trim_end_matches('%').parse().ok())
        .collect::<Option<_>>()?;
    let valid = percents.len() <= GuestSettings::MAX_TIPS
        && percents.iter().all(|p| (1..=GuestSettings::MAX_TIP_PERCENT).contains(p));
    valid.then_some(percents)
}

fn suggested_precheck_url(state: &PanelState, headers: &HeaderMap, resto_id: &str) -> String {
    // The POS puts the bill's id in place of `{billId}`.
    format!("{}{}{{billId}}", public_base(&state.config, headers), crate::web::paths::bill(resto_id, ""))
}

fn check(name: &str, label: &str, value: &Option<String>) -> Markup {
    html! { label.check { input type="checkbox" name=(name) checked[value.is_some()]; (label) } }
}

fn settings_form(viewer: &Viewer, resto_id: &str, form: &SettingsForm, suggested_url: &str) -> Markup {
    html! {
        form method="post" action=(Section::Settings.path(resto_id)) {
            (csrf_field(viewer))
            section.card {
                h2 { (viewer.t("QR на пречеку", "QR on the pre-check")) }
                (check("print_precheck_qr", viewer.t("Друкувати QR на пречеку", "Print a QR code on the pre-check"), &form.print_precheck_qr))
                (check("print_delivery_precheck_qr", viewer.t("І на пречеках доставки", "On delivery pre-checks too"), &form.print_delivery_precheck_qr))
                label { (viewer.t("Адреса QR ({billId} каса підставляє сама)", "QR URL (the POS fills in {billId})"))
                    input type="text" name="precheck_qr_url" value=(form.precheck_qr_url) placeholder=(suggested_url);
                }
                label { (viewer.t("Текст над QR", "Text above the QR")) input type="text" name="message_before_qr" value=(form.message_before_qr); }
                label { (viewer.t("Текст під QR", "Text below the QR")) input type="text" name="message_after_qr" value=(form.message_after_qr); }
                (check("payment_allowed", viewer.t("Гості можуть платити за QR", "Guests may pay by QR"), &form.payment_allowed))
            }
            section.card {
                h2 { (viewer.t("Для гостей", "For guests")) }
                label { (viewer.t("Чайові, % (через кому)", "Tips, % (comma-separated)"))
                    input type="text" name="tip_percents" value=(form.tip_percents) inputmode="numeric";
                }
                (check("split_enabled", viewer.t("Гості можуть розділити рахунок", "Guests may split the bill"), &form.split_enabled))
                (check("ordering_enabled", viewer.t("Гості можуть замовляти з меню за QR (якщо каса підтримує ORDER_ON_TABLE)", "Guests may order from the menu by QR (when the POS supports ORDER_ON_TABLE)"), &form.ordering_enabled))
                label { (viewer.t("Часовий пояс (час у чеках гостей)", "Time zone (times on guests' receipts)"))
                    input type="text" name="time_zone" value=(form.time_zone) placeholder=(GuestSettings::DEFAULT_TIME_ZONE);
                }
                label { (viewer.t("Посилання «Залишити відгук» у чеку (необов'язково)", "\"Leave a review\" link on the receipt (optional)"))
                    input type="url" name="review_url" value=(form.review_url) placeholder="https://";
                }
            }
            button type="submit" { (viewer.t("Зберегти і надіслати на касу", "Save and send to the POS")) }
        }
    }
}

fn render(
    at: &InRestaurant,
    form: &SettingsForm,
    suggested_url: &str,
    notice: Option<Markup>,
    acquirer: &super::acquirer::AcquirerCard,
) -> Page {
    let viewer = &at.viewer;
    let body = html! {
        @if let Some(notice) = notice { (notice) }
        (settings_form(viewer, at.resto_id(), form, suggested_url))
        (super::acquirer::card(viewer, at.resto_id(), acquirer))
    };
    layout::page(viewer, Section::Settings.label(viewer), Place::Restaurant(&at.restaurant, Section::Settings), body)
}

#[derive(Deserialize, Default)]
pub struct SavedQuery {
    saved: Option<String>,
}

fn saved_notice(viewer: &Viewer, saved: Option<&str>) -> Option<Markup> {
    let saved = saved?;
    if let Some(notice) = super::acquirer::notice(viewer, saved) {
        return Some(notice);
    }
    let text = match saved {
        "sent" => viewer.t("Збережено й надіслано на касу (setSettings).", "Saved and sent to the POS (setSettings)."),
        _ => viewer.t(
            "Збережено. Каса не підключена: налаштування буде надіслано, щойно вона підключиться.",
            "Saved. The POS is not connected: the settings will be sent as soon as it connects.",
        ),
    };
    Some(html! { p.notice role="status" { (text) } })
}

/// The settings page.
pub async fn page(
    State(state): State<PanelState>,
    at: InRestaurant,
    headers: HeaderMap,
    Query(query): Query<SavedQuery>,
) -> Result<Page, PanelError> {
    let guest = state.store.guest_settings(at.resto_id()).await?;
    let form = SettingsForm::from_stored(&at.restaurant.settings, &guest);
    let notice = saved_notice(&at.viewer, query.saved.as_deref());
    let acquirer = super::acquirer::load(&state, at.resto_id()).await?;
    Ok(render(&at, &form, &suggested_precheck_url(&state, &headers, at.resto_id()), notice, &acquirer))
}

/// Saves the settings and pushes the POS part with `setSettings`.
pub async fn save(
    State(state): State<PanelState>,
    at: InRestaurant,
    headers: HeaderMap,
    Form(form): Form<SettingsForm>,
) -> Result<Response, PanelError> {
    let viewer = &at.viewer;
    let suggested_url = suggested_precheck_url(&state, &headers, at.resto_id());
    let valid = form
        .pos_settings(viewer, &at.restaurant.settings, &suggested_url)
        .and_then(|pos| form.guest_settings(viewer).map(|guest| (pos, guest)));
    let (pos, guest) = match valid {
        Ok(valid) => valid,
        Err(problem) => {
            let notice = html! { p.alert role="alert" { (problem) } };
            let acquirer = super::acquirer::load(&state, at.resto_id()).await?;
            return Ok(render(&at, &form, &suggested_url, Some(notice), &acquirer).into_response());
        }
    };
    state.store.save_settings(at.resto_id(), &pos).await?;
    state.store.save_guest_settings(at.resto_id(), &guest).await?;
    let saved = match state.link.send_message(at.resto_id(), &pos).await {
        Ok(()) => "sent",
        Err(LinkError::Offline) => "offline",
        Err(other) => return Err(other.into()),
    };
    tracing::info!(resto_id = at.resto_id(), by = viewer.user.name, saved, "settings saved in the panel");
    Ok(Redirect::to(&format!("{}?saved={saved}", Section::Settings.path(at.resto_id()))).into_response())
}

#[cfg(test)]
mod tests {
    use super::parse_tip_percents;

    #[test]
    fn tip_presets_are_whole_percents() {
        assert_eq!(parse_tip_percents("5, 10, 15"), Some(vec![5, 10, 15]));
        assert_eq!(parse_tip_percents("7%;12"), Some(vec![7, 12]));
        assert_eq!(parse_tip_percents(""), Some(vec![]));
        assert_eq!(parse_tip_percents("0, 10"), None);
        assert_eq!(parse_tip_percents("10.5"), None);
        assert_eq!(parse_tip_percents("1,2,3,4,5,6,7"), None);
    }

    #[test]
    fn a_review_link_is_an_http_address() {
        assert!(super::web_address("https://g.page/r/abc/review"));
        assert!(super::web_address("http://example.com/review?x=1"));
        assert!(!super::web_address("javascript:alert(1)"));
        assert!(!super::web_address("ftp://example.com"));
        assert!(!super::web_address("example.com"));
        assert!(super::web_address("https://pay.example.com/b/r1/{billId}"), "the pre-check's placeholder");
        assert!(!super::web_address("javascript:alert(1)//{billId}"));
        assert!(!super::web_address("JavaScript:alert(1)"));
        assert!(!super::web_address(" javascript:alert(1)"));
        assert!(!super::web_address("data:text/html,<script>alert(1)</script>"));
    }
}
