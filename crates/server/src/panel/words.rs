//! The words the panel shows that come from elsewhere — the POS's staff roles and category
//! types, the payment machinery's notes — in the panel's language.
//!
//! Why this exists: a Ukrainian page with "waiter", "dish" and "the acquirer confirmed" in it
//! reads as two languages at once. The notes are stored in English (the logs and the API
//! speak English); known ones are translated here when shown, and what is not known (a POS's
//! own error text, a role a POS made up) is shown as it came.

use super::access::Viewer;

/// Notes the payment machinery writes on a payment's timeline, with their Ukrainian.
const NOTES: &[(&str, &str)] = &[
    ("sent to the acquirer", "надіслано еквайру"),
    ("the acquirer confirmed", "еквайр підтвердив оплату"),
    ("the acquirer declined", "еквайр відхилив картку"),
    ("the acquirer refused", "еквайр відмовив"),
    ("the acquirer reports the charge returned", "еквайр повідомляє, що кошти повернуто"),
    ("the acquirer reversed the charge", "еквайр скасував списання"),
    ("the charge was reversed while the POS closes the bill", "списання скасовано, поки каса закривала рахунок"),
    ("the guest cancelled before paying", "гість скасував до оплати"),
    ("the guest did not finish paying", "гість не завершив оплату"),
    ("payBill sent", "payBill надіслано касі"),
    ("the POS closed the bill", "каса закрила рахунок"),
    ("the POS already had the bill paid (a repeated payBill)", "каса вже мала рахунок сплаченим (повторний payBill)"),
    ("refunded by the restaurant", "повернено рестораном"),
];

/// A timeline note in the viewer's language (`payBill failed: <the POS's words>` keeps the
/// POS's words).
pub fn note(viewer: &Viewer, english: &str) -> String {
    if let Some((_, uk)) = NOTES.iter().find(|(en, _)| *en == english) {
        return viewer.t(uk, english).to_string();
    }
    match english.strip_prefix("payBill failed: ") {
        Some(reason) => format!("{}: {reason}", viewer.t("payBill не вдався", "payBill failed")),
        None => english.to_string(),
    }
}

/// A staff role as the POS names it, in the viewer's language when it is a common one.
pub fn role<'a>(viewer: &Viewer, code: &'a str) -> &'a str {
    let (uk, en) = match code.trim().to_ascii_lowercase().as_str() {
        "waiter" => ("офіціант", "waiter"),
        "manager" => ("менеджер", "manager"),
        "cashier" => ("касир", "cashier"),
        "admin" | "administrator" => ("адміністратор", "administrator"),
        "bartender" | "barman" => ("бармен", "bartender"),
        "cook" | "chef" => ("кухар", "cook"),
        "hostess" | "host" => ("хостес", "host"),
        "courier" => ("кур'єр", "courier"),
        _ => return code,
    };
    viewer.t(uk, en)
}

/// A menu category's type as the POS names it, in the viewer's language when known.
pub fn category_type<'a>(viewer: &Viewer, code: &'a str) -> &'a str {
    let (uk, en) = match code.trim().to_ascii_lowercase().as_str() {
        "dish" => ("страва", "dish"),
        "modifier" => ("модифікатор", "modifier"),
        "goods" | "good" => ("товар", "goods"),
        "service" => ("послуга", "service"),
        "drink" | "beverage" => ("напій", "drink"),
        _ => return code,
    };
    viewer.t(uk, en)
}
