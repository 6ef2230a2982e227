//! Tip arithmetic: a percentage of the bill's tip base, rounded half up to the kopiyka, or an
//! amount the guest types (`50`, `50.5`, `50,50`).

use rahunok_protocol::order::Order;
use rahunok_protocol::Money;

/// The tip choices offered, in percent: "no tip" first, then the restaurant's presets.
///
/// ```
/// use rahunok_server::guest::tips::tip_choices;
/// use rahunok_server::store::GuestSettings;
/// let settings = GuestSettings { tip_percents: vec![5, 10, 15], ..GuestSettings::default() };
/// assert_eq!(tip_choices(&settings), vec![0, 5, 10, 15]);
/// ```
pub fn tip_choices(settings: &crate::store::GuestSettings) -> Vec<u32> {
    let mut choices = vec![0];
    choices.extend(settings.tip_percents.iter().copied().filter(|p| *p > 0));
    choices.dedup();
    choices
}

/// The amount tips are computed from: `billAmountForTips`, else `totalSum`.
pub fn tip_base(order: &Order) -> Money {
    order.bill_amount_for_tips.unwrap_or(order.total_sum)
}

/// The largest tip a guest may type: the bill, or its tip base when that is larger (a tip
/// larger than the bill is almost certainly a typo).
pub fn tip_limit(order: &Order) -> Money {
    tip_base(order).max(order.total_sum)
}

/// `percent`% of `base`, rounded half up to the kopiyka ([`Money::mul_ratio_half_up`]; past
/// what `Money` holds it stays at [`Money::MAX`]).
///
/// ```
/// use rahunok_protocol::Money;
/// use rahunok_server::guest::tips::percent_of;
/// assert_eq!(percent_of(Money::parse("702.90").unwrap(), 10).to_string(), "70.29");
/// assert_eq!(percent_of(Money::parse("0.05").unwrap(), 10).to_string(), "0.01");
/// ```
pub fn percent_of(base: Money, percent: u32) -> Money {
    base.mul_ratio_half_up(percent, 100).unwrap_or(Money::MAX)
}

/// Why a typed tip was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TipError {
    /// Not an amount of money.
    #[error("the tip must be an amount like 50 or 50.50")]
    NotAnAmount,
    /// More than the bill itself (almost certainly a typo).
    #[error("the tip cannot be more than the bill")]
    MoreThanTheBill,
}

/// Reads a typed tip; a comma works as the decimal point. Refuses more than `bill`.
///
/// ```
/// use rahunok_protocol::Money;
/// use rahunok_server::guest::tips::parse_custom_tip;
/// let bill = Money::parse("500").unwrap();
/// assert_eq!(parse_custom_tip("50,5", bill).unwrap().to_string(), "50.50");
/// assert!(parse_custom_tip("600", bill).is_err());
/// ```
pub fn parse_custom_tip(text: &str, bill: Money) -> Result<Money, TipError> {
    let normalised: String = text.trim().replace(',', ".").chars().filter(|c| !c.is_whitespace()).collect();
    let tip = Money::parse(&normalised).map_err(|_| TipError::NotAnAmount)?;
    if tip > bill {
        return Err(TipError::MoreThanTheBill);
    }
    Ok(tip)
}
