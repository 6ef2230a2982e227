//! Exact decimal numbers as they appear on the wire.
//!
//! Why this exists: money and quantities arrive as JSON numbers (`129.20`, `0.35`) and must be
//! kept exactly. We never let them pass through binary floating point; the wire text is parsed
//! digit by digit into an integer mantissa and a decimal scale.

use std::fmt;

/// The largest number of fractional digits we keep.
pub const MAX_SCALE: u32 = 9;

/// Why a piece of wire text is not an exact decimal we can hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecimalError {
    /// Empty text, a stray character, or an exponent (`1e3`).
    #[error("`{0}` is not a decimal number")]
    NotANumber(String),
    /// More fractional digits than the type allows.
    #[error("`{text}` has more than {max} decimal places")]
    TooPrecise {
        /// The text as received.
        text: String,
        /// The allowed number of fractional digits.
        max: u32,
    },
    /// A minus sign where only zero or more is allowed.
    #[error("`{0}` is negative")]
    Negative(String),
    /// Too many digits to hold exactly.
    #[error("`{0}` is too large")]
    TooLarge(String),
}

/// An exact decimal: `mantissa / 10^scale`.
///
/// ```
/// use rahunok_protocol::decimal::Decimal;
/// let d = Decimal::parse("1.30").unwrap();
/// assert_eq!(d.to_string(), "1.3");
/// assert_eq!(d.rescale(2), Some(130));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Decimal {
    mantissa: i64,
    scale: u32,
}

impl Decimal {
    /// Builds a decimal from an integer mantissa and a scale (`Decimal::new(135, 2)` is `1.35`).
    ///
    /// ```
    /// use rahunok_protocol::decimal::Decimal;
    /// assert_eq!(Decimal::new(135, 2).to_string(), "1.35");
    /// ```
    pub fn new(mantissa: i64, scale: u32) -> Decimal {
        Decimal { mantissa, scale: scale.min(MAX_SCALE) }.normalized()
    }

    /// Parses a plain decimal such as `12`, `-3.5` or `0.350`. Exponents are refused.
    ///
    /// ```
    /// use rahunok_protocol::decimal::Decimal;
    /// assert!(Decimal::parse("1e3").is_err());
    /// assert_eq!(Decimal::parse("-0.50").unwrap().to_string(), "-0.5");
    /// ```
    pub fn parse(text: &str) -> Result<Decimal, DecimalError> {
        let not_a_number = || DecimalError::NotANumber(text.to_string());
        let trimmed = text.trim();
        let (negative, digits) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed.strip_prefix('+').unwrap_or(trimmed)),
        };
        let (whole, fraction) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if (whole.is_empty() && fraction.is_empty()) || !all_digits(whole) || !all_digits(fraction) {
            return Err(not_a_number());
        }
        let fraction = fraction.trim_end_matches('0');
        let scale = fraction.len() as u32;
        if scale > MAX_SCALE {
            return Err(DecimalError::TooPrecise { text: text.to_string(), max: MAX_SCALE });
        }
        let mut mantissa: i64 = 0;
        for b in whole.bytes().chain(fraction.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i64::from(b - b'0')))
                .ok_or_else(|| DecimalError::TooLarge(text.to_string()))?;
        }
        Ok(Decimal { mantissa: if negative { -mantissa } else { mantissa }, scale })
    }

    /// The integer mantissa at `scale` digits (`1.3` at scale 2 is `130`), or `None` when
    /// that would drop digits or overflow.
    pub fn rescale(&self, scale: u32) -> Option<i64> {
        if scale < self.scale {
            return None;
        }
        10i64.checked_pow(scale - self.scale)?.checked_mul(self.mantissa)
    }

    /// The number of fractional digits (trailing zeros are not counted).
    pub fn scale(&self) -> u32 {
        self.scale
    }

    /// True for values below zero.
    pub fn is_negative(&self) -> bool {
        self.mantissa < 0
    }

    /// True for zero.
    pub fn is_zero(&self) -> bool {
        self.mantissa == 0
    }

    /// The integer mantissa at this decimal's own scale.
    pub fn mantissa(&self) -> i64 {
        self.mantissa
    }

    fn normalized(mut self) -> Decimal {
        while self.scale > 0 && self.mantissa % 10 == 0 {
            self.mantissa /= 10;
            self.scale -= 1;
        }
        self
    }
}

impl PartialEq for Decimal {
    fn eq(&self, other: &Decimal) -> bool {
        let (a, b) = (self.normalized(), other.normalized());
        a.mantissa == b.mantissa && a.scale == b.scale
    }
}

impl Eq for Decimal {}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_scaled(f, i128::from(self.mantissa), self.scale, 0)
    }
}

/// Writes `mantissa / 10^scale` with at least `min_fraction` fractional digits.
pub(crate) fn write_scaled(out: &mut impl fmt::Write, mantissa: i128, scale: u32, min_fraction: u32) -> fmt::Result {
    let sign = if mantissa < 0 { "-" } else { "" };
    let abs = mantissa.unsigned_abs();
    let divisor = 10u128.pow(scale);
    let whole = abs / divisor;
    let fraction = abs % divisor;
    let mut frac_text =
        if scale == 0 { String::new() } else { format!("{:0width$}", fraction, width = scale as usize) };
    while frac_text.len() < min_fraction as usize {
        frac_text.push('0');
    }
    if frac_text.is_empty() {
        write!(out, "{sign}{whole}")
    } else {
        write!(out, "{sign}{whole}.{frac_text}")
    }
}
