//! Placing a guest's order on the POS. The cart's row in the store is the order: its id is the
//! `externalId` the POS deduplicates by, written before anything is sent, so whatever happens
//! between (a double submit, the guest's wait running out, a crash and a restart), sending it
//! again asks the POS for the same order and the kitchen cooks it once. The POS's answer is
//! recorded by a task of its own: a guest who stops waiting does not lose it.
//!
//! And the POS is asked once at a time: every attempt is made under a lease on the order's row
//! (see `store::guest_orders`), so ten confirms pressed at once, a "check again" while the
//! first attempt still waits, or the keeper on another node send one `createOrderOnTable`; the
//! others wait for its outcome ([`settled`]).

use super::cart::Cart;
use super::error::GuestError;
use super::GuestState;
use crate::gateway::{LinkError, PosLink};
use crate::store::{now_ms, GuestOrder, PlacedOnPos, SendLease, Store, StoreError};
use rahunok_protocol::ops::{
    CheckProductsRestrictions, CreateOrderOnTable, Restrictions, TablesInfo, TablesInfoAnswer,
};
use rahunok_protocol::PosRequest;
use std::sync::Arc;
use std::time::Duration;

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

/// The most tries at changing a cart that others change at the same moment (a try is lost only
/// to a change that was written, so ten at once need at most ten).
const CART_TRIES: usize = 50;

/// Applies `change` to the browser's open cart on the table (to a new cart when there is none)
/// and writes it only over the version it read: a change written meanwhile by another request
/// (another tab, a double click, another node) makes it read the cart again and redo `change`
/// on that, so no change is lost. A refusal from `change` is given back, nothing written.
pub async fn change_cart<E>(
    state: &GuestState,
    resto_id: &str,
    table: &str,
    browser: &str,
    mut change: impl FnMut(&mut Cart) -> Result<(), E>,
) -> Result<Result<(), E>, GuestError> {
    for _ in 0..CART_TRIES {
        let open = state.store.open_cart(resto_id, table, browser).await?;
        let mut cart = match &open {
            Some(order) => Cart::from_stored(&order.lines)?,
            None => Cart::default(),
        };
        if let Err(refused) = change(&mut cart) {
            return Ok(Err(refused));
        }
        let written = match &open {
            Some(order) => state.store.save_cart_lines(&order.id, order.version, &cart.to_stored()).await?,
            None => state.store.create_cart(resto_id, table, browser, &cart.to_stored()).await?.is_some(),
        };
        if written {
            return Ok(Ok(()));
        }
    }
    Err(GuestError::CartBusy)
}

