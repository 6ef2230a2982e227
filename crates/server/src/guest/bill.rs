//! The QR targets: `/t/{restoId}/{table}` (the table's QR) and `/b/{restoId}/{billId}` (the
//! pre-check's QR). One open order shows the bill with tips and "Pay"; several let the guest
//! pick theirs. Viewing works without JavaScript.

use super::bill_source::{bill_live, bills_on_table};
use super::error::{error_page, GuestError};
use super::receipt_data::ReceiptData;
use super::split::can_split;
use super::tips::{percent_of, tip_base, tip_choices};
use super::view::{bill_card, link, money};
use crate::state::AppState;
use crate::store::{GuestSettings, Restaurant};
use crate::web::{assets, shell, Lang, Page};
use axum::extract::{OriginalUri, Path, State};
use maud::{html, Markup};
use rahunok_protocol::order::Order;
use rand::distributions::{Alphanumeric, DistString};

/// `GET /t/{restoId}/{table}`.
pub async fn table_page(
    State(state): State<AppState>,
    Path((resto_id, table)): Path<(String, String)>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
) -> Page {
    let path = uri.to_string();
    match table_bills(&state, &resto_id, &table).await {
        Ok((venue, orders)) if orders.len() == 1 => Page::ok(bill_page(lang, &path, &venue, &orders[0], None)),
        Ok((venue, orders)) => Page::ok(choose_page(lang, &path, &venue.restaurant, &table, &orders)),
        Err(error) => error_page(lang, &path, &error, &path),
    }
}

/// `GET /b/{restoId}/{billId}`.
pub async fn bill_id_page(
    State(state): State<AppState>,
    Path((resto_id, bill_id)): Path<(String, String)>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
) -> Page {
    let path = uri.to_string();
    match one_bill(&state, &resto_id, &bill_id).await {
        Ok((venue, order)) => Page::ok(bill_page(lang, &path, &venue, &order, None)),
        Err(error) => error_page(lang, &path, &error, &path),
    }
}

/// The restaurant a QR code leads to, with what it lets guests do.
pub struct Venue {
    /// The restaurant.
    pub restaurant: Restaurant,
    /// Tip presets and split on/off, as set in the admin panel.
    pub settings: GuestSettings,
}

/// The venue, or the guest's "unknown restaurant" page.
pub async fn known_venue(state: &AppState, resto_id: &str) -> Result<Venue, GuestError> {
    let restaurant = state.store.restaurant(resto_id).await?.ok_or(GuestError::UnknownRestaurant)?;
    let settings = state.store.guest_settings(resto_id).await?;
    Ok(Venue { restaurant, settings })
}

async fn table_bills(state: &AppState, resto_id: &str, table: &str) -> Result<(Venue, Vec<Order>), GuestError> {
    let venue = known_venue(state, resto_id).await?;
    let orders = bills_on_table(state, resto_id, table).await?;
    if orders.is_empty() {
        return Err(GuestError::NoOpenBill);
    }
    Ok((venue, orders))
}

/// One bill by id; a bill that is gone because we took its payment shows the receipt link.
pub async fn one_bill(state: &AppState, resto_id: &str, bill_id: &str) -> Result<(Venue, Order), GuestError> {
    let venue = known_venue(state, resto_id).await?;
    match bill_live(state, resto_id, bill_id).await {
        Ok(order) => Ok((venue, order)),
        Err(GuestError::NoOpenBill) => match state.store.payment_holding_bill(resto_id, bill_id).await? {
            Some(payment) if payment.status.is_charged() => Err(GuestError::AlreadyPaid { payment_id: payment.id }),
            _ => Err(GuestError::NoOpenBill),
        },
        Err(other) => Err(other),
    }
}

fn choose_page(lang: Lang, path: &str, restaurant: &Restaurant, table: &str, orders: &[Order]) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let body = html! {
        h1 { (restaurant.name) }
        p.muted { (t("Стіл", "Table")) " " (table) }
        p { (t("На столі кілька рахунків. Оберіть свій:", "There are several bills on this table. Choose yours:")) }
        @for order in orders {
            a.card.choose href=(link(lang, &format!("/b/{}/{}", restaurant.resto_id, order.bill_id))) {
                div.total {
                    span { (t("Рахунок", "Bill")) " " (order.order_number.map(|n| n.to_string()).unwrap_or_else(|| order.bill_id.clone())) }
                    span.money { (money(lang, order.total_sum)) }
                }
                @if let Some(waiter) = &order.waiter { p.muted { (waiter) } }
            }
        }
    };
    shell(lang, &restaurant.name, path, body)
}

/// The bill with tips and the pay form. `notice` is shown above (e.g. "the bill changed").
pub fn bill_page(lang: Lang, path: &str, venue: &Venue, order: &Order, notice: Option<Markup>) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let restaurant = &venue.restaurant;
    let bill = ReceiptData::of(&restaurant.name, order);
    let base = tip_base(order);
    let idempotency_key = Alphanumeric.sample_string(&mut rand::thread_rng(), 24);
    let pay_action = link(lang, &format!("/b/{}/{}/pay", restaurant.resto_id, order.bill_id));
    let body = html! {
        h1 { (restaurant.name) }
        p.muted {
            @if let Some(table) = &order.table_number { (t("Стіл", "Table")) " " (table) }
            @if let Some(waiter) = &order.waiter { " · " (t("Офіціант", "Waiter")) ": " (waiter) }
        }
        @if let Some(notice) = notice { (notice) }
        (bill_card(lang, &bill))
        form.card method="post" action=(pay_action) {
            input type="hidden" name="idempotency_key" value=(idempotency_key);
            input type="hidden" name="expected_total" value=(order.total_sum.kopiyky());
            h2 { (t("Чайові", "Tip")) }
            @if let Some(waiter) = &order.waiter { p.muted { (t("Офіціант", "Waiter")) ": " (waiter) } }
            div.tips {
                @for percent in &tip_choices(&venue.settings) {
                    label {
                        input type="radio" name="tip" value=(percent) data-tip=(percent_of(base, *percent).kopiyky()) checked[*percent == 0];
                        @if *percent == 0 { (t("Без", "None")) } @else { (percent) "%" }
                        br;
                        span.muted.money { (money(lang, percent_of(base, *percent))) }
                    }
                }
            }
            label for="tip_custom" { (t("Або своя сума", "Or your own amount")) }
            input #tip_custom type="text" name="tip_custom" inputmode="decimal" placeholder="0,00" autocomplete="off";
            button #pay type="submit" data-bill=(order.total_sum.kopiyky()) data-decimal=(t(",", ".")) data-currency=(t("грн", "UAH")) {
                (t("Сплатити", "Pay")) " " span #to-pay { (money(lang, order.total_sum)) }
            }
        }
        @if venue.settings.split_enabled && can_split(order) {
            a.button.secondary href=(link(lang, &format!("/b/{}/{}/split", restaurant.resto_id, order.bill_id))) {
                (t("Розділити рахунок", "Split the bill"))
            }
        }
        (assets::script("guest-bill.js"))
    };
    shell(lang, &restaurant.name, path, body)
}
