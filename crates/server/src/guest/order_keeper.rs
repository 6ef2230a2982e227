//! The keeper of guest orders: the background task that finishes what guests leave behind.
//!
//! Why this exists: an order is sent while a guest waits, and a guest who stops waiting does not
//! lose it (its answer is recorded by a task of its own). But a node can die between the confirm
//! and the POS's answer, and an attempt can end without an answer (the POS offline, too slow):
//! the order then stays `sending`, and before the keeper only the guest's "check again" would
//! send it again — a guest who closed the page left an order the kitchen never saw. So the
//! keeper sends every order left `sending` (nobody holding its lease, nothing happened to it for
//! [`OrderTimings::resend_after`]) again, with the same `externalId`, so the POS makes it once
//! whether or not it got it the first time. It also deletes carts nobody touched for
//! [`OrderTimings::cart_kept_for`]: a cart is a browser's draft, never sent; without this they
//! pile up for ever.
//!
//! It starts with the server (like the payment closer), on every node: the send leases keep
//! two nodes from sending one order at once, and deleting a cart twice deletes it once.

use super::ordering::{table_in, OrderSender};
use crate::config::OrderTimings;
use crate::pos_data::PosData;
use crate::shutdown::Shutdown;
use crate::store::{now_ms, GuestOrder, Store, StoreError};
use rahunok_protocol::ops::TablesInfo;
use std::time::Duration;

/// The most orders resent, and carts deleted per statement, in one pass.
const BATCH: i64 = 100;

/// What the keeper uses.
pub struct OrderKeeper {
    /// Sends orders (under their leases).
    pub sender: OrderSender,
    /// The store.
    pub store: Store,
    /// The POS's tables as stored (for an order left `sending` before its table id was kept).
    pub pos_data: PosData,
    /// How often it looks, and after how long.
    pub timings: OrderTimings,
}

/// Runs until `shutdown`: a pass every `timings.tick`. A shutdown is noticed between passes;
/// sends already started go on in their own tasks (an attempt cut short is resent later).
pub async fn run(keeper: OrderKeeper, mut shutdown: Shutdown) {
    while !shutdown.is_shutdown() {
        if let Err(error) = pass(&keeper).await {
            tracing::warn!(%error, "the guest orders' keeper pass failed; trying again later");
        }
        tokio::select! {
            _ = tokio::time::sleep(keeper.timings.tick) => {}
            _ = shutdown.recv() => {}
        }
    }
}

/// One pass: orders left `sending` are sent again, stale carts deleted.
pub async fn pass(keeper: &OrderKeeper) -> Result<(), StoreError> {
    let now = now_ms();
    let left = keeper.store.orders_left_sending(now, now - millis(keeper.timings.resend_after), BATCH).await?;
    for order in left {
        if let Err(error) = resend(keeper, &order).await {
            tracing::warn!(order = order.id, %error, "could not send an order left sending again");
        }
    }
    let stale = now - millis(keeper.timings.cart_kept_for);
    loop {
        let deleted = keeper.store.prune_carts_before(stale, BATCH).await?;
        if deleted > 0 {
            let hours = keeper.timings.cart_kept_for.as_secs_f64() / 3600.0;
            tracing::info!(deleted, hours, "deleted carts nobody touched for that many hours");
        }
        if deleted < BATCH as u64 {
            return Ok(());
        }
    }
}

async fn resend(keeper: &OrderKeeper, order: &GuestOrder) -> Result<(), StoreError> {
    let table_id = match &order.pos_table_id {
        Some(id) => Some(id.clone()),
        None => keeper
            .pos_data
            .stored::<TablesInfo>(&order.resto_id)
            .await?
            .and_then(|(tables, _)| table_in(&tables, &order.table_number)),
    };
    let Some(table_id) = table_id else {
        // Only an order confirmed before table ids were kept can lack one; its guest's "check
        // again" asks the POS for the table.
        tracing::warn!(order = order.id, "an order left sending names a table the stored tables do not know");
        return Ok(());
    };
    // Someone took it meanwhile (a guest's "check again", another node): theirs to send.
    if keeper.sender.resend(order, table_id).await?.is_some() {
        tracing::info!(order = order.id, resto_id = order.resto_id, "sending an order left sending again");
    }
    Ok(())
}

fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}
