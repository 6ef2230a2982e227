//! Quantities of dishes: exact, possibly fractional (`1.3` kg of a weight dish).
//!
//! Why this exists: `count` and `quantity` on the wire may carry decimals, and a split of a
//! weight dish must move exactly what the guest chose. Like money, a quantity never passes
//! through binary floating point.

use crate::decimal::Decimal;
use crate::lenient::{self, Scalar};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// A non-negative exact quantity (up to 9 decimal places).
///
/// ```
/// use rahunok_protocol::Quantity;
/// let q = Quantity::parse("0.350").unwrap();
/// assert_eq!(q.to_string(), "0.35");
/// assert_eq!(Quantity::whole(2).to_string(), "2");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quantity(Decimal);

impl Quantity {
    /// A whole number of pieces.
    pub fn whole(count: u32) -> Quantity {
        Quantity(Decimal::new(i64::from(count), 0))
    }

    /// Parses wire text; refuses negatives and more than 9 decimal places.
    pub fn parse(text: &str) -> Result<Quantity, crate::decimal::DecimalError> {
        let decimal = Decimal::parse(text)?;
        if decimal.is_negative() {
            return Err(crate::decimal::DecimalError::Negative(text.to_string()));
        }
        Ok(Quantity(decimal))
    }

    /// The exact decimal value.
    pub fn decimal(self) -> Decimal {
        self.0
    }

    /// The quantity in thousandths, if it has at most three decimal places.
    pub fn thousandths(self) -> Option<i64> {
        self.0.rescale(3)
    }

    /// True for zero.
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

impl Default for Quantity {
    fn default() -> Quantity {
        Quantity::whole(1)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        lenient::serialize_number_text(&self.to_string(), serializer)
    }
}

/// Deserializes an optional quantity: absent, `null` and `""` are `None`.
pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Quantity>, D::Error> {
    match Scalar::of(&lenient::raw_text(deserializer)?).map_err(de::Error::custom)? {
        Scalar::Null => Ok(None),
        Scalar::Text(text) if text.trim().is_empty() => Ok(None),
        Scalar::Number(text) | Scalar::Text(text) => Quantity::parse(&text).map(Some).map_err(de::Error::custom),
        other => Err(de::Error::custom(format!("expected a quantity, found {other}"))),
    }
}

/// Deserializes a count where absent, `null` and `""` mean one piece.
pub fn or_one<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Quantity, D::Error> {
    optional(deserializer).map(Option::unwrap_or_default)
}

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Quantity, D::Error> {
        match Scalar::of(&lenient::raw_text(deserializer)?).map_err(de::Error::custom)? {
            Scalar::Number(text) | Scalar::Text(text) => Quantity::parse(&text).map_err(de::Error::custom),
            other => Err(de::Error::custom(format!("expected a quantity, found {other}"))),
        }
    }
}
