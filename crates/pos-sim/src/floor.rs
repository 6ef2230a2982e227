//! The restaurant floor as the virtual POS keeps it in memory: open orders and paid bills. All
//! the operations' rules live here, free of I/O, so they read like the POS behaviour the spec
//! describes. (What changed since the last `ORDERS_CACHE` push is the SDK publisher's job.)

use crate::fixture::Fixture;
use rahunok_pos_sdk::Failure;
use rahunok_protocol::envelope::substate;
use rahunok_protocol::money::share_of;
use rahunok_protocol::ops::{SplitOrder, SplitPosition};
use rahunok_protocol::order::{Discount, Dish, Order, OrderState};
use rahunok_protocol::{Money, Quantity};
use std::collections::HashMap;

/// A bill the POS closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidBill {
    /// The order as it was when paid.
    pub order: Order,
    /// What the guest paid for it.
    pub sum: Money,
    /// The tip.
    pub tips: Money,
    /// How many `payBill` requests closed it (1 unless something went wrong).
    pub times_paid: u32,
}

/// The in-memory state (see the module docs).
#[derive(Debug, Default)]
pub struct Floor {
    open: Vec<Order>,
    paid: HashMap<String, PaidBill>,
    next_bill_number: i64,
    created_by_external_id: HashMap<String, String>,
    locked: std::collections::HashSet<String>,
    messages: Vec<rahunok_protocol::ops::ShowMessage>,
    requests: HashMap<String, usize>,
    /// Every `payBill` received, per bill, whatever it was answered (a repeat included).
    pay_bills: HashMap<String, u32>,
    /// `getBill` by `billId` answers `ORDER_NOT_FOUND` for a bill it closed, as some POS
    /// systems do, instead of the bill in state `PAYED`.
    forgets_paid_bills: bool,
}

impl Floor {
    /// The floor at the start of the fixture's day.
    pub fn new(fixture: &Fixture) -> Floor {
        let next = fixture.orders.iter().filter_map(|o| o.order_number).max().unwrap_or(1000) + 1;
        Floor { open: fixture.orders.clone(), next_bill_number: next, ..Floor::default() }
    }

    /// Open orders on a table.
    pub fn orders_on_table(&self, table_number: &str) -> Vec<Order> {
        self.open.iter().filter(|o| o.table_number.as_deref() == Some(table_number)).cloned().collect()
    }

    /// An open order by bill id.
    pub fn open_order(&self, bill_id: &str) -> Option<&Order> {
        self.open.iter().find(|o| o.bill_id == bill_id)
    }

    /// A bill as `getBill` by `billId` sees it: open, or closed by `payBill` (state `PAYED`)
    /// unless this floor forgets paid bills.
    pub fn bill(&self, bill_id: &str) -> Option<&Order> {
        let paid = || self.paid.get(bill_id).filter(|_| !self.forgets_paid_bills).map(|p| &p.order);
        self.open_order(bill_id).or_else(paid)
    }

    /// From now on `getBill` by `billId` answers `ORDER_NOT_FOUND` for a paid bill, as a POS that
    /// keeps only open orders does.
    pub fn forget_paid_bills(&mut self) {
        self.forgets_paid_bills = true;
    }

    /// Every open order.
    pub fn open_orders(&self) -> &[Order] {
        &self.open
    }

    /// A paid bill.
    pub fn paid(&self, bill_id: &str) -> Option<&PaidBill> {
        self.paid.get(bill_id)
    }

    /// Opens an order as if guests just sat down (tests and load runs seat new bills with it);
    /// an open order with the same bill id is replaced.
    pub fn open(&mut self, order: Order) {
        self.open.retain(|o| o.bill_id != order.bill_id);
        self.open.push(order);
    }

    /// Replaces an open order (tests use it to change a bill while a guest looks at it).
    pub fn replace_order(&mut self, order: Order) {
        if let Some(slot) = self.open.iter_mut().find(|o| o.bill_id == order.bill_id) {
            *slot = order;
        }
    }

