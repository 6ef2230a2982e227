//! The bill as the guest sees it — visible lines, modifiers nested under their parent, discounts —
//! in one shape shared by the bill page and the receipt (which keeps it with the payment, so the
//! receipt shows what was paid even after the POS closed the bill).

use rahunok_protocol::order::{Discount, Order};
use rahunok_protocol::{Money, Quantity};
use serde::{Deserialize, Serialize};

/// One visible line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    /// Dish name.
    pub name: String,
    /// How many.
    pub count: Quantity,
    /// Line sum.
    pub sum: Money,
    /// A modifier or combo part, shown under its parent.
    pub child: bool,
}

/// What a bill shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReceiptData {
    /// Restaurant name.
    pub restaurant: String,
    /// Table.
    pub table_number: Option<String>,
    /// Waiter.
    pub waiter: Option<String>,
    /// Guests with their lines (one unnamed group when the POS gives no guests).
    pub guests: Vec<(String, Vec<ReceiptLine>)>,
    /// Discounts.
    pub discounts: Vec<Discount>,
    /// Bonus spent.
    pub bonus: Money,
    /// What the bill comes to.
    pub total: Money,
}

impl ReceiptData {
    /// The visible bill of `order`: hidden lines dropped, each parent followed by its children.
    pub fn of(restaurant: &str, order: &Order) -> ReceiptData {
        let guests = order
            .guests
            .iter()
            .map(|guest| {
                let mut lines = Vec::new();
                for parent in guest.dishes.iter().filter(|d| !d.hidden && !is_child(d, &guest.dishes)) {
                    lines.push(line(parent, false));
                    let children = guest
                        .dishes
                        .iter()
                        .filter(|c| !c.hidden && c.linked_to.is_some() && c.linked_to == parent.position_id);
                    lines.extend(children.map(|c| line(c, true)));
                }
                (guest.name.clone(), lines)
            })
            .filter(|(_, lines)| !lines.is_empty())
            .collect();
        ReceiptData {
            restaurant: restaurant.to_string(),
            table_number: order.table_number.clone(),
            waiter: order.waiter.clone(),
            guests,
            discounts: order.discounts.list.clone(),
            bonus: order.bonus_sum.unwrap_or_default(),
            total: order.total_sum,
        }
    }
}

/// A line whose parent is on the same guest's check.
fn is_child(line: &rahunok_protocol::order::Dish, all: &[rahunok_protocol::order::Dish]) -> bool {
    line.linked_to.as_ref().is_some_and(|parent| all.iter().any(|d| d.position_id.as_ref() == Some(parent)))
}

fn line(dish: &rahunok_protocol::order::Dish, child: bool) -> ReceiptLine {
    ReceiptLine { name: dish.name.clone(), count: dish.count, sum: dish.sum, child }
}
