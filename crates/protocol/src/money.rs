//! Money: an integer number of kopiyky inside, a decimal number of hryvnias on the wire.
//!
//! Why this exists: a bill must add up to the kopiyka on both sides of the protocol. `Money`
//! can only hold a whole, non-negative number of kopiyky; parsing refuses a third decimal place
//! or a minus sign, and printing always writes two decimals (`129.20`).

use crate::decimal::{write_scaled, Decimal, DecimalError};
use crate::lenient::{self, Scalar};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Sub};

/// Why a wire value is not a sum of money.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// The text is not a plain decimal number.
    #[error("`{0}` is not an amount of money")]
    NotANumber(String),
    /// More than two decimal places (`12.345`).
    #[error("`{0}` has more than 2 decimal places")]
    TooPrecise(String),
    /// Below zero.
    #[error("`{0}` is negative")]
    Negative(String),
    /// Beyond what we can hold exactly.
    #[error("`{0}` is too large")]
    TooLarge(String),
}

/// A non-negative amount of money, held as kopiyky (1/100 of a hryvnia).
///
/// ```
/// use rahunok_protocol::Money;
/// let m = Money::parse("129.2").unwrap();
/// assert_eq!(m.kopiyky(), 12920);
/// assert_eq!(m.to_string(), "129.20");
/// assert!(Money::parse("0.005").is_err());
/// assert!(Money::parse("-1").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    /// No money at all.
    pub const ZERO: Money = Money(0);
    /// The most money there can be (about 92 quadrillion hryvnias).
    pub const MAX: Money = Money(i64::MAX);

    /// Money from a whole number of kopiyky; `None` for a negative count.
    ///
    /// ```
    /// use rahunok_protocol::Money;
    /// assert_eq!(Money::from_kopiyky(150).unwrap().to_string(), "1.50");
    /// assert!(Money::from_kopiyky(-1).is_none());
    /// ```
    pub fn from_kopiyky(kopiyky: i64) -> Option<Money> {
        (kopiyky >= 0).then_some(Money(kopiyky))
    }

    /// The amount in kopiyky.
    pub fn kopiyky(self) -> i64 {
        self.0
    }

    /// Parses wire text in hryvnias (`129.20`, `120`, `"85.5"` without the quotes).
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let decimal = Decimal::parse(text).map_err(|e| match e {
            // Too many decimals is the real fault even when the digits also overflow.
            DecimalError::TooLarge(t) if significant_decimals(&t) > 2 => MoneyError::TooPrecise(t),
            DecimalError::TooLarge(t) => MoneyError::TooLarge(t),
            DecimalError::TooPrecise { text, .. } => MoneyError::TooPrecise(text),
            _ => MoneyError::NotANumber(text.to_string()),
        })?;
        if decimal.is_negative() {
            return Err(MoneyError::Negative(text.to_string()));
        }
        if decimal.scale() > 2 {
            return Err(MoneyError::TooPrecise(text.to_string()));
        }
        decimal.rescale(2).map(Money).ok_or_else(|| MoneyError::TooLarge(text.to_string()))
    }

    /// `self - other`, or `None` if that would go below zero.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        Money::from_kopiyky(self.0.checked_sub(other.0)?)
    }

    /// `self + other`, or `None` on overflow.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// `self × numerator / denominator`, rounded half up to the kopiyka, in integers all the
    /// way: the one rule for every share, percentage and price × quantity. `None` when the
    /// denominator is not positive, the numerator is negative, or the result is beyond what
    /// `Money` holds.
    ///
    /// ```
    /// use rahunok_protocol::Money;
    /// let bill = Money::parse("702.90").unwrap();
    /// assert_eq!(bill.mul_ratio_half_up(10, 100).unwrap().to_string(), "70.29");
    /// // 0.5 kopiyka rounds up, 0.49… down.
    /// assert_eq!(Money::parse("0.05").unwrap().mul_ratio_half_up(10, 100).unwrap().to_string(), "0.01");
    /// assert_eq!(Money::parse("0.04").unwrap().mul_ratio_half_up(10, 100).unwrap().to_string(), "0.00");
    /// assert_eq!(Money::parse("100").unwrap().mul_ratio_half_up(1, 3).unwrap().to_string(), "33.33");
    /// assert!(bill.mul_ratio_half_up(1, 0).is_none());
    /// ```
    pub fn mul_ratio_half_up(self, numerator: impl Into<i128>, denominator: impl Into<i128>) -> Option<Money> {
        let (numerator, denominator) = (numerator.into(), denominator.into());
        if numerator < 0 || denominator <= 0 {
            return None;
        }
        let scaled = i128::from(self.0).checked_mul(numerator)?;
        let (whole, rest) = (scaled / denominator, scaled % denominator);
        // Half up: the remainder is at least half the denominator (written so nothing overflows).
        let rounded = if rest >= denominator - rest { whole + 1 } else { whole };
        i64::try_from(rounded).ok().map(Money)
    }
}

