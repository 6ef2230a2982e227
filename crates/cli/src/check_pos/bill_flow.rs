//! The guest's path through the POS: find a table with an open bill, read it by table and by
//! bill id, ask for a table that does not exist, split the bill when the POS offers it, pay
//! (the child of the split, else the bill), see that it is closed, and pay again to be refused.
//!
//! Why this exists: these are the operations a guest's payment depends on; each step uses what
//! the previous one returned, so they run as one script.

use super::checks;
use super::checks::CheckResult;
use super::operations::{excerpt, failure_of, unanswered, Probe};
use super::target::Asked;
use rahunok_protocol::envelope::{substate, Callback};
use rahunok_protocol::ops::{BillAnswer, GetBill, PayBill, SplitAnswer, SplitOrder, SplitPosition, Table};
use rahunok_protocol::order::{FiscalLine, Order, OrderState};
use rahunok_protocol::{Money, Operation};
use serde::Serialize;

/// After this many unanswered getBill requests the search for an open bill stops.
const SEARCH_TIMEOUTS_ALLOWED: usize = 2;

/// What the bill flow found and did.
pub struct BillFlow {
    /// One result per bill check.
    pub results: Vec<CheckResult>,
    /// The bill the flow paid, if it did.
    pub paid_bill: Option<String>,
}

/// An open bill and where it was found.
struct Found {
    table: String,
    order: Order,
}

