//! `GET /p/{paymentId}`: where the acquirer sends the guest back, and the receipt that stays at
//! its own URL. While the payment is on its way it refreshes itself (the acquirer is asked at
//! most once per 10 s per payment, `crate::payments::GUEST_ASKS_AT_MOST_EVERY`); when it is
//! done it shows the restaurant, items, sum, tip, time, payment id and the fiscal lines sent to
//! the POS, then (for the guest who paid) a rating and the restaurant's review link.

use super::error::{error_page, GuestError};
use super::rating::after_paying;
use super::view::{bill_card, link, money};
use super::visit::Visit;
use super::GuestState;
use crate::payments::receipt_data::ReceiptData;
use crate::payments::PaymentError;
use crate::store::{PaymentRecord, PaymentStatus};
use crate::web::clock::date_time;
use crate::web::{message_page, paths, shell, Lang, Page};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use rahunok_protocol::order::FiscalLine;

/// The handler.
pub async fn payment_page(
    State(state): State<GuestState>,
    Path(payment_id): Path<String>,
    Visit { lang, browser, path }: Visit,
) -> Page {
    let t = |uk, en| lang.pick(uk, en);
    let payment = match state.store.payment_by_id(&payment_id).await {
        Ok(Some(payment)) => payment,
        Ok(None) => {
            let markup = message_page(
                lang,
                &path,
                t("Платіж не знайдено", "Payment not found"),
                t("Перевірте посилання.", "Please check the link."),
                html! {},
            );
            return Page::with_status(StatusCode::NOT_FOUND, markup);
        }
        Err(error) => {
            tracing::error!(%error, "payment page store failure");
            let markup = message_page(
                lang,
                &path,
                t("Щось пішло не так", "Something went wrong"),
                t("Оновіть сторінку за мить.", "Refresh the page in a moment."),
                html! {},
            );
            return Page::with_status(StatusCode::INTERNAL_SERVER_ERROR, markup);
        }
    };
    // The guest is back from the acquirer: ask it now rather than wait for its notification —
    // at most once per `GUEST_ASKS_AT_MOST_EVERY` for this payment, however often the page
    // refreshes, on whichever node.
    let payment = if payment.status == PaymentStatus::Created {
        let _ = state.payments.settle_for_guest(&payment).await;
        state.store.payment_by_id(&payment_id).await.ok().flatten().unwrap_or(payment)
    } else {
        payment
    };
    let settings = state.store.guest_settings(&payment.resto_id).await.unwrap_or_default();
    let may_rate = payment.status.is_charged() && payment.payer.is_some() && payment.payer == browser.payer();
    let closing = after_paying(lang, &payment, may_rate, settings.review_url.as_deref());
    Page::ok(render(lang, &path, &payment, &settings.time_zone, closing))
}

/// `POST /p/{paymentId}/cancel`: the browser that started a payment takes it back before paying
/// and goes back to the bill, free again for anyone at the table. A payment that got paid
/// meanwhile stands: the guest lands on its receipt.
pub async fn cancel_payment(
    State(state): State<GuestState>,
    Path(payment_id): Path<String>,
    Visit { lang, browser, path }: Visit,
) -> Response {
    let receipt = link(lang, &paths::receipt(&payment_id));
    match state.payments.cancel_by_guest(&payment_id, browser.payer().as_deref()).await {
        Ok(payment) if payment.status == PaymentStatus::Cancelled => {
            Redirect::to(&link(lang, &paths::bill(&payment.resto_id, &payment.bill_id))).into_response()
        }
        Ok(_) => Redirect::to(&receipt).into_response(),
        Err(PaymentError::NotFound) => {
            let markup = message_page(
                lang,
                &path,
                lang.pick("Платіж не знайдено", "Payment not found"),
                lang.pick("Перевірте посилання.", "Please check the link."),
                html! {},
            );
            Page::with_status(StatusCode::NOT_FOUND, markup).into_response()
        }
        Err(PaymentError::NotYours) => {
            let text = lang.pick(
                "Цю оплату почали на іншому пристрої: скасувати її може лише той, хто платить.",
                "This payment was started on another device: only the guest paying can cancel it.",
            );
            let back = html! { a.button href=(receipt) { (lang.pick("Стан оплати", "Payment status")) } };
            let markup = message_page(lang, &path, lang.pick("Не ваша оплата", "Not your payment"), text, back);
            Page::with_status(StatusCode::FORBIDDEN, markup).into_response()
        }
        Err(error) => {
            tracing::warn!(payment = payment_id, %error, "a guest could not cancel a payment");
            error_page(lang, &path, &GuestError::Payment(error.to_string()), &receipt).into_response()
        }
    }
}

/// A fiscal line's label in the guest's language (the POS gets them in Ukrainian).
fn fiscal_label(lang: Lang, key: &str) -> &str {
    let english = match key {
        "Еквайр" => "Acquirer",
        "Картка" => "Card",
        "Код авторизації" => "Approval code",
        "Платіжна система" => "Payment system",
        "Платіж" => "Payment",
        _ => key,
    };
    lang.pick(key, english)
}

