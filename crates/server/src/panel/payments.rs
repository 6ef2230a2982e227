//! A restaurant's payments: the list with filters (status, dates), each payment's detail with
//! its state timeline, refunds, an alert strip for `paid_not_closed` payments — the guest
//! was charged but the POS has not closed the bill yet — with "retry now", and one for charges
//! held for an operator (`amount_mismatch`, `late_charge`), with the acquirer's reason.
//!
//! The payment machinery itself lives in `crate::payments`; this page only shows it and asks
//! it to act.

use super::access::{InRestaurant, Viewer};
use super::layout::{self, csrf_field, Place, Section};
use super::pretty_json::pretty;
use super::PanelError;
use super::PanelState;
use crate::payments::receipt_data::ReceiptData;
use crate::payments::{PaymentError, RefundRequest};
use crate::store::{PaymentFilter, PaymentRecord, PaymentStatus, PaymentTransition};
use crate::web::format::money;
use crate::web::Page;
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use axum::Form;
use maud::{html, Markup};
use rahunok_protocol::Money;
use rand::distributions::{Alphanumeric, DistString};
use serde::Deserialize;

const DAY_MS: i64 = 24 * 3600 * 1000;
/// How many payments the list shows.
const LIST_LIMIT: i64 = 200;

fn status_label(viewer: &Viewer, status: PaymentStatus) -> &'static str {
    let (uk, en) = match status {
        PaymentStatus::Created => ("створено", "created"),
        PaymentStatus::Paid => ("оплачено", "paid"),
        PaymentStatus::ClosingOnPos => ("закривається на касі", "closing on the POS"),
        PaymentStatus::Closed => ("закрито", "closed"),
        PaymentStatus::Failed => ("не вдалося", "failed"),
        PaymentStatus::Expired => ("прострочено", "expired"),
        PaymentStatus::Cancelled => ("скасовано гостем", "cancelled by the guest"),
        PaymentStatus::PaidNotClosed => ("оплачено, не закрито", "paid, not closed"),
        PaymentStatus::Refunded => ("повернено", "refunded"),
        PaymentStatus::AmountMismatch => ("сума не збігається", "amount mismatch"),
        PaymentStatus::LateCharge => ("списано після завершення", "charged after it ended"),
    };
    viewer.lang.pick(uk, en)
}

fn status_badge(viewer: &Viewer, status: PaymentStatus) -> Markup {
    let class = match status {
        PaymentStatus::Closed => "badge good",
        PaymentStatus::PaidNotClosed
        | PaymentStatus::Failed
        | PaymentStatus::AmountMismatch
        | PaymentStatus::LateCharge => "badge bad",
        _ => "badge",
    };
    html! { span class=(class) data-status=(status.as_str()) { (status_label(viewer, status)) } }
}

/// Unix ms at the start of a `YYYY-MM-DD` day (UTC).
fn day_start_ms(text: &str) -> Option<i64> {
    let mut parts = text.trim().splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (year, month, day) = (parts.next()??, parts.next()??, parts.next()??);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Howard Hinnant's days_from_civil.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    Some((era * 146_097 + day_of_era - 719_468) * DAY_MS)
}

/// List filters from the query; empty fields mean "any".
#[derive(Deserialize, Default)]
pub struct ListQuery {
    status: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

impl ListQuery {
    fn status(&self) -> Option<PaymentStatus> {
        self.status.as_deref().and_then(PaymentStatus::from_name)
    }

    fn filter(&self) -> PaymentFilter {
        PaymentFilter {
            status: self.status(),
            from_ms: self.from.as_deref().and_then(day_start_ms),
            to_ms: self.to.as_deref().and_then(day_start_ms).map(|start| start + DAY_MS),
            limit: LIST_LIMIT,
        }
    }
}

fn total(viewer: &Viewer, record: &PaymentRecord) -> String {
    money(viewer.lang, record.amount())
}

fn detail_path(resto_id: &str, payment_id: &str) -> String {
    format!("{}/{payment_id}", Section::Payments.path(resto_id))
}

fn action_form(viewer: &Viewer, resto_id: &str, payment_id: &str, action: &str, label: &str) -> Markup {
    html! {
        form.inline-action method="post" action={(detail_path(resto_id, payment_id)) "/" (action)} {
            (csrf_field(viewer))
            button.inline type="submit" data-action=(action) { (label) }
        }
    }
}

fn unclosed_strip(viewer: &Viewer, resto_id: &str, unclosed: &[PaymentRecord]) -> Markup {
    html! {
        @if !unclosed.is_empty() {
            section.alert #unclosed role="alert" {
                strong { (viewer.t("Оплачено, але не закрито на касі", "Paid but not closed on the POS")) }
                " — " (viewer.t("гостей списано, каса ще не закрила рахунок; сервер повторює спроби.", "guests were charged, the POS has not closed the bill yet; the server keeps retrying."))
                ul { @for p in unclosed { li {
                    a href=(detail_path(resto_id, &p.id)) { (viewer.t("рахунок", "bill")) " " (p.bill_id) } " · " (total(viewer, p))
                    @if let Some(error) = &p.last_error { " · " span.muted { (error) } }
                    (action_form(viewer, resto_id, &p.id, "retry", viewer.t("Спробувати зараз", "Retry now")))
                } } }
            }
        }
    }
}

