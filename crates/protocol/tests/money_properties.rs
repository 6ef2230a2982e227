//! Money on the wire (spec section 3): a JSON number in hryvnias with at most two decimals,
//! held inside as an integer number of kopiyky. Never binary floating point.

use proptest::prelude::*;
use rahunok_protocol::money::MoneyError;
use rahunok_protocol::Money;

/// The largest amount the properties explore: 10^15 kopiyky (10 trillion hryvnias).
const MAX_KOPIYKY: i64 = 1_000_000_000_000_000;

fn money(kopiyky: i64) -> Money {
    Money::from_kopiyky(kopiyky).expect("non-negative")
}

/// True when `text` is `<digits>.<two digits>` and nothing else.
fn is_two_decimal_text(text: &str) -> bool {
    match text.split_once('.') {
        Some((whole, fraction)) => {
            !whole.is_empty()
                && whole.bytes().all(|b| b.is_ascii_digit())
                && fraction.len() == 2
                && fraction.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

proptest! {
    #[test]
    fn money_prints_two_decimals_and_parses_back_exactly(k in 0..=MAX_KOPIYKY) {
        let text = money(k).to_string();
        prop_assert!(is_two_decimal_text(&text), "{text:?} is not <int>.<dd>");
        prop_assert_eq!(&text, &format!("{}.{:02}", k / 100, k % 100));
        prop_assert_eq!(Money::parse(&text).unwrap().kopiyky(), k);
    }

    #[test]
    fn money_without_decimals_is_whole_hryvnias(hryvnias in 0..=MAX_KOPIYKY / 100) {
        prop_assert_eq!(Money::parse(&hryvnias.to_string()).unwrap().kopiyky(), hryvnias * 100);
    }

    #[test]
    fn money_with_one_decimal_is_tens_of_kopiyky(hryvnias in 0..=MAX_KOPIYKY / 100, tenths in 0i64..10) {
        let parsed = Money::parse(&format!("{hryvnias}.{tenths}")).unwrap();
        prop_assert_eq!(parsed.kopiyky(), hryvnias * 100 + tenths * 10);
    }

    #[test]
    fn money_with_two_decimals_is_kopiyky(hryvnias in 0..=MAX_KOPIYKY / 100, kopiyky in 0i64..100) {
        let parsed = Money::parse(&format!("{hryvnias}.{kopiyky:02}")).unwrap();
        prop_assert_eq!(parsed.kopiyky(), hryvnias * 100 + kopiyky);
    }

    #[test]
    fn money_with_a_significant_third_decimal_is_refused_as_too_precise(
        hryvnias in 0..=MAX_KOPIYKY / 100,
        kopiyky in 0i64..100,
        // further digits, the last of them not zero
        extra in "[0-9]{0,6}[1-9]",
    ) {
        let text = format!("{hryvnias}.{kopiyky:02}{extra}");
        prop_assert_eq!(Money::parse(&text), Err(MoneyError::TooPrecise(text.clone())));
    }

    #[test]
    fn money_with_trailing_zeros_beyond_two_decimals_is_accepted(
        hryvnias in 0..=MAX_KOPIYKY / 100,
        kopiyky in 0i64..100,
        zeros in 1usize..20,
    ) {
        let text = format!("{hryvnias}.{kopiyky:02}{}", "0".repeat(zeros));
        prop_assert_eq!(Money::parse(&text).unwrap().kopiyky(), hryvnias * 100 + kopiyky);
    }

    #[test]
    fn negative_money_is_refused(k in 1..=MAX_KOPIYKY) {
        let text = format!("-{}", money(k));
        prop_assert_eq!(Money::parse(&text), Err(MoneyError::Negative(text.clone())));
    }

    #[test]
    fn money_serializes_as_a_json_number_with_two_decimals_and_reads_back(k in 0..=MAX_KOPIYKY) {
        let json = serde_json::to_string(&money(k)).unwrap();
        prop_assert_eq!(&json, &format!("{}.{:02}", k / 100, k % 100));
        let back: Money = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.kopiyky(), k);
    }

    #[test]
    fn money_reads_the_same_from_a_json_number_and_a_json_string(k in 0..=MAX_KOPIYKY) {
        let text = money(k).to_string();
        let from_number: Money = serde_json::from_str(&text).unwrap();
        let from_string: Money = serde_json::from_str(&format!("\"{text}\"")).unwrap();
        prop_assert_eq!(from_number, money(k));
        prop_assert_eq!(from_string, money(k));
    }

    #[test]
    fn adding_parsed_amounts_is_integer_addition_of_kopiyky(
        amounts in proptest::collection::vec(0..=MAX_KOPIYKY / 1000, 0..50),
    ) {
        let parsed: Money = amounts.iter().map(|&k| Money::parse(&money(k).to_string()).unwrap()).sum();
        prop_assert_eq!(parsed.kopiyky(), amounts.iter().sum::<i64>());
    }

    #[test]
    fn a_ratio_of_money_is_the_exact_quotient_rounded_half_up(
        k in 0..=MAX_KOPIYKY,
        numerator in 0i64..=1_000_000_000,
        denominator in 1i64..=1_000_000_000,
    ) {
        let result = money(k).mul_ratio_half_up(numerator, denominator).unwrap();
        // r = floor(s/d + 1/2)  ⇔  2rd ≤ 2s + d < 2rd + 2d, with s = k × numerator
        let (r, s, d) = (i128::from(result.kopiyky()), i128::from(k) * i128::from(numerator), i128::from(denominator));
        prop_assert!(2 * r * d <= 2 * s + d && 2 * s + d < 2 * r * d + 2 * d, "{k} × {numerator}/{denominator} gave {r}");
    }

    #[test]
    fn a_ratio_of_money_agrees_with_the_textbook_formula_where_that_cannot_overflow(
        k in 0..=MAX_KOPIYKY,
        numerator in 0u32..=10_000,
        denominator in 1u32..=10_000,
    ) {
        let (s, d) = (i128::from(k) * i128::from(numerator), i128::from(denominator));
        let textbook = (2 * s + d) / (2 * d);
        prop_assert_eq!(i128::from(money(k).mul_ratio_half_up(numerator, denominator).unwrap().kopiyky()), textbook);
    }

    #[test]
    fn a_larger_ratio_never_gives_less_money(k in 0..=MAX_KOPIYKY, a in 0u32..=1000, b in 0u32..=1000, d in 1u32..=1000) {
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(money(k).mul_ratio_half_up(low, d) <= money(k).mul_ratio_half_up(high, d));
    }

    #[test]
    fn the_whole_ratio_is_the_amount_itself_and_none_of_it_is_zero(k in 0..=i64::MAX, d in 1i64..=i64::MAX) {
        prop_assert_eq!(money(k).mul_ratio_half_up(d, d), Some(money(k)));
        prop_assert_eq!(money(k).mul_ratio_half_up(0, d), Some(Money::ZERO));
    }
}

#[test]
fn a_ratio_with_no_positive_denominator_or_a_negative_numerator_is_no_money() {
    let ten = money(1000);
    assert_eq!(ten.mul_ratio_half_up(1, 0), None);
    assert_eq!(ten.mul_ratio_half_up(1, -3), None);
    assert_eq!(ten.mul_ratio_half_up(-1, 3), None);
}

#[test]
fn a_ratio_beyond_what_money_holds_is_no_money_rather_than_a_wrong_amount() {
    assert_eq!(Money::MAX.mul_ratio_half_up(2, 1), None);
    assert_eq!(Money::MAX.mul_ratio_half_up(i128::MAX, 1), None, "the product itself overflows i128");
    assert_eq!(Money::MAX.mul_ratio_half_up(i64::MAX, i64::MAX), Some(Money::MAX));
    // Halves of the largest denominator: rounding compares the remainder without doubling it.
    assert_eq!(money(1).mul_ratio_half_up(i128::MAX / 2, i128::MAX), Some(Money::ZERO), "just under half");
    assert_eq!(money(1).mul_ratio_half_up(i128::MAX / 2 + 1, i128::MAX), Some(money(1)), "just over half");
}

#[test]
fn half_a_kopiyka_rounds_up_and_less_rounds_down() {
    assert_eq!(money(1).mul_ratio_half_up(1, 2), Some(money(1)));
    assert_eq!(money(1).mul_ratio_half_up(49, 100), Some(Money::ZERO));
    assert_eq!(money(5).mul_ratio_half_up(1, 10), Some(money(1)));
    assert_eq!(money(3).mul_ratio_half_up(1, 2), Some(money(2)));
}

#[test]
fn money_examples_from_the_spec_parse_to_kopiyky() {
    assert_eq!(Money::parse("129.20").unwrap().kopiyky(), 12920);
    assert_eq!(Money::parse("129.2").unwrap().kopiyky(), 12920);
    assert_eq!(Money::parse("120").unwrap().kopiyky(), 12000);
    assert_eq!(Money::parse("0.05").unwrap().kopiyky(), 5);
    assert_eq!(Money::parse("0").unwrap(), Money::ZERO);
}

#[test]
fn money_with_three_decimals_is_refused() {
    assert_eq!(Money::parse("12.345"), Err(MoneyError::TooPrecise("12.345".into())));
    assert_eq!(Money::parse("0.005"), Err(MoneyError::TooPrecise("0.005".into())));
    assert_eq!(Money::parse("129.201"), Err(MoneyError::TooPrecise("129.201".into())));
}

#[test]
fn money_with_more_decimals_than_a_decimal_can_hold_is_still_too_precise() {
    let text = "1.0000000000001";
    assert_eq!(Money::parse(text), Err(MoneyError::TooPrecise(text.into())));
}

#[test]
fn money_with_trailing_zero_third_decimal_is_accepted() {
    assert_eq!(Money::parse("1.500").unwrap().kopiyky(), 150);
    assert_eq!(Money::parse("129.2000").unwrap().kopiyky(), 12920);
}

#[test]
fn negative_money_examples_are_refused() {
    assert_eq!(Money::parse("-1"), Err(MoneyError::Negative("-1".into())));
    assert_eq!(Money::parse("-0.01"), Err(MoneyError::Negative("-0.01".into())));
    assert!(Money::from_kopiyky(-1).is_none());
}

#[test]
fn junk_is_not_money() {
    for junk in
        ["1e3", "1E3", "", " ", "1.2.3", "abc", "12,50", "1 000", "--1", "0x10", "NaN", "Infinity", ".", "1.-5", "+-1"]
    {
        assert_eq!(
            Money::parse(junk),
            Err(MoneyError::NotANumber(junk.to_string())),
            "{junk:?} must be refused as not a number"
        );
    }
}

#[test]
fn money_beyond_i64_kopiyky_is_too_large() {
    // i64::MAX kopiyky is 92233720368547758.07 hryvnias: the last amount we can hold.
    assert_eq!(Money::parse("92233720368547758.07").unwrap().kopiyky(), i64::MAX);
    for text in ["92233720368547758.08", "100000000000000000000"] {
        assert_eq!(Money::parse(text), Err(MoneyError::TooLarge(text.to_string())), "{text}");
    }
}

#[test]
fn money_deserializes_from_json_number_with_two_decimals() {
    let m: Money = serde_json::from_str("129.20").unwrap();
    assert_eq!(m.kopiyky(), 12920);
}

#[test]
fn money_deserializes_from_json_string() {
    let m: Money = serde_json::from_str(r#""129.20""#).unwrap();
    assert_eq!(m.kopiyky(), 12920);
}

#[test]
fn money_deserializes_from_whole_json_number_as_hryvnias() {
    let m: Money = serde_json::from_str("120").unwrap();
    assert_eq!(m.kopiyky(), 12000);
}

#[test]
fn money_refuses_json_values_that_are_not_amounts() {
    for json in ["129.201", "-1", "1e3", "null", "true", "[]", "{}", r#""""#, r#""abc""#] {
        assert!(serde_json::from_str::<Money>(json).is_err(), "{json} must not read as money");
    }
}

#[test]
fn money_serializes_as_json_number_text_with_two_decimals() {
    assert_eq!(serde_json::to_string(&money(12920)).unwrap(), "129.20");
    assert_eq!(serde_json::to_string(&money(12000)).unwrap(), "120.00");
    assert_eq!(serde_json::to_string(&money(5)).unwrap(), "0.05");
    assert_eq!(serde_json::to_string(&Money::ZERO).unwrap(), "0.00");
    assert_eq!(serde_json::to_string(&vec![money(1300)]).unwrap(), "[13.00]");
}

#[test]
fn ten_and_twenty_kopiyky_make_exactly_thirty() {
    // The classic float trap: 0.1 + 0.2 != 0.3 in binary floating point.
    let sum = Money::parse("0.10").unwrap() + Money::parse("0.20").unwrap();
    assert_eq!(sum, Money::parse("0.30").unwrap());
    assert_eq!(sum.to_string(), "0.30");
}

#[test]
fn subtracting_more_than_there_is_is_detected() {
    let ten = money(1000);
    let eleven = money(1100);
    assert_eq!(ten.checked_sub(eleven), None);
    assert_eq!(eleven.checked_sub(ten), Some(money(100)));
    assert_eq!(ten - eleven, Money::ZERO, "plain subtraction saturates at zero");
}

#[test]
fn third_decimal_is_reported_as_too_precise_even_when_the_digits_overflow() {
    // 92 233 720 369.00 fits easily; it is only the eight decimals that do not.
    assert_eq!(Money::parse("92233720369.00").unwrap().kopiyky(), 9_223_372_036_900);
    let text = "92233720369.00000001";
    assert_eq!(Money::parse(text), Err(MoneyError::TooPrecise(text.into())));
}
