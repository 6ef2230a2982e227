//! A virtual restaurant POS, built on the POS SDK: it answers every operation of the protocol
//! from a fixture (a Kyiv café by default), keeps open orders in memory (`payBill` closes them,
//! `splitOrder` splits them, `createOrderOnTable` opens them: once per `externalId`, checked
//! against the menu's modifier rules and the stop list) and pushes `ORDERS_CACHE` every few seconds through the SDK's
//! [`OrdersCachePublisher`] (full orders only when they changed, `ORDERS_CLOSED` when paid).
//!
//! With [`VirtualPos::with_quirks`] (`rahunok pos-sim --quirks`) it answers in the loose
//! shapes production integrations send ([`quirks`]), to see the server's liberal reading and
//! its conformance warnings at work.
//!
//! Integrators use it to see a correct POS at work; our tests and `rahunok serve --demo` use it
//! as the restaurant on the other end of the socket.

pub mod fixture;
pub mod floor;
pub mod quirks;

pub use fixture::Fixture;
pub use floor::{Floor, NewOrder, PaidBill};

use rahunok_pos_sdk::{Answer, Failure, Handler, OrdersCachePublisher, PosClient, PosConfig};
use rahunok_protocol::envelope::substate;
use rahunok_protocol::ops::*;
use rahunok_protocol::order::{Dish, Order};
use rahunok_protocol::rid::{iso8601_utc, pos_datetime};
use rahunok_protocol::{Money, Quantity};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The virtual POS; clones share one floor.
#[derive(Clone)]
pub struct VirtualPos {
    fixture: Arc<Fixture>,
    floor: Arc<Mutex<Floor>>,
    quirks: bool,
}

impl VirtualPos {
    /// A POS for `fixture`.
    pub fn new(fixture: Fixture) -> VirtualPos {
        let floor = Floor::new(&fixture);
        VirtualPos { fixture: Arc::new(fixture), floor: Arc::new(Mutex::new(floor)), quirks: false }
    }

    /// With `quirks`, answers in the loose shapes of [`quirks`] (dotted `versionInfo`,
    /// `stopList` as `{id, quantity}`, top-level numeric `tableNumber`, `null` lists,
    /// mixed-case enums, whole-number money) instead of the canonical ones.
    pub fn with_quirks(mut self, quirks: bool) -> VirtualPos {
        self.quirks = quirks;
        self
    }

    /// The bundled Kyiv café.
    pub fn kyiv_cafe() -> VirtualPos {
        VirtualPos::new(Fixture::kyiv_cafe())
    }

    /// The fixture this POS was built from.
    pub fn fixture(&self) -> &Fixture {
        &self.fixture
    }

    /// The floor, to inspect or change (tests check the POS side through it).
    pub fn floor(&self) -> MutexGuard<'_, Floor> {
        self.floor.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Connects to the server and serves forever; pushes `ORDERS_CACHE` every `cache_interval`
    /// (`None`: no pushes).
    pub async fn run(self, config: PosConfig, cache_interval: Option<Duration>) {
        let client = PosClient::new(config);
        if let Some(interval) = cache_interval {
            let pos = self.clone();
            let publisher = OrdersCachePublisher::new(client.sender());
            tokio::spawn(publisher.run(interval, move || pos.floor().open_orders().to_vec()));
        }
        client.run(self).await;
    }

    fn table_exists(&self, number: &str) -> bool {
        self.fixture.tables.iter().any(|t| t.number.to_string() == number.trim())
    }

    /// The check's lines for an ordered item: the dish, then each modifier linked to it, priced
    /// by the menu's rules; `Err` names what the menu does not allow.
    fn order_lines(&self, item: &OrderItem, position: String) -> Result<Vec<Dish>, String> {
        let menu = &self.fixture.menu;
        let dish = menu.dish(&item.id).filter(|d| d.is_active).ok_or_else(|| format!("{} is not on sale", item.id))?;
        dish.check_modifiers(&item.modifier).map_err(|problem| format!("{}: {problem}", dish.name))?;
        let priced = menu.price_item(item).ok_or_else(|| format!("{} has no price", dish.name))?;
        let line = |id: &str, name: &str, count: Quantity, sum: Money, linked_to: Option<String>, n: usize| Dish {
            dish_id: Some(id.to_string()),
            position_id: Some(if n == 0 { position.clone() } else { format!("{position}-m{n}") }),
            linked_to,
            name: name.to_string(),
            count,
            sum,
            category: dish.category.clone(),
            category_id: dish.category_id.clone(),
            check_number: None,
            order_number: None,
            tax_category: None,
            tax_category_id: None,
            r#type: Some(if n == 0 { dish.r#type.clone().unwrap_or_else(|| "dish".into()) } else { "modifier".into() }),
            hidden: false,
        };
        let mut lines = vec![line(&dish.id, &dish.name, item.quantity, priced.dish_sum, None, 0)];
        for (n, (modifier, sum)) in item.modifier.iter().zip(priced.modifier_sums).enumerate() {
            let name = menu.modifiers.iter().find(|m| m.id == modifier.id).map_or(modifier.id.as_str(), |m| &m.name);
            let count = times_quantity(item.quantity, modifier.quantity).ok_or("a quantity too large")?;
            lines.push(line(&modifier.id, name, count, sum, Some(position.clone()), n + 1));
        }
        Ok(lines)
    }

