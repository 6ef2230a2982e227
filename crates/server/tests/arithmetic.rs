//! Tip and split arithmetic, as properties: no kopiyka is lost or invented, and the
//! `controlSum` the server computes is exactly what the POS (the virtual POS's rules) accepts.

use proptest::prelude::*;
use rahunok_pos_sim::fixture::{Fixture, FixtureRestaurant};
use rahunok_pos_sim::Floor;
use rahunok_protocol::ops::SplitOrder;
use rahunok_protocol::order::{Discount, Discounts, Dish, Guest, Order};
use rahunok_protocol::{Money, Quantity};
use rahunok_server::guest::split::{pickable_lines, plan, SplitError};
use rahunok_server::guest::tips::{parse_custom_tip, percent_of};

fn kop(k: i64) -> Money {
    Money::from_kopiyky(k).unwrap()
}

proptest! {
    #[test]
    fn a_percentage_tip_is_the_exact_share_rounded_half_up(base in 0i64..10_000_000_000, percent in 0u32..=100) {
        let tip = percent_of(kop(base), percent);
        let exact_times_100 = i128::from(base) * i128::from(percent);
        let diff = i128::from(tip.kopiyky()) * 100 - exact_times_100;
        prop_assert!((-49..=50).contains(&diff), "tip {tip} is not {percent}% of {base} kop rounded");
        prop_assert!(tip <= kop(base));
    }

    #[test]
    fn a_higher_percentage_never_gives_a_smaller_tip(base in 0i64..10_000_000_000, a in 0u32..=100, b in 0u32..=100) {
        let (low, high) = (a.min(b), a.max(b));
        prop_assert!(percent_of(kop(base), low) <= percent_of(kop(base), high));
    }

    #[test]
    fn a_typed_tip_is_read_to_the_kopiyka(hryvnias in 0i64..100_000, kopiyky in 0i64..100, comma in any::<bool>()) {
        let separator = if comma { "," } else { "." };
        let text = format!("{hryvnias}{separator}{kopiyky:02}");
        let tip = parse_custom_tip(&text, kop(i64::MAX / 4)).unwrap();
        prop_assert_eq!(tip.kopiyky(), hryvnias * 100 + kopiyky);
    }
}

/// A generated line: count (whole or fractional), sum, and children's sums.
#[derive(Debug, Clone)]
struct LineSpec {
    count: Quantity,
    sum: i64,
    children: Vec<i64>,
}

fn line_spec() -> impl Strategy<Value = LineSpec> {
    let whole = (1u32..=4).prop_map(Quantity::whole);
    let fractional = (1i64..3000)
        .prop_map(|thousandths| Quantity::parse(&format!("{}.{:03}", thousandths / 1000, thousandths % 1000)).unwrap());
    (prop_oneof![3 => whole, 1 => fractional], 0i64..200_000, prop::collection::vec(0i64..5_000, 0..3))
        .prop_map(|(count, sum, children)| LineSpec { count, sum, children })
}

fn dish(position: String, linked_to: Option<String>, count: Quantity, sum: i64) -> Dish {
    Dish {
        dish_id: None,
        position_id: Some(position),
        linked_to,
        name: "страва".into(),
        count,
        sum: kop(sum),
        category: None,
        category_id: None,
        check_number: None,
        order_number: None,
        tax_category: None,
        tax_category_id: None,
        r#type: None,
        hidden: false,
    }
}

fn order_of(lines: &[LineSpec], discount_share: u32) -> Order {
    let mut dishes = Vec::new();
    for (n, spec) in lines.iter().enumerate() {
        let id = format!("p{n}");
        dishes.push(dish(id.clone(), None, spec.count, spec.sum));
        for (c, child) in spec.children.iter().enumerate() {
            dishes.push(dish(format!("p{n}m{c}"), Some(id.clone()), spec.count, *child));
        }
    }
    let raw: i64 = dishes.iter().map(|d| d.sum.kopiyky()).sum();
    let discount = raw * i64::from(discount_share) / 100;
    let mut order = Order {
        bill_id: "b-1".into(),
        root_bill_id: Some("b-1".into()),
        order_number: Some(1),
        table_id: None,
        table_number: Some("1".into()),
        created: None,
        state: None,
        total_sum: Money::ZERO,
        raw_sum: None,
        bonus_sum: None,
        bill_amount_for_tips: None,
        discounts: Discounts {
            list: if discount > 0 {
                vec![Discount { id: "d".into(), name: "знижка".into(), sum: kop(discount) }]
            } else {
                vec![]
            },
        },
        payment_type: None,
        pricing_time: None,
        is_banquet_order: false,
        is_delivery: false,
        split_available: true,
        waiter: None,
        waiter_id: None,
        guests: vec![Guest { name: "Гість".into(), dishes }],
    };
    rahunok_pos_sim::floor::retotal(&mut order);
    order
}

fn floor_with(order: &Order) -> Floor {
    Floor::new(&Fixture {
        restaurant: FixtureRestaurant { name: "test".into() },
        hall_plans: vec![],
        tables: vec![],
        users: vec![],
        categories: vec![],
        menu: Default::default(),
        stop_list: vec![],
        orders: vec![order.clone()],
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn a_split_moves_exactly_the_control_sum_and_keeps_the_total(
        lines in prop::collection::vec(line_spec(), 2..7),
        discount_share in 0u32..30,
        picks in prop::collection::vec((any::<bool>(), 1u32..=4), 7),
    ) {
        let order = order_of(&lines, discount_share);
        let choices: Vec<(String, Quantity)> = pickable_lines(&order)
            .iter()
            .zip(&picks)
            .filter(|(_, (chosen, _))| *chosen)
            .map(|(pick, (_, wanted))| {
                let quantity = match pick.whole_pieces() {
                    Some(pieces) => Quantity::whole((*wanted).min(pieces as u32)),
                    None => pick.line.count,
                };
                (pick.position_id().to_string(), quantity)
            })
            .collect();
        let planned = plan(&order, &choices);
        match planned {
            Err(SplitError::NothingChosen) => prop_assert!(choices.is_empty()),
            Err(SplitError::Everything) => prop_assert_eq!(choices.len(), pickable_lines(&order).len()),
            Err(other) => prop_assert!(false, "unexpected {other:?}"),
            Ok((positions, control_sum)) => {
                let mut floor = floor_with(&order);
                let request = SplitOrder { bill_id: "b-1".into(), control_sum, positions };
                match floor.split(&request) {
                    Ok((parent, child)) => {
                        let child_raw: Money = child.lines().map(|d| d.sum).sum();
                        prop_assert_eq!(child_raw, control_sum, "the child bill holds exactly the controlSum");
                        prop_assert_eq!(parent.total_sum + child.total_sum, order.total_sum, "no kopiyka lost or invented");
                        let parent_raw: Money = parent.lines().map(|d| d.sum).sum();
                        prop_assert_eq!(parent_raw + child_raw, order.raw_sum.unwrap());
                    }
                    // A split may only be refused for leaving nothing to pay on the parent.
                    Err(failure) => prop_assert!(failure.message.contains("leave something"), "{failure:?}"),
                }
            }
        }
    }
}
