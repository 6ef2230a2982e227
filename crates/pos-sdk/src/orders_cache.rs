//! The `ORDERS_CACHE` publisher: every 5 s, every open order in short form and the full orders
//! that changed since the last push; orders that stopped being open are reported with
//! `ORDERS_CLOSED`.
//!
//! Why this exists: guests are served from this cache while it is fresh, so a POS that pushes
//! it well saves every guest a round trip. Sending only what changed keeps pushes small, and
//! getting that diff right (what counts as changed, what to resend after a failed push) is the
//! same for every POS.

use crate::callbacks::{now_iso8601, CallbackSender, SendError};
use rahunok_protocol::order::{Order, OrderState};
use rahunok_protocol::webhook::{OrdersCache, ShortOrder, Webhook};
use std::collections::HashMap;
use std::time::Duration;

/// The protocol's cadence for `ORDERS_CACHE`.
pub const ORDERS_CACHE_INTERVAL: Duration = Duration::from_secs(5);

/// What one push sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PushReport {
    /// How many orders were listed in `actualOrders`.
    pub actual_orders: usize,
    /// Bill ids sent in full (`orders[]`): new or changed since the last push.
    pub full_orders: Vec<String>,
    /// Bill ids reported in `ORDERS_CLOSED`.
    pub closed: Vec<String>,
}

/// Pushes `ORDERS_CACHE` (and `ORDERS_CLOSED`) for one restaurant, remembering what the
/// server already has.
///
/// An order is sent in full when it is new or differs in any field from what was last pushed
/// successfully; a failed push changes nothing, so the next one resends. Orders in state
/// `PAYED` are not open and are left out. An order that was pushed and is no longer open is
/// reported once in `ORDERS_CLOSED` (switch off with [`OrdersCachePublisher::report_closed`]).
///
/// ```no_run
/// use rahunok_pos_sdk::{OrdersCachePublisher, PosClient, PosConfig, ORDERS_CACHE_INTERVAL};
/// # fn my_open_orders() -> Vec<rahunok_pos_sdk::protocol::order::Order> { Vec::new() }
///
/// # async fn example() {
/// let client = PosClient::new(PosConfig::new("https://pos.example.com", "RESTO_ID", "SECRET_KEY", "MyPOS"));
/// let publisher = OrdersCachePublisher::new(client.sender());
/// tokio::spawn(publisher.run(ORDERS_CACHE_INTERVAL, my_open_orders));
/// # }
/// ```
pub struct OrdersCachePublisher {
    sender: CallbackSender,
    pushed: HashMap<String, Order>,
    unreported_closed: Vec<String>,
    report_closed: bool,
}

impl OrdersCachePublisher {
    /// A publisher posting through `sender`; the first push sends every open order in full.
    pub fn new(sender: CallbackSender) -> OrdersCachePublisher {
        OrdersCachePublisher { sender, pushed: HashMap::new(), unreported_closed: Vec::new(), report_closed: true }
    }

    /// Whether orders that stop being open are reported with `ORDERS_CLOSED` (default: yes).
    pub fn report_closed(mut self, report: bool) -> OrdersCachePublisher {
        self.report_closed = report;
        self
    }

    /// Pushes once: `actualOrders` for every open order, `orders` for those changed since the
    /// last successful push, then `ORDERS_CLOSED` for orders that are gone.
    pub async fn push(&mut self, orders: &[Order]) -> Result<PushReport, SendError> {
        let open: Vec<&Order> = orders.iter().filter(|o| is_open(o)).collect();
        let changed: Vec<Order> =
            open.iter().filter(|o| self.pushed.get(&o.bill_id) != Some(**o)).map(|o| (*o).clone()).collect();
        let push = OrdersCache {
            event_time: Some(now_iso8601()),
            actual_orders: open.iter().map(|o| short_order(o)).collect(),
            orders: changed.clone(),
        };
        self.sender.send_webhook(&Webhook::OrdersCache(push)).await?;
        let report = PushReport {
            actual_orders: open.len(),
            full_orders: changed.iter().map(|o| o.bill_id.clone()).collect(),
            closed: Vec::new(),
        };
        self.remember(&open, changed);
        self.send_closed(report).await
    }

    /// Pushes every `interval`, reading the open orders from `open_orders` each time; never
    /// returns. A failed push is logged and retried at the next tick.
    pub async fn run<F>(mut self, interval: Duration, mut open_orders: F)
    where
        F: FnMut() -> Vec<Order> + Send,
    {
        let mut ticks = tokio::time::interval(interval);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let orders = open_orders();
            if let Err(error) = self.push(&orders).await {
                tracing::warn!(%error, "ORDERS_CACHE push failed; the next push resends what changed");
            }
        }
    }

    fn remember(&mut self, open: &[&Order], changed: Vec<Order>) {
        let gone: Vec<String> =
            self.pushed.keys().filter(|id| !open.iter().any(|o| &o.bill_id == *id)).cloned().collect();
        for bill_id in gone {
            self.pushed.remove(&bill_id);
            if self.report_closed {
                self.unreported_closed.push(bill_id);
            }
        }
        for order in changed {
            self.pushed.insert(order.bill_id.clone(), order);
        }
    }

    async fn send_closed(&mut self, mut report: PushReport) -> Result<PushReport, SendError> {
        if self.unreported_closed.is_empty() {
            return Ok(report);
        }
        self.sender.send_orders_closed(&self.unreported_closed).await?;
        report.closed = std::mem::take(&mut self.unreported_closed);
        Ok(report)
    }
}

/// Open means NEW or BILL (or not said); PAYED orders are closed.
fn is_open(order: &Order) -> bool {
    order.state != Some(OrderState::Payed)
}

/// The `actualOrders[]` entry of an order.
pub fn short_order(order: &Order) -> ShortOrder {
    ShortOrder {
        bill_id: order.bill_id.clone(),
        table_number: order.table_number.clone(),
        order_number: order.order_number,
        total_sum: order.total_sum,
        state: order.state,
    }
}
