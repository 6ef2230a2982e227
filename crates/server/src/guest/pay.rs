//! `POST /b/{restoId}/{billId}/pay`: the guest pressed "Pay". The bill is fetched again right
//! before charging; if its total changed since the guest saw it, they see the new total and
//! confirm. Otherwise a payment starts (one per bill at a time; a double click or a retried
//! submit carries the same idempotency key and lands on the same payment) and the guest goes to
//! the acquirer's page.
//!
//! The payment is handed to the guest at the very end, as the answer is returned
//! (`Payments::hand_to_guest`): until then its creator holds it, and a node that dies before
//! answering leaves an orphan that is released (its charge withdrawn) instead of a bill everyone,
//! the payer too, would see held for minutes.

use super::bill::{bill_page, one_bill, BillView, KeptTip};
use super::bill_source::with_table_the_guest_came_from;
use super::error::{error_page, GuestError};
use super::hold::Hold;
use super::tips::{parse_custom_tip, percent_of, tip_base, tip_choices, tip_limit, TipError};
use super::view::{link, money};
use super::visit::{sent_form, Visit};
use super::GuestState;
use crate::payments::receipt_data::ReceiptData;
use crate::payments::{PaymentError, PaymentRequest};
use crate::store::PaymentStatus;
use crate::web::{paths, Lang, Page};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use rahunok_protocol::order::Order;
use rahunok_protocol::Money;
use serde::Deserialize;

/// The pay form.
#[derive(Debug, Deserialize)]
pub struct PayForm {
    #[serde(default)]
    idempotency_key: String,
    #[serde(default)]
    expected_total: String,
    #[serde(default)]
    tip: String,
    #[serde(default)]
    tip_custom: String,
    /// The table the bill page showed (from the table page or the POS): kept when the POS's
    /// answer now names none, once the POS confirms the bill is on it.
    #[serde(default)]
    table: String,
}

/// The handler.
pub async fn pay(
    State(state): State<GuestState>,
    Path((resto_id, bill_id)): Path<(String, String)>,
    Visit { lang, browser, path }: Visit,
    form: Result<Form<PayForm>, FormRejection>,
) -> Response {
    let bill_path = link(lang, &paths::bill(&resto_id, &bill_id));
    let form = match sent_form(form, lang, &path, &bill_path) {
        Ok(form) => form,
        Err(page) => return page.into_response(),
    };
    // The browser is known from its first payment on: coming back, it may continue or cancel.
    let (payer, new_cookie) = browser.payer_or_new();
    let mut response = match pay_for_bill(&state, lang, &path, &resto_id, &bill_id, &form, &payer).await {
        Ok(Answer { response, sends_to_pay: None }) => response,
        Ok(Answer { response, sends_to_pay: Some(payment_id) }) => {
            // The answer is made: from here on the guest has the payment.
            match state.payments.hand_to_guest(&payment_id).await {
                Ok(true) => response,
                // Released meanwhile (the answer took too long): its receipt says so.
                Ok(false) => Redirect::to(&link(lang, &paths::receipt(&payment_id))).into_response(),
                Err(error) => error_page(lang, &path, &GuestError::from(error), &bill_path).into_response(),
            }
        }
        Err(error) => error_page(lang, &path, &error, &bill_path).into_response(),
    };
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

/// The answer to the pay form, and the unfinished payment it sends the guest to pay, if any (to
/// be handed to the guest once the answer is made).
struct Answer {
    response: Response,
    sends_to_pay: Option<String>,
}

impl From<Response> for Answer {
    fn from(response: Response) -> Answer {
        Answer { response, sends_to_pay: None }
    }
}

async fn pay_for_bill(
    state: &GuestState,
    lang: Lang,
    path: &str,
    resto_id: &str,
    bill_id: &str,
    form: &PayForm,
    payer: &str,
) -> Result<Answer, GuestError> {
    let t = |uk, en| lang.pick(uk, en);
    if form.idempotency_key.trim().len() < 8 || form.idempotency_key.len() > 100 {
        return Err(GuestError::BadInput(
            t("Форма застаріла: відкрийте рахунок знову.", "The form is out of date: open the bill again.").into(),
        ));
    }
    let expected: i64 = form
        .expected_total
        .trim()
        .parse()
        .map_err(|_| GuestError::BadInput(t("Форма пошкоджена.", "The form is damaged.").into()))?;
    let (venue, order) = one_bill(state, resto_id, bill_id).await?;
    let order = with_table_the_guest_came_from(state, resto_id, order, Some(&form.table)).await;
    // Pages answering the form speak for the bill: their links (refresh, the language switch)
    // lead to it, not to this POST-only address.
    let bill_path = paths::bill(resto_id, bill_id);
    if order.total_sum.kopiyky() != expected {
        let was = Money::from_kopiyky(expected).unwrap_or_default();
        let notice = html! {
            p.alert #bill-changed {
                (t("Сума рахунку змінилась", "The bill has changed")) ": "
                (money(lang, was)) " → " strong { (money(lang, order.total_sum)) } ". "
                (t("Перевірте рахунок і підтвердіть оплату.", "Please check the bill and confirm."))
            }
        };
        let view = BillView { notice: Some(notice), hold: Hold::Free, tip: kept_tip(form, None) };
        return Ok(Page::ok(bill_page(lang, &bill_path, &venue, &order, &view)).into_response().into());
    }
    let tips = match chosen_tip(form, &order, &venue.settings) {
        Ok(tips) => tips,
        // The bill again with the guest's tip as typed and what is wrong with it, beside the field.
        Err(TipProblem::Typed(error)) => {
            let view =
                BillView { notice: None, hold: Hold::Free, tip: kept_tip(form, Some(tip_message(lang, &error))) };
            let page = bill_page(lang, &bill_path, &venue, &order, &view);
            return Ok(Page::with_status(StatusCode::UNPROCESSABLE_ENTITY, page).into_response().into());
        }
        Err(TipProblem::UnknownPreset) => {
            return Err(GuestError::BadInput(t("Оберіть чайові зі списку.", "Choose a tip from the list.").into()))
        }
    };
    let receipt = serde_json::to_string(&ReceiptData::of(&venue.restaurant.name, &order)).expect("receipts serialise");
    let request = PaymentRequest {
        resto_id: resto_id.to_string(),
        bill_id: bill_id.to_string(),
        table_number: order.table_number.clone(),
        sum: order.total_sum,
        tips,
        idempotency_key: form.idempotency_key.trim().to_string(),
        receipt,
        payer: Some(payer.to_string()),
    };
    let payment = match state.payments.start(request).await {
        Ok(payment) => payment,
        // Someone is paying (maybe this very browser, come back with Back): the bill again,
        // with what this guest can do about it.
        Err(PaymentError::BillHeld(holder)) if holder.status == PaymentStatus::Created => {
            let hold = Hold::of(*holder, Some(payer));
            let status = if matches!(hold, Hold::Someone { .. }) { StatusCode::CONFLICT } else { StatusCode::OK };
            let page = bill_page(lang, &bill_path, &venue, &order, &BillView::with_hold(hold));
            return Ok(Page::with_status(status, page).into_response().into());
        }
        Err(other) => return Err(other.into()),
    };
    let (target, sends_to_pay) = match (&payment.status, &payment.checkout_url) {
        (PaymentStatus::Created, Some(checkout)) => (checkout.clone(), Some(payment.id.clone())),
        (PaymentStatus::Failed, _) => return Err(GuestError::Payment(payment.last_error.unwrap_or_default())),
        _ => (link(lang, &paths::receipt(&payment.id)), None),
    };
    let response = if target.starts_with('/') || target.starts_with(&format!("{}/", state.base_url)) {
        Redirect::to(&target).into_response()
    } else {
        Page::ok(to_acquirer_page(lang, path, &target)).into_response()
    };
    Ok(Answer { response, sends_to_pay })
}