impl Probe<'_> {
    /// Runs the bill flow on `pinned_table`, or on the first of `tables` with an open bill.
    pub async fn bill_flow(&self, tables: &[Table], pinned_table: Option<&str>) -> BillFlow {
        let candidates: Vec<String> = match pinned_table {
            Some(table) => vec![table.to_string()],
            None => tables.iter().map(|t| t.number.to_string()).collect(),
        };
        let mut results = Vec::new();
        let (found, by_table) = self.find_open_bill(&candidates).await;
        results.push(by_table);
        results.push(self.missing_table(tables).await);
        let Some(found) = found else {
            let why = "needs an open bill (see get_bill.by_table)";
            results.push(checks::GET_BILL_BY_ID.skip(why));
            results.push(checks::SPLIT.skip(why).optional());
            results.push(checks::PAY_CLOSES.skip(why));
            results.push(checks::PAY_REPEAT.skip(why));
            return BillFlow { results, paid_bill: None };
        };
        results.push(self.by_bill_id(&found.order).await);
        let (split, child) = self.split(&found.order).await;
        results.push(split);
        let target = child.unwrap_or(found.order);
        let (closes, paid) = self.pay_and_confirm(&target, &found.table).await;
        results.push(closes);
        results.push(self.pay_again(&target, paid).await);
        BillFlow { results, paid_bill: paid.then_some(target.bill_id) }
    }

    async fn ask<T: Serialize>(&self, operation: Operation, request: &T) -> (Asked, String) {
        let fields = serde_json::to_string(request).expect("requests serialise");
        let asked = self.api.ask(self.resto_id, operation, &fields, self.wait).await;
        (asked, format!("{} {fields}", operation.name()))
    }

    async fn find_open_bill(&self, candidates: &[String]) -> (Option<Found>, CheckResult) {
        let check = checks::GET_BILL_BY_TABLE;
        let mut timeouts = Vec::new();
        for table in candidates {
            let (asked, sent) = self.ask(Operation::GetBill, &GetBill::for_table(table.clone())).await;
            match &asked {
                Asked::Answered { body, latency } if failure_of(body).is_none() => {
                    let Some(answer) = bill(body) else { continue };
                    let Some(order) = pick_order(answer.orders) else { continue };
                    let note = format!("table {table}: open bill {} ({})", order.bill_id, order.total_sum);
                    return (Some(Found { table: table.clone(), order }), check.pass(note).latency(*latency));
                }
                Asked::Answered { .. } => continue,
                Asked::Timeout { .. } => timeouts.push(unanswered(check, &asked, sent)),
                _ => return (None, unanswered(check, &asked, sent)),
            }
            if timeouts.len() >= SEARCH_TIMEOUTS_ALLOWED {
                break;
            }
        }
        let outcome = match timeouts.pop() {
            Some(timed_out) => timed_out,
            None if candidates.is_empty() => check.skip("no tables to look on: tablesInfo gave none (or pass --table)"),
            None => check.skip(format!(
                "no open bill on tables {}: open an order on a table (or pass --table N) and run again",
                candidates.join(", ")
            )),
        };
        (None, outcome)
    }

    async fn missing_table(&self, tables: &[Table]) -> CheckResult {
        let check = checks::TABLE_NOT_FOUND;
        let missing = tables.iter().map(|t| t.number).max().unwrap_or(0).max(99_000) + 1;
        let (asked, sent) = self.ask(Operation::GetBill, &GetBill::for_table(missing.to_string())).await;
        let Asked::Answered { body, latency } = &asked else { return unanswered(check, &asked, sent) };
        match failure_of(body) {
            Some(found) if found == substate::TABLE_NOT_FOUND => {
                check.pass(format!("table {missing}: FAIL / TABLE_NOT_FOUND")).latency(*latency)
            }
            other => {
                let said = other.map(|s| format!("FAIL / {s}")).unwrap_or_else(|| "SUCCESS".into());
                check
                    .fail(format!("table {missing} does not exist, the POS answered {said}"))
                    .evidence(sent, excerpt(body))
            }
        }
    }

    async fn by_bill_id(&self, order: &Order) -> CheckResult {
        let check = checks::GET_BILL_BY_ID;
        let (asked, sent) = self.ask(Operation::GetBill, &GetBill::for_bill(order.bill_id.clone())).await;
        let Asked::Answered { body, latency } = &asked else { return unanswered(check, &asked, sent) };
        let found = bill(body).and_then(|a| a.orders.into_iter().find(|o| o.bill_id == order.bill_id));
        let Some(found) = found else {
            return check
                .fail(format!("bill {} is open, getBill by its id did not return it", order.bill_id))
                .evidence(sent, excerpt(body));
        };
        // The same bill: on the table the table lookup found it on, or on none given (absent,
        // "" or 0 — a zero is reported as a conformance warning, ZERO_TABLE_NUMBER).
        match (&found.table_number, &order.table_number) {
            (Some(by_id), Some(by_table)) if by_id != by_table => check
                .fail(format!(
                    "bill {} is on table {by_table} by table, but getBill by its id puts it on table {by_id}",
                    order.bill_id
                ))
                .evidence(sent, excerpt(body)),
            _ => check.pass(format!("bill {} found by id", order.bill_id)).latency(*latency),
        }
    }

    /// Splits off the first position (with its modifiers) when the order allows it; the child.
    async fn split(&self, order: &Order) -> (CheckResult, Option<Order>) {
        let check = checks::SPLIT;
        let Some(request) = split_request(order) else {
            let why =
                format!("bill {} does not offer a split (splitAvailable with two or more positions)", order.bill_id);
            return (check.skip(why).optional(), None);
        };
        let (asked, sent) = self.ask(Operation::SplitOrder, &request).await;
        let Asked::Answered { body, latency } = &asked else { return (unanswered(check, &asked, sent), None) };
        let answer = Callback::<SplitAnswer>::parse(body.as_bytes()).ok().filter(|c| c.head.failure().is_none());
        match answer.map(|c| c.body.0.orders) {
            Some(orders)
                if orders.len() == 2 && orders[0].bill_id == order.bill_id && orders[1].bill_id != order.bill_id =>
            {
                let note =
                    format!("parent {} and child {} ({})", orders[0].bill_id, orders[1].bill_id, orders[1].total_sum);
                (check.pass(note).latency(*latency), orders.into_iter().nth(1))
            }
            _ => {
                let note = "expected SUCCESS with the parent (same billId) first and the child (a new billId) second";
                (check.fail(note).evidence(sent, excerpt(body)), None)
            }
        }
    }

    /// Pays `order`, then asks for it by id and by table: it must no longer be open.
    async fn pay_and_confirm(&self, order: &Order, table: &str) -> (CheckResult, bool) {
        let check = checks::PAY_CLOSES;
        let (asked, sent) = self.ask(Operation::PayBill, &payment(order)).await;
        let Asked::Answered { body, latency } = &asked else { return (unanswered(check, &asked, sent), false) };
        if let Some(substate) = failure_of(body) {
            return (check.fail(format!("payBill answered FAIL / {substate}")).evidence(sent, excerpt(body)), false);
        }
        let paid_latency = *latency;
        for lookup in [GetBill::for_bill(order.bill_id.clone()), GetBill::for_table(table)] {
            let (asked, looked) = self.ask(Operation::GetBill, &lookup).await;
            let Asked::Answered { body, .. } = &asked else { return (unanswered(check, &asked, looked), true) };
            if still_open(body, &order.bill_id) {
                let note = format!("bill {} was paid (payBill SUCCESS) but getBill still shows it open", order.bill_id);
                return (check.fail(note).evidence(format!("{sent}, then {looked}"), excerpt(body)), true);
            }
        }
        let note = format!("bill {} paid and no longer open", order.bill_id);
        (check.pass(note).latency(paid_latency), true)
    }

    async fn pay_again(&self, order: &Order, paid: bool) -> CheckResult {
        let check = checks::PAY_REPEAT;
        if !paid {
            return check.skip("needs a bill that payBill accepted (see pay_bill.closes)");
        }
        let (asked, sent) = self.ask(Operation::PayBill, &payment(order)).await;
        let Asked::Answered { body, latency } = &asked else { return unanswered(check, &asked, sent) };
        match failure_of(body) {
            Some(found) if found == substate::ORDER_ALREADY_PAID => {
                check.pass("FAIL / ORDER_ALREADY_PAID").latency(*latency)
            }
            other => {
                let said = other.map(|s| format!("FAIL / {s}")).unwrap_or_else(|| "SUCCESS".into());
                check
                    .fail(format!("the second payBill for {} was answered {said}", order.bill_id))
                    .evidence(sent, excerpt(body))
            }
        }
    }
}