/// Charges that do not pay their bill (another amount or currency than asked, or taken after
/// the payment ended): an operator checks and refunds them.
fn operator_strip(viewer: &Viewer, resto_id: &str, held: &[PaymentRecord]) -> Markup {
    html! {
        @if !held.is_empty() {
            section.alert #needs-operator role="alert" {
                strong { (viewer.t("Списано, але не сплачено рахунок", "Charged, but the bill is not paid")) }
                " — " (viewer.t("еквайр списав не те, що ми просили (або вже після завершення оплати); каса нічого не отримала. Перевірте й поверніть гроші.", "the acquirer took what we did not ask (or after the payment had ended); the POS was told nothing. Check and refund."))
                ul { @for p in held { li {
                    a href=(detail_path(resto_id, &p.id)) { (viewer.t("рахунок", "bill")) " " (p.bill_id) } " · " (total(viewer, p))
                    " · " (status_badge(viewer, p.status))
                    @if let Some(reason) = &p.last_error { " · " span.muted { (reason) } }
                } } }
            }
        }
    }
}

fn filters(viewer: &Viewer, resto_id: &str, query: &ListQuery) -> Markup {
    html! {
        form.row.card method="get" action=(Section::Payments.path(resto_id)) {
            label { (viewer.t("Стан", "Status"))
                select name="status" {
                    option value="" { (viewer.t("усі", "any")) }
                    @for status in PaymentStatus::ALL {
                        option value=(status.as_str()) selected[query.status() == Some(*status)] { (status_label(viewer, *status)) }
                    }
                }
            }
            label { (viewer.t("З (UTC)", "From (UTC)")) input type="date" name="from" value=(query.from.as_deref().unwrap_or("")); }
            label { (viewer.t("По (UTC)", "To (UTC)")) input type="date" name="to" value=(query.to.as_deref().unwrap_or("")); }
            button.inline type="submit" { (viewer.t("Показати", "Show")) }
        }
    }
}

fn payments_table(viewer: &Viewer, resto_id: &str, payments: &[PaymentRecord]) -> Markup {
    html! {
        @if payments.is_empty() { p.muted { (viewer.t("Платежів не знайдено.", "No payments found.")) } }
        @else { div.table-wrap { table #payments {
            thead { tr {
                th { (viewer.t("Час", "Time")) } th { (viewer.t("Рахунок", "Bill")) } th { (viewer.t("Стіл", "Table")) }
                th { (viewer.t("Сума з чайовими", "Total with tip")) } th { (viewer.t("Стан", "Status")) }
                th { (viewer.t("Оцінка", "Rating")) }
            } }
            tbody { @for p in payments { tr data-payment=(p.id) {
                td { a href=(detail_path(resto_id, &p.id)) { (layout::time(p.created_at)) } }
                td.mono { (p.bill_id) }
                td { (p.table_number.as_deref().unwrap_or("—")) }
                td.money { (total(viewer, p)) }
                td { (status_badge(viewer, p.status)) }
                td.rating { (stars(p.rating)) }
            } } }
        } } }
    }
}

/// A rating as `4 ★`, or a dash when none was given.
fn stars(rating: Option<i64>) -> String {
    rating.map(|r| format!("{r} ★")).unwrap_or_else(|| "—".into())
}

/// The waiter a payment's receipt names.
fn waiter_of(payment: &PaymentRecord) -> Option<String> {
    serde_json::from_str::<ReceiptData>(&payment.receipt).ok().and_then(|r| r.waiter)
}