    /// Locks a bill as if it were open on a terminal: `payBill` answers `ORDER_LOCKED`.
    pub fn lock(&mut self, bill_id: &str) {
        self.locked.insert(bill_id.to_string());
    }

    /// Unlocks a bill.
    pub fn unlock(&mut self, bill_id: &str) {
        self.locked.remove(bill_id);
    }

    /// Records a `showMessage` for the staff's screen.
    pub fn show(&mut self, message: rahunok_protocol::ops::ShowMessage) {
        self.messages.push(message);
    }

    /// The messages shown on the POS screen so far.
    pub fn messages(&self) -> &[rahunok_protocol::ops::ShowMessage] {
        &self.messages
    }

    /// How many `payBill` requests for `bill_id` arrived, whatever they were answered: a
    /// platform that closes each bill once sends exactly one.
    pub fn pay_bills_received(&self, bill_id: &str) -> u32 {
        self.pay_bills.get(bill_id).copied().unwrap_or_default()
    }

    /// The bills that received more than one `payBill`, with how many each.
    pub fn bills_paid_more_than_once(&self) -> Vec<(String, u32)> {
        let mut repeated: Vec<(String, u32)> =
            self.pay_bills.iter().filter(|(_, n)| **n > 1).map(|(bill, n)| (bill.clone(), *n)).collect();
        repeated.sort();
        repeated
    }

    /// `payBill`: closes the order when the sum matches.
    pub fn pay(&mut self, bill_id: &str, sum: Money, tips: Money) -> Result<Order, Failure> {
        *self.pay_bills.entry(bill_id.to_string()).or_default() += 1;
        if self.locked.contains(bill_id) {
            return Err(Failure::new(substate::ORDER_LOCKED, format!("bill {bill_id} is open on a terminal")));
        }
        if let Some(paid) = self.paid.get_mut(bill_id) {
            return Err(Failure::new(
                substate::ORDER_ALREADY_PAID,
                format!("bill {bill_id} is already paid ({})", paid.sum),
            ));
        }
        let index = self
            .open
            .iter()
            .position(|o| o.bill_id == bill_id)
            .ok_or_else(|| Failure::new(substate::ORDER_NOT_FOUND, format!("no open bill {bill_id}")))?;
        let total = self.open[index].total_sum;
        if sum != total {
            return Err(Failure::new(substate::SUM_MISMATCH, format!("bill {bill_id} is {total}, paid {sum}")));
        }
        let mut order = self.open.remove(index);
        order.state = Some(OrderState::Payed);
        self.paid.insert(bill_id.to_string(), PaidBill { order: order.clone(), sum, tips, times_paid: 1 });
        Ok(order)
    }

    /// `splitOrder`: moves the chosen positions (and their modifiers) into a new bill. Returns
    /// the parent (what remains) and the child.
    pub fn split(&mut self, request: &SplitOrder) -> Result<(Order, Order), Failure> {
        let index = self
            .open
            .iter()
            .position(|o| o.bill_id == request.bill_id)
            .ok_or_else(|| Failure::new(substate::ORDER_NOT_FOUND, format!("no open bill {}", request.bill_id)))?;
        let mut parent = self.open[index].clone();
        if !parent.split_available {
            return Err(Failure::new(substate::POS_ERROR, "this order cannot be split"));
        }
        let mut moved_guests = Vec::new();
        for position in &request.positions {
            let moved = take_position(&mut parent, position)?;
            moved_guests.push(moved);
        }
        let child_lines: Vec<Dish> = moved_guests.into_iter().flatten().collect();
        let control: Money = child_lines.iter().map(|d| d.sum).sum();
        if control != request.control_sum {
            return Err(Failure::new(
                substate::SUM_MISMATCH,
                format!("the chosen positions add up to {control}, controlSum was {}", request.control_sum),
            ));
        }
        if parent.lines().all(|d| d.sum == Money::ZERO) {
            return Err(Failure::new(substate::POS_ERROR, "a split must leave something on the parent bill"));
        }
        let number = self.next_bill_number;
        self.next_bill_number += 1;
        let mut child = parent.clone();
        child.bill_id = format!("b-{number}");
        child.order_number = Some(number);
        child.root_bill_id = parent.root_bill_id.clone().or_else(|| Some(parent.bill_id.clone()));
        child.guests = vec![rahunok_protocol::order::Guest { name: "Гість".into(), dishes: child_lines }];
        let parent_raw_before = raw_sum(&self.open[index]);
        split_discounts(&mut parent, &mut child, parent_raw_before);
        retotal(&mut parent);
        retotal(&mut child);
        parent.guests.retain(|g| !g.dishes.is_empty());
        self.open[index] = parent.clone();
        self.open.push(child.clone());
        Ok((parent, child))
    }

