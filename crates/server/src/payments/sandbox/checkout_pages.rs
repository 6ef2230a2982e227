//! The sandbox acquirer's hosted pages — what a guest sees at a real acquirer: the amount, a card
//! form (with the test cards listed), a 3-D-Secure-style confirmation step, then back to the
//! platform. Plus the endpoint where the platform receives the acquirer's signed notifications.

use super::{
    judge_card, CardError, CardOutcome, Sandbox, SandboxCharge, SandboxChargeStatus, CARD_3DS, CARD_DECLINED,
    CARD_SUCCESS, NAME, NOTIFY_PATH, SIGNATURE_HEADER,
};
use crate::payments::acquirer::AcquirerError;
use crate::payments::{PaymentError, PaymentsState};
use crate::web::format::money;
use crate::web::{message_page, shell, Lang, Page};
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::from_fn;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use maud::{html, Markup};
use serde::Deserialize;

/// The card pages and the notification route, serving `sandbox`.
pub fn routes(sandbox: Sandbox) -> Router<PaymentsState> {
    Router::new()
        .route("/sandbox/checkout/{reference}", get(checkout).post(pay_with_card))
        .route("/sandbox/checkout/{reference}/confirm", post(confirm))
        .route(NOTIFY_PATH, post(notification))
        .layer(from_fn(crate::web::live_page))
        .layer(Extension(sandbox))
}

/// The card form.
#[derive(Debug, Deserialize, Default, Clone)]
pub struct CardForm {
    #[serde(default)]
    card: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
}

/// The confirmation step's answer.
#[derive(Debug, Deserialize)]
pub struct Confirmation {
    #[serde(default)]
    decision: String,
}

/// `GET /sandbox/checkout/{reference}`.
pub async fn checkout(
    State(state): State<PaymentsState>,
    Extension(sandbox): Extension<Sandbox>,
    Path(reference): Path<String>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
) -> Response {
    let path = uri.to_string();
    match open_charge(&state, &sandbox, &reference, lang, &path).await {
        Ok(charge) => {
            let payee = payee(&state, &reference, lang).await;
            Page::ok(card_page(lang, &path, &charge, &payee, &CardForm::default(), None)).into_response()
        }
        Err(page) => page,
    }
}