/// Fraction digits of `text` that are not trailing zeros (`"1.500"` has one).
fn significant_decimals(text: &str) -> usize {
    text.trim().split_once('.').map_or(0, |(_, fraction)| fraction.trim_end_matches('0').len())
}

impl Add for Money {
    type Output = Money;
    /// Adds two amounts. Panics only on overflow past 92 quadrillion hryvnias.
    fn add(self, other: Money) -> Money {
        self.checked_add(other).expect("money overflow")
    }
}

impl Sub for Money {
    type Output = Money;
    /// Subtracts, saturating at zero: use [`Money::checked_sub`] to detect that case.
    fn sub(self, other: Money) -> Money {
        Money(self.0.saturating_sub(other.0).max(0))
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, |a, b| a + b)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scaled(f, i128::from(self.0), 2, 2)
    }
}

impl std::str::FromStr for Money {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Money, MoneyError> {
        Money::parse(s)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        lenient::serialize_number_text(&self.to_string(), serializer)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
        match Scalar::of(&lenient::raw_text(deserializer)?).map_err(de::Error::custom)? {
            Scalar::Number(text) | Scalar::Text(text) => Money::parse(&text).map_err(de::Error::custom),
            other => Err(de::Error::custom(format!("expected an amount of money, found {other}"))),
        }
    }
}

/// Deserializes an optional amount: absent, `null` and `""` are `None`.
pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Money>, D::Error> {
    match Scalar::of(&lenient::raw_text(deserializer)?).map_err(de::Error::custom)? {
        Scalar::Null => Ok(None),
        Scalar::Text(text) if text.trim().is_empty() => Ok(None),
        Scalar::Number(text) | Scalar::Text(text) => Money::parse(&text).map(Some).map_err(de::Error::custom),
        other => Err(de::Error::custom(format!("expected an amount of money, found {other}"))),
    }
}

/// Deserializes an amount where absent, `null` and `""` mean zero.
pub fn or_zero<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Money, D::Error> {
    optional(deserializer).map(Option::unwrap_or_default)
}

/// The part of `total` that `part` out of `whole` represents, rounded half up to the kopiyka
/// (e.g. the price of 1 of 3 coffees on one line). `None` when `whole` is zero or `part`
/// exceeds it.
///
/// ```
/// use rahunok_protocol::{money::share_of, Money, Quantity};
/// let line = Money::parse("180").unwrap();
/// let one = share_of(line, Quantity::whole(1), Quantity::whole(3)).unwrap();
/// assert_eq!(one.to_string(), "60.00");
/// let weight = share_of(Money::parse("100").unwrap(), Quantity::parse("0.1").unwrap(), Quantity::parse("0.3").unwrap()).unwrap();
/// assert_eq!(weight.to_string(), "33.33");
/// ```
pub fn share_of(total: Money, part: crate::Quantity, whole: crate::Quantity) -> Option<Money> {
    let (part, whole) = (part.decimal(), whole.decimal());
    if whole.is_zero() {
        return None;
    }
    // part/whole = (pm / 10^ps) / (wm / 10^ws) = pm * 10^ws / (wm * 10^ps)
    let numerator = i128::from(part.mantissa()) * 10i128.pow(whole.scale());
    let denominator = i128::from(whole.mantissa()) * 10i128.pow(part.scale());
    if numerator > denominator {
        return None;
    }
    total.mul_ratio_half_up(numerator, denominator)
}