    fn restriction(&self, item: &OrderItem) -> ItemRestriction {
        let dish = self.fixture.menu.dishes.iter().find(|d| d.id == item.id);
        let balance = self.fixture.stop_list.iter().find(|s| s.product_id == item.id).map(|s| s.balance);
        let exceed = balance.and_then(|b| exceeding(item.quantity, b));
        ItemRestriction {
            id: item.id.clone(),
            name: dish.map(|d| d.name.clone()).unwrap_or_default(),
            available: dish.is_some_and(|d| d.is_active) && exceed.is_none(),
            exceed_quantity: exceed,
        }
    }
}

/// `a × b` for two quantities (a modifier's count on the check: per dish × dishes).
fn times_quantity(a: Quantity, b: Quantity) -> Option<Quantity> {
    let (a, b) = (a.decimal(), b.decimal());
    let mantissa = a.mantissa().checked_mul(b.mantissa())?;
    Quantity::parse(&rahunok_protocol::decimal::Decimal::new(mantissa, a.scale() + b.scale()).to_string()).ok()
}

/// How much `wanted` exceeds `balance`, if it does.
fn exceeding(wanted: Quantity, balance: Quantity) -> Option<Quantity> {
    let scale = wanted.decimal().scale().max(balance.decimal().scale());
    let (w, b) = (wanted.decimal().rescale(scale)?, balance.decimal().rescale(scale)?);
    (w > b).then(|| Quantity::parse(&rahunok_protocol::decimal::Decimal::new(w - b, scale).to_string()).ok()).flatten()
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default()
}

impl Handler for VirtualPos {
    fn reshape_callback(&self, operation: rahunok_protocol::Operation, body: Vec<u8>) -> Vec<u8> {
        if self.quirks {
            quirks::reshape(operation, body)
        } else {
            body
        }
    }

    async fn get_bill(&self, request: GetBill) -> Answer<BillAnswer> {
        let floor = self.floor();
        if let Some(bill_id) = request.bill_id {
            let order = floor
                .bill(&bill_id)
                .cloned()
                .ok_or_else(|| Failure::new(substate::ORDER_NOT_FOUND, format!("no bill {bill_id}")))?;
            return Ok(BillAnswer { table_number: order.table_number.clone(), orders: vec![order] });
        }
        let table = request.table_number.unwrap_or_default();
        if !self.table_exists(&table) {
            return Err(Failure::new(substate::TABLE_NOT_FOUND, format!("no table {table}")));
        }
        let orders = floor.orders_on_table(table.trim());
        if orders.is_empty() {
            return Err(Failure::new(substate::ORDER_NOT_FOUND, format!("no open order on table {table}")));
        }
        Ok(BillAnswer { table_number: Some(table), orders })
    }

    async fn pay_bill(&self, request: PayBill) -> Answer<PayBillAnswer> {
        let order = self.floor().pay(&request.bill_id, request.sum, request.tips)?;
        Ok(PayBillAnswer {
            bill_id: Some(order.bill_id),
            stack_trace_message: None,
            order_number: order.order_number,
            waiter: order.waiter,
            waiter_id: order.waiter_id,
            guests: order.guests,
        })
    }

    async fn split_order(&self, request: SplitOrder) -> Answer<SplitAnswer> {
        let (parent, child) = self.floor().split(&request)?;
        Ok(SplitAnswer(BillAnswer { table_number: parent.table_number.clone(), orders: vec![parent, child] }))
    }

    async fn tables_info(&self, _: TablesInfo) -> Answer<TablesInfoAnswer> {
        Ok(TablesInfoAnswer { tables: self.fixture.tables.clone() })
    }

    async fn hallplans_info(&self, _: HallplansInfo) -> Answer<HallplansInfoAnswer> {
        Ok(HallplansInfoAnswer { hall_plans: self.fixture.hall_plans.clone() })
    }