fn render(lang: Lang, path: &str, payment: &PaymentRecord, zone: &str, closing: Markup) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    // "Try again" brings the tip along, so a declined card costs the guest nothing to redo.
    let bill_link =
        link(lang, &format!("{}?tip={}", paths::bill(&payment.resto_id, &payment.bill_id), payment.tips.kopiyky()));
    let (heading, text, refresh) = match payment.status {
        PaymentStatus::Created => (t("Очікуємо підтвердження оплати", "Waiting for the payment"), t("Ця сторінка оновиться сама.", "This page refreshes by itself."), true),
        PaymentStatus::Paid | PaymentStatus::ClosingOnPos => (t("Оплачено", "Paid"), t("Передаємо оплату в заклад…", "Passing the payment to the restaurant…"), true),
        PaymentStatus::Closed => (t("Оплачено", "Paid"), t("Дякуємо! Рахунок закрито.", "Thank you! The bill is closed."), false),
        PaymentStatus::PaidNotClosed => (t("Оплачено", "Paid"), t("Гроші отримано. Заклад ще підтверджує рахунок — ми повторюємо автоматично, нічого робити не треба.", "Your payment went through. The restaurant is still confirming the bill — we keep trying, there is nothing you need to do."), false),
        PaymentStatus::Failed => (t("Оплату відхилено", "The payment was declined"), t("Гроші не списано. Спробуйте іншу картку.", "No money was taken. Try another card."), false),
        PaymentStatus::Expired => (t("Час на оплату минув", "The payment expired"), t("Гроші не списано. Відкрийте рахунок знову.", "No money was taken. Open the bill again."), false),
        PaymentStatus::Cancelled => (t("Оплату скасовано", "The payment was cancelled"), t("Гроші не списано. Рахунок знову можна сплатити.", "No money was taken. The bill can be paid again."), false),
        PaymentStatus::Refunded => (t("Оплату повернено", "The payment was refunded"), t("Заклад повернув гроші на вашу картку.", "The restaurant returned the money to your card."), false),
        PaymentStatus::AmountMismatch => (t("Оплата потребує перевірки", "The payment needs checking"), t("Банк повідомив іншу суму, ніж ми просили, тож рахунок не закрито. Заклад уже бачить це й поверне гроші; зверніться до офіціанта.", "The bank reported another amount than we asked, so the bill is not closed. The restaurant already sees it and will return the money; please talk to your waiter."), false),
        PaymentStatus::LateCharge => (t("Оплата потребує перевірки", "The payment needs checking"), t("Банк списав гроші вже після того, як оплату було завершено. Заклад уже бачить це й поверне їх; зверніться до офіціанта.", "The bank took the money after the payment had ended. The restaurant already sees it and will return it; please talk to your waiter."), false),
    };
    let receipt: Option<ReceiptData> = serde_json::from_str(&payment.receipt).ok();
    let fiscal: Vec<FiscalLine> =
        payment.fiscal.as_deref().and_then(|f| serde_json::from_str(f).ok()).unwrap_or_default();
    let body = html! {
        section.message #payment-status data-status=(payment.status.as_str()) data-refresh=[refresh.then_some("yes")] {
            h1 { (heading) }
            p { (text) }
            // The script looks again every second; without it, the guest can.
            @if refresh { a.button.secondary href=(path) { (t("Оновити", "Refresh")) } }
        }
        @if refresh { (crate::web::assets::script("guest-receipt.js")) }
        @if matches!(payment.status, PaymentStatus::Failed | PaymentStatus::Expired | PaymentStatus::Cancelled) {
            a.button href=(bill_link) { (t("Спробувати ще раз", "Try again")) }
        }
        @if payment.status.is_charged() || payment.status == PaymentStatus::Refunded {
            @if let Some(receipt) = &receipt {
                h2 { (receipt.restaurant) }
                p.muted {
                    @if let Some(table) = &receipt.table_number { (t("Стіл", "Table")) " " (table) }
                    @if let Some(waiter) = &receipt.waiter { " · " (waiter) }
                }
                (bill_card(lang, receipt))
            }
            section.card #receipt {
                ul.lines {
                    li { span { (t("Рахунок", "Bill")) } span.money { (money(lang, payment.sum)) } }
                    li { span { (t("Чайові", "Tip")) } span.money #receipt-tip { (money(lang, payment.tips)) } }
                }
                div.total { span { (t("Сплачено", "Paid")) } span.money #receipt-paid { (money(lang, payment.amount())) } }
                p.muted #receipt-time {
                    (t("Час", "Time")) ": " (date_time(payment.created_at, zone))
                    // The fiscal lines name the payment; without them, say it here.
                    @if fiscal.is_empty() { br; (t("Платіж", "Payment")) ": " code { (payment.id) } }
                }
                @if !fiscal.is_empty() {
                    ul.lines.fiscal {
                        @for line in &fiscal { li { span { (fiscal_label(lang, &line.key)) } span.value { (line.value) } } }
                    }
                }
            }
            (closing)
        }
    };
    shell(lang, t("Оплата", "Payment"), path, body)
}
