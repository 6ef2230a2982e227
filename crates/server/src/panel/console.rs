//! The integrator's bench: the request log (every request to the POS with its operation, rID,
//! latency, outcome and both bodies pretty-printed, filterable) and the console, which sends
//! any operation with fields typed into a JSON editor and shows the POS's answer — the
//! replacement for hand-signing requests in Postman against an 80-second deadline.

use super::access::{InRestaurant, Viewer};
use super::error::explain_link;
use super::layout::{self, csrf_field, Place, Section};
use super::pretty_json::{pretty, pretty_excerpt, SHOWN_BYTES};
use super::PanelError;
use super::PanelState;
use crate::store::{RequestLogEntry, RequestLogQuery, RequestOutcome, Restaurant};
use crate::web::{assets, Page};
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::{html, Markup};
use rahunok_protocol::Operation;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::time::Instant;

/// Rows read when filtering by outcome or rID (the store filters by operation only).
const SCAN_LIMIT: i64 = 1000;

/// Request-log filters from the query; empty fields mean "any".
#[derive(Deserialize, Default)]
pub struct LogFilter {
    operation: Option<String>,
    outcome: Option<String>,
    rid: Option<String>,
    limit: Option<i64>,
}

fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

impl LogFilter {
    fn operation(&self) -> Option<Operation> {
        given(&self.operation).and_then(Operation::from_name)
    }

    fn limit(&self) -> i64 {
        self.limit.unwrap_or(50).clamp(1, SCAN_LIMIT)
    }

    fn keeps(&self, entry: &RequestLogEntry) -> bool {
        given(&self.outcome).is_none_or(|o| entry.outcome.as_str() == o)
            && given(&self.rid).is_none_or(|r| entry.rid.contains(r))
    }

    fn narrows_in_memory(&self) -> bool {
        given(&self.outcome).is_some() || given(&self.rid).is_some()
    }
}

fn outcome_badge(outcome: RequestOutcome) -> Markup {
    let class = match outcome {
        RequestOutcome::Answered => "badge good",
        RequestOutcome::Sent => "badge",
        RequestOutcome::InFlight => "badge warn",
        _ => "badge bad",
    };
    html! { span class=(class) { (outcome.as_str()) } }
}

/// A stored body as a page shows it: pretty-printed up to [`SHOWN_BYTES`], with a
/// download link for the whole body when it is longer.
fn shown_body(viewer: &Viewer, resto_id: &str, entry: &RequestLogEntry, part: &str, body: &str) -> Markup {
    let (shown, cut) = pretty_excerpt(body);
    html! {
        pre class=(part) { (shown) }
        @if let Some(total) = cut {
            p.muted {
                (viewer.t("Показано початок", "Shown: the start"))
                " (" (SHOWN_BYTES / 1024) " KB / " (total / 1024) " KB). "
                a href={"/panel/r/" (resto_id) "/requests/" (entry.rid) "/" (part) ".json"} download {
                    (viewer.t("Завантажити повністю", "Download in full"))
                }
            }
        }
    }
}