    async fn users_info(&self, _: UsersInfo) -> Answer<UsersInfoAnswer> {
        Ok(UsersInfoAnswer { users: self.fixture.users.clone() })
    }

    async fn categories_info(&self, _: CategoriesInfo) -> Answer<CategoriesInfoAnswer> {
        Ok(CategoriesInfoAnswer { categories: self.fixture.categories.clone() })
    }

    async fn menu_info(&self, _: MenuInfo) -> Answer<MenuInfoAnswer> {
        self.floor().note_request("menuInfo");
        Ok(self.fixture.menu.clone())
    }

    async fn stop_list(&self, _: StopList) -> Answer<StopListAnswer> {
        self.floor().note_request("stopList");
        Ok(StopListAnswer { items: self.fixture.stop_list.clone() })
    }

    async fn show_message(&self, message: ShowMessage) {
        self.floor().show(message);
    }

    async fn check_work(&self, _: CheckWork) -> Answer<CheckWorkAnswer> {
        Ok(CheckWorkAnswer { date_time: Some(pos_datetime(unix_now())), ready_to_work: true })
    }

    async fn version_info(&self, _: VersionInfo) -> Answer<VersionInfoAnswer> {
        let features = [feature::BILL_V_2, feature::STOP_LIST, feature::ORDERS_CACHE, feature::ORDER_ON_TABLE];
        Ok(VersionInfoAnswer {
            event_time: Some(iso8601_utc(unix_now())),
            partner_id: Some("rahunok-pos-sim".into()),
            plugin_version: Some(1),
            plugin_version_text: Some("1".into()),
            restaurant_version: Some(env!("CARGO_PKG_VERSION").into()),
            restaurant_license_date_end: Some("2099.12.31".into()),
            additional_info: None,
            update_info: Vec::new(),
            implemented_features: features
                .iter()
                .map(|f| ImplementedFeature { feature: f.to_string(), available: true, implemented: true, info: None })
                .collect(),
        })
    }

    async fn check_products_restrictions(&self, request: CheckProductsRestrictions) -> Answer<RestrictionsAnswer> {
        self.floor().note_request("checkProductsRestrictions");
        let item_results: Vec<ItemRestriction> = request.items.iter().map(|i| self.restriction(i)).collect();
        Ok(RestrictionsAnswer {
            result: Restrictions { check_result: item_results.iter().all(|r| r.available), item_results },
        })
    }

    async fn create_order_on_table(&self, request: CreateOrderOnTable) -> Answer<CreateOrderAnswer> {
        self.floor().note_request("createOrderOnTable");
        let table =
            self.fixture.tables.iter().find(|t| t.id == request.table_id).ok_or_else(|| {
                Failure::new(substate::TABLE_NOT_FOUND, format!("no table with id {}", request.table_id))
            })?;
        // A repeat of an order already made answers with that order (nothing is cooked twice).
        if let Some(order) = self.floor().created_order(&request.external_id) {
            return Ok(created_answer(order));
        }
        if request.items.is_empty() {
            return Err(Failure::new(substate::POS_ERROR, "the order has no items"));
        }
        if request.items.iter().any(|i| !self.restriction(i).available) {
            let result = CreateOrderResult { success: false, stage: Some("STOP_LIST".into()), ..Default::default() };
            return Ok(CreateOrderAnswer { result });
        }
        let mut lines = Vec::new();
        for (n, item) in request.items.iter().enumerate() {
            let position = format!("{}-{}", request.external_id, n + 1);
            lines.extend(self.order_lines(item, position).map_err(|why| Failure::new(substate::POS_ERROR, why))?);
        }
        let waiter = self.fixture.users.first().map(|u| (u.id.clone(), u.name.clone()));
        let new = NewOrder { lines, waiter, paid: !request.fiscal_data.is_empty() };
        let order = self.floor().create_order(&request.external_id, table, new);
        Ok(created_answer(order))
    }
}

/// The answer to `createOrderOnTable` for the order it made (or made before).
fn created_answer(order: Order) -> CreateOrderAnswer {
    let paid = order.state == Some(rahunok_protocol::order::OrderState::Payed);
    let root = RootOrder {
        order_id: Some(order.bill_id.clone()),
        order_number: order.order_number,
        result_sum: Some(order.total_sum),
        order_status: Some(if paid { "PAYED" } else { "NEW" }.into()),
        table_number: order.table_number.clone(),
        waiter_id: order.waiter_id.clone(),
        waiter: order.waiter.clone(),
    };
    CreateOrderAnswer {
        result: CreateOrderResult {
            success: true,
            stage: None,
            root_order: Some(root),
            orders_summary: Vec::new(),
            guests: order.guests,
        },
    }
}
