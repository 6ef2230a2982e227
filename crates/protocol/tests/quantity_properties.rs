//! Quantities (`count`, `quantity`, spec section 3): exact decimals, possibly fractional
//! (`1.3` kg of a weight dish), never negative, never floating point.

use proptest::prelude::*;
use rahunok_protocol::decimal::DecimalError;
use rahunok_protocol::Quantity;

/// `mantissa / 10^scale` written out with exactly `scale` fraction digits.
fn decimal_text(mantissa: u64, scale: u32) -> String {
    if scale == 0 {
        return mantissa.to_string();
    }
    let divisor = 10u64.pow(scale);
    format!("{}.{:0width$}", mantissa / divisor, mantissa % divisor, width = scale as usize)
}

#[test]
fn quantity_examples_round_trip_exactly() {
    for (wire, printed, thousandths) in [("1.3", "1.3", 1300), ("0.350", "0.35", 350), ("2", "2", 2000)] {
        let q = Quantity::parse(wire).unwrap();
        assert_eq!(q.to_string(), printed, "{wire}");
        assert_eq!(q.thousandths(), Some(thousandths), "{wire}");
        assert_eq!(Quantity::parse(&q.to_string()).unwrap(), q, "{wire} must parse back to itself");
    }
}

#[test]
fn quantity_with_trailing_zeros_equals_the_same_quantity_without_them() {
    assert_eq!(Quantity::parse("0.350").unwrap(), Quantity::parse("0.35").unwrap());
    assert_eq!(Quantity::parse("2.000").unwrap(), Quantity::whole(2));
    assert_ne!(Quantity::parse("0.35").unwrap(), Quantity::parse("0.035").unwrap());
}

#[test]
fn negative_quantity_is_refused() {
    assert_eq!(Quantity::parse("-1"), Err(DecimalError::Negative("-1".into())));
    assert_eq!(Quantity::parse("-0.350"), Err(DecimalError::Negative("-0.350".into())));
    assert!(serde_json::from_str::<Quantity>("-1.3").is_err());
}

#[test]
fn quantity_finer_than_nine_decimals_is_refused() {
    assert!(matches!(Quantity::parse("0.0000000001"), Err(DecimalError::TooPrecise { .. })));
    assert!(Quantity::parse("0.000000001").is_ok());
}

#[test]
fn junk_is_not_a_quantity() {
    for junk in ["", " ", "1e3", "abc", "1.2.3", "1,3"] {
        assert_eq!(Quantity::parse(junk), Err(DecimalError::NotANumber(junk.to_string())), "{junk:?}");
    }
}

#[test]
fn quantity_serializes_as_exact_json_number_text() {
    assert_eq!(serde_json::to_string(&Quantity::parse("1.3").unwrap()).unwrap(), "1.3");
    assert_eq!(serde_json::to_string(&Quantity::parse("0.350").unwrap()).unwrap(), "0.35");
    assert_eq!(serde_json::to_string(&Quantity::whole(2)).unwrap(), "2");
}

#[test]
fn quantity_deserializes_from_json_number_and_string_alike() {
    let from_number: Quantity = serde_json::from_str("1.3").unwrap();
    let from_string: Quantity = serde_json::from_str(r#""1.3""#).unwrap();
    assert_eq!(from_number, Quantity::parse("1.3").unwrap());
    assert_eq!(from_string, from_number);
}

#[test]
fn a_missing_quantity_defaults_to_one_piece() {
    assert_eq!(Quantity::default(), Quantity::whole(1));
}

proptest! {
    #[test]
    fn quantity_with_up_to_nine_decimals_parses_and_prints_back_to_the_same_value(
        mantissa in 0u64..1_000_000_000_000,
        scale in 0u32..=9,
    ) {
        let text = decimal_text(mantissa, scale);
        let q = Quantity::parse(&text).unwrap();
        prop_assert_eq!(q.decimal().rescale(scale), Some(mantissa as i64));
        let printed = q.to_string();
        prop_assert!(!printed.ends_with('0') || !printed.contains('.'), "{printed} keeps a trailing zero");
        prop_assert_eq!(Quantity::parse(&printed).unwrap(), q);
        let json = serde_json::to_string(&q).unwrap();
        prop_assert_eq!(&json, &printed);
        prop_assert_eq!(serde_json::from_str::<Quantity>(&json).unwrap(), q);
    }

    #[test]
    fn quantity_in_thousandths_is_exact(thousandths in 0i64..1_000_000_000) {
        let text = decimal_text(thousandths as u64, 3);
        prop_assert_eq!(Quantity::parse(&text).unwrap().thousandths(), Some(thousandths));
    }
}
