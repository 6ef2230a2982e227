//! What a charge is for, line by line, for acquirers that print a fiscal receipt from it
//! (monobank's `basketOrder`). The acquirer checks that the lines add up to the charged amount,
//! and so do we: discounts are spread over the lines (to the kopiyka, largest remainders first),
//! a bill above its lines gets a "service" line, and the tip is a line of its own.

use super::acquirer::BasketLine;
use crate::payments::receipt_data::ReceiptData;
use rahunok_protocol::{Money, Quantity};

/// The lines of a payment of `sum` (the bill) plus `tips`, from the bill as the guest saw it.
/// They always add up to `sum + tips`, and none is zero.
pub fn basket(receipt: Option<&ReceiptData>, sum: Money, tips: Money) -> Vec<BasketLine> {
    let items: Vec<(String, Money, String)> = receipt
        .map(|r| {
            r.guests
                .iter()
                .flat_map(|(_, lines)| lines.iter())
                .enumerate()
                .map(|(i, line)| (named(&line.name, line.count), line.sum, format!("item-{}", i + 1)))
                .collect()
        })
        .unwrap_or_default();
    let listed: Money = items.iter().map(|(_, s, _)| *s).sum();
    let mut lines: Vec<BasketLine> = if listed > sum {
        spread_discount(&items, listed, sum)
    } else {
        items.into_iter().map(|(name, sum, code)| BasketLine { name, sum, code }).collect()
    };
    if listed < sum {
        lines.push(BasketLine {
            name: "Обслуговування та інше".into(), sum: sum - listed, code: "service".into()
        });
    }
    if tips > Money::ZERO {
        lines.push(BasketLine { name: "Чайові".into(), sum: tips, code: "tip".into() });
    }
    lines.retain(|l| l.sum > Money::ZERO);
    lines
}

fn named(name: &str, count: Quantity) -> String {
    if count == Quantity::whole(1) {
        name.to_string()
    } else {
        format!("{name} × {count}")
    }
}

/// Scales every line down so they add up to `target` exactly: each gets its floor share, and
/// the kopiyky left go to the lines with the largest remainders.
fn spread_discount(items: &[(String, Money, String)], listed: Money, target: Money) -> Vec<BasketLine> {
    let (listed, target) = (i128::from(listed.kopiyky()), i128::from(target.kopiyky()));
    let mut shares: Vec<(usize, i128, i128)> = items
        .iter()
        .enumerate()
        .map(|(i, (_, sum, _))| {
            let scaled = i128::from(sum.kopiyky()) * target;
            (i, scaled / listed, scaled % listed)
        })
        .collect();
    let mut left = target - shares.iter().map(|(_, floor, _)| floor).sum::<i128>();
    let mut by_remainder: Vec<usize> = (0..shares.len()).collect();
    by_remainder.sort_by(|a, b| shares[*b].2.cmp(&shares[*a].2).then(a.cmp(b)));
    for index in by_remainder {
        if left == 0 {
            break;
        }
        shares[index].1 += 1;
        left -= 1;
    }
    shares
        .into_iter()
        .map(|(i, kopiyky, _)| BasketLine {
            name: items[i].0.clone(),
            sum: Money::from_kopiyky(i64::try_from(kopiyky).unwrap_or_default()).unwrap_or_default(),
            code: items[i].2.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payments::receipt_data::ReceiptLine;

    fn money(text: &str) -> Money {
        Money::parse(text).unwrap()
    }

    fn receipt(lines: &[(&str, &str, u32)]) -> ReceiptData {
        ReceiptData {
            restaurant: "Кав'ярня".into(),
            table_number: Some("12".into()),
            waiter: None,
            guests: vec![(
                String::new(),
                lines
                    .iter()
                    .map(|(name, sum, count)| ReceiptLine {
                        name: name.to_string(),
                        count: Quantity::whole(*count),
                        sum: money(sum),
                        child: false,
                    })
                    .collect(),
            )],
            discounts: vec![],
            bonus: Money::ZERO,
            total: Money::ZERO,
        }
    }

    fn total(lines: &[BasketLine]) -> Money {
        lines.iter().map(|l| l.sum).sum()
    }

    #[test]
    fn the_lines_of_an_undiscounted_bill_and_the_tip_add_up_to_the_charge() {
        let r = receipt(&[("Борщ", "180.00", 2), ("Вареники", "140.00", 1)]);
        let lines = basket(Some(&r), money("320.00"), money("32.00"));
        assert_eq!(total(&lines), money("352.00"));
        assert_eq!(lines[0].name, "Борщ × 2");
        assert_eq!(
            lines.last().unwrap(),
            &BasketLine { name: "Чайові".into(), sum: money("32.00"), code: "tip".into() }
        );
    }

    #[test]
    fn a_discount_is_spread_over_the_lines_to_the_kopiyka() {
        let r = receipt(&[("A", "100.00", 1), ("B", "100.00", 1), ("C", "100.00", 1)]);
        let lines = basket(Some(&r), money("200.00"), Money::ZERO);
        assert_eq!(total(&lines), money("200.00"));
        let sums: Vec<i64> = lines.iter().map(|l| l.sum.kopiyky()).collect();
        assert_eq!(sums, [6667, 6667, 6666]);
    }

    #[test]
    fn a_bill_above_its_lines_gets_a_service_line() {
        let r = receipt(&[("A", "100.00", 1)]);
        let lines = basket(Some(&r), money("110.00"), Money::ZERO);
        assert_eq!(total(&lines), money("110.00"));
        assert_eq!(lines[1].code, "service");
    }

    #[test]
    fn a_bill_without_a_receipt_is_one_line() {
        let lines = basket(None, money("99.99"), money("0.01"));
        assert_eq!(total(&lines), money("100.00"));
        assert_eq!(lines.len(), 2);
    }

    #[test]
    fn free_lines_are_left_out() {
        let r = receipt(&[("A", "100.00", 1), ("Хліб", "0", 1)]);
        let lines = basket(Some(&r), money("100.00"), Money::ZERO);
        assert_eq!(lines.len(), 1);
    }
}