    /// The order a `createOrderOnTable` with this `externalId` created, if one did, as it is
    /// now (open, or as it was when paid).
    pub fn created_order(&self, external_id: &str) -> Option<Order> {
        let bill_id = self.created_by_external_id.get(external_id)?;
        self.open_order(bill_id).cloned().or_else(|| self.paid.get(bill_id).map(|p| p.order.clone()))
    }

    /// How many orders `createOrderOnTable` created (repeats of an `externalId` not counted).
    pub fn orders_created(&self) -> usize {
        self.created_by_external_id.len()
    }

    /// Counts a request of `operation` (tests check what reached the POS).
    pub fn note_request(&mut self, operation: &str) {
        *self.requests.entry(operation.to_string()).or_default() += 1;
    }

    /// How many requests of `operation` reached the POS.
    pub fn requests_of(&self, operation: &str) -> usize {
        self.requests.get(operation).copied().unwrap_or_default()
    }

    /// Creates an order from the guest's phone (`createOrderOnTable`) on `table`: open (state
    /// `NEW`, for the guest to pay later like any bill), or paid at once when `paid` (the
    /// platform sent fiscal data: the guest already paid). A repeated `externalId` returns the
    /// order created the first time and creates nothing.
    pub fn create_order(&mut self, external_id: &str, table: &rahunok_protocol::ops::Table, new: NewOrder) -> Order {
        if let Some(order) = self.created_order(external_id) {
            return order;
        }
        let number = self.next_bill_number;
        self.next_bill_number += 1;
        let mut order = Order {
            bill_id: format!("b-{number}"),
            root_bill_id: Some(format!("b-{number}")),
            order_number: Some(number),
            table_id: Some(table.id.clone()),
            table_number: Some(table.number.to_string()),
            created: None,
            state: Some(if new.paid { OrderState::Payed } else { OrderState::New }),
            total_sum: Money::ZERO,
            raw_sum: None,
            bonus_sum: None,
            bill_amount_for_tips: None,
            discounts: Default::default(),
            payment_type: None,
            pricing_time: None,
            is_banquet_order: false,
            is_delivery: false,
            split_available: !new.paid,
            waiter: new.waiter.as_ref().map(|(_, name)| name.clone()),
            waiter_id: new.waiter.as_ref().map(|(id, _)| id.clone()),
            guests: vec![rahunok_protocol::order::Guest { name: "Гість 1".into(), dishes: new.lines }],
        };
        retotal(&mut order);
        if new.paid {
            let paid = PaidBill { order: order.clone(), sum: order.total_sum, tips: Money::ZERO, times_paid: 1 };
            self.paid.insert(order.bill_id.clone(), paid);
        } else {
            self.open.push(order.clone());
        }
        self.created_by_external_id.insert(external_id.to_string(), order.bill_id.clone());
        order
    }
}

/// What `createOrderOnTable` puts on a table.
#[derive(Debug, Clone)]
pub struct NewOrder {
    /// The check's lines (modifiers linked to their dish).
    pub lines: Vec<Dish>,
    /// The waiter serving it (id, name).
    pub waiter: Option<(String, String)>,
    /// Paid already (fiscal data came with it).
    pub paid: bool,
}