/// Each waiter's ratings among `payments`, the most rated first: name, how many, and the
/// average to one decimal (integers all the way: the sum times ten over the count, rounded
/// half up).
fn ratings_by_waiter(payments: &[PaymentRecord]) -> Vec<(String, i64, String)> {
    let mut by_waiter: std::collections::BTreeMap<String, (i64, i64)> = std::collections::BTreeMap::new();
    for payment in payments {
        if let Some(rating) = payment.rating {
            let entry = by_waiter.entry(waiter_of(payment).unwrap_or_else(|| "—".into())).or_default();
            *entry = (entry.0 + 1, entry.1 + rating);
        }
    }
    let mut rows: Vec<(String, i64, String)> = by_waiter
        .into_iter()
        .map(|(waiter, (count, sum))| {
            let tenths = (sum * 20 + count) / (2 * count);
            (waiter, count, format!("{}.{}", tenths / 10, tenths % 10))
        })
        .collect();
    // The most rated first.
    rows.sort_by_key(|row| std::cmp::Reverse(row.1));
    rows
}

fn waiter_ratings(viewer: &Viewer, payments: &[PaymentRecord]) -> Markup {
    let rows = ratings_by_waiter(payments);
    html! {
        @if !rows.is_empty() {
            section.card {
                h2 { (viewer.t("Оцінки гостей за офіціантами", "Guests' ratings by waiter")) }
                table #ratings-by-waiter {
                    thead { tr { th { (viewer.t("Офіціант", "Waiter")) } th { (viewer.t("Оцінок", "Ratings")) } th { (viewer.t("Середня", "Average")) } } }
                    tbody { @for (waiter, count, average) in &rows { tr { td { (waiter) } td { (count) } td { (average) " ★" } } } }
                }
            }
        }
    }
}

/// The payments list.
pub async fn list(
    State(state): State<PanelState>,
    at: InRestaurant,
    Query(query): Query<ListQuery>,
) -> Result<Page, PanelError> {
    let viewer = &at.viewer;
    let unclosed_filter = PaymentFilter { status: Some(PaymentStatus::PaidNotClosed), limit: 50, ..Default::default() };
    let unclosed = state.store.payments(at.resto_id(), &unclosed_filter).await?;
    let mut held = Vec::new();
    for status in PaymentStatus::ALL.iter().filter(|s| s.needs_operator()) {
        let filter = PaymentFilter { status: Some(*status), limit: 50, ..Default::default() };
        held.extend(state.store.payments(at.resto_id(), &filter).await?);
    }
    let payments = state.store.payments(at.resto_id(), &query.filter()).await?;
    let body = html! {
        (operator_strip(viewer, at.resto_id(), &held))
        (unclosed_strip(viewer, at.resto_id(), &unclosed))
        (filters(viewer, at.resto_id(), &query))
        (payments_table(viewer, at.resto_id(), &payments))
        (waiter_ratings(viewer, &payments))
    };
    Ok(layout::page(
        viewer,
        Section::Payments.label(viewer),
        Place::Restaurant(&at.restaurant, Section::Payments),
        body,
    ))
}

/// The fiscal lines sent with `payBill`, as a table of label and value (raw text only when
/// they cannot be read as lines).
fn fiscal_table(viewer: &Viewer, fiscal: &str) -> Markup {
    let Ok(lines) = serde_json::from_str::<Vec<rahunok_protocol::order::FiscalLine>>(fiscal) else {
        return html! { pre { (pretty(fiscal)) } };
    };
    html! {
        @if lines.is_empty() { p.muted { (viewer.t("Порожньо.", "Empty.")) } }
        @else { div.table-wrap { table {
            thead { tr { th { (viewer.t("Поле", "Field")) } th { (viewer.t("Значення", "Value")) } } }
            tbody { @for line in &lines { tr { td { (line.key) } td.mono { (line.value) } } } }
        } } }
    }
}

fn timeline(viewer: &Viewer, transitions: &[PaymentTransition]) -> Markup {
    html! {
        ol.timeline #timeline { @for t in transitions { li {
            (layout::time(t.at)) " · "
            @if let Some(from) = t.from { (status_label(viewer, from)) " → " }
            strong { (status_label(viewer, t.to)) }
            @if let Some(note) = &t.note { " · " span.muted { (super::words::note(viewer, note)) } }
        } } }
    }
}

