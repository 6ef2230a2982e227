//! The QR targets: `/t/{restoId}/{table}` (the table's QR) and `/b/{restoId}/{billId}` (the
//! pre-check's QR). One open order shows the bill with tips and "Pay"; several let the guest
//! pick theirs. Viewing works without JavaScript.

use super::bill_source::{bill_live, bills_on_table, with_table_the_guest_came_from};
use super::error::{error_page, GuestError};
use super::hold::{hold_notice, hold_on, Hold};
use super::payer::GuestBrowser;
use super::split::can_split;
use super::tips::{percent_of, tip_base, tip_choices, tip_limit};
use super::venue::{known_venue, table_path, Venue};
use super::view::{bill_card, link, money};
use super::visit::Visit;
use super::GuestState;
use crate::payments::receipt_data::ReceiptData;
use crate::store::Restaurant;
use crate::web::clock::time_of_day;
use crate::web::{assets, paths, shell, Lang, Page};
use axum::extract::{Path, State};
use maud::{html, Markup};
use rahunok_protocol::order::Order;
use rand::distributions::{Alphanumeric, DistString};

/// `GET /t/{restoId}/{table}`.
pub async fn table_page(
    State(state): State<GuestState>,
    Path((resto_id, table)): Path<(String, String)>,
    Visit { lang, browser, path }: Visit,
) -> Page {
    match table_bills(&state, &resto_id, &table, &browser).await {
        Ok((venue, mut orders)) if orders.len() == 1 => {
            // Found on this table: a POS that lists it here without a table number (or `0`)
            // still has it here.
            orders[0].table_number.get_or_insert_with(|| table.clone());
            match hold_on(&state, &resto_id, &orders[0].bill_id, &browser).await {
                Ok(hold) => Page::ok(bill_page(lang, &path, &venue, &orders[0], &BillView::with_hold(hold))),
                Err(error) => error_page(lang, &path, &error, &path),
            }
        }
        Ok((venue, orders)) => Page::ok(choose_page(lang, &path, &venue.restaurant, &table, &orders)),
        Err(GuestError::TableFree) => free_table_page(lang, &path, &resto_id, &table),
        Err(error) => error_page(lang, &path, &error, &path),
    }
}

/// A table with no open bill: said as before, with the way to the menu (to order, or to look).
fn free_table_page(lang: Lang, path: &str, resto_id: &str, table: &str) -> Page {
    let t = |uk, en| lang.pick(uk, en);
    let menu = menu_link(lang, resto_id, table);
    let body = html! {
        section.message {
            h1 { (t("Відкритого рахунку немає", "No open bill")) }
            p { (t("На цьому столі зараз немає відкритого рахунку. Якщо ви щойно замовили, спробуйте за хвилину.", "There is no open bill on this table right now. If you just ordered, try again in a minute.")) }
            a.button href=(path) { (t("Спробувати ще раз", "Try again")) }
            (menu)
        }
    };
    Page::ok(shell(lang, t("Відкритого рахунку немає", "No open bill"), path, body))
}

/// "The menu" for a table: browse it, or order when the restaurant lets guests.
pub fn menu_link(lang: Lang, resto_id: &str, table: &str) -> Markup {
    let href = link(lang, &format!("{}/menu", table_path(resto_id, table)));
    html! { a.button.secondary #menu-link href=(href) { (lang.pick("Меню", "Menu")) } }
}

/// `GET /b/{restoId}/{billId}`.
pub async fn bill_id_page(
    State(state): State<GuestState>,
    Path((resto_id, bill_id)): Path<(String, String)>,
    Visit { lang, browser, path }: Visit,
) -> Page {
    let found = match one_bill(&state, &resto_id, &bill_id).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &path, &error, &path),
    };
    let (venue, order) = found;
    let query = path.split_once('?').map(|(_, query)| query);
    let came_from = crate::web::percent::query_value(query, "table");
    let order = with_table_the_guest_came_from(&state, &resto_id, order, came_from.as_deref()).await;
    match hold_on(&state, &resto_id, &bill_id, &browser).await {
        Ok(hold) => {
            let tip = retried_tip(lang, query, &venue, &order);
            Page::ok(bill_page(lang, &path, &venue, &order, &BillView { notice: None, hold, tip }))
        }
        Err(error) => error_page(lang, &path, &error, &path),
    }
}