/// Removes `position` (with its modifiers) from the parent, or the chosen part of it, and
/// returns the lines that move.
fn take_position(parent: &mut Order, position: &SplitPosition) -> Result<Vec<Dish>, Failure> {
    let not_found = || Failure::new(substate::POS_ERROR, format!("position {} is not on this bill", position.id));
    let guest = parent
        .guests
        .iter_mut()
        .find(|g| g.dishes.iter().any(|d| d.position_id.as_deref() == Some(position.id.as_str())))
        .ok_or_else(not_found)?;
    let line =
        guest.dishes.iter().find(|d| d.position_id.as_deref() == Some(position.id.as_str())).ok_or_else(not_found)?;
    if line.linked_to.is_some() {
        return Err(Failure::new(substate::POS_ERROR, format!("position {} moves with its parent line", position.id)));
    }
    let whole = line.count;
    if position.quantity.is_zero() || share_of(Money::ZERO, position.quantity, whole).is_none() {
        return Err(Failure::new(
            substate::POS_ERROR,
            format!("position {} has {} to move, not {}", position.id, whole, position.quantity),
        ));
    }
    let family: Vec<usize> = guest
        .dishes
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            d.position_id.as_deref() == Some(position.id.as_str())
                || d.linked_to.as_deref() == Some(position.id.as_str())
        })
        .map(|(i, _)| i)
        .collect();
    let everything = position.quantity == whole;
    let mut moved = Vec::new();
    for &i in family.iter().rev() {
        if everything {
            moved.push(guest.dishes.remove(i));
            continue;
        }
        let line = &mut guest.dishes[i];
        let part = share_of(line.sum, position.quantity, whole).expect("checked above");
        let mut piece = line.clone();
        piece.sum = part;
        piece.count = scale_count(line.count, position.quantity, whole);
        piece.position_id = piece.position_id.map(|p| format!("{p}-s"));
        piece.linked_to = piece.linked_to.map(|p| format!("{p}-s"));
        line.sum = line.sum - part;
        line.count = remaining_count(line.count, piece.count);
        moved.push(piece);
    }
    moved.reverse();
    Ok(moved)
}

/// `count * part / whole` for a line's count (modifier counts follow their parent).
fn scale_count(count: Quantity, part: Quantity, whole: Quantity) -> Quantity {
    if count == whole {
        return part;
    }
    count
}

fn remaining_count(count: Quantity, moved: Quantity) -> Quantity {
    let scale = count.decimal().scale().max(moved.decimal().scale());
    match (count.decimal().rescale(scale), moved.decimal().rescale(scale)) {
        (Some(a), Some(b)) if a >= b => {
            Quantity::parse(&rahunok_protocol::decimal::Decimal::new(a - b, scale).to_string()).unwrap_or(count)
        }
        _ => count,
    }
}

fn raw_sum(order: &Order) -> Money {
    order.lines().map(|d| d.sum).sum()
}

/// Splits the parent's discounts between parent and child in proportion to their lines,
/// so the two totals add up to the old total exactly.
fn split_discounts(parent: &mut Order, child: &mut Order, raw_before: Money) {
    let child_raw = raw_sum(child);
    child.discounts.list = parent
        .discounts
        .list
        .iter_mut()
        .filter_map(|discount| {
            let share = discount.sum.mul_ratio_half_up(child_raw.kopiyky(), raw_before.kopiyky())?;
            discount.sum = discount.sum - share;
            (share > Money::ZERO).then(|| Discount { id: discount.id.clone(), name: discount.name.clone(), sum: share })
        })
        .collect();
}

/// Recomputes an order's sums from its lines and discounts.
pub fn retotal(order: &mut Order) {
    let raw = raw_sum(order);
    let discount: Money = order.discounts.list.iter().map(|d| d.sum).sum();
    order.raw_sum = Some(raw);
    order.bill_amount_for_tips = Some(raw);
    order.total_sum = raw - discount;
}
