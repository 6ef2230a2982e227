//! A POS that writes `0` for "no table" (issue 31): typed POS clients whose `tableNumber` is an
//! integer without `omitempty` answer a `getBill` by `billId` with `"tableNumber": 0`. Taken as
//! a real table, it put the payment and the receipt on "table 0", and table 12 then said "No
//! open bill" instead of "Bill paid ✓".

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::on_both_stores;
use crate::payments::{form_field, guest_client, pay_at_sandbox, wait_for_status};
use rahunok_pos_sdk::{Answer, Handler, PosClient, PosConfig};
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::ops::{BillAnswer, GetBill, PayBill, PayBillAnswer};
use rahunok_protocol::Operation;
use std::time::Duration;

/// What the fake writes where the wire gets a bare `0`.
const ZERO: &str = "__table_zero__";

/// The kyiv cafe answering every `getBill` by `billId` with `"tableNumber": 0` (the number,
/// not the string), on the wire, as such a client sends it; by table, as usual.
#[derive(Clone)]
struct ZeroTablePos(VirtualPos);

impl Handler for ZeroTablePos {
    async fn get_bill(&self, request: GetBill) -> Answer<BillAnswer> {
        let by_bill_id = request.bill_id.is_some();
        let mut answer = self.0.get_bill(request).await?;
        if by_bill_id {
            answer.table_number = Some(ZERO.into());
            answer.orders.iter_mut().for_each(|order| order.table_number = Some(ZERO.into()));
        }
        Ok(answer)
    }

    async fn pay_bill(&self, request: PayBill) -> Answer<PayBillAnswer> {
        self.0.pay_bill(request).await
    }

    fn reshape_callback(&self, _operation: Operation, body: Vec<u8>) -> Vec<u8> {
        String::from_utf8(body).unwrap().replace(&format!("\"{ZERO}\""), "0").into_bytes()
    }
}

async fn zero_table_cafe(app: &TestApp) -> String {
    let restaurant = app.create_restaurant("Нульовий стіл").await;
    let mut config = PosConfig::new(&app.base, &restaurant.resto_id, &restaurant.secret, "GoMonoLike");
    config.reconnect_delay = Duration::from_millis(200);
    tokio::spawn(PosClient::new(config).run(ZeroTablePos(VirtualPos::kyiv_cafe())));
    app.wait_connected(&restaurant.resto_id, true).await;
    restaurant.resto_id
}

async fn a_bill_id_answer_with_table_zero_keeps_the_table_the_guest_came_from(backend: Backend) {
    let app = spawn_app(backend).await;
    let resto_id = zero_table_cafe(&app).await;
    let guest = guest_client();

    // Table 12's QR: one bill, found by table.
    let page = guest.get(format!("{}/t/{resto_id}/12", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Стіл 12"), "the bill page names the table: {page}");
    let form = [
        ("idempotency_key", form_field(&page, "idempotency_key")),
        ("expected_total", form_field(&page, "expected_total")),
        ("table", form_field(&page, "table")),
        ("tip", "0".into()),
        ("tip_custom", String::new()),
    ];
    // Paying asks the POS for the bill by id: it answers `"tableNumber": 0`.
    let sent = guest.post(format!("{}/b/{resto_id}/b-32072/pay", app.base)).form(&form).send().await.unwrap();
    assert_eq!(sent.status(), 303);
    let checkout = sent.headers()["location"].to_str().unwrap().to_string();
    let back = pay_at_sandbox(&guest, &checkout, "4242424242424242").await;
    let payment_id = back.rsplit('/').next().unwrap().to_string();

    let detail = wait_for_status(&app, &resto_id, &payment_id, "closed").await;
    assert_eq!(detail["tableNumber"], "12", "the payment is on table 12, not 0: {detail}");
    let receipt_url = if back.starts_with("http") { back.clone() } else { format!("{}{back}", app.base) };
    let receipt = guest.get(receipt_url).send().await.unwrap().text().await.unwrap();
    assert!(receipt.contains("Стіл 12") && !receipt.contains("Стіл 0"), "the receipt says table 12: {receipt}");
    let table = guest.get(format!("{}/t/{resto_id}/12", app.base)).send().await.unwrap().text().await.unwrap();
    assert!(table.contains("Рахунок сплачено"), "table 12 says its bill was paid: {table}");

    let (_, warnings) = app.get_json(&format!("/api/admin/restaurants/{resto_id}/conformance-warnings")).await;
    let zero = warnings.as_array().unwrap().iter().find(|w| w["kind"] == "ZERO_TABLE_NUMBER");
    let zero = zero.unwrap_or_else(|| panic!("the zero is a conformance warning: {warnings}"));
    assert!(matches!(zero["field"].as_str(), Some("tableNumber" | "orders[0].tableNumber")), "{zero}");
}

/// A table given in the link that the POS does not confirm is not put on the payment: the
/// bill stays without a table rather than on one a guest typed.
async fn a_table_the_pos_does_not_list_the_bill_on_is_not_taken_from_the_link(backend: Backend) {
    let app = spawn_app(backend).await;
    let resto_id = zero_table_cafe(&app).await;
    let guest = guest_client();
    let page = guest.get(format!("{}/b/{resto_id}/b-32072?table=3", app.base)).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(!page.contains("Стіл 3") && !page.contains("Стіл 0"), "no table shown: {page}");
    assert!(!page.contains("name=\"table\""), "and none in the pay form: {page}");
    let page = guest.get(format!("{}/b/{resto_id}/b-32072?table=12", app.base)).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Стіл 12"), "the table the POS lists it on is kept");
}

on_both_stores!(
    a_bill_id_answer_with_table_zero_keeps_the_table_the_guest_came_from,
    a_table_the_pos_does_not_list_the_bill_on_is_not_taken_from_the_link,
);