/// The tip of a payment the guest tries again (`?tip=<kopiyky>` from the receipt's "try
/// again"): its preset when one comes to that amount, else the amount typed in.
fn retried_tip(lang: Lang, query: Option<&str>, venue: &Venue, order: &Order) -> KeptTip {
    let amount = crate::web::percent::query_value(query, "tip")
        .and_then(|k| k.parse::<i64>().ok())
        .and_then(rahunok_protocol::Money::from_kopiyky)
        .filter(|tip| *tip > rahunok_protocol::Money::ZERO && *tip <= tip_limit(order));
    let Some(amount) = amount else { return KeptTip::default() };
    match tip_choices(&venue.settings).into_iter().find(|p| *p > 0 && percent_of(tip_base(order), *p) == amount) {
        Some(percent) => KeptTip { percent, ..KeptTip::default() },
        None => {
            let custom = match lang {
                Lang::Uk => amount.to_string().replace('.', ","),
                Lang::En => amount.to_string(),
            };
            KeptTip { custom, ..KeptTip::default() }
        }
    }
}

/// How long a table whose bill was paid here says so ("Рахунок сплачено ✓" with the time)
/// before it is simply a free table: long enough for everyone at the table to see it, short
/// enough not to greet the next guests.
pub const PAID_SHOWN_FOR_MS: i64 = 15 * 60 * 1000;

async fn table_bills(
    state: &GuestState,
    resto_id: &str,
    table: &str,
    browser: &GuestBrowser,
) -> Result<(Venue, Vec<Order>), GuestError> {
    let venue = known_venue(state, resto_id).await?;
    let orders = bills_on_table(state, resto_id, table).await?;
    if orders.is_empty() {
        let since = crate::store::now_ms() - PAID_SHOWN_FOR_MS;
        return Err(match state.store.recent_paid_on_table(resto_id, table, since).await? {
            Some(paid) => GuestError::AlreadyPaid {
                // The receipt (card mask, RRN) is for the one who paid, not the whole table.
                payment_id: paid.payer.filter(|p| Some(p) == browser.payer().as_ref()).map(|_| paid.id),
                paid_at: Some(time_of_day(paid.updated_at, &venue.settings.time_zone)),
            },
            None => GuestError::TableFree,
        });
    }
    Ok((venue, orders))
}

/// One bill by id; a bill that is gone because we took its payment shows the receipt link.
pub async fn one_bill(state: &GuestState, resto_id: &str, bill_id: &str) -> Result<(Venue, Order), GuestError> {
    let venue = known_venue(state, resto_id).await?;
    match bill_live(state, resto_id, bill_id).await {
        Ok(order) => Ok((venue, order)),
        Err(GuestError::NoOpenBill) => match state.store.payment_holding_bill(resto_id, bill_id).await? {
            Some(payment) if payment.status.is_charged() => Err(GuestError::AlreadyPaid {
                paid_at: Some(time_of_day(payment.updated_at, &venue.settings.time_zone)),
                payment_id: Some(payment.id),
            }),
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
            a.card.choose href=(link(lang, &paths::bill_from_table(&restaurant.resto_id, &order.bill_id, table))) {
                div.total {
                    span { (t("Рахунок", "Bill")) " " (order.order_number.map(|n| n.to_string()).unwrap_or_else(|| order.bill_id.clone())) }
                    span.money { (money(lang, order.total_sum)) }
                }
                @if let Some(waiter) = &order.waiter { p.muted { (waiter) } }
            }
        }
        (menu_link(lang, &restaurant.resto_id, table))
    };
    shell(lang, &restaurant.name, path, body)
}

/// What the bill page shows beside the bill itself.
#[derive(Debug, Clone)]
pub struct BillView {
    /// Shown above the bill (e.g. "the bill changed").
    pub notice: Option<Markup>,
    /// Someone paying the bill: what this guest can do takes the pay form's place.
    pub hold: Hold,
    /// The tip as the guest last chose it (kept when the form comes back with a problem).
    pub tip: KeptTip,
}

impl BillView {
    /// A plain bill page with this hold.
    pub fn with_hold(hold: Hold) -> BillView {
        BillView { notice: None, hold, tip: KeptTip::default() }
    }
}

/// The guest's tip choice, given back to them: the preset, the typed amount and what is wrong
/// with it.
#[derive(Debug, Clone, Default)]
pub struct KeptTip {
    /// The preset chosen, in percent (0: none).
    pub percent: u32,
    /// What the guest typed, as typed.
    pub custom: String,
    /// Why the typed tip was refused.
    pub error: Option<String>,
}

