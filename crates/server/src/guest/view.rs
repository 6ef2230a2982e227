//! Markup pieces shared by the guest pages: the bill's lines (money, quantities and links in
//! the guest's language come from [`crate::web::format`], shared with the panel and receipts).

use crate::payments::receipt_data::ReceiptData;
use crate::web::Lang;
use maud::{html, Markup};
use rahunok_protocol::Money;

pub use crate::web::format::{link, money, quantity};

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
