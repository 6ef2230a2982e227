//! After paying: the guest who paid may rate the service 1–5 on the receipt (stored with the
//! payment; the panel shows it per payment and per waiter), and follow the restaurant's own
//! "leave a review" link when it set one. Only the browser that paid may rate: a receipt link
//! passed around the table cannot.

use super::error::error_page;
use super::error::GuestError;
use super::view::link;
use super::visit::Visit;
use super::GuestState;
use crate::store::PaymentRecord;
use crate::web::{message_page, paths, Lang, Page};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

/// The rating form.
#[derive(Debug, Deserialize)]
pub struct RatingForm {
    #[serde(default)]
    rating: String,
}

/// The ratings a guest can give.
const STARS: std::ops::RangeInclusive<i64> = 1..=5;

/// The receipt's closing part: the rating (for the browser that paid) and the review link.
pub fn after_paying(lang: Lang, payment: &PaymentRecord, may_rate: bool, review_url: Option<&str>) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    html! {
        @if may_rate || review_url.is_some() {
            section.card #after-paying {
                @if may_rate {
                    @match payment.rating {
                        Some(given) => p #rated { (t("Дякуємо за оцінку", "Thank you for rating us")) ": " (given) " / 5" },
                        None => form method="post" action=(link(lang, &format!("{}/rating", paths::receipt(&payment.id)))) {
                            fieldset.stars {
                                legend { (t("Оцініть обслуговування", "Rate the service")) }
                                @for stars in STARS {
                                    button.secondary type="submit" name="rating" value=(stars)
                                        aria-label={ (stars) " " (t("з 5", "of 5")) } { (stars) " ★" }
                                }
                            }
                        },
                    }
                }
                @if let Some(url) = review_url {
                    a.button.secondary #review-link href=(url) rel="noopener noreferrer" { (t("Залишити відгук", "Leave a review")) }
                }
            }
        }
    }
}

/// `POST /p/{paymentId}/rating`.
pub async fn rate(
    State(state): State<GuestState>,
    Path(payment_id): Path<String>,
    Visit { lang, browser, path }: Visit,
    form: Result<Form<RatingForm>, FormRejection>,
) -> Response {
    let receipt = link(lang, &paths::receipt(&payment_id));
    let rating = match form.ok().and_then(|Form(f)| f.rating.trim().parse::<i64>().ok()) {
        Some(stars) if STARS.contains(&stars) => stars,
        _ => {
            let error = GuestError::BadInput(lang.pick("Оцінка — від 1 до 5.", "A rating is 1 to 5.").into());
            return error_page(lang, &path, &error, &receipt).into_response();
        }
    };
    let payment = match state.store.payment_by_id(&payment_id).await {
        Ok(Some(payment)) => payment,
        Ok(None) => return not_found(lang, &path),
        Err(error) => return error_page(lang, &path, &GuestError::Store(error), &receipt).into_response(),
    };
    if payment.payer.is_none() || payment.payer != browser.payer() {
        let text = lang.pick("Оцінити може лише той, хто сплатив.", "Only the guest who paid can rate.");
        let back = html! { a.button href=(receipt) { (lang.pick("До чека", "Back to the receipt")) } };
        let markup = message_page(lang, &path, lang.pick("Не ваша оплата", "Not your payment"), text, back);
        return Page::with_status(StatusCode::FORBIDDEN, markup).into_response();
    }
    match state.store.rate_payment(&payment_id, rating).await {
        Ok(_) => Redirect::to(&receipt).into_response(),
        Err(error) => error_page(lang, &path, &GuestError::Store(error), &receipt).into_response(),
    }
}

fn not_found(lang: Lang, path: &str) -> Response {
    let markup = message_page(
        lang,
        path,
        lang.pick("Платіж не знайдено", "Payment not found"),
        lang.pick("Перевірте посилання.", "Please check the link."),
        html! {},
    );
    Page::with_status(StatusCode::NOT_FOUND, markup).into_response()
}