/// `POST /sandbox/checkout/{reference}`.
pub async fn pay_with_card(
    State(state): State<PaymentsState>,
    Extension(sandbox): Extension<Sandbox>,
    Path(reference): Path<String>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    Form(form): Form<CardForm>,
) -> Response {
    let path = uri.to_string();
    let charge = match open_charge(&state, &sandbox, &reference, lang, &path).await {
        Ok(charge) => charge,
        Err(page) => return page,
    };
    let (outcome, mask) = match judge_card(&form.card, &form.expiry, &form.cvc) {
        Ok(judged) => judged,
        Err(error) => {
            let english = error.to_string();
            let message = lang.pick(
                match error {
                    CardError::InvalidNumber => "Номер картки недійсний.",
                    CardError::InvalidExpiry => "Термін дії має виглядати як ММ/РР (наприклад 12/30 або 1230).",
                    CardError::InvalidCvc => "CVC — три цифри.",
                },
                &english,
            );
            // The form comes back as typed (the sandbox's test cards only: nothing real is kept).
            let payee = payee(&state, &reference, lang).await;
            let page = card_page(lang, &path, &charge, &payee, &form, Some(message));
            return Page::with_status(StatusCode::UNPROCESSABLE_ENTITY, page).into_response();
        }
    };
    if let Err(error) = sandbox.settle(&reference, outcome.clone(), &mask).await {
        tracing::error!(%error, "sandbox could not record a card outcome");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    if outcome == CardOutcome::NeedsConfirmation {
        return Page::ok(confirm_page(lang, &path, &charge)).into_response();
    }
    Redirect::to(&charge.return_url).into_response()
}

/// `POST /sandbox/checkout/{reference}/confirm`.
pub async fn confirm(
    Extension(sandbox): Extension<Sandbox>,
    Path(reference): Path<String>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    Form(confirmation): Form<Confirmation>,
) -> Response {
    let path = uri.to_string();
    let Ok(Some(charge)) = sandbox.charge(&reference).await else {
        return Page::with_status(
            StatusCode::NOT_FOUND,
            message_page(lang, &path, "Sandbox", "no such charge", html! {}),
        )
        .into_response();
    };
    if charge.status == SandboxChargeStatus::NeedsConfirmation {
        let outcome = if confirmation.decision == "approve" { CardOutcome::Paid } else { CardOutcome::Declined };
        if let Err(error) = sandbox.settle(&reference, outcome, "400000******3220").await {
            tracing::error!(%error, "sandbox could not record a confirmation");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    }
    Redirect::to(&charge.return_url).into_response()
}

/// `POST /payments/notify/sandbox`: the acquirer's signed notification.
pub async fn notification(State(state): State<PaymentsState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
    match state.payments.on_notification(NAME, None, &body, signature).await {
        Ok(()) => StatusCode::OK,
        Err(PaymentError::Acquirer(AcquirerError::BadSignature)) => StatusCode::UNAUTHORIZED,
        Err(PaymentError::NotFound) => StatusCode::NOT_FOUND,
        Err(error) => {
            tracing::warn!(%error, "acquirer notification not processed");
            StatusCode::SERVICE_UNAVAILABLE
        }
    }
}

/// The charge the page is about, while it can still be paid. Opening or submitting the page is
/// the guest's activity at the acquirer: the payment keeps its hold on the bill.
async fn open_charge(
    state: &PaymentsState,
    sandbox: &Sandbox,
    reference: &str,
    lang: Lang,
    path: &str,
) -> Result<SandboxCharge, Response> {
    match sandbox.charge(reference).await {
        Ok(Some(charge)) if charge.status.is_open() => {
            if let Err(error) = state.store.note_payment_activity(reference).await {
                tracing::warn!(%error, "could not note the guest's activity on a payment");
            }
            Ok(charge)
        }
        Ok(Some(charge)) => Err(Redirect::to(&charge.return_url).into_response()),
        Ok(None) => Err(Page::with_status(
            StatusCode::NOT_FOUND,
            message_page(
                lang,
                path,
                lang.pick("Платіж не знайдено", "Payment not found"),
                lang.pick("Перевірте посилання.", "Please check the link."),
                html! {},
            ),
        )
        .into_response()),
        Err(error) => {
            tracing::error!(%error, "sandbox store failure");
            Err(StatusCode::INTERNAL_SERVER_ERROR.into_response())
        }
    }
}

/// Who the guest pays, in their language: the restaurant and the table (from the payment the
/// charge is for), rather than our internal bill id.
async fn payee(state: &PaymentsState, reference: &str, lang: Lang) -> String {
    let receipt = match state.store.payment_by_id(reference).await {
        Ok(Some(payment)) => serde_json::from_str::<crate::payments::receipt_data::ReceiptData>(&payment.receipt).ok(),
        _ => None,
    };
    match receipt {
        Some(r) => match &r.table_number {
            Some(table) => format!("{} · {} {table}", r.restaurant, lang.pick("стіл", "table")),
            None => r.restaurant,
        },
        None => lang.pick("Оплата рахунку", "Paying a bill").to_string(),
    }
}

fn card_page(
    lang: Lang,
    path: &str,
    charge: &SandboxCharge,
    payee: &str,
    kept: &CardForm,
    error: Option<&str>,
) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let body = html! {
        h1 { "Rahunok Sandbox Pay" }
        p #payee { (payee) }
        section.card {
            div.total { span { (t("До сплати", "To pay")) } span.money #amount { (money(lang, charge.amount)) } }
        }
        @if let Some(error) = error { p.alert #card-error { (error) } }
        form.card method="post" {
            label for="card" { (t("Номер картки", "Card number")) }
            input #card type="text" name="card" inputmode="numeric" autocomplete="off" placeholder="4242 4242 4242 4242" value=(kept.card);
            label for="expiry" { (t("Термін дії (ММ/РР)", "Expiry (MM/YY)")) }
            input #expiry type="text" name="expiry" inputmode="numeric" placeholder="12/30" autocomplete="off" value=(kept.expiry);
            label for="cvc" { "CVC" }
            input #cvc type="text" name="cvc" inputmode="numeric" placeholder="123" autocomplete="off";
            button #pay-card type="submit" { (t("Сплатити", "Pay")) " " (money(lang, charge.amount)) }
        }
        section.card.muted {
            p { (t("Це тестовий еквайр: гроші не списуються. Тестові картки:", "This is a test acquirer: no money moves. Test cards:")) }
            ul {
                li { code { (CARD_SUCCESS) } " — " (t("успішна оплата", "pays")) }
                li { code { (CARD_DECLINED) } " — " (t("відмова", "declined")) }
                li { code { (CARD_3DS) } " — " (t("з підтвердженням 3-D Secure", "asks for 3-D Secure confirmation")) }
            }
        }
    };
    shell(lang, "Sandbox Pay", path, body)
}

fn confirm_page(lang: Lang, path: &str, charge: &SandboxCharge) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let action = format!("/sandbox/checkout/{}/confirm", charge.reference);
    let body = html! {
        h1 { "3-D Secure" }
        p { (t("Підтвердіть оплату", "Confirm the payment of")) " " strong { (money(lang, charge.amount)) } }
        form method="post" action=(action) {
            button #approve type="submit" name="decision" value="approve" { (t("Підтвердити", "Confirm")) }
            button.secondary #reject type="submit" name="decision" value="reject" { (t("Скасувати", "Cancel")) }
        }
    };
    shell(lang, "3-D Secure", path, body)
}