fn facts(viewer: &Viewer, p: &PaymentRecord) -> Markup {
    html! {
        dl.facts {
            dt { (viewer.t("Стан", "Status")) } dd #payment-status { (status_badge(viewer, p.status)) }
            dt { (viewer.t("Рахунок", "Bill")) } dd.mono { (p.bill_id) }
            dt { (viewer.t("Стіл", "Table")) } dd { (p.table_number.as_deref().unwrap_or("—")) }
            dt { (viewer.t("За рахунок", "For the bill")) } dd.money { (money(viewer.lang, p.sum)) }
            dt { (viewer.t("Чайові", "Tip")) } dd.money { (money(viewer.lang, p.tips)) }
            dt { (viewer.t("Разом", "Total")) } dd.money { strong { (total(viewer, p)) } }
            dt { (viewer.t("Еквайр", "Acquirer")) } dd { (p.acquirer) " " span.mono.muted { (p.acquirer_ref.as_deref().unwrap_or("")) } }
            dt { (viewer.t("Спроби payBill", "payBill attempts")) } dd { (p.attempts) }
            @if let Some(at) = p.next_attempt_at { dt { (viewer.t("Наступна спроба", "Next attempt")) } dd { (layout::time(at)) } }
            @if let Some(error) = &p.last_error { dt { (viewer.t("Остання помилка", "Last error")) } dd { (error) } }
            dt { (viewer.t("Оцінка гостя", "Guest's rating")) } dd #payment-rating { (stars(p.rating)) }
            dt { "ID" } dd.mono { (p.id) }
        }
    }
}

fn refund_form(viewer: &Viewer, resto_id: &str, p: &PaymentRecord, refunded: Money) -> Markup {
    let key = Alphanumeric.sample_string(&mut rand::thread_rng(), 16);
    html! {
        form.card #refund method="post" action={(detail_path(resto_id, &p.id)) "/refund"} {
            (csrf_field(viewer))
            input type="hidden" name="refund_key" value=(key);
            h2 { (viewer.t("Повернення", "Refund")) }
            @if refunded > Money::ZERO {
                p #refunded { (viewer.t("Уже повернено", "Already refunded")) ": " (money(viewer.lang, refunded)) }
            }
            label { (viewer.t("Сума (порожньо — усе, що лишилось)", "Amount (empty: everything left)"))
                input type="text" name="amount" inputmode="decimal" placeholder=((p.amount() - refunded).to_string()) autocomplete="off";
            }
            label.check {
                input type="checkbox" name="confirm" required;
                (viewer.t("Так, повернути гостю", "Yes, return")) " " (total(viewer, p)) " "
                (viewer.t("(або вказану суму; каса отримає повідомлення)", "or the amount given, to the guest (the POS is told)"))
            }
            button.inline type="submit" data-action="refund" { (viewer.t("Повернути гроші", "Refund")) }
        }
    }
}

/// The refund form: an amount (empty for everything left) and the form's own key, so a double
/// submit returns the money once.
#[derive(Deserialize, Default)]
pub struct RefundForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    refund_key: String,
}

#[derive(Deserialize, Default)]
pub struct DoneQuery {
    done: Option<String>,
}

fn done_notice(viewer: &Viewer, done: Option<&str>) -> Markup {
    let text = match done {
        Some("refund") => viewer.t("Гроші повернено гостю.", "The money was returned to the guest."),
        Some("retry") => viewer.t("Сервер повторює payBill зараз.", "The server is retrying payBill now."),
        _ => return html! {},
    };
    html! { p.notice role="status" { (text) } }
}

