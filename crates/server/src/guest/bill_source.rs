//! Where a guest's bill comes from: the POS's `ORDERS_CACHE` pushes while they are fresh
//! (a push within `pos_data::ORDERS_CACHE_FRESH_FOR`) and older than no order a guest placed
//! on the table from the menu, otherwise a live `getBill`. A guest waits at most
//! `Config::guest_wait` (8 s by default) for the POS: after that the page offers a retry while
//! the request keeps its full protocol deadline in the background, so a slow POS's answer is
//! still accepted.

use super::error::GuestError;
use super::GuestState;
use crate::pos_data::orders_cache_is_fresh;
use rahunok_protocol::envelope::parse_tracked;
use rahunok_protocol::ops::{BillAnswer, GetBill};
use rahunok_protocol::order::{Order, OrderState};

/// Whether a guest may pay this order: not one the POS reports closed (`PAYED`, as a POS
/// answers `getBill` by `billId` for a bill it closed). The one rule both ways of finding a
/// bill apply.
fn still_open(order: &Order) -> bool {
    order.state != Some(OrderState::Payed)
}

/// The open orders on a table (cache first).
pub async fn bills_on_table(state: &GuestState, resto_id: &str, table: &str) -> Result<Vec<Order>, GuestError> {
    if let Some(orders) = cached_orders_on_table(state, resto_id, table).await? {
        return Ok(orders.into_iter().filter(still_open).collect());
    }
    match ask_pos(state, resto_id, GetBill::for_table(table)).await {
        Ok(answer) => Ok(answer.orders.into_iter().filter(still_open).collect()),
        // A POS may answer a table without orders with ORDER_NOT_FOUND: a free table all the same.
        Err(GuestError::NoOpenBill) => Ok(Vec::new()),
        Err(other) => Err(other),
    }
}

/// One open bill, always asked live (used right before charging, and for the pre-check QR); a
/// bill the POS reports paid is no open bill.
pub async fn bill_live(state: &GuestState, resto_id: &str, bill_id: &str) -> Result<Order, GuestError> {
    let answer = ask_pos(state, resto_id, GetBill::for_bill(bill_id)).await?;
    answer.orders.into_iter().find(|o| o.bill_id == bill_id).filter(still_open).ok_or(GuestError::NoOpenBill)
}

/// `order` with the table the guest came from (`came_from`: the table page's number, or the
/// pay form's) when the POS's answer for the bill names none — absent, `""` or `0`, which typed
/// POS clients write for an unset number — once the POS lists the bill on that table (the
/// cache or a `getBill` by table: asked only in this case). Otherwise `order` as it is: a table
/// the POS does not confirm is never put on a payment.
pub async fn with_table_the_guest_came_from(
    state: &GuestState,
    resto_id: &str,
    mut order: Order,
    came_from: Option<&str>,
) -> Order {
    let Some(table) = came_from.map(str::trim).filter(|t| !t.is_empty()) else { return order };
    if order.table_number.is_some() {
        return order;
    }
    if let Ok(on_table) = bills_on_table(state, resto_id, table).await {
        if on_table.iter().any(|o| o.bill_id == order.bill_id) {
            order.table_number = Some(table.to_string());
        }
    }
    order
}

async fn ask_pos(state: &GuestState, resto_id: &str, request: GetBill) -> Result<BillAnswer, GuestError> {
    let link = state.link.clone();
    let resto = resto_id.to_string();
    let asking = tokio::spawn(async move { link.request(&resto, &request).await });
    match tokio::time::timeout(state.config.guest_wait, asking).await {
        Ok(Ok(answer)) => Ok(answer?.body),
        Ok(Err(join)) => Err(GuestError::PosError(join.to_string())),
        Err(_) => Err(GuestError::PosSlow),
    }
}

/// Orders on the table from a fresh cache, when every one has its full form there.
async fn cached_orders_on_table(
    state: &GuestState,
    resto_id: &str,
    table: &str,
) -> Result<Option<Vec<Order>>, GuestError> {
    let (cached, pushed_at) = state.store.cached_orders_for_guests(resto_id).await?;
    if !orders_cache_is_fresh(pushed_at) {
        return Ok(None);
    }
    // A guest's order placed on the table after the last push is not in the cache yet.
    if let Some(placed_at) = state.store.last_order_placed_on_table(resto_id, table).await? {
        if pushed_at.is_some_and(|pushed| pushed <= placed_at) {
            return Ok(None);
        }
    }
    let on_table: Vec<_> = cached.iter().filter(|c| c.table_number.as_deref() == Some(table)).collect();
    let mut orders = Vec::with_capacity(on_table.len());
    for entry in on_table {
        let Some(full) = &entry.order else { return Ok(None) };
        match parse_tracked::<Order>(full.get().as_bytes()) {
            Ok(order) => orders.push(order),
            Err(_) => return Ok(None),
        }
    }
    if orders.is_empty() {
        return Ok(None);
    }
    Ok(Some(orders))
}
