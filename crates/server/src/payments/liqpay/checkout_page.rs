//! `GET /acquirer/liqpay/checkout/{paymentId}`: our page between the pay form and LiqPay. It
//! shows what the guest is about to pay and holds the signed checkout form (`data` and
//! `signature`, made here from the stored payment and the restaurant's keys), which the guest
//! posts to LiqPay with the button.
//!
//! Why a page of ours: LiqPay's checkout is a form the browser posts, not a link, and the page
//! answering our pay form cannot post it on (no inline script runs here). This page's policy
//! lets its forms go to LiqPay's checkout origin and nowhere else (`crate::web::FormsPostTo`);
//! every other page keeps `form-action 'self'`. It is offered only while the payment is
//! unfinished; afterwards the guest is sent to the receipt.

use super::{Keys, LiqpayApi, CHECKOUT_PATH, NAME};
use crate::payments::PaymentsState;
use crate::store::{PaymentRecord, PaymentStatus};
use crate::web::format::money;
use crate::web::{message_page, paths, shell, FormsPostTo, Lang, Page};
use axum::extract::{OriginalUri, Path, State};
use axum::http::StatusCode;
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Extension, Router};
use maud::html;

/// The page's route, posting to `api`'s checkout.
pub fn routes(api: LiqpayApi) -> Router<PaymentsState> {
    Router::new()
        .route(&format!("{CHECKOUT_PATH}/{{payment_id}}"), get(checkout))
        .layer(from_fn(crate::web::live_page))
        .layer(Extension(api))
}

/// The handler.
pub async fn checkout(
    State(state): State<PaymentsState>,
    Extension(api): Extension<LiqpayApi>,
    Path(payment_id): Path<String>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let path = uri.to_string();
    let t = |uk, en| lang.pick(uk, en);
    let problem = |status: StatusCode, heading: &str, text: &str| {
        Page::with_status(status, message_page(lang, &path, heading, text, html! {})).into_response()
    };
    let payment = match state.store.payment_by_id(&payment_id).await {
        Ok(Some(payment)) if payment.acquirer == NAME => payment,
        Ok(_) => {
            return problem(
                StatusCode::NOT_FOUND,
                t("Платіж не знайдено", "Payment not found"),
                t("Перевірте посилання.", "Please check the link."),
            )
        }
        Err(error) => {
            tracing::error!(%error, "LiqPay checkout page: store failure");
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                t("Щось пішло не так", "Something went wrong"),
                t("Оновіть сторінку за мить.", "Refresh the page in a moment."),
            );
        }
    };
    if payment.status != PaymentStatus::Created {
        return Redirect::to(&paths::receipt(&payment.id)).into_response();
    }
    let keys = match state.store.acquirer_credentials(&payment.resto_id, NAME).await {
        Ok(Some(credentials)) => Keys::from_credentials(&credentials).ok(),
        Ok(None) => None,
        Err(error) => {
            tracing::error!(%error, "LiqPay checkout page: store failure");
            None
        }
    };
    let Some(keys) = keys else {
        return problem(
            StatusCode::BAD_GATEWAY,
            t("Оплата зараз недоступна", "Payment is not available right now"),
            t(
                "Гроші не списано. Попросіть офіціанта про рахунок.",
                "No money was taken. Please ask your waiter for the bill.",
            ),
        );
    };
    // The guest is here: the payment's hold on the bill runs from now again.
    if let Err(error) = state.store.note_payment_activity(&payment.id).await {
        tracing::warn!(payment = payment.id, %error, "could not note the guest's activity");
    }
    let Some(target) = FormsPostTo::origin_of(&api.checkout_url()) else {
        tracing::error!("the LiqPay API address is not an http(s) URL; no guest can pay with LiqPay");
        return problem(
            StatusCode::BAD_GATEWAY,
            t("Оплата зараз недоступна", "Payment is not available right now"),
            t(
                "Гроші не списано. Попросіть офіціанта про рахунок.",
                "No money was taken. Please ask your waiter for the bill.",
            ),
        );
    };
    Page::ok(page(lang, &path, &api, &keys, &payment)).posting_to(target)
}

/// The page: the amount, what it is for, and the signed form to LiqPay.
fn page(lang: Lang, path: &str, api: &LiqpayApi, keys: &Keys, payment: &PaymentRecord) -> maud::Markup {
    let t = |uk, en| lang.pick(uk, en);
    let signed = api.checkout_form(keys, payment, lang.pick("uk", "en"));
    let body = html! {
        section.message #liqpay-checkout {
            h1 { (t("Оплата через LiqPay", "Pay with LiqPay")) }
            p.muted { (crate::payments::charge_description(payment)) }
            div.total { span { (t("До сплати", "To pay")) } span.money #liqpay-amount { (money(lang, payment.amount())) } }
            @if keys.sandbox() { p.notice { (t("Тестовий режим: гроші не списуються.", "Test mode: no money moves.")) } }
            form method="post" action=(api.checkout_url()) accept-charset="utf-8" {
                input type="hidden" name="data" value=(signed.data);
                input type="hidden" name="signature" value=(signed.signature);
                button.button type="submit" #to-liqpay { (t("Перейти до оплати в LiqPay", "Go to LiqPay to pay")) }
            }
            a.button.secondary href=(paths::bill(&payment.resto_id, &payment.bill_id)) { (t("Назад до рахунку", "Back to the bill")) }
        }
    };
    shell(lang, t("Оплата через LiqPay", "Pay with LiqPay"), path, body)
}