/// The bill with tips and the pay form.
pub fn bill_page(lang: Lang, path: &str, venue: &Venue, order: &Order, view: &BillView) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let restaurant = &venue.restaurant;
    let bill = ReceiptData::of(&restaurant.name, order);
    let hold = &view.hold;
    let idempotency_key = Alphanumeric.sample_string(&mut rand::thread_rng(), 24);
    let pay_action = link(lang, &format!("{}/pay", paths::bill(&restaurant.resto_id, &order.bill_id)));
    let body = html! {
        h1 { (restaurant.name) }
        p.muted {
            @if let Some(table) = &order.table_number { (t("Стіл", "Table")) " " (table) }
            @if let Some(waiter) = &order.waiter { " · " (t("Офіціант", "Waiter")) ": " (waiter) }
        }
        @if let Some(notice) = &view.notice { (notice) }
        (bill_card(lang, &bill))
        (hold_notice(lang, hold, path))
        @if hold.is_free() { form.card #pay-form method="post" action=(pay_action) {
            input type="hidden" name="idempotency_key" value=(idempotency_key);
            input type="hidden" name="expected_total" value=(order.total_sum.kopiyky());
            @if let Some(table) = &order.table_number { input type="hidden" name="table" value=(table); }
            (tip_fields(lang, venue, order, &view.tip))
            button #pay type="submit" data-bill=(order.total_sum.kopiyky()) data-decimal=(t(",", "."))
                data-group=(t("\u{a0}", ",")) data-currency=(t("грн", "UAH")) {
                (t("Сплатити", "Pay")) " " span #to-pay { (money(lang, order.total_sum)) }
            }
        } }
        @if hold.is_free() && venue.settings.split_enabled && can_split(order) {
            a.button.secondary href=(link(lang, &format!("{}/split", paths::bill(&restaurant.resto_id, &order.bill_id)))) {
                (t("Розділити рахунок", "Split the bill"))
            }
        }
        @if let Some(table) = &order.table_number { (menu_link(lang, &restaurant.resto_id, table)) }
        (assets::script("guest-bill.js"))
    };
    shell(lang, &restaurant.name, path, body)
}

/// The tip choices: what the percentages are taken from, the presets, and a typed amount with
/// its limit (checked in the page, and again on the server).
fn tip_fields(lang: Lang, venue: &Venue, order: &Order, kept: &KeptTip) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let base = tip_base(order);
    let choices = tip_choices(&venue.settings);
    let limit = tip_limit(order);
    let typed = !kept.custom.trim().is_empty();
    html! {
        h2 { (t("Чайові", "Tip")) }
        p.muted.hint #tip-base {
            (t("Відсоток рахується від", "Percentages are of")) " " span.money { (money(lang, base)) }
            @if base != order.total_sum {
                " — " (t("суми рахунку до знижок, як її рахує каса", "the bill before discounts, as the till counts it"))
            }
            "."
        }
        div class={ "tips n" (choices.len()) } {
            @for percent in &choices {
                label {
                    input type="radio" name="tip" value=(percent) data-tip=(percent_of(base, *percent).kopiyky())
                        checked[!typed && *percent == kept.percent];
                    @if *percent == 0 { (t("Без", "None")) } @else { (percent) "%" }
                    br;
                    span.muted.money { (money(lang, percent_of(base, *percent))) }
                }
            }
        }
        label for="tip_custom" { (t("Або своя сума", "Or your own amount")) }
        input #tip_custom type="text" name="tip_custom" inputmode="decimal" placeholder="0,00" autocomplete="off"
            value=(kept.custom) data-max=(limit.kopiyky()) aria-describedby="tip-limit tip-error"
            aria-invalid=[kept.error.as_ref().map(|_| "true")];
        p.muted.hint #tip-limit { (t("Не більше", "At most")) " " span.money { (money(lang, limit)) } }
        p.field-error #tip-error role="alert" data-too-much=(t("Чайові не можуть перевищувати суму рахунку.", "The tip cannot be more than the bill."))
            data-not-amount=(t("Чайові мають бути сумою, наприклад 50 або 50,50.", "The tip must be an amount like 50 or 50.50.")) {
            @if let Some(error) = &kept.error { (error) }
        }
    }
}
