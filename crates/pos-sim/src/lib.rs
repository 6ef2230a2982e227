//! A virtual restaurant POS, built on the POS SDK: it answers every operation of the protocol
//! from a fixture (a Kyiv café by default), keeps open orders in memory (`payBill` closes them,
//! `splitOrder` splits them) and pushes `ORDERS_CACHE` every few seconds through the SDK's
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
pub use floor::{Floor, PaidBill};

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

    fn menu_line(&self, item: &OrderItem, position: String) -> Option<Dish> {
        let dish = self.fixture.menu.dishes.iter().find(|d| d.id == item.id && d.is_active)?;
        let unit = dish.price.unwrap_or_default();
        Some(Dish {
            dish_id: Some(dish.id.clone()),
            position_id: Some(position),
            linked_to: None,
            name: dish.name.clone(),
            count: item.quantity,
            sum: price_times(unit, item.quantity)?,
            category: dish.category.clone(),
            category_id: dish.category_id.clone(),
            check_number: None,
            order_number: None,
            tax_category: None,
            tax_category_id: None,
            r#type: dish.r#type.clone(),
            hidden: false,
        })
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

/// `price × quantity`, rounded half up to the kopiyka.
fn price_times(unit: Money, quantity: Quantity) -> Option<Money> {
    let q = quantity.decimal();
    let scaled = i128::from(unit.kopiyky()) * i128::from(q.mantissa());
    let divisor = 10i128.pow(q.scale());
    Money::from_kopiyky(i64::try_from((2 * scaled + divisor) / (2 * divisor)).ok()?)
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
                .open_order(&bill_id)
                .cloned()
                .ok_or_else(|| Failure::new(substate::ORDER_NOT_FOUND, format!("no open bill {bill_id}")))?;
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
        Ok(self.fixture.menu.clone())
    }

    async fn stop_list(&self, _: StopList) -> Answer<StopListAnswer> {
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
        let item_results: Vec<ItemRestriction> = request.items.iter().map(|i| self.restriction(i)).collect();
        Ok(RestrictionsAnswer {
            result: Restrictions { check_result: item_results.iter().all(|r| r.available), item_results },
        })
    }

    async fn create_order_on_table(&self, request: CreateOrderOnTable) -> Answer<CreateOrderAnswer> {
        let table =
            self.fixture.tables.iter().find(|t| t.id == request.table_id).ok_or_else(|| {
                Failure::new(substate::TABLE_NOT_FOUND, format!("no table with id {}", request.table_id))
            })?;
        if request.items.iter().any(|i| !self.restriction(i).available) {
            let result = CreateOrderResult { success: false, stage: Some("STOP_LIST".into()), ..Default::default() };
            return Ok(CreateOrderAnswer { result });
        }
        let lines: Option<Vec<Dish>> = request
            .items
            .iter()
            .enumerate()
            .map(|(n, item)| self.menu_line(item, format!("{}-{}", request.external_id, n + 1)))
            .collect();
        let lines = lines.ok_or_else(|| Failure::new(substate::POS_ERROR, "an item is not on the menu"))?;
        let waiter = self.fixture.users.first().map(|u| (u.id.as_str(), u.name.as_str()));
        let order: Order = self.floor().create_paid_order(&request.external_id, table, lines, waiter);
        let root = RootOrder {
            order_id: Some(order.bill_id.clone()),
            order_number: order.order_number,
            result_sum: Some(order.total_sum),
            order_status: Some("PAYED".into()),
            table_number: order.table_number.clone(),
            waiter_id: order.waiter_id.clone(),
            waiter: order.waiter.clone(),
        };
        Ok(CreateOrderAnswer {
            result: CreateOrderResult {
                success: true,
                stage: None,
                root_order: Some(root),
                orders_summary: Vec::new(),
                guests: order.guests,
            },
        })
    }
}