/// The POS's id of the table with this number (from the stored tables; asked once, waiting
/// as long as a guest waits, when the table is not among them).
pub async fn table_id(state: &GuestState, resto_id: &str, table: &str) -> Result<String, GuestError> {
    let find = |tables: &TablesInfoAnswer| table_in(tables, table);
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

/// The POS's id of the table with this number among `tables`.
pub fn table_in(tables: &TablesInfoAnswer, table: &str) -> Option<String> {
    tables.tables.iter().find(|t| t.number.to_string() == table.trim()).map(|t| t.id.clone())
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

/// How long past the request's own deadline a send's lease lasts: room to record the answer.
const LEASE_MARGIN: Duration = Duration::from_secs(10);

/// What sending orders to the POS needs, and nothing more: the store, the request path, this
/// node's name (the holder of the send leases it takes) and the request's deadline. The guest
/// pages and the keeper ([`super::order_keeper`]) send through it, so an order has one sender
/// at a time whoever sends it.
#[derive(Clone)]
pub struct OrderSender {
    store: Store,
    link: Arc<PosLink>,
    node: Arc<str>,
    lease_for: Duration,
}

impl OrderSender {
    /// A sender on `node`; a send's lease lasts the request's deadline (`callback_timeout`) and
    /// a margin, so it outlives the attempt it covers.
    pub fn new(store: Store, link: Arc<PosLink>, node: &str, callback_timeout: Duration) -> OrderSender {
        OrderSender { store, link, node: Arc::from(node), lease_for: callback_timeout + LEASE_MARGIN }
    }

    /// The sender of the guest pages' state.
    pub fn of(state: &GuestState) -> OrderSender {
        OrderSender::new(state.store.clone(), state.link.clone(), state.payments.node(), state.config.callback_timeout)
    }

    /// A lease for an attempt starting now.
    pub fn lease(&self) -> SendLease {
        let length = i64::try_from(self.lease_for.as_millis()).unwrap_or(i64::MAX);
        SendLease::new(&self.node, now_ms().saturating_add(length))
    }

    /// Takes the lease on sending `order` again and starts the attempt; `None` when someone
    /// else is sending it (or it is no longer `sending`).
    pub async fn resend(&self, order: &GuestOrder, table_id: String) -> Result<Option<Sending>, StoreError> {
        let lease = self.lease();
        if !self.store.take_order_send(&order.id, &lease, now_ms()).await? {
            return Ok(None);
        }
        Ok(Some(self.start(order, table_id, lease)))
    }

    /// Sends `order` under `lease` (taken in the store) in a task of its own, which records
    /// the POS's answer, or, when the answer is not known, notes why and gives the lease back.
    pub fn start(&self, order: &GuestOrder, table_id: String, lease: SendLease) -> Sending {
        let sender = self.clone();
        let order = order.clone();
        Sending(tokio::spawn(async move {
            let cart = match Cart::from_stored(&order.lines) {
                Ok(cart) => cart,
                Err(error) => {
                    tracing::error!(order = order.id, %error, "an order's lines cannot be read: not sent");
                    let _ = sender.store.note_order_problem(&order.id, &lease, &error.to_string()).await;
                    return;
                }
            };
            let request = CreateOrderOnTable {
                external_id: order.id.clone(),
                origin_name: ORIGIN_NAME.into(),
                table_id,
                items: cart.items(),
                fiscal_data: Vec::new(),
            };
            let outcome = sender.link.request(&order.resto_id, &request).await;
            if let Err(error) = record(&sender.store, &order, &lease, outcome).await {
                tracing::error!(order = order.id, %error, "the POS's answer to an order could not be recorded");
            }
        }))
    }
}

/// A send under way.
pub struct Sending(tokio::task::JoinHandle<()>);

impl Sending {
    /// Waits for the attempt to end, at most `wait` (it goes on without the waiter).
    pub async fn wait(self, wait: Duration) {
        let _ = tokio::time::timeout(wait, self.0).await;
    }
}

/// Waits, at most `wait`, until nobody is sending the order any more (it was placed or
/// refused, or an attempt ended without an answer); returns the order as it stands then.
pub async fn settled(store: &Store, id: &str, wait: Duration) -> Result<GuestOrder, GuestError> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let order = store.guest_order(id).await?.ok_or(GuestError::OrderNotFound)?;
        if !order.being_sent(now_ms()) || tokio::time::Instant::now() >= deadline {
            return Ok(order);
        }
        tokio::time::sleep(SETTLED_POLL).await;
    }
}

/// How often [`settled`] looks (the order is in the store: another node may be sending it).
const SETTLED_POLL: Duration = Duration::from_millis(100);

type Answered = Result<rahunok_protocol::Callback<rahunok_protocol::ops::CreateOrderAnswer>, LinkError>;

/// Keeps what the POS said about the order.
async fn record(
    store: &Store,
    order: &GuestOrder,
    lease: &SendLease,
    outcome: Answered,
) -> Result<(), crate::store::StoreError> {
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
        Err(other) => {
            tracing::info!(order = order.id, resto_id = order.resto_id, error = %other, "an order's send ended without an answer");
            store.note_order_problem(&order.id, lease, &other.to_string()).await
        }
    }
}

/// Records the refusal and gives the guest the lines back as a cart to change (unless the
/// browser has started another cart on the table meanwhile).
async fn refuse(store: &Store, order: &GuestOrder, why: &str) -> Result<(), crate::store::StoreError> {
    tracing::info!(order = order.id, resto_id = order.resto_id, why, "the POS refused an order");
    store.record_order_refused(&order.id, why).await?;
    store.create_cart(&order.resto_id, &order.table_number, &order.browser, &order.lines).await?;
    Ok(())
}
