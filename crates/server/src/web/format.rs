//! Money, quantities and links as each language writes them: shared by the guest pages, the
//! acquirers' card pages and the panel, so an amount reads the same wherever it is shown.

use super::Lang;
use rahunok_protocol::Money;

/// `5 369,90 грн` / `5,369.90 UAH`: thousands grouped as each language writes them (a
/// no-break space in Ukrainian, so an amount never breaks across lines).
///
/// ```
/// use rahunok_protocol::Money;
/// use rahunok_server::web::format::money;
/// use rahunok_server::web::Lang;
/// let amount = Money::parse("1234567.5").unwrap();
/// assert_eq!(money(Lang::Uk, amount), "1\u{a0}234\u{a0}567,50 грн");
/// assert_eq!(money(Lang::En, amount), "1,234,567.50 UAH");
/// assert_eq!(money(Lang::Uk, Money::parse("702.9").unwrap()), "702,90 грн");
/// ```
pub fn money(lang: Lang, amount: Money) -> String {
    let text = amount.to_string();
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, "00"));
    match lang {
        Lang::Uk => format!("{},{fraction} грн", grouped(whole, '\u{a0}')),
        Lang::En => format!("{}.{fraction} UAH", grouped(whole, ',')),
    }
}

/// `1234567` → `1 234 567` with `separator` between groups of three digits.
fn grouped(whole: &str, separator: char) -> String {
    let digits: Vec<char> = whole.chars().collect();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && digit.is_ascii_digit() && digits[i - 1].is_ascii_digit() {
            out.push(separator);
        }
        out.push(*digit);
    }
    out
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