/// `GET /panel/r/{id}/requests/{rid}/{request|response}.json`: a stored body in full, as a
/// download.
pub async fn download_body(
    State(state): State<PanelState>,
    at: InRestaurant,
    Path((_, rid, file)): Path<(String, String, String)>,
) -> Result<Response, PanelError> {
    let entry =
        state.store.request_log_entry(at.resto_id(), &rid).await?.ok_or(PanelError::NotFound("stored request"))?;
    let body = match file.as_str() {
        "request.json" => Some(entry.request_body),
        "response.json" => entry.response_body,
        _ => None,
    }
    .ok_or(PanelError::NotFound("stored request"))?;
    let disposition = format!(
        "attachment; filename=\"{}-{file}\"",
        rid.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    let headers = [
        (header::CONTENT_TYPE, "application/json; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, body).into_response())
}

fn log_entry(viewer: &Viewer, resto_id: &str, entry: &RequestLogEntry) -> Markup {
    html! {
        details.log-entry {
            summary {
                (layout::time(entry.sent_at))
                strong { (entry.operation) }
                (outcome_badge(entry.outcome))
                span { (entry.latency_ms.map(|ms| format!("{ms} ms")).unwrap_or_default()) }
                span.mono.muted { (entry.rid) }
            }
            @if let Some(detail) = &entry.detail { p { (viewer.t("Деталі", "Detail")) ": " (detail) } }
            h3 { (viewer.t("Запит до каси", "Request to the POS")) }
            (shown_body(viewer, resto_id, entry, "request", &entry.request_body))
            h3 { (viewer.t("Відповідь каси (колбек)", "POS answer (callback)")) }
            @match &entry.response_body {
                Some(body) => (shown_body(viewer, resto_id, entry, "response", body)),
                None => p.muted { "—" },
            }
        }
    }
}

fn operation_options(selected: Option<Operation>, any_label: Option<&str>) -> Markup {
    html! {
        @if let Some(any) = any_label { option value="" { (any) } }
        @for operation in Operation::ALL {
            option value=(operation.name()) selected[selected == Some(*operation)] { (operation.name()) }
        }
    }
}

fn log_filters(viewer: &Viewer, resto_id: &str, filter: &LogFilter) -> Markup {
    html! {
        form.row.card method="get" action=(Section::Requests.path(resto_id)) {
            label { (viewer.t("Операція", "Operation"))
                select name="operation" { (operation_options(filter.operation(), Some(viewer.t("усі", "any")))) }
            }
            label { (viewer.t("Результат", "Outcome"))
                select name="outcome" {
                    option value="" { (viewer.t("усі", "any")) }
                    @for outcome in RequestOutcome::ALL { option value=(outcome.as_str()) selected[given(&filter.outcome) == Some(outcome.as_str())] { (outcome.as_str()) } }
                }
            }
            label { "rID" input type="text" name="rid" value=(given(&filter.rid).unwrap_or("")); }
            label { (viewer.t("Скільки", "How many"))
                select name="limit" { @for n in [50, 200, 1000] { option value=(n) selected[filter.limit() == n] { (n) } } }
            }
            button.inline type="submit" { (viewer.t("Показати", "Show")) }
        }
    }
}

/// The request log with filters.
pub async fn request_log(
    State(state): State<PanelState>,
    at: InRestaurant,
    Query(filter): Query<LogFilter>,
) -> Result<Page, PanelError> {
    let viewer = &at.viewer;
    let query = RequestLogQuery {
        operation: filter.operation().map(|o| o.name().to_string()),
        limit: if filter.narrows_in_memory() { SCAN_LIMIT } else { filter.limit() },
    };
    let mut entries = state.store.request_log(at.resto_id(), &query).await?;
    entries.retain(|e| filter.keeps(e));
    entries.truncate(filter.limit() as usize);
    let body = html! {
        (log_filters(viewer, at.resto_id(), &filter))
        @if entries.is_empty() { p.muted { (viewer.t("Запитів не знайдено.", "No requests found.")) } }
        div #request-log { @for entry in &entries { (log_entry(viewer, at.resto_id(), entry)) } }
    };
    Ok(layout::page(
        viewer,
        Section::Requests.label(viewer),
        Place::Restaurant(&at.restaurant, Section::Requests),
        body,
    ))
}

/// A starting body for the JSON editor, per operation.
fn example_fields(operation: Operation) -> &'static str {
    match operation {
        Operation::GetBill => r#"{"tableNumber": "1"}"#,
        Operation::PayBill => r#"{"billId": "", "sum": 0.00, "tips": 0.00, "fiscalData": []}"#,
        Operation::SplitOrder => r#"{"billId": "", "controlSum": 0.00, "positions": [{"id": "", "quantity": 1}]}"#,
        Operation::CheckProductsRestrictions => r#"{"items": [{"id": "", "quantity": 1}]}"#,
        Operation::CreateOrderOnTable => {
            r#"{"externalId": "", "originName": "Rahunok", "tableId": "", "items": [], "fiscalData": []}"#
        }
        Operation::SetSettings => r#"{"printPrecheckQr": false, "paymentAllowed": true}"#,
        Operation::ShowMessage => r#"{"message": "Тест / Test", "warning": false, "billId": null}"#,
        _ => "{}",
    }
}

/// The fields the console starts from for `operation`: for `setSettings` the restaurant's stored
/// settings, every one of them (the message replaces all settings on the POS); an example
/// otherwise.
fn starting_fields(operation: Operation, restaurant: &Restaurant) -> String {
    match operation {
        Operation::SetSettings => serde_json::to_string_pretty(&restaurant.settings).expect("settings serialise"),
        other => example_fields(other).to_string(),
    }
}

/// What `setSettings` sends: the stored settings with the operator's fields over them. A field
/// left out keeps its stored value — an empty body used to send only `rID` and `operation`,
/// which typed POS clients read as "payments off" (`paymentAllowed` absent → false).
fn settings_to_send(
    restaurant: &Restaurant,
    typed: BTreeMap<String, Box<RawValue>>,
) -> BTreeMap<String, Box<RawValue>> {
    let stored = serde_json::to_string(&restaurant.settings).expect("settings serialise");
    let mut fields: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&stored).expect("settings are an object");
    fields.extend(typed);
    fields
}

/// What the console sent and got back.
enum Sent {
    Answered { body: String, millis: u128 },
    NoCallback,
    Failed(String),
}

fn console_form(viewer: &Viewer, restaurant: &Restaurant, operation: Operation, fields: &str) -> Markup {
    let resto_id = restaurant.resto_id.as_str();
    html! {
        form.card method="post" action={(Section::Console.path(resto_id)) "#console-result"} {
            (csrf_field(viewer))
            label { (viewer.t("Операція", "Operation"))
                select #operation name="operation" {
                    @for op in Operation::ALL {
                        option value=(op.name()) data-example=(starting_fields(*op, restaurant)) selected[*op == operation] { (op.name()) }
                    }
                }
            }
            label { (viewer.t("Поля запиту (JSON-об'єкт; rID і operation додає сервер)", "Request fields (a JSON object; the server adds rID and operation)"))
                textarea.json #fields name="fields" spellcheck="false" { (fields) }
            }
            @if operation == Operation::SetSettings {
                p.muted #settings-note { (viewer.t(
                    "setSettings замінює всі налаштування на касі. Тут — збережені налаштування закладу; поле, якого немає в тексті, надсилається зі збереженим значенням.",
                    "setSettings replaces every setting on the POS. Shown here: the restaurant's stored settings; a field left out is sent with its stored value."
                )) }
            }
            button type="submit" { (viewer.t("Надіслати на касу", "Send to the POS")) }
        }
        (assets::script("panel-console.js"))
    }
}

