//! A minimal but complete POS on the SDK: one café table with an open bill, `getBill` by table
//! or by bill id, `payBill` that closes the bill, `ORDERS_CACHE` pushed every 5 s, and the
//! connection state printed as it changes.
//!
//! ```sh
//! RAHUNOK_SERVER=http://127.0.0.1:8080 RESTO_ID=… SECRET_KEY=… cargo run -p rahunok-pos-sdk --example minimal_pos
//! ```

use rahunok_pos_sdk::protocol::envelope::substate;
use rahunok_pos_sdk::protocol::ops::{
    BillAnswer, GetBill, PayBill, PayBillAnswer, Table, TablesInfo, TablesInfoAnswer,
};
use rahunok_pos_sdk::protocol::order::Order;
use rahunok_pos_sdk::{Answer, Failure, Handler, OrdersCachePublisher, PosClient, PosConfig, ORDERS_CACHE_INTERVAL};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The café: table 1 with bill `b-1` (a borscht and a coffee) until someone pays it.
#[derive(Clone)]
pub struct MinimalPos {
    open_orders: Arc<Mutex<Vec<Order>>>,
}

impl MinimalPos {
    /// The café at opening time.
    pub fn new() -> MinimalPos {
        let bill = serde_json::json!({
            "billId": "b-1", "orderNumber": 1, "tableNumber": "1", "state": "BILL", "totalSum": 185.00,
            "guests": [{"name": "Гість 1", "dishes": [
                {"dishId": "d-1", "positionId": "p-1", "name": "Борщ", "count": 1, "sum": 130.00},
                {"dishId": "d-2", "positionId": "p-2", "name": "Кава", "count": 1, "sum": 55.00}
            ]}]
        });
        let order: Order = serde_json::from_value(bill).expect("a valid order");
        MinimalPos { open_orders: Arc::new(Mutex::new(vec![order])) }
    }

    /// The open orders right now.
    pub fn open_orders(&self) -> Vec<Order> {
        self.open_orders.lock().expect("not poisoned").clone()
    }
}

impl Default for MinimalPos {
    fn default() -> MinimalPos {
        MinimalPos::new()
    }
}

impl Handler for MinimalPos {
    async fn tables_info(&self, _request: TablesInfo) -> Answer<TablesInfoAnswer> {
        let table = Table { id: "t-1".into(), name: "Біля вікна".into(), number: 1, hall_plan_id: None };
        Ok(TablesInfoAnswer { tables: vec![table] })
    }

    async fn get_bill(&self, request: GetBill) -> Answer<BillAnswer> {
        let open = self.open_orders();
        let orders: Vec<Order> = match (&request.bill_id, request.table_number.as_deref()) {
            (Some(bill_id), _) => open.into_iter().filter(|o| &o.bill_id == bill_id).collect(),
            (None, Some("1")) => open,
            (None, table) => return Err(Failure::new(substate::TABLE_NOT_FOUND, format!("no table {table:?}"))),
        };
        if orders.is_empty() {
            return Err(Failure::new(substate::ORDER_NOT_FOUND, "no open bill there"));
        }
        Ok(BillAnswer { table_number: Some("1".into()), orders })
    }

    async fn pay_bill(&self, request: PayBill) -> Answer<PayBillAnswer> {
        let mut open = self.open_orders.lock().expect("not poisoned");
        let Some(index) = open.iter().position(|o| o.bill_id == request.bill_id) else {
            return Err(Failure::new(substate::ORDER_ALREADY_PAID, "this bill is not open (paid already?)"));
        };
        if open[index].total_sum != request.sum {
            return Err(Failure::new(substate::SUM_MISMATCH, format!("the bill is {}", open[index].total_sum)));
        }
        let paid = open.remove(index);
        Ok(PayBillAnswer { bill_id: Some(paid.bill_id), order_number: paid.order_number, ..Default::default() })
    }
}

/// Connection settings from `RAHUNOK_SERVER`, `RESTO_ID` and `SECRET_KEY`.
pub fn config_from_env() -> PosConfig {
    let setting = |name: &str| std::env::var(name).unwrap_or_else(|_| panic!("set {name}"));
    PosConfig::new(&setting("RAHUNOK_SERVER"), &setting("RESTO_ID"), &setting("SECRET_KEY"), "MinimalPOS")
}

/// Serves `pos` forever: the socket, the callbacks, and `ORDERS_CACHE` every `cache_interval`.
pub async fn serve(pos: MinimalPos, config: PosConfig, cache_interval: Duration) {
    let client = PosClient::new(config);
    let mut changes = client.state_changes();
    tokio::spawn(async move {
        while let Ok(change) = changes.recv().await {
            println!("connection: {:?}", change.state);
        }
    });
    let orders = pos.clone();
    tokio::spawn(OrdersCachePublisher::new(client.sender()).run(cache_interval, move || orders.open_orders()));
    client.run(pos).await;
}

#[tokio::main]
async fn main() {
    serve(MinimalPos::new(), config_from_env(), ORDERS_CACHE_INTERVAL).await;
}