fn bill(body: &str) -> Option<BillAnswer> {
    Callback::<BillAnswer>::parse(body.as_bytes()).ok().map(|c| c.body)
}

/// Prefers an order the POS can split.
fn pick_order(orders: Vec<Order>) -> Option<Order> {
    let splittable = orders.iter().position(|o| split_request(o).is_some());
    orders.into_iter().nth(splittable.unwrap_or(0))
}

/// The first top-level position, whole, with its modifiers' sums in the control sum; `None`
/// unless the order is `splitAvailable` and something would remain on the parent.
fn split_request(order: &Order) -> Option<SplitOrder> {
    let top_level: Vec<_> = order.lines().filter(|d| d.linked_to.is_none() && d.position_id.is_some()).collect();
    if !order.split_available || top_level.len() < 2 {
        return None;
    }
    let line = top_level[0];
    let id = line.position_id.clone()?;
    let modifiers: Money = order.lines().filter(|d| d.linked_to.as_deref() == Some(id.as_str())).map(|d| d.sum).sum();
    Some(SplitOrder {
        bill_id: order.bill_id.clone(),
        control_sum: line.sum + modifiers,
        positions: vec![SplitPosition { id, quantity: line.count }],
    })
}

fn payment(order: &Order) -> PayBill {
    PayBill {
        bill_id: order.bill_id.clone(),
        sum: order.total_sum,
        tips: Money::from_kopiyky(1000).expect("ten hryvnias"),
        fiscal_data: vec![
            FiscalLine { key: "acquirer".into(), value: "rahunok check-pos (test payment)".into() },
            FiscalLine { key: "RRN".into(), value: "000000000000".into() },
        ],
    }
}

/// True when a getBill answer lists `bill_id` as an open (not PAYED) order.
fn still_open(body: &str, bill_id: &str) -> bool {
    if failure_of(body).is_some() {
        return false;
    }
    bill(body).is_some_and(|a| a.orders.iter().any(|o| o.bill_id == bill_id && o.state != Some(OrderState::Payed)))
}