fn sent_result(viewer: &Viewer, resto_id: &str, operation: Operation, sent: &Sent, fields: Option<&str>) -> Markup {
    let log_link = format!("{}?operation={}", Section::Requests.path(resto_id), operation.name());
    html! {
        section.card #console-result {
            @if let Some(fields) = fields {
                h2 { (viewer.t("Надіслані поля", "Fields sent")) }
                pre #sent-fields { (pretty(fields)) }
            }
            h2 { (viewer.t("Відповідь", "Answer")) }
            @match sent {
                Sent::Answered { body, millis } => {
                    p { (viewer.t("Каса відповіла за", "The POS answered in")) " " (millis) " ms." }
                    pre #pos-answer { (pretty(body)) }
                }
                Sent::NoCallback => p.notice { (viewer.t("Надіслано. Ця операція не має колбеку.", "Sent. This operation has no callback.")) },
                Sent::Failed(problem) => p.alert role="alert" { (problem) },
            }
            p { a href=(log_link) { (viewer.t("Дивитися в журналі запитів", "See it in the request log")) } }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct ConsoleQuery {
    operation: Option<String>,
}

/// The console, empty.
pub async fn console(at: InRestaurant, Query(query): Query<ConsoleQuery>) -> Result<Page, PanelError> {
    let operation = given(&query.operation).and_then(Operation::from_name).unwrap_or(Operation::CheckWork);
    let body = console_form(&at.viewer, &at.restaurant, operation, &starting_fields(operation, &at.restaurant));
    Ok(layout::page(
        &at.viewer,
        Section::Console.label(&at.viewer),
        Place::Restaurant(&at.restaurant, Section::Console),
        body,
    ))
}

#[derive(Deserialize)]
pub struct ConsoleForm {
    operation: String,
    fields: String,
}

fn parse_fields(viewer: &Viewer, text: &str) -> Result<BTreeMap<String, Box<RawValue>>, String> {
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    serde_json::from_str(text)
        .map_err(|e| format!("{} {e}", viewer.t("Поля мають бути JSON-об'єктом:", "The fields must be a JSON object:")))
}

/// Sends `fields` (for `setSettings`, over the stored settings); what went, and what came back.
async fn send(
    state: &PanelState,
    viewer: &Viewer,
    restaurant: &Restaurant,
    operation: Operation,
    fields: &str,
) -> (Option<String>, Sent) {
    let fields = match parse_fields(viewer, fields) {
        Ok(fields) if operation == Operation::SetSettings => settings_to_send(restaurant, fields),
        Ok(fields) => fields,
        Err(problem) => return (None, Sent::Failed(problem)),
    };
    let shown = serde_json::to_string(&fields).expect("fields serialise");
    let started = Instant::now();
    let sent = match state.link.request_raw(&restaurant.resto_id, operation, fields).await {
        Ok(_) if !operation.expects_callback() => Sent::NoCallback,
        Ok(body) => {
            Sent::Answered { body: String::from_utf8_lossy(&body).into_owned(), millis: started.elapsed().as_millis() }
        }
        Err(error) => Sent::Failed(explain_link(&error, viewer.lang)),
    };
    (Some(shown), sent)
}

/// Sends the operation and shows the POS's answer under the form.
pub async fn send_operation(
    State(state): State<PanelState>,
    at: InRestaurant,
    Form(form): Form<ConsoleForm>,
) -> Result<Page, PanelError> {
    let viewer = &at.viewer;
    let operation = Operation::from_name(&form.operation)
        .ok_or_else(|| PanelError::BadRequest(format!("`{}` is not an operation of the protocol", form.operation)))?;
    tracing::info!(resto_id = at.resto_id(), by = viewer.user.name, operation = operation.name(), "console request");
    let (fields_sent, sent) = send(&state, viewer, &at.restaurant, operation, &form.fields).await;
    let body = html! {
        (console_form(viewer, &at.restaurant, operation, &form.fields))
        (sent_result(viewer, at.resto_id(), operation, &sent, fields_sent.as_deref()))
    };
    Ok(layout::page(viewer, Section::Console.label(viewer), Place::Restaurant(&at.restaurant, Section::Console), body))
}