/// The step to an acquirer on another site. A redirect answering the pay form would be a form
/// submission landing off-site, which the pages' `form-action 'self'` policy blocks; a plain
/// navigation is not, so the guest is sent on from this page (at once, or with the button).
fn to_acquirer_page(lang: Lang, path: &str, target: &str) -> maud::Markup {
    let refresh = format!("0;url={target}");
    let extra = html! {
        meta http-equiv="refresh" content=(refresh);
        a.button #to-acquirer href=(target) { (lang.pick("Перейти до оплати", "Go to payment")) }
    };
    crate::web::message_page(
        lang,
        path,
        lang.pick("Переходимо до оплати…", "Taking you to the payment…"),
        lang.pick("Сторінка банку відкриється за мить.", "The bank's page opens in a moment."),
        extra,
    )
}

/// Why the tip on the form cannot be charged.
enum TipProblem {
    /// The typed amount is refused.
    Typed(TipError),
    /// A preset the restaurant does not offer (a forged or stale form).
    UnknownPreset,
}

/// The tip to charge: the typed amount when there is one (the page clears it when a preset is
/// tapped, and the reverse), else the preset's share of the tip base.
fn chosen_tip(form: &PayForm, order: &Order, settings: &crate::store::GuestSettings) -> Result<Money, TipProblem> {
    if !form.tip_custom.trim().is_empty() {
        return parse_custom_tip(&form.tip_custom, tip_limit(order)).map_err(TipProblem::Typed);
    }
    let percent: u32 = form.tip.trim().parse().unwrap_or(0);
    if !tip_choices(settings).contains(&percent) {
        return Err(TipProblem::UnknownPreset);
    }
    Ok(percent_of(tip_base(order), percent))
}

fn tip_message(lang: Lang, error: &TipError) -> String {
    match error {
        TipError::NotAnAmount => {
            lang.pick("Чайові мають бути сумою, наприклад 50 або 50,50.", "The tip must be an amount like 50 or 50.50.")
        }
        TipError::MoreThanTheBill => {
            lang.pick("Чайові не можуть перевищувати суму рахунку.", "The tip cannot be more than the bill.")
        }
    }
    .to_string()
}

/// The guest's tip as they sent it, to fill the form in again.
fn kept_tip(form: &PayForm, error: Option<String>) -> KeptTip {
    KeptTip { percent: form.tip.trim().parse().unwrap_or(0), custom: form.tip_custom.clone(), error }
}