/// One payment with its timeline and actions.
pub async fn detail(
    State(state): State<PanelState>,
    at: InRestaurant,
    Path((_, payment_id)): Path<(String, String)>,
    Query(query): Query<DoneQuery>,
) -> Result<Page, PanelError> {
    let viewer = &at.viewer;
    let (payment, transitions) =
        state.store.payment(at.resto_id(), &payment_id).await?.ok_or(PanelError::NotFound("payment"))?;
    let refunded = state.store.refunded_amount(&payment.id).await?;
    let body = html! {
        (done_notice(viewer, query.done.as_deref()))
        section.card {
            (facts(viewer, &payment))
            @if payment.status == PaymentStatus::PaidNotClosed {
                (action_form(viewer, at.resto_id(), &payment.id, "retry", viewer.t("Спробувати закрити зараз", "Retry closing now")))
            }
        }
        section.card { h2 { (viewer.t("Історія", "Timeline")) } (timeline(viewer, &transitions)) }
        @if payment.status.is_refundable() { (refund_form(viewer, at.resto_id(), &payment, refunded)) }
        @if let Some(fiscal) = &payment.fiscal { section.card #fiscal { h2 { (viewer.t("Фіскальні дані", "Fiscal data")) } (fiscal_table(viewer, fiscal)) } }
        p { a href=(Section::Payments.path(at.resto_id())) { (viewer.t("Усі платежі", "All payments")) } }
    };
    let title = format!("{} {}", viewer.t("Платіж за рахунок", "Payment for bill"), payment.bill_id);
    Ok(layout::page(viewer, &title, Place::Restaurant(&at.restaurant, Section::Payments), body))
}

fn not_found_as_page(error: PaymentError) -> PanelError {
    match error {
        PaymentError::NotFound => PanelError::NotFound("payment"),
        other => other.into(),
    }
}

/// Returns the guest's money.
pub async fn refund(
    State(state): State<PanelState>,
    at: InRestaurant,
    Path((_, payment_id)): Path<(String, String)>,
    Form(form): Form<RefundForm>,
) -> Result<Redirect, PanelError> {
    let amount = match form.amount.trim() {
        "" => None,
        text => Some(Money::parse(&text.replace(',', ".")).map_err(|_| {
            PanelError::BadRequest(
                at.viewer.t("Сума — наприклад 100 або 100,50.", "The amount is like 100 or 100.50.").into(),
            )
        })?),
    };
    let key = Some(form.refund_key.trim().to_string()).filter(|k| (8..=64).contains(&k.len()));
    let request = RefundRequest { amount, key };
    let refunded = state.payments.refund(at.resto_id(), &payment_id, request).await.map_err(not_found_as_page)?;
    tracing::info!(
        resto_id = at.resto_id(),
        payment = refunded.id,
        by = at.viewer.user.name,
        "payment refunded in the panel"
    );
    Ok(Redirect::to(&format!("{}?done=refund", detail_path(at.resto_id(), &payment_id))))
}

/// Makes the closer try a `paid_not_closed` payment now.
pub async fn retry(
    State(state): State<PanelState>,
    at: InRestaurant,
    Path((_, payment_id)): Path<(String, String)>,
) -> Result<Redirect, PanelError> {
    state.payments.retry_close_now(at.resto_id(), &payment_id).await.map_err(not_found_as_page)?;
    Ok(Redirect::to(&format!("{}?done=retry", detail_path(at.resto_id(), &payment_id))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_the_start_of_their_utc_day() {
        assert_eq!(day_start_ms("1970-01-01"), Some(0));
        assert_eq!(day_start_ms("2024-03-01"), Some(1_709_251_200_000));
        assert_eq!(day_start_ms("2000-02-29"), Some(951_782_400_000));
        assert_eq!(day_start_ms("2024-13-01"), None);
        assert_eq!(day_start_ms("yesterday"), None);
    }

    #[test]
    fn ratings_average_per_waiter_to_one_decimal_rounded_half_up() {
        let rated = |waiter: &str, rating: Option<i64>| PaymentRecord {
            id: format!("pay-{waiter}-{rating:?}"),
            resto_id: "r".into(),
            bill_id: "b".into(),
            table_number: None,
            status: PaymentStatus::Closed,
            sum: Money::ZERO,
            tips: Money::ZERO,
            acquirer: "sandbox".into(),
            acquirer_ref: None,
            checkout_url: None,
            receipt: format!(
                r#"{{"restaurant":"R","tableNumber":null,"waiter":"{waiter}","guests":[],"discounts":[],"bonus":0,"total":0}}"#
            ),
            fiscal: None,
            attempts: 0,
            next_attempt_at: None,
            last_error: None,
            created_at: 0,
            updated_at: 0,
            payer: None,
            active_at: None,
            rating,
            lease_until: None,
            awaiting_guest: false,
            asked_at: None,
        };
        let payments =
            [rated("Ірина", Some(5)), rated("Ірина", Some(4)), rated("Андрій", Some(3)), rated("Андрій", None)];
        assert_eq!(
            ratings_by_waiter(&payments),
            vec![("Ірина".into(), 2, "4.5".into()), ("Андрій".into(), 1, "3.0".into())]
        );
        let thirds = [rated("О", Some(5)), rated("О", Some(5)), rated("О", Some(4))];
        assert_eq!(ratings_by_waiter(&thirds)[0].2, "4.7", "14/3 = 4.67");
    }
}
