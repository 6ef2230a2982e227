//! Tables and QR codes — the seed scenario. Opening the page asks the POS for its tables
//! (`tablesInfo`) and halls (`hallplansInfo`) and shows the tables grouped by hall as soon as
//! they arrive, each with a QR code that opens the guest page `{base}/t/{restoId}/{number}`, as
//! SVG and PNG downloads; "print all" lays every code out on A4 sheets with the table's name
//! and number under it.

use super::access::{InRestaurant, Viewer};
use super::layout::{self, Place, Section};
use super::origin::{guest_table_url, public_base, unreachable_by_phones};
use super::qr::QrImage;
use super::PanelError;
use super::PanelState;
use crate::pos_data::PosDataError;
use crate::web::{self, assets, Page};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use maud::{html, Markup, PreEscaped};
use rahunok_protocol::ops::{HallPlan, HallplansInfo, Table, TablesInfo};
use serde::{Deserialize, Serialize};

/// One table with its guest link and codes.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableView {
    number: i64,
    name: String,
    guest_url: String,
    svg_url: String,
    png_url: String,
}

/// The tables of one hall.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HallView {
    name: String,
    tables: Vec<TableView>,
}

/// Every table, grouped by hall.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TablesView {
    halls: Vec<HallView>,
    table_count: usize,
}

/// Tables grouped by hall, halls in the POS's order, tables by number; tables in no known
/// hall come last under `no_hall`.
fn group_by_hall<'a>(tables: &'a [Table], halls: &'a [HallPlan], no_hall: &'a str) -> Vec<(&'a str, Vec<&'a Table>)> {
    let mut groups: Vec<(&str, Vec<&Table>)> = halls
        .iter()
        .map(|hall| {
            (hall.name.as_str(), tables.iter().filter(|t| t.hall_plan_id.as_deref() == Some(&hall.id)).collect())
        })
        .collect();
    let homeless: Vec<&Table> =
        tables.iter().filter(|t| !halls.iter().any(|h| t.hall_plan_id.as_deref() == Some(h.id.as_str()))).collect();
    groups.push((no_hall, homeless));
    groups.retain(|(_, tables)| !tables.is_empty());
    for (_, tables) in &mut groups {
        tables.sort_by_key(|t| t.number);
    }
    groups
}

fn no_hall(viewer: &Viewer) -> &'static str {
    viewer.t("Без залу", "No hall")
}

fn code_url(resto_id: &str, number: i64, format: &str) -> String {
    format!("/panel/r/{resto_id}/tables/{number}/qr.{format}")
}

fn tables_view(base: &str, resto_id: &str, groups: Vec<(&str, Vec<&Table>)>) -> TablesView {
    let halls: Vec<HallView> = groups
        .into_iter()
        .map(|(name, tables)| HallView {
            name: name.to_string(),
            tables: tables
                .into_iter()
                .map(|t| TableView {
                    number: t.number,
                    name: t.name.clone(),
                    guest_url: guest_table_url(base, resto_id, &t.number.to_string()),
                    svg_url: code_url(resto_id, t.number, "svg"),
                    png_url: code_url(resto_id, t.number, "png"),
                })
                .collect(),
        })
        .collect();
    let table_count = halls.iter().map(|h| h.tables.len()).sum();
    TablesView { halls, table_count }
}

/// Asks the POS for tables and halls (both at once), stores them, and answers them grouped.
pub async fn fetch(
    State(state): State<PanelState>,
    at: InRestaurant,
    headers: HeaderMap,
) -> Result<Json<TablesView>, PanelError> {
    let resto_id = at.resto_id().to_string();
    let tables =
        state.pos_data.refresh::<TablesInfo>(&resto_id).await.map_err(PosDataError::into_error::<PanelError>)?.tables;
    let halls = state.pos_data.stored::<HallplansInfo>(&resto_id).await?.map(|(a, _)| a.hall_plans).unwrap_or_default();
    let groups = group_by_hall(&tables, &halls, no_hall(&at.viewer));
    Ok(Json(tables_view(&public_base(&state.config, &headers), &resto_id, groups)))
}

