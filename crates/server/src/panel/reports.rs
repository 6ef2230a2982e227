//! Reports for the restaurant's owner: payments, bill sums, tips and the guests' average
//! rating per day and per waiter over a date range, on the page and as CSV.
//!
//! Why this exists: the payments list answers "what happened to this payment"; an owner asks
//! "how did we do this week, and who earned the tips". A report counts the payments that took
//! the guest's money (paid, being closed on the POS, closed, paid but not closed yet; not
//! refunded, failed, expired or cancelled), by the day they were made in the restaurant's time
//! zone. Sums are exact kopiyky. The CSV starts with a UTF-8 byte-order mark so spreadsheet
//! programs read the Cyrillic names right.

use super::access::InRestaurant;
use super::layout::{self, Place, Section};
use super::PanelError;
use super::PanelState;
use crate::payments::receipt_data::ReceiptData;
use crate::store::{now_ms, PaymentRecord};
use crate::web::Page;
use crate::web::{clock, csv};
use axum::extract::{Query, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use rahunok_protocol::Money;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The longest range one report covers.
const MAX_DAYS: i32 = 366;

/// The figures of one row: a day, a waiter, or the total.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Figures {
    /// Payments counted.
    pub payments: i64,
    /// Bills paid (without tips).
    pub sum: Money,
    /// Tips.
    pub tips: Money,
    /// How many of the payments were rated.
    pub ratings: i64,
    /// The sum of their ratings.
    pub rating_total: i64,
}

impl Figures {
    fn add(&mut self, payment: &PaymentRecord) {
        self.payments += 1;
        self.sum = self.sum + payment.sum;
        self.tips = self.tips + payment.tips;
        if let Some(rating) = payment.rating {
            self.ratings += 1;
            self.rating_total += rating;
        }
    }

    /// The average rating to one decimal, rounded half up (`4.7`); empty without ratings.
    pub fn average_rating(&self) -> String {
        if self.ratings == 0 {
            return String::new();
        }
        let tenths = (self.rating_total * 20 + self.ratings) / (2 * self.ratings);
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// A report: rows by day (oldest first), by waiter (by name), and the total.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub by_day: Vec<(String, Figures)>,
    pub by_waiter: Vec<(String, Figures)>,
    pub total: Figures,
}

/// Sums `payments` by their day in `zone` and by the waiter their receipt names (`—` when none).
pub fn summarize(payments: &[PaymentRecord], zone: &str) -> Report {
    let mut by_day: BTreeMap<String, Figures> = BTreeMap::new();
    let mut by_waiter: BTreeMap<String, Figures> = BTreeMap::new();
    let mut total = Figures::default();
    for payment in payments {
        by_day.entry(clock::date_of(payment.created_at, zone)).or_default().add(payment);
        by_waiter.entry(waiter_of(payment)).or_default().add(payment);
        total.add(payment);
    }
    Report { by_day: by_day.into_iter().collect(), by_waiter: by_waiter.into_iter().collect(), total }
}

fn waiter_of(payment: &PaymentRecord) -> String {
    serde_json::from_str::<ReceiptData>(&payment.receipt)
        .ok()
        .and_then(|r| r.waiter)
        .filter(|w| !w.trim().is_empty())
        .unwrap_or_else(|| "—".to_string())
}

/// `?from=YYYY-MM-DD&to=YYYY-MM-DD` (both days included); the last 7 days by default.
#[derive(Deserialize, Default)]
pub struct Range {
    from: Option<String>,
    to: Option<String>,
}

/// A checked range: its days and its bounds in unix ms.
struct Days {
    from: String,
    to: String,
    from_ms: i64,
    until_ms: i64,
}

fn days(range: &Range, zone: &str, at: &InRestaurant) -> Result<Days, PanelError> {
    let t = |uk, en| at.viewer.t(uk, en).to_string();
    let today = clock::date_of(now_ms(), zone);
    let to = range.to.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| today.clone());
    let default_from = clock::add_days(&to, -6).unwrap_or(today);
    let from = range.from.clone().filter(|d| !d.is_empty()).unwrap_or(default_from);
    let bad = || PanelError::BadRequest(t("Дати мають вигляд РРРР-ММ-ДД.", "Dates look like YYYY-MM-DD."));
    let from_ms = clock::day_start_ms(&from, zone).ok_or_else(bad)?;
    let until_ms = clock::add_days(&to, 1).and_then(|next| clock::day_start_ms(&next, zone)).ok_or_else(bad)?;
    if until_ms <= from_ms {
        return Err(PanelError::BadRequest(t("Початок пізніше за кінець.", "The start is after the end.")));
    }
    if clock::add_days(&from, MAX_DAYS)
        .and_then(|d| clock::day_start_ms(&d, zone))
        .is_some_and(|limit| until_ms > limit)
    {
        return Err(PanelError::BadRequest(t("Не більше 366 днів за раз.", "At most 366 days at a time.")));
    }
    Ok(Days { from, to, from_ms, until_ms })
}

async fn report_for(
    state: &PanelState,
    at: &InRestaurant,
    range: &Range,
) -> Result<(Days, Report, String), PanelError> {
    let zone = state.store.guest_settings(at.resto_id()).await?.time_zone;
    let days = days(range, &zone, at)?;
    let payments = state.store.charged_payments(at.resto_id(), days.from_ms, days.until_ms).await?;
    Ok((days, summarize(&payments, &zone), zone))
}

