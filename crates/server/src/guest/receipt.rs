//! `GET /p/{paymentId}`: where the acquirer sends the guest back, and the receipt that stays at
//! its own URL. While the payment is on its way it refreshes itself; when it is done it shows
//! the restaurant, items, sum, tip, time, payment id and the fiscal lines sent to the POS.

use super::receipt_data::ReceiptData;
use super::view::{bill_card, link, money};
use crate::state::AppState;
use crate::store::{PaymentRecord, PaymentStatus};
use crate::web::{message_page, shell, Lang, Page};
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use maud::{html, Markup};
use rahunok_protocol::order::FiscalLine;

/// The handler.
pub async fn payment_page(
    State(state): State<AppState>,
    Path(payment_id): Path<String>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
) -> Page {
    let path = uri.to_string();
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
    // The guest is back from the acquirer: ask it now rather than wait for its notification.
    let payment = if payment.status == PaymentStatus::Created {
        let _ = state.payments.settle_with_acquirer(&payment).await;
        state.store.payment_by_id(&payment_id).await.ok().flatten().unwrap_or(payment)
    } else {
        payment
    };
    Page::ok(render(lang, &path, &payment))
}

fn render(lang: Lang, path: &str, payment: &PaymentRecord) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let bill_link = link(lang, &format!("/b/{}/{}", payment.resto_id, payment.bill_id));
    let (heading, text, refresh) = match payment.status {
        PaymentStatus::Created => (t("Очікуємо підтвердження оплати", "Waiting for the payment"), t("Ця сторінка оновиться сама.", "This page refreshes by itself."), true),
        PaymentStatus::Paid | PaymentStatus::ClosingOnPos => (t("Оплачено", "Paid"), t("Передаємо оплату в заклад…", "Passing the payment to the restaurant…"), true),
        PaymentStatus::Closed => (t("Оплачено", "Paid"), t("Дякуємо! Рахунок закрито.", "Thank you! The bill is closed."), false),
        PaymentStatus::PaidNotClosed => (t("Оплачено", "Paid"), t("Гроші отримано. Заклад ще підтверджує рахунок — ми повторюємо автоматично, нічого робити не треба.", "Your payment went through. The restaurant is still confirming the bill — we keep trying, there is nothing you need to do."), false),
        PaymentStatus::Failed => (t("Оплату відхилено", "The payment was declined"), t("Гроші не списано. Спробуйте іншу картку.", "No money was taken. Try another card."), false),
        PaymentStatus::Expired => (t("Час на оплату минув", "The payment expired"), t("Гроші не списано. Відкрийте рахунок знову.", "No money was taken. Open the bill again."), false),
        PaymentStatus::Refunded => (t("Оплату повернено", "The payment was refunded"), t("Заклад повернув гроші на вашу картку.", "The restaurant returned the money to your card."), false),
    };
    let receipt: Option<ReceiptData> = serde_json::from_str(&payment.receipt).ok();
    let fiscal: Vec<FiscalLine> =
        payment.fiscal.as_deref().and_then(|f| serde_json::from_str(f).ok()).unwrap_or_default();
    let body = html! {
        @if refresh { meta http-equiv="refresh" content="1"; }
        section.message #payment-status data-status=(payment.status.as_str()) {
            h1 { (heading) }
            p { (text) }
        }
        @if matches!(payment.status, PaymentStatus::Failed | PaymentStatus::Expired) {
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
                p.muted {
                    (t("Час", "Time")) ": " (rahunok_protocol::rid::pos_datetime(payment.created_at / 1000)) " UTC" br;
                    (t("Платіж", "Payment")) ": " code { (payment.id) }
                }
                @if !fiscal.is_empty() {
                    ul.lines.fiscal {
                        @for line in &fiscal { li { span { (line.key) } span { (line.value) } } }
                    }
                }
            }
        }
    };
    shell(lang, t("Оплата", "Payment"), path, body)
}
