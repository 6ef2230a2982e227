//! Split arithmetic: which lines move when a guest picks positions, and the `controlSum` the
//! POS checks. A modifier or combo part moves with its parent line; a partial quantity moves the
//! same share of every line in the family, each rounded half up to the kopiyka (the rule the
//! POS applies to the same lines, so the sums agree). What the guest will pay for the chosen
//! lines is estimated the way a POS applying discounts in proportion computes it; the POS's
//! child bill, shown before paying, is what is charged.

use rahunok_protocol::money::share_of;
use rahunok_protocol::ops::SplitPosition;
use rahunok_protocol::order::{Dish, Order};
use rahunok_protocol::{Money, Quantity};

/// A top-level line a guest can pick, with its modifiers.
#[derive(Debug, Clone)]
pub struct Pickable<'a> {
    /// The line.
    pub line: &'a Dish,
    /// Its modifiers and combo parts.
    pub children: Vec<&'a Dish>,
}

impl Pickable<'_> {
    /// The line's `positionId`.
    pub fn position_id(&self) -> &str {
        self.line.position_id.as_deref().unwrap_or_default()
    }

    /// Whole pieces on the line, when the count is a whole number above one (offer a quantity).
    pub fn whole_pieces(&self) -> Option<i64> {
        self.line.count.decimal().rescale(0).filter(|n| *n > 1)
    }
}

/// The lines a guest may pick: top-level, visible, with a `positionId`.
pub fn pickable_lines(order: &Order) -> Vec<Pickable<'_>> {
    let lines: Vec<&Dish> = order.lines().collect();
    lines
        .iter()
        .filter(|d| d.linked_to.is_none() && !d.hidden && d.position_id.is_some())
        .map(|line| Pickable {
            line,
            children: lines.iter().copied().filter(|c| c.linked_to == line.position_id).collect(),
        })
        .collect()
}

/// Whether the order can be split at all.
pub fn can_split(order: &Order) -> bool {
    order.split_available && pickable_lines(order).len() > 1
}

/// Why a choice of positions cannot be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SplitError {
    /// Nothing chosen.
    #[error("choose at least one position")]
    NothingChosen,
    /// Everything chosen: pay the whole bill instead.
    #[error("that is the whole bill: pay it without splitting")]
    Everything,
    /// A position that is not on the bill, or a quantity it does not have.
    #[error("position {0} cannot be split that way")]
    BadPosition(String),
}

/// What the guest picked: position and quantity.
pub type Choice = (String, Quantity);

/// The `splitOrder` positions and `controlSum` for a choice.
pub fn plan(order: &Order, choices: &[Choice]) -> Result<(Vec<SplitPosition>, Money), SplitError> {
    if choices.is_empty() {
        return Err(SplitError::NothingChosen);
    }
    let pickable = pickable_lines(order);
    let mut control = Money::ZERO;
    let mut positions = Vec::with_capacity(choices.len());
    let mut everything = choices.len() == pickable.len();
    for (position, quantity) in choices {
        let pick = pickable
            .iter()
            .find(|p| p.position_id() == position)
            .ok_or_else(|| SplitError::BadPosition(position.clone()))?;
        let whole = pick.line.count;
        everything &= *quantity == whole;
        for line in std::iter::once(pick.line).chain(pick.children.iter().copied()) {
            let share =
                share_of(line.sum, *quantity, whole).ok_or_else(|| SplitError::BadPosition(position.clone()))?;
            control = control + share;
        }
        if quantity.is_zero() {
            return Err(SplitError::BadPosition(position.clone()));
        }
        positions.push(SplitPosition { id: position.clone(), quantity: *quantity });
    }
    if everything {
        return Err(SplitError::Everything);
    }
    Ok((positions, control))
}

/// The sum of one pick's family (the line and its modifiers) for `quantity` of its pieces;
/// `None` for sums no bill can hold.
pub fn family_sum(pick: &Pickable<'_>, quantity: Quantity) -> Option<Money> {
    let whole = pick.line.count;
    std::iter::once(pick.line)
        .chain(pick.children.iter().copied())
        .try_fold(Money::ZERO, |total, line| total.checked_add(share_of(line.sum, quantity, whole)?))
}

/// Every line's sum before discounts, hidden lines included: what the bill's discounts are
/// shares of.
pub fn raw_total(order: &Order) -> Option<Money> {
    order.lines().try_fold(Money::ZERO, |total, line| total.checked_add(line.sum))
}

/// What the guest will pay for lines worth `chosen` before discounts: `chosen` less the same
/// share of each of the bill's discounts, each rounded half up to the kopiyka (as a POS that
/// applies discounts in proportion splits them). `None` when the bill's sums make no sense.
///
/// ```
/// use rahunok_protocol::Money;
/// use rahunok_protocol::order::Order;
/// use rahunok_server::guest::split::estimated_share;
/// let order: Order = serde_json::from_str(r#"{"billId": "b-1", "totalSum": 702.9, "guests": [
///     {"name": "1", "dishes": [{"name": "A", "count": 1, "sum": 600, "positionId": "p1"},
///                             {"name": "B", "count": 1, "sum": 181, "positionId": "p2"}]}],
///     "discounts": {"list": [{"id": "d", "name": "10%", "sum": 78.1}]}}"#).unwrap();
/// let chosen = Money::parse("181").unwrap();
/// // 181 of 781 carries 18.10 of the 78.10 discount.
/// assert_eq!(estimated_share(&order, chosen).unwrap().to_string(), "162.90");
/// ```
pub fn estimated_share(order: &Order, chosen: Money) -> Option<Money> {
    let raw = raw_total(order)?;
    if raw == Money::ZERO {
        return Some(chosen);
    }
    order.discounts.list.iter().try_fold(chosen, |left, discount| {
        left.checked_sub(discount.sum.mul_ratio_half_up(chosen.kopiyky(), raw.kopiyky())?)
    })
}
