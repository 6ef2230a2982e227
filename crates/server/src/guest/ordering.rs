//! Placing a guest's order on the POS. The cart's row in the store is the order: its id is the
//! `externalId` the POS deduplicates by, written before anything is sent, so whatever happens
//! between (a double submit, the guest's wait running out, a crash and a restart), sending it
//! again asks the POS for the same order and the kitchen cooks it once. The POS's answer is
//! recorded by a task of its own: a guest who stops waiting does not lose it.

use super::cart::Cart;
use super::error::GuestError;
use super::GuestState;
use crate::gateway::LinkError;
use crate::store::{GuestOrder, PlacedOnPos, Store};
use rahunok_protocol::ops::{CheckProductsRestrictions, CreateOrderOnTable, Restrictions, TablesInfo};
use rahunok_protocol::PosRequest;

/// What orders from guests are called on the POS (`originName`).
pub const ORIGIN_NAME: &str = "Rahunok (QR menu)";

/// The longest table number a QR may carry.
const MAX_TABLE_CHARS: usize = 32;

/// A table number from a QR link, or why it is not one.
pub fn checked_table(table: &str) -> Result<&str, GuestError> {
    let ok = !table.is_empty() && table.chars().count() <= MAX_TABLE_CHARS && !table.chars().any(char::is_control);
    ok.then_some(table).ok_or(GuestError::TableNotFound)
}

/// The browser's open cart on the table, with its lines.
pub async fn open_cart(
    state: &GuestState,
    resto_id: &str,
    table: &str,
    browser: Option<&str>,
) -> Result<Option<(GuestOrder, Cart)>, GuestError> {
    let Some(browser) = browser else { return Ok(None) };
    let Some(order) = state.store.open_cart(resto_id, table, browser).await? else { return Ok(None) };
    let cart = Cart::from_stored(&order.lines)?;
    Ok(Some((order, cart)))
}

/// The POS's id of the table with this number (from the stored tables; asked once, waiting
/// as long as a guest waits, when the table is not among them).
pub async fn table_id(state: &GuestState, resto_id: &str, table: &str) -> Result<String, GuestError> {
    let find = |tables: &rahunok_protocol::ops::TablesInfoAnswer| {
        tables.tables.iter().find(|t| t.number.to_string() == table.trim()).map(|t| t.id.clone())
    };
    if let Some((tables, _)) = state.pos_data.stored::<TablesInfo>(resto_id).await? {
        if let Some(id) = find(&tables) {
            return Ok(id);
        }
    }
    let (data, resto) = (state.pos_data.clone(), resto_id.to_string());
    let asking = tokio::spawn(async move { data.refresh::<TablesInfo>(&resto).await });
    let tables = match tokio::time::timeout(state.config.guest_wait, asking).await {
        Ok(Ok(Ok(tables))) => tables,
        Ok(Ok(Err(error))) => return Err(error.into_error()),
        Ok(Err(join)) => return Err(GuestError::PosError(join.to_string())),
        Err(_) => return Err(GuestError::PosSlow),
    };
    find(&tables).ok_or(GuestError::TableNotFound)
}

/// Asks the POS whether the kitchen can make the cart now (`checkProductsRestrictions`),
/// waiting as long as a guest waits.
pub async fn check_stock(state: &GuestState, resto_id: &str, cart: &Cart) -> Result<Restrictions, GuestError> {
    let request = CheckProductsRestrictions { items: cart.items() };
    Ok(ask(state, resto_id, request).await?.result)
}

async fn ask<R: PosRequest + Send + Sync + 'static>(
    state: &GuestState,
    resto_id: &str,
    request: R,
) -> Result<R::Answer, GuestError>
where
    R::Answer: Send,
{
    let (link, resto) = (state.link.clone(), resto_id.to_string());
    let asking = tokio::spawn(async move { link.request(&resto, &request).await });
    match tokio::time::timeout(state.config.guest_wait, asking).await {
        Ok(Ok(answer)) => Ok(answer?.body),
        Ok(Err(join)) => Err(GuestError::PosError(join.to_string())),
        Err(_) => Err(GuestError::PosSlow),
    }
}

/// Sends a confirmed order (again, when it was sent before: same `externalId`) and waits as
/// long as a guest waits for the POS's answer; returns the order as it stands then.
pub async fn send(
    state: &GuestState,
    order: &GuestOrder,
    cart: &Cart,
    table_id: String,
) -> Result<GuestOrder, GuestError> {
    let request = CreateOrderOnTable {
        external_id: order.id.clone(),
        origin_name: ORIGIN_NAME.into(),
        table_id,
        items: cart.items(),
        fiscal_data: Vec::new(),
    };
    let (link, store, sent) = (state.link.clone(), state.store.clone(), order.clone());
    let sending = tokio::spawn(async move {
        let outcome = link.request(&sent.resto_id, &request).await;
        if let Err(error) = record(&store, &sent, outcome).await {
            tracing::error!(order = sent.id, %error, "the POS's answer to an order could not be recorded");
        }
    });
    let _ = tokio::time::timeout(state.config.guest_wait, sending).await;
    state.store.guest_order(&order.id).await?.ok_or(GuestError::OrderNotFound)
}

type Answered = Result<rahunok_protocol::Callback<rahunok_protocol::ops::CreateOrderAnswer>, LinkError>;

/// Keeps what the POS said about the order.
async fn record(store: &Store, order: &GuestOrder, outcome: Answered) -> Result<(), crate::store::StoreError> {
    match outcome {
        Ok(answer) if answer.body.result.success => {
            let root = answer.body.result.root_order.unwrap_or_default();
            let placed = PlacedOnPos {
                order_id: root.order_id,
                order_number: root.order_number,
                result_sum: root.result_sum.map(|sum| sum.kopiyky()),
            };
            tracing::info!(order = order.id, resto_id = order.resto_id, "order placed on the POS");
            store.record_order_placed(&order.id, &placed).await
        }
        Ok(answer) => {
            let stage = answer.body.result.stage.unwrap_or_else(|| "refused".into());
            refuse(store, order, &stage).await
        }
        Err(LinkError::PosFail { substate, message }) => {
            let why = message.map_or(substate.clone(), |m| format!("{substate}: {m}"));
            refuse(store, order, &why).await
        }
        // Not known whether the POS made it: sending it again (same externalId) finds out.
        Err(other) => store.note_order_problem(&order.id, &other.to_string()).await,
    }
}

/// Records the refusal and gives the guest the lines back as a cart to change.
async fn refuse(store: &Store, order: &GuestOrder, why: &str) -> Result<(), crate::store::StoreError> {
    tracing::info!(order = order.id, resto_id = order.resto_id, why, "the POS refused an order");
    store.record_order_refused(&order.id, why).await?;
    if store.open_cart(&order.resto_id, &order.table_number, &order.browser).await?.is_none() {
        store.create_cart(&order.resto_id, &order.table_number, &order.browser, &order.lines).await?;
    }
    Ok(())
}