/// `GET /panel/r/{resto_id}/reports`.
pub async fn page(
    State(state): State<PanelState>,
    at: InRestaurant,
    Query(range): Query<Range>,
) -> Result<Page, PanelError> {
    let (days, report, zone) = report_for(&state, &at, &range).await?;
    let viewer = &at.viewer;
    let csv =
        |by: &str| format!("{}.csv?from={}&to={}&by={by}", Section::Reports.path(at.resto_id()), days.from, days.to);
    let body = html! {
        form.row #report-range method="get" {
            label { (viewer.t("З", "From")) input type="date" name="from" value=(days.from); }
            label { (viewer.t("По", "To")) input type="date" name="to" value=(days.to); }
            button.inline type="submit" { (viewer.t("Показати", "Show")) }
        }
        p.muted {
            (viewer.t("Платежі, що взяли гроші гостя, за днем оплати в часовому поясі", "Payments that took the guest's money, by the day they were made in the time zone"))
            " " (zone) "."
        }
        (figures_table(viewer, "by-day", viewer.t("День", "Day"), &report.by_day, &report.total))
        p { a.button.secondary href=(csv("day")) download { (viewer.t("CSV за днями", "CSV by day")) } }
        (figures_table(viewer, "by-waiter", viewer.t("Офіціант", "Waiter"), &report.by_waiter, &report.total))
        p { a.button.secondary href=(csv("waiter")) download { (viewer.t("CSV за офіціантами", "CSV by waiter")) } }
    };
    Ok(layout::page(viewer, viewer.t("Звіти", "Reports"), Place::Restaurant(&at.restaurant, Section::Reports), body))
}

fn figures_table(
    viewer: &super::access::Viewer,
    id: &str,
    first: &str,
    rows: &[(String, Figures)],
    total: &Figures,
) -> Markup {
    let money = |m: Money| crate::web::format::money(viewer.lang, m);
    html! {
        div.table-wrap { table id=(id) {
            thead { tr {
                th { (first) }
                th { (viewer.t("Платежів", "Payments")) }
                th { (viewer.t("Сума", "Sum")) }
                th { (viewer.t("Чайові", "Tips")) }
                th { (viewer.t("Оцінка", "Rating")) }
            } }
            tbody {
                @for (key, figures) in rows {
                    tr { td { (key) } td { (figures.payments) } td { (money(figures.sum)) } td { (money(figures.tips)) } td { (figures.average_rating()) } }
                }
                @if rows.is_empty() { tr { td colspan="5" { (viewer.t("Платежів немає.", "No payments.")) } } }
            }
            tfoot { tr {
                th { (viewer.t("Разом", "Total")) } th { (total.payments) } th { (money(total.sum)) } th { (money(total.tips)) } th { (total.average_rating()) }
            } }
        } }
    }
}

/// `?by=day|waiter` besides the range.
#[derive(Deserialize)]
pub struct CsvQuery {
    #[serde(flatten)]
    range: Range,
    by: Option<String>,
}

/// `GET /panel/r/{resto_id}/reports.csv`: UTF-8 with a byte-order mark, comma-separated,
/// amounts as `1234.50`.
pub async fn csv(
    State(state): State<PanelState>,
    at: InRestaurant,
    Query(query): Query<CsvQuery>,
) -> Result<Response, PanelError> {
    let (days, report, _) = report_for(&state, &at, &query.range).await?;
    let by_waiter = match query.by.as_deref() {
        None | Some("day") => false,
        Some("waiter") => true,
        Some(_) => return Err(PanelError::BadRequest(at.viewer.t("by: day або waiter.", "by: day or waiter.").into())),
    };
    let (first, rows) = if by_waiter { ("waiter", &report.by_waiter) } else { ("date", &report.by_day) };
    let text = csv_text(first, rows, &report.total);
    let name = format!("rahunok-{}-{}-{}-by-{first}.csv", at.resto_id(), days.from, days.to);
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")).expect("ASCII file names");
    let headers = [
        (header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8")),
        (header::CONTENT_DISPOSITION, disposition),
    ];
    Ok((headers, text).into_response())
}

/// The CSV: a BOM, the header, one line per row, and `total`.
pub fn csv_text(first: &str, rows: &[(String, Figures)], total: &Figures) -> String {
    let mut out = format!("\u{feff}{first},payments,sum,tips,ratings,average_rating\r\n");
    let line = |key: &str, f: &Figures| {
        format!("{},{},{},{},{},{}\r\n", csv::field(key), f.payments, f.sum, f.tips, f.ratings, f.average_rating())
    };
    for (key, figures) in rows {
        out.push_str(&line(key, figures));
    }
    out.push_str(&line("total", total));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_average_rating_rounds_half_up_to_one_decimal() {
        let figures = |ratings, rating_total| Figures { ratings, rating_total, ..Figures::default() };
        assert_eq!(figures(0, 0).average_rating(), "");
        assert_eq!(figures(2, 9).average_rating(), "4.5");
        assert_eq!(figures(3, 14).average_rating(), "4.7");
        assert_eq!(figures(3, 13).average_rating(), "4.3");
    }
}