/// The page: it renders at once and asks the POS from the browser, showing progress.
pub async fn page(State(state): State<PanelState>, at: InRestaurant, headers: HeaderMap) -> Result<Page, PanelError> {
    let viewer = &at.viewer;
    let resto_id = at.resto_id();
    let body = html! {
        (phones_cannot_reach(viewer, &state, &headers))
        p.row {
            a #print-all.button.inline.secondary href={"/panel/r/" (resto_id) "/tables/print"} hidden {
                (viewer.t("Друкувати всі (A4)", "Print all (A4)"))
            }
        }
        div #tables
            data-url={"/panel/r/" (resto_id) "/tables.json"}
            data-csrf=(viewer.csrf)
            data-waiting=(viewer.t("Запитуємо в каси столи й зали…", "Asking the POS for tables and halls…"))
            data-count=(viewer.t("Столів: {n}, залів: {h}.", "{n} tables in {h} halls."))
            data-table=(viewer.t("Стіл", "Table"))
            data-again=(viewer.t("Спробувати ще раз", "Try again"))
            data-errpos_offline=(viewer.t("Каса не підключена: столи неможливо отримати.", "The POS is not connected: the tables cannot be fetched."))
            data-errpos_timeout=(viewer.t("Каса не відповіла вчасно (тайм-аут).", "The POS did not answer in time (timeout)."))
            data-errpos_fail=(viewer.t("Каса відповіла помилкою:", "The POS answered with an error:"))
            data-errother=(viewer.t("Не вдалося отримати столи.", "The tables could not be fetched.")) {
            noscript { (viewer.t("Для цієї сторінки потрібен JavaScript.", "This page needs JavaScript.")) }
        }
        (assets::script("panel-tables.js"))
    };
    Ok(layout::page(
        viewer,
        viewer.t("Столи і QR-коди", "Tables and QR codes"),
        Place::Restaurant(&at.restaurant, Section::Tables),
        body,
    ))
}

/// The warning shown above codes that would point at an address phones cannot open.
fn phones_cannot_reach(viewer: &Viewer, state: &PanelState, headers: &HeaderMap) -> Markup {
    let Some(base) = unreachable_by_phones(&state.config, headers) else { return html! {} };
    html! {
        div.alert #unreachable-codes role="alert" {
            p { strong { (viewer.t("Телефони гостей не відкриють ці коди.", "Guests' phones cannot open these codes.")) } " "
                (viewer.t("Вони ведуть на", "They point at")) " " code { (base) } ", "
                (viewer.t(
                    "адресу, яку бачить лише цей комп'ютер або локальна мережа.",
                    "an address only this computer or the local network can reach.",
                ))
            }
            p { (viewer.t("Запустіть сервер з публічною адресою:", "Start the server with its public address:")) " "
                code { "rahunok serve --public-url https://pay.example.com" } " "
                (viewer.t(
                    "(або RAHUNOK_PUBLIC_URL), і коди вестимуть туди. Не друкуйте коди до того.",
                    "(or RAHUNOK_PUBLIC_URL), and the codes will lead there. Do not print the codes before that.",
                ))
            }
        }
    }
}

#[derive(Deserialize)]
pub struct CodeQuery {
    download: Option<String>,
}

fn qr_for(state: &PanelState, headers: &HeaderMap, resto_id: &str, number: i64) -> Result<QrImage, PanelError> {
    let url = guest_table_url(&public_base(&state.config, headers), resto_id, &number.to_string());
    QrImage::encode(&url).map_err(|e| PanelError::BadRequest(e.to_string()))
}

/// The two downloads of a table's code.
#[derive(Clone, Copy)]
enum CodeFile {
    Svg,
    Png,
}

impl CodeFile {
    fn from_name(name: &str) -> Option<CodeFile> {
        match name {
            "qr.svg" => Some(CodeFile::Svg),
            "qr.png" => Some(CodeFile::Png),
            _ => None,
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            CodeFile::Svg => "image/svg+xml",
            CodeFile::Png => "image/png",
        }
    }

