//! Markup pieces shared by the guest pages: money in the guest's language, the bill's lines,
//! and links that keep the chosen language.

use super::receipt_data::ReceiptData;
use crate::web::Lang;
use maud::{html, Markup};
use rahunok_protocol::Money;

/// `702,90 грн` / `702.90 UAH`.
pub fn money(lang: Lang, amount: Money) -> String {
    match lang {
        Lang::Uk => format!("{} грн", amount.to_string().replace('.', ",")),
        Lang::En => format!("{amount} UAH"),
    }
}

/// A quantity in the guest's language (`0,35` / `0.35`).
pub fn quantity(lang: Lang, amount: rahunok_protocol::Quantity) -> String {
    match lang {
        Lang::Uk => amount.to_string().replace('.', ","),
        Lang::En => amount.to_string(),
    }
}

/// `path` with `?lang=en` kept for English (Ukrainian is the default).
pub fn link(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Uk => path.to_string(),
        Lang::En => lang.switch_link(path),
    }
}

/// The bill's lines, discounts and total.
pub fn bill_card(lang: Lang, bill: &ReceiptData) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let several = bill.guests.len() > 1;
    html! {
        section.card.bill {
            @for (guest, lines) in &bill.guests {
                @if several { h2 { (guest) } }
                ul.lines {
                    @for line in lines {
                        li class=[line.child.then_some("child")] {
                            span { (line.name) @if line.count.to_string() != "1" { " × " (quantity(lang, line.count)) } }
                            span.money { (money(lang, line.sum)) }
                        }
                    }
                }
            }
            @if !bill.discounts.is_empty() || bill.bonus > Money::ZERO {
                ul.lines.discounts {
                    @for discount in &bill.discounts {
                        li { span { (discount.name) } span.money { "−" (money(lang, discount.sum)) } }
                    }
                    @if bill.bonus > Money::ZERO {
                        li { span { (t("Бонуси", "Bonus")) } span.money { "−" (money(lang, bill.bonus)) } }
                    }
                }
            }
            div.total { span { (t("Разом", "Total")) } span.money #bill-total { (money(lang, bill.total)) } }
        }
    }
}
