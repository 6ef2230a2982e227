//! Who is paying a bill right now, as the guest looking at it should hear it. The browser that
//! started the payment may continue it or cancel it (and the bill is free at once); everyone
//! else at the table is told that someone is paying and since when, instead of a pay button
//! that would only refuse them.

use super::error::GuestError;
use super::payer::GuestBrowser;
use super::view::link;
use super::GuestState;
use crate::store::{now_ms, PaymentRecord, PaymentStatus};
use crate::web::{paths, Lang};
use maud::{html, Markup};

/// An unfinished payment's hold on a bill, seen from one browser.
#[derive(Debug, Clone)]
pub enum Hold {
    /// Nobody is paying: the guest may.
    Free,
    /// This browser started paying.
    Yours(Box<PaymentRecord>),
    /// Another guest started paying, this many seconds ago.
    Someone {
        /// Seconds since the payment started.
        started_secs_ago: i64,
    },
}

impl Hold {
    /// Whether the bill may be paid from this browser now.
    pub fn is_free(&self) -> bool {
        matches!(self, Hold::Free)
    }

    /// The hold of `holder` (the payment holding the bill), as the browser with this payer key
    /// sees it.
    pub fn of(holder: PaymentRecord, payer: Option<&str>) -> Hold {
        if holder.status != PaymentStatus::Created {
            return Hold::Free;
        }
        if holder.payer.is_some() && holder.payer.as_deref() == payer {
            return Hold::Yours(Box::new(holder));
        }
        Hold::Someone { started_secs_ago: ((now_ms() - holder.created_at) / 1000).max(0) }
    }
}

/// The hold on a bill, as `browser` sees it.
pub async fn hold_on(
    state: &GuestState,
    resto_id: &str,
    bill_id: &str,
    browser: &GuestBrowser,
) -> Result<Hold, GuestError> {
    Ok(match state.store.payment_holding_bill(resto_id, bill_id).await? {
        Some(holder) => Hold::of(holder, browser.payer().as_deref()),
        None => Hold::Free,
    })
}

/// `25 с` / `25 s`, or whole minutes past the first.
fn elapsed(lang: Lang, seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s} {}", lang.pick("с", "s")),
        s => format!("{} {}", s / 60, lang.pick("хв", "min")),
    }
}

/// What the guest sees in place of the pay form while the bill is held; `retry` reloads the
/// bill.
pub fn hold_notice(lang: Lang, hold: &Hold, retry: &str) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    match hold {
        Hold::Free => html! {},
        Hold::Yours(payment) => {
            let started = elapsed(lang, ((now_ms() - payment.created_at) / 1000).max(0));
            let proceed = payment.checkout_url.clone().unwrap_or_else(|| link(lang, &paths::receipt(&payment.id)));
            html! {
                section.card #your-payment {
                    h2 { (t("Ви вже почали оплату", "You have started paying")) }
                    p { (t("Оплату почато", "Started")) " " (started) " " (t("тому", "ago")) ". "
                        (t("Продовжте її або скасуйте, щоб змінити чайові чи дати сплатити іншим.",
                           "Continue it, or cancel it to change the tip or let someone else pay.")) }
                    a.button #continue-payment href=(proceed) { (t("Продовжити оплату", "Continue paying")) }
                    form method="post" action=(link(lang, &format!("{}/cancel", paths::receipt(&payment.id)))) {
                        button.secondary #cancel-payment type="submit" { (t("Скасувати оплату", "Cancel the payment")) }
                    }
                }
            }
        }
        Hold::Someone { started_secs_ago } => html! {
            section.card #someone-paying {
                h2 { (t("Хтось уже сплачує цей рахунок", "Someone at the table is paying")) }
                p { (t("Оплату почато", "Started")) " " (elapsed(lang, *started_secs_ago)) " " (t("тому", "ago")) ". "
                    (t("Якщо оплату скасують або вона не завершиться, рахунок знову стане доступним.",
                       "If they cancel or do not finish, the bill becomes available again.")) }
                a.button.secondary href=(retry) { (t("Оновити", "Refresh")) }
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elapsed_time_reads_in_seconds_then_minutes() {
        assert_eq!(elapsed(Lang::Uk, 25), "25 с");
        assert_eq!(elapsed(Lang::En, 59), "59 s");
        assert_eq!(elapsed(Lang::En, 185), "3 min");
    }
}