    fn extension(self) -> &'static str {
        match self {
            CodeFile::Svg => "svg",
            CodeFile::Png => "png",
        }
    }

    fn render(self, qr: &QrImage) -> Vec<u8> {
        match self {
            CodeFile::Svg => qr.svg().into_bytes(),
            CodeFile::Png => qr.png(),
        }
    }
}

/// A table's QR code, `qr.svg` or `qr.png` (`?download=1` names the file for saving).
pub async fn code(
    State(state): State<PanelState>,
    at: InRestaurant,
    headers: HeaderMap,
    Path((_, number, file)): Path<(String, i64, String)>,
    Query(query): Query<CodeQuery>,
) -> Result<Response, PanelError> {
    let file = CodeFile::from_name(&file).ok_or(PanelError::NotFound("file"))?;
    let body = file.render(&qr_for(&state, &headers, at.resto_id(), number)?);
    let mut response = ([(header::CONTENT_TYPE, file.content_type())], body).into_response();
    if query.download.is_some() {
        let name = format!("rahunok-{}-table-{number}.{}", at.resto_id(), file.extension());
        let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).expect("ASCII file names");
        response.headers_mut().insert(header::CONTENT_DISPOSITION, disposition);
    }
    Ok(response)
}

fn print_label(viewer: &Viewer, restaurant_name: &str, hall: &str, table: &Table, svg: String) -> Markup {
    html! {
        div.label {
            (PreEscaped(svg))
            div.name { (if table.name.is_empty() { viewer.t("Стіл", "Table") } else { &table.name }) " · № " (table.number) }
            div.hint { (restaurant_name) " · " (hall) }
            div.hint { (viewer.t("Скануйте, щоб переглянути й оплатити рахунок", "Scan to see and pay the bill")) }
        }
    }
}

/// Every stored table's code on A4 sheets, with its name and number.
pub async fn print_all(
    State(state): State<PanelState>,
    at: InRestaurant,
    headers: HeaderMap,
) -> Result<Page, PanelError> {
    let viewer = &at.viewer;
    let resto_id = at.resto_id();
    let tables = state.pos_data.stored::<TablesInfo>(resto_id).await?.map(|(a, _)| a.tables);
    let Some(tables) = tables.filter(|t| !t.is_empty()) else {
        let text = viewer.t(
            "Спершу відкрийте «Столи і QR-коди», щоб отримати столи з каси.",
            "Open “Tables and QR codes” first to fetch the tables from the POS.",
        );
        let back = html! { a href=(Section::Tables.path(resto_id)) { (Section::Tables.label(viewer)) } };
        return Ok(Page::ok(web::message_page(
            viewer.lang,
            &viewer.path,
            viewer.t("Немає столів", "No tables"),
            text,
            back,
        )));
    };
    let halls = state.pos_data.stored::<HallplansInfo>(resto_id).await?.map(|(a, _)| a.hall_plans).unwrap_or_default();
    let base = public_base(&state.config, &headers);
    let mut labels = Vec::new();
    for (hall, tables) in group_by_hall(&tables, &halls, no_hall(viewer)) {
        for table in tables {
            let svg = QrImage::encode(&guest_table_url(&base, resto_id, &table.number.to_string()))
                .map_err(|e| PanelError::BadRequest(e.to_string()))?
                .svg();
            labels.push(print_label(viewer, &at.restaurant.name, hall, table, svg));
        }
    }
    let head = html! {
        (assets::stylesheet("panel-print.css"))
        (assets::script("panel-print.js"))
    };
    let body = html! {
        p.no-print {
            button.inline type="button" data-print { (viewer.t("Друкувати", "Print")) } " "
            a href=(Section::Tables.path(resto_id)) { (viewer.t("Назад до столів", "Back to the tables")) }
        }
        div.sheet { @for label in labels { (label) } }
    };
    let title = format!("{} · {}", at.restaurant.name, viewer.t("QR-коди столів", "table QR codes"));
    Ok(Page::ok(web::shell_with(viewer.lang, &title, &viewer.path, head, body)))
}
