//! Every callback of spec section 5 and every webhook of section 6, as a POS would send it:
//! parsed into typed answers with the values it carries, then written back and read again to
//! the same value.

use rahunok_protocol::envelope::{substate, AnswerBody, AnswerState, Callback};
use rahunok_protocol::ops::{self, validate_callback, CallbackError};
use rahunok_protocol::order::OrderState;
use rahunok_protocol::webhook::{UserAction, Webhook, WebhookError};
use rahunok_protocol::{Money, Operation, Quantity};
use std::fmt::Debug;

const RID: &str = "2022-11-18 13:18:51.694125371#Lm4R2EQ";

/// Parses a callback body, writes it back, parses that again and checks both readings agree.
fn round_trip<A: AnswerBody + PartialEq + Debug>(body: &str) -> Callback<A> {
    let parsed = Callback::<A>::parse(body.as_bytes()).unwrap_or_else(|errors| panic!("refused: {errors:?}\n{body}"));
    let written = serde_json::to_vec(&parsed).unwrap();
    let again = Callback::<A>::parse(&written)
        .unwrap_or_else(|errors| panic!("refused our own output: {errors:?}\n{}", String::from_utf8_lossy(&written)));
    assert_eq!(again, parsed, "written as {}", String::from_utf8_lossy(&written));
    parsed
}

fn written<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap()
}

fn kop(kopiyky: i64) -> Money {
    Money::from_kopiyky(kopiyky).unwrap()
}

fn qty(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

/// One open order on table 12: borshch with sour cream (a modifier line) and 0.35 kg of salo,
/// 10% off. 95.00 + 8.50 + 40.00 = 143.50 raw, minus 14.30 = 129.20 to pay.
const ORDER_32070: &str = r#"{
    "billId": "b-32070",
    "rootBillId": "b-32070",
    "orderNumber": 32070,
    "tableId": "tbl-12",
    "tableNumber": "12",
    "created": "2022.11.18 13:05:10",
    "state": "BILL",
    "totalSum": 129.20,
    "rawSum": 143.50,
    "bonusSum": 0,
    "billAmountForTips": 143.50,
    "discounts": {"list": [{"id": "disc-10", "name": "Знижка 10%", "sum": 14.30}]},
    "paymentType": "Картка",
    "pricingTime": "2022.11.18 13:05:10",
    "isBanquetOrder": false,
    "isDelivery": false,
    "splitAvailable": true,
    "waiter": "Олена Коваль",
    "waiterId": "w-7",
    "guests": [
        {
            "name": "Гість 1",
            "dishes": [
                {"dishId": "dish-borshch", "positionId": "p-1", "linkedTo": null, "name": "Борщ", "count": 1, "sum": 95.00,
                 "category": "Перші страви", "categoryId": "cat-1", "checkNumber": 1, "orderNumber": 32070,
                 "taxCategory": "ПДВ 20%", "taxCategoryId": "tax-1", "type": "dish", "hidden": false},
                {"dishId": "mod-smetana", "positionId": "p-2", "linkedTo": "p-1", "name": "Сметана", "count": 1, "sum": 8.50,
                 "category": "Добавки", "categoryId": "cat-9", "checkNumber": 1, "orderNumber": 32070,
                 "taxCategory": "ПДВ 20%", "taxCategoryId": "tax-1", "type": "modifier", "hidden": false}
            ]
        },
        {
            "name": "Гість 2",
            "dishes": [
                {"dishId": "dish-salo", "positionId": "p-3", "linkedTo": null, "name": "Сало (вагове)", "count": 0.35, "sum": 40.00,
                 "category": "Закуски", "categoryId": "cat-2", "checkNumber": 1, "orderNumber": 32070,
                 "taxCategory": "ПДВ 20%", "taxCategoryId": "tax-1", "type": "dish", "hidden": false}
            ]
        }
    ]
}"#;

fn get_bill_body() -> String {
    format!(
        r#"{{"rID": "{RID}", "state": "SUCCESS", "substate": null, "errorCode": null, "errorMessage": null,
            "tableNumber": "12", "orders": [{ORDER_32070}]}}"#
    )
}

#[test]
fn get_bill_success_round_trips_with_every_order_field() {
    let bill = round_trip::<ops::BillAnswer>(&get_bill_body());
    assert_eq!(bill.head.rid, RID);
    assert_eq!(bill.head.state, AnswerState::Success);
    assert_eq!(bill.head.failure(), None);
    assert_eq!(bill.body.table_number.as_deref(), Some("12"));
    assert_eq!(bill.body.orders.len(), 1);

    let order = &bill.body.orders[0];
    assert_eq!(order.bill_id, "b-32070");
    assert_eq!(order.root_bill_id.as_deref(), Some("b-32070"));
    assert_eq!(order.order_number, Some(32070));
    assert_eq!(order.table_id.as_deref(), Some("tbl-12"));
    assert_eq!(order.created.as_deref(), Some("2022.11.18 13:05:10"));
    assert_eq!(order.state, Some(OrderState::Bill));
    assert_eq!(order.total_sum, kop(12920));
    assert_eq!(order.raw_sum, Some(kop(14350)));
    assert_eq!(order.bonus_sum, Some(Money::ZERO));
    assert_eq!(order.bill_amount_for_tips, Some(kop(14350)));
    assert_eq!(order.discounts.list.len(), 1);
    assert_eq!(order.discounts.list[0].name, "Знижка 10%");
    assert_eq!(order.discounts.list[0].sum, kop(1430));
    assert_eq!(order.payment_type.as_deref(), Some("Картка"));
    assert!(!order.is_banquet_order && !order.is_delivery && order.split_available);
    assert_eq!(order.waiter.as_deref(), Some("Олена Коваль"));
    assert_eq!(order.waiter_id.as_deref(), Some("w-7"));
    assert_eq!(order.guests.iter().map(|g| g.name.as_str()).collect::<Vec<_>>(), ["Гість 1", "Гість 2"]);

    let lines: Vec<_> = order.lines().collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[1].linked_to.as_deref(), Some("p-1"), "the sour cream belongs to the borshch");
    assert_eq!(lines[1].r#type.as_deref(), Some("modifier"));
    assert_eq!(lines[0].linked_to, None);
    assert_eq!(lines[2].count, qty("0.35"));
    assert_eq!(lines[2].tax_category.as_deref(), Some("ПДВ 20%"));
    assert_eq!(lines[2].check_number, Some(1));
    // The bill adds up to the kopiyka.
    let raw: Money = order.lines().map(|d| d.sum).sum();
    assert_eq!(raw, order.raw_sum.unwrap());
    assert_eq!(raw.checked_sub(order.discounts.list[0].sum), Some(order.total_sum));
}

#[test]
fn get_bill_is_written_back_with_two_decimal_money_and_exact_quantities() {
    let bill = round_trip::<ops::BillAnswer>(&get_bill_body());
    let json = written(&bill);
    assert!(json.starts_with(&format!(r#"{{"rID":"{RID}","state":"SUCCESS","tableNumber":"12","orders":["#)), "{json}");
    assert!(json.contains(r#""totalSum":129.20,"rawSum":143.50,"bonusSum":0.00,"billAmountForTips":143.50"#), "{json}");
    assert!(json.contains(r#""count":0.35,"sum":40.00"#), "{json}");
    assert!(json.contains(r#""sum":8.50"#), "{json}");
}

#[test]
fn get_bill_fail_round_trips_with_its_substate() {
    let body = format!(
        r#"{{"rID": "{RID}", "state": "FAIL", "substate": "TABLE_NOT_FOUND", "errorCode": "404",
            "errorMessage": "Стіл 99 не знайдено", "tableNumber": "99", "orders": null}}"#
    );
    let bill = round_trip::<ops::BillAnswer>(&body);
    assert_eq!(bill.head.state, AnswerState::Fail);
    assert_eq!(bill.head.failure().as_deref(), Some("TABLE_NOT_FOUND"));
    assert_eq!(bill.head.error_code.as_deref(), Some("404"));
    assert_eq!(bill.head.error_message.as_deref(), Some("Стіл 99 не знайдено"));
    assert!(bill.body.orders.is_empty());
}

#[test]
fn get_bill_with_several_open_orders_on_one_table_keeps_them_all_in_order() {
    let second = ORDER_32070.replace("b-32070", "b-32071").replace("32070", "32071");
    let body =
        format!(r#"{{"rID": "{RID}", "state": "SUCCESS", "tableNumber": 12, "orders": [{ORDER_32070}, {second}]}}"#);
    let bill = round_trip::<ops::BillAnswer>(&body);
    let ids: Vec<_> = bill.body.orders.iter().map(|o| o.bill_id.as_str()).collect();
    assert_eq!(ids, ["b-32070", "b-32071"]);
    assert_eq!(bill.body.orders[1].order_number, Some(32071));
}

#[test]
fn pay_bill_success_round_trips() {
    let body = format!(
        r#"{{"rID": "{RID}", "billId": "b-32070", "state": "SUCCESS", "substate": null, "stackTraceMessage": null,
            "orderNumber": 32070, "waiter": "Олена Коваль", "waiterId": "w-7",
            "guests": [{{"name": "Гість 1", "dishes": [{{"dishId": "dish-borshch", "positionId": "p-1", "name": "Борщ", "count": 1, "sum": 95.00}}]}}]}}"#
    );
    let paid = round_trip::<ops::PayBillAnswer>(&body);
    assert_eq!(paid.head.state, AnswerState::Success);
    assert_eq!(paid.body.bill_id.as_deref(), Some("b-32070"));
    assert_eq!(paid.body.order_number, Some(32070));
    assert_eq!(paid.body.waiter.as_deref(), Some("Олена Коваль"));
    assert_eq!(paid.body.waiter_id.as_deref(), Some("w-7"));
    assert_eq!(paid.body.stack_trace_message, None);
    assert_eq!(paid.body.guests[0].dishes[0].sum, kop(9500));
}

#[test]
fn pay_bill_fail_round_trips_with_sum_mismatch_and_stack_trace() {
    let body = format!(
        r#"{{"rID": "{RID}", "billId": "b-32070", "state": "FAIL", "substate": "SUM_MISMATCH",
            "stackTraceMessage": "Expected 129.20, got 120.00\n  at Pos.Pay()"}}"#
    );
    let paid = round_trip::<ops::PayBillAnswer>(&body);
    assert_eq!(paid.head.failure().as_deref(), Some(substate::SUM_MISMATCH));
    assert_eq!(paid.body.stack_trace_message.as_deref(), Some("Expected 129.20, got 120.00\n  at Pos.Pay()"));
}

#[test]
fn split_order_success_round_trips_with_parent_then_child() {
    // Guest 2 took the salo: the parent keeps 103.50 (borshch + sour cream), the child is 40.00.
    let parent = r#"{"billId": "b-32070", "rootBillId": "b-32070", "orderNumber": 32070, "state": "BILL", "totalSum": 103.50,
        "splitAvailable": true, "guests": [{"name": "Гість 1", "dishes": [
            {"positionId": "p-1", "name": "Борщ", "count": 1, "sum": 95.00},
            {"positionId": "p-2", "linkedTo": "p-1", "name": "Сметана", "count": 1, "sum": 8.50, "type": "modifier"}]}]}"#;
    let child = r#"{"billId": "b-32070-1", "rootBillId": "b-32070", "orderNumber": 32073, "state": "BILL", "totalSum": 40.00,
        "splitAvailable": false, "guests": [{"name": "Гість 2", "dishes": [
            {"positionId": "p-3", "name": "Сало (вагове)", "count": 0.35, "sum": 40.00}]}]}"#;
    let body = format!(r#"{{"rID": "{RID}", "state": "SUCCESS", "tableNumber": "12", "orders": [{parent}, {child}]}}"#);
    let split = round_trip::<ops::SplitAnswer>(&body);
    let orders = &split.body.0.orders;
    assert_eq!(orders.len(), 2);
    assert_eq!((orders[0].bill_id.as_str(), orders[0].total_sum), ("b-32070", kop(10350)));
    assert_eq!((orders[1].bill_id.as_str(), orders[1].total_sum), ("b-32070-1", kop(4000)));
    assert_eq!(orders[1].root_bill_id.as_deref(), Some("b-32070"), "the child names its parent");
    assert_eq!(orders[1].lines().next().unwrap().count, qty("0.35"));
    // Written back in the getBill shape (no wrapper object around the orders).
    assert!(
        written(&split).starts_with(&format!(r#"{{"rID":"{RID}","state":"SUCCESS","tableNumber":"12","orders":[{{"#))
    );
}

#[test]
fn split_order_fail_round_trips_without_orders() {
    let body = format!(
        r#"{{"rID": "{RID}", "state": "FAIL", "substate": "ORDER_LOCKED", "errorMessage": "Замовлення відкрите на касі"}}"#
    );
    let split = round_trip::<ops::SplitAnswer>(&body);
    assert_eq!(split.head.failure().as_deref(), Some(substate::ORDER_LOCKED));
    assert!(split.body.0.orders.is_empty());
}

/// The seed documentation's tablesInfo body (with `hallplanId` spelled as in the seed).
const SEED_TABLES_BODY: &str = r#"{"rID": "2022-11-18 13:20:58.329551967#IRuFbD3", "tables": [{"id": "xxx", "name": "у камина", "number": 12, "hallplanId": "Зала 1"}]}"#;

#[test]
fn tables_info_from_the_seed_documentation_round_trips() {
    let tables = round_trip::<ops::TablesInfoAnswer>(SEED_TABLES_BODY);
    assert_eq!(tables.head.rid, "2022-11-18 13:20:58.329551967#IRuFbD3");
    assert_eq!(tables.head.state, AnswerState::Success, "no state means SUCCESS");
    assert_eq!(
        tables.body.tables,
        vec![ops::Table {
            id: "xxx".into(), name: "у камина".into(), number: 12, hall_plan_id: Some("Зала 1".into())
        }]
    );
}

#[test]
fn tables_info_is_written_back_with_the_spec_spelling_hall_plan_id() {
    let tables = round_trip::<ops::TablesInfoAnswer>(SEED_TABLES_BODY);
    assert_eq!(
        written(&tables),
        r#"{"rID":"2022-11-18 13:20:58.329551967#IRuFbD3","state":"SUCCESS","tables":[{"id":"xxx","name":"у камина","number":12,"hallPlanId":"Зала 1"}]}"#
    );
}

#[test]
fn tables_info_with_spec_spelling_and_several_tables_round_trips() {
    let body = format!(
        r#"{{"rID": "{RID}", "tables": [
            {{"id": "tbl-12", "name": "Біля вікна", "number": 12, "hallPlanId": "h-1"}},
            {{"id": "tbl-14", "name": "Тераса 2", "number": 14, "hallPlanId": "h-2"}},
            {{"id": "tbl-bar", "name": "Барна стійка", "number": 100}}]}}"#
    );
    let tables = round_trip::<ops::TablesInfoAnswer>(&body);
    let summary: Vec<_> = tables.body.tables.iter().map(|t| (t.number, t.hall_plan_id.as_deref())).collect();
    assert_eq!(summary, [(12, Some("h-1")), (14, Some("h-2")), (100, None)]);
}

#[test]
fn hallplans_info_round_trips() {
    let body = format!(
        r#"{{"rID": "{RID}", "hallPlans": [{{"id": "h-1", "name": "Зала 1"}}, {{"id": "h-2", "name": "Літня тераса"}}]}}"#
    );
    let halls = round_trip::<ops::HallplansInfoAnswer>(&body);
    let names: Vec<_> = halls.body.hall_plans.iter().map(|h| (h.id.as_str(), h.name.as_str())).collect();
    assert_eq!(names, [("h-1", "Зала 1"), ("h-2", "Літня тераса")]);
    assert!(written(&halls).contains(r#""hallPlans":[{"id":"h-1""#));
}

#[test]
fn users_info_round_trips_with_roles_as_string_and_as_array() {
    let body = format!(
        r#"{{"rID": "{RID}", "users": [
            {{"id": "w-7", "name": "Олена Коваль", "cellPhone": "+380501234567", "roles": "waiter,manager"}},
            {{"id": 8, "name": "Петро Шевчук", "cellPhone": null, "roles": ["waiter"]}}]}}"#
    );
    let users = round_trip::<ops::UsersInfoAnswer>(&body);
    let u = &users.body.users;
    assert_eq!(u.len(), 2);
    assert_eq!((u[0].id.as_str(), u[0].cell_phone.as_deref()), ("w-7", Some("+380501234567")));
    assert_eq!(u[0].roles, ["waiter", "manager"]);
    assert_eq!((u[1].id.as_str(), u[1].cell_phone.as_deref()), ("8", None));
    assert_eq!(u[1].roles, ["waiter"]);
    assert!(written(&users).contains(r#""roles":["waiter","manager"]"#), "roles are written as an array");
}

#[test]
fn categories_info_round_trips() {
    let body = format!(
        r#"{{"rID": "{RID}", "categories": [
            {{"id": "cat-1", "name": "Перші страви", "type": "dish"}},
            {{"id": "cat-9", "name": "Добавки", "type": "modifier"}},
            {{"id": 3, "name": "Кава", "type": null}}]}}"#
    );
    let categories = round_trip::<ops::CategoriesInfoAnswer>(&body);
    let c: Vec<_> =
        categories.body.categories.iter().map(|c| (c.id.as_str(), c.name.as_str(), c.r#type.as_deref())).collect();
    assert_eq!(
        c,
        [("cat-1", "Перші страви", Some("dish")), ("cat-9", "Добавки", Some("modifier")), ("3", "Кава", None)]
    );
}

#[test]
fn menu_info_round_trips_with_dishes_modifiers_and_groups() {
    let body = format!(
        r#"{{"rID": "{RID}",
            "dishes": [
                {{"id": "dish-borshch", "name": "Борщ", "description": "З пампушками", "price": 95, "category": "Перші страви",
                  "categoryId": "cat-1", "groupId": "g-soups", "isActive": true, "unit": "шт", "vendorCode": "0001", "type": "dish",
                  "modifiers": [{{"id": "mod-smetana", "minAmount": 0, "maxAmount": 1}}],
                  "groupModifiers": [{{"id": "gm-bread", "minAmount": 0, "maxAmount": 2, "defaultAmount": 1, "required": false,
                                      "free": true, "freeAmount": 1,
                                      "childModifiers": [{{"id": "mod-pampushka", "minAmount": 0, "maxAmount": 2, "defaultAmount": 1, "required": false}}]}}]}},
                {{"id": "dish-salo", "name": "Сало", "price": 114.29, "isActive": false, "unit": "кг", "modifiers": [], "groupModifiers": []}}],
            "modifiers": [{{"id": "mod-smetana", "name": "Сметана", "price": 8.50}}, {{"id": "mod-pampushka", "name": "Пампушка"}}],
            "groupModifiers": [{{"id": "gm-bread", "name": "Хліб"}}],
            "groups": [{{"id": "g-kitchen", "name": "Кухня", "parentId": null, "menuIndex": 1}},
                       {{"id": "g-soups", "name": "Супи", "parentId": "g-kitchen", "menuIndex": 2}}],
            "terminalsGroups": [{{"id": "tg-1", "name": "Зал"}}],
            "hostTerminalsGroup": {{"id": "tg-1"}}}}"#
    );
    let menu = round_trip::<ops::MenuInfoAnswer>(&body);
    let m = &menu.body;
    assert_eq!(m.dishes.len(), 2);
    let borshch = &m.dishes[0];
    assert_eq!(borshch.price, Some(kop(9500)));
    assert_eq!(borshch.description.as_deref(), Some("З пампушками"));
    assert_eq!(
        (borshch.group_id.as_deref(), borshch.unit.as_deref(), borshch.vendor_code.as_deref()),
        (Some("g-soups"), Some("шт"), Some("0001"))
    );
    assert!(borshch.is_active);
    assert_eq!(borshch.modifiers.len(), 1);
    let rule = &borshch.group_modifiers[0];
    assert_eq!(
        (rule.min_amount, rule.max_amount, rule.default_amount, rule.free_amount),
        (Some(0), Some(2), Some(1), Some(1))
    );
    assert!(rule.free && !rule.required);
    assert_eq!(rule.child_modifiers[0]["id"], "mod-pampushka");
    assert_eq!(m.dishes[1].price, Some(kop(11429)));
    assert!(!m.dishes[1].is_active);
    assert_eq!(m.modifiers[0].price, Some(kop(850)));
    assert_eq!(m.modifiers[1].price, None);
    assert_eq!(m.group_modifiers[0].name, "Хліб");
    assert_eq!(m.groups[0].parent_id, None);
    assert_eq!(m.groups[1].parent_id.as_deref(), Some("g-kitchen"));
    assert_eq!(m.groups[1].menu_index, Some(2));
    assert_eq!(m.terminals_groups.len(), 1);
    assert_eq!(m.host_terminals_group.as_ref().unwrap()["id"], "tg-1");
    let json = written(&menu);
    assert!(json.contains(r#""price":95.00"#) && json.contains(r#""price":114.29"#), "{json}");
}

#[test]
fn stop_list_round_trips_with_zero_and_fractional_balances() {
    let body = format!(
        r#"{{"rID": "{RID}", "items": [{{"productId": "dish-raf", "balance": 0}}, {{"productId": "dish-salo", "balance": 1.25}}]}}"#
    );
    let stop = round_trip::<ops::StopListAnswer>(&body);
    let items = &stop.body.items;
    assert_eq!(items[0].product_id, "dish-raf");
    assert!(items[0].balance.is_zero(), "balance 0 means unavailable");
    assert_eq!(items[1].balance, qty("1.25"));
    assert!(written(&stop).contains(r#"{"productId":"dish-salo","balance":1.25}"#));
}

#[test]
fn check_work_round_trips() {
    let body = format!(r#"{{"rID": "{RID}", "dateTime": "2022.11.18 13:18:52", "readyToWork": true}}"#);
    let check = round_trip::<ops::CheckWorkAnswer>(&body);
    assert_eq!(check.body.date_time.as_deref(), Some("2022.11.18 13:18:52"));
    assert!(check.body.ready_to_work);
    let not_ready = round_trip::<ops::CheckWorkAnswer>(&format!(r#"{{"rID": "{RID}", "readyToWork": false}}"#));
    assert!(!not_ready.body.ready_to_work);
}

const VERSION_INFO_CAMEL: &str = r#"{
    "rID": "2022-11-18 13:18:51.694125371#Lm4R2EQ",
    "eventTime": "2022-11-18T13:18:52Z",
    "partnerId": "acme-pos",
    "pluginVersion": 41,
    "restaurantVersion": "8.4.2",
    "restaurantLicenseDateEnd": "2023.12.31",
    "additionalInfo": {"os": "Windows 10", "terminal": "Каса 1"},
    "updateInfo": [{"version": 42, "mandatory": false}],
    "implementedFeatures": [
        {"feature": "BILL_V_2", "available": true, "implemented": true},
        {"feature": "STOP_LIST", "available": false, "implemented": true},
        {"feature": "ORDERS_CACHE", "available": true, "implemented": true},
        {"feature": "ORDER_ON_TABLE", "available": true, "implemented": true, "info": {"orderTypeCode": "QR_TABLE"}}
    ]
}"#;

#[test]
fn version_info_round_trips_in_camel_case() {
    let version = round_trip::<ops::VersionInfoAnswer>(VERSION_INFO_CAMEL);
    let v = &version.body;
    assert_eq!(v.event_time.as_deref(), Some("2022-11-18T13:18:52Z"));
    assert_eq!(v.partner_id.as_deref(), Some("acme-pos"));
    assert_eq!(v.plugin_version, Some(41));
    assert_eq!(v.restaurant_version.as_deref(), Some("8.4.2"));
    assert_eq!(v.restaurant_license_date_end.as_deref(), Some("2023.12.31"));
    assert_eq!(v.additional_info.as_ref().unwrap()["terminal"], "Каса 1");
    assert_eq!(v.update_info.len(), 1);
    assert_eq!(v.implemented_features.len(), 4);
    assert!(v.has_feature(ops::feature::BILL_V_2));
    assert!(v.has_feature(ops::feature::ORDERS_CACHE));
    assert!(!v.has_feature(ops::feature::STOP_LIST), "implemented but not available is off");
    assert!(!v.has_feature("LOYALTY"), "an undeclared feature is off");
    assert_eq!(v.implemented_features[3].info.as_ref().unwrap()["orderTypeCode"], "QR_TABLE");
}

#[test]
fn version_info_in_the_older_dotted_form_reads_like_camel_case() {
    let dotted = format!(
        r#"{{"rID": "{RID}", "eventTime": "2022-11-18T13:18:52Z", "partner.id": "acme-pos", "plugin.version": "41",
            "restaurant.version": "8.4.2", "restaurant.license.date.end": "2023.12.31",
            "systemInfo": {{"os": "Windows 10", "terminal": "Каса 1"}}}}"#
    );
    let old = round_trip::<ops::VersionInfoAnswer>(&dotted);
    let camel = Callback::<ops::VersionInfoAnswer>::parse(VERSION_INFO_CAMEL.as_bytes()).unwrap();
    let expected = ops::VersionInfoAnswer { implemented_features: vec![], update_info: vec![], ..camel.body };
    assert_eq!(old.body, expected);
    assert!(written(&old).contains(r#""pluginVersion":41"#), "written back in camelCase");
}

#[test]
fn check_products_restrictions_round_trips() {
    let body = format!(
        r#"{{"rID": "{RID}", "result": {{"checkResult": false, "itemResults": [
            {{"id": "dish-latte", "name": "Лате", "available": true, "exceedQuantity": 0}},
            {{"id": "dish-raf", "name": "Раф", "available": false, "exceedQuantity": 1.5}}]}}}}"#
    );
    let check = round_trip::<ops::RestrictionsAnswer>(&body);
    let r = &check.body.result;
    assert!(!r.check_result);
    assert_eq!(r.item_results.len(), 2);
    assert!(r.item_results[0].available);
    assert_eq!((r.item_results[1].name.as_str(), r.item_results[1].available), ("Раф", false));
    assert_eq!(r.item_results[1].exceed_quantity, Some(qty("1.5")));
}

#[test]
fn create_order_on_table_round_trips() {
    let body = format!(
        r#"{{"rID": "{RID}", "result": {{
            "success": true, "stage": null,
            "rootOrder": {{"orderId": "b-32071", "orderNumber": 32071, "resultSum": 160.00, "orderStatus": "PAYED",
                          "tableNumber": "12", "waiterId": "w-7", "waiter": "Олена Коваль"}},
            "ordersSummary": [{{"orderId": "b-32071", "sum": 160.0, "status": "PAYED"}}],
            "guests": [{{"name": "Гість 1", "dishes": [
                {{"dishId": "dish-latte", "positionId": "p-10", "name": "Лате", "count": 2, "sum": 130.00}},
                {{"dishId": "mod-syrup", "positionId": "p-11", "linkedTo": "p-10", "name": "Сироп", "count": 2, "sum": 30.00, "type": "modifier"}}]}}]}}}}"#
    );
    let created = round_trip::<ops::CreateOrderAnswer>(&body);
    let r = &created.body.result;
    assert!(r.success);
    assert_eq!(r.stage, None);
    let root = r.root_order.as_ref().unwrap();
    assert_eq!(root.order_id.as_deref(), Some("b-32071"));
    assert_eq!(root.order_number, Some(32071));
    assert_eq!(root.result_sum, Some(kop(16000)));
    assert_eq!(root.order_status.as_deref(), Some("PAYED"));
    assert_eq!(
        (root.table_number.as_deref(), root.waiter_id.as_deref(), root.waiter.as_deref()),
        (Some("12"), Some("w-7"), Some("Олена Коваль"))
    );
    assert_eq!(r.orders_summary.len(), 1);
    let total: Money = r.guests.iter().flat_map(|g| &g.dishes).map(|d| d.sum).sum();
    assert_eq!(total, root.result_sum.unwrap());
    assert!(written(&created).contains(r#""resultSum":160.00"#));
}

#[test]
fn create_order_on_table_failure_round_trips_with_its_stage() {
    let body = format!(
        r#"{{"rID": "{RID}", "state": "FAIL", "substate": "POS_ERROR", "result": {{"success": false, "stage": "STOCK_CHECK"}}}}"#
    );
    let created = round_trip::<ops::CreateOrderAnswer>(&body);
    assert!(!created.body.result.success);
    assert_eq!(created.body.result.stage.as_deref(), Some("STOCK_CHECK"));
}

/// A realistic callback body for each operation answered by a callback.
fn sample_callback(operation: Operation) -> Option<String> {
    let simple = |fields: &str| format!(r#"{{"rID": "{RID}", {fields}}}"#);
    Some(match operation {
        Operation::GetBill => get_bill_body(),
        Operation::PayBill => simple(r#""billId": "b-32070", "state": "SUCCESS", "orderNumber": 32070"#),
        Operation::SplitOrder => {
            simple(r#""orders": [{"billId": "a", "totalSum": 1}, {"billId": "b", "totalSum": 2}]"#)
        }
        Operation::TablesInfo => SEED_TABLES_BODY.replace("2022-11-18 13:20:58.329551967#IRuFbD3", RID),
        Operation::HallplansInfo => simple(r#""hallPlans": [{"id": "h-1", "name": "Зала 1"}]"#),
        Operation::UsersInfo => simple(r#""users": [{"id": "w-7", "name": "Олена", "roles": "waiter"}]"#),
        Operation::CategoriesInfo => simple(r#""categories": [{"id": "cat-1", "name": "Супи"}]"#),
        Operation::MenuInfo => simple(r#""dishes": [{"id": "d-1", "name": "Борщ", "price": 95}]"#),
        Operation::StopList => simple(r#""items": [{"productId": "d-1", "balance": 0}]"#),
        Operation::CheckWork => simple(r#""dateTime": "2022.11.18 13:18:52", "readyToWork": true"#),
        Operation::VersionInfo => VERSION_INFO_CAMEL.to_string(),
        Operation::CheckProductsRestrictions => simple(r#""result": {"checkResult": true, "itemResults": []}"#),
        Operation::CreateOrderOnTable => simple(r#""result": {"success": true}"#),
        Operation::SetSettings | Operation::ShowMessage => return None,
    })
}

#[test]
fn every_operation_with_a_callback_accepts_its_sample_answer() {
    for &operation in Operation::ALL {
        match sample_callback(operation) {
            Some(body) => {
                assert!(operation.expects_callback(), "{operation} has a sample but expects no callback");
                let head =
                    validate_callback(operation, body.as_bytes()).unwrap_or_else(|e| panic!("{operation}: {e:?}"));
                assert_eq!(head.rid, RID, "{operation}");
            }
            None => {
                assert!(!operation.expects_callback(), "{operation} expects a callback but has no sample here");
                assert_eq!(
                    validate_callback(operation, format!(r#"{{"rID": "{RID}"}}"#).as_bytes()),
                    Err(CallbackError::NoCallback(operation))
                );
            }
        }
    }
}

// ---- webhooks (spec section 6) ----

fn webhook_round_trip(body: &str) -> Webhook {
    let hook = Webhook::parse(body.as_bytes()).unwrap_or_else(|e| panic!("refused: {e:?}\n{body}"));
    let written = serde_json::to_vec(&hook).unwrap();
    let again = Webhook::parse(&written).unwrap_or_else(|e| panic!("refused our own output: {e:?}"));
    assert_eq!(again, hook, "written as {}", String::from_utf8_lossy(&written));
    hook
}

#[test]
fn orders_cache_webhook_round_trips_with_short_and_full_orders() {
    let body = format!(
        r#"{{"webhookType": "ORDERS_CACHE", "eventTime": "2022-11-18T13:19:00Z",
            "actualOrders": [
                {{"billId": "b-32070", "tableNumber": "12", "orderNumber": 32070, "totalSum": 129.20, "state": "BILL"}},
                {{"billId": "b-32072", "tableNumber": 5, "orderNumber": "32072", "totalSum": 0, "state": "NEW"}}],
            "orders": [{ORDER_32070}]}}"#
    );
    let hook = webhook_round_trip(&body);
    assert_eq!(hook.kind(), "ORDERS_CACHE");
    let Webhook::OrdersCache(cache) = hook else { panic!("not ORDERS_CACHE: {hook:?}") };
    assert_eq!(cache.event_time.as_deref(), Some("2022-11-18T13:19:00Z"));
    assert_eq!(cache.actual_orders.len(), 2);
    let short = &cache.actual_orders[0];
    assert_eq!(
        (short.bill_id.as_str(), short.table_number.as_deref(), short.order_number),
        ("b-32070", Some("12"), Some(32070))
    );
    assert_eq!((short.total_sum, short.state), (kop(12920), Some(OrderState::Bill)));
    let empty = &cache.actual_orders[1];
    assert_eq!(
        (empty.table_number.as_deref(), empty.order_number, empty.total_sum),
        (Some("5"), Some(32072), Money::ZERO)
    );
    assert_eq!(empty.state, Some(OrderState::New));
    assert_eq!(cache.orders.len(), 1);
    assert_eq!(cache.orders[0].total_sum, kop(12920));
    assert_eq!(cache.orders[0].lines().count(), 3);
}

#[test]
fn orders_cache_webhook_is_written_with_its_type_tag_first() {
    let body = r#"{"webhookType": "ORDERS_CACHE", "actualOrders": [{"billId": "b-1", "totalSum": 129.2}]}"#;
    let hook = webhook_round_trip(body);
    assert_eq!(
        written(&hook),
        r#"{"webhookType":"ORDERS_CACHE","actualOrders":[{"billId":"b-1","totalSum":129.20}],"orders":[]}"#
    );
}

#[test]
fn orders_closed_webhook_round_trips() {
    let body = r#"{"webhookType": "ORDERS_CLOSED", "eventTime": "2022-11-18T13:25:01Z",
        "closedOrders": [{"billId": "b-32070", "closedAt": "2022-11-18T13:25:00Z"}, {"billId": 32072}]}"#;
    let Webhook::OrdersClosed(closed) = webhook_round_trip(body) else { panic!("not ORDERS_CLOSED") };
    assert_eq!(closed.event_time.as_deref(), Some("2022-11-18T13:25:01Z"));
    let c: Vec<_> = closed.closed_orders.iter().map(|c| (c.bill_id.as_str(), c.closed_at.as_deref())).collect();
    assert_eq!(c, [("b-32070", Some("2022-11-18T13:25:00Z")), ("32072", None)]);
}

#[test]
fn user_update_webhook_round_trips() {
    let body = r#"{"webhookType": "USER_UPDATE", "eventTime": "2022-11-18T13:30:00Z", "action": "updated",
        "user": {"id": "w-7", "name": "Олена Коваль-Шевчук", "cellPhone": "+380501234567", "roles": "waiter,manager"}}"#;
    let Webhook::UserUpdate(update) = webhook_round_trip(body) else { panic!("not USER_UPDATE") };
    assert_eq!(update.action, UserAction::Updated);
    assert_eq!(update.user.id, "w-7");
    assert_eq!(update.user.name, "Олена Коваль-Шевчук");
    assert_eq!(update.user.roles, ["waiter", "manager"]);
    for (wire, action) in [("created", UserAction::Created), ("DELETED", UserAction::Deleted)] {
        let body = format!(r#"{{"webhookType": "USER_UPDATE", "action": "{wire}", "user": {{"id": "w-9"}}}}"#);
        let Webhook::UserUpdate(update) = webhook_round_trip(&body) else { panic!("not USER_UPDATE") };
        assert_eq!(update.action, action, "{wire}");
    }
}

#[test]
fn webhook_type_is_read_in_any_letter_case() {
    let hook = Webhook::parse(br#"{"webhookType": "orders_closed", "closedOrders": []}"#).unwrap();
    assert_eq!(hook.kind(), "ORDERS_CLOSED");
}

#[test]
fn unknown_webhook_type_is_refused_by_name() {
    let refused = Webhook::parse(br#"{"webhookType": "ORDERS_EXPLODED", "orders": []}"#);
    assert_eq!(refused, Err(WebhookError::UnknownType("ORDERS_EXPLODED".into())));
}

#[test]
fn webhook_without_a_type_is_refused_with_the_field_named() {
    let Err(WebhookError::Invalid(errors)) = Webhook::parse(br#"{"closedOrders": []}"#) else {
        panic!("a webhook without webhookType must be invalid")
    };
    assert_eq!(errors[0].field, "webhookType");
}

#[test]
fn user_update_with_an_unknown_action_is_refused_at_action() {
    let Err(WebhookError::Invalid(errors)) =
        Webhook::parse(br#"{"webhookType": "USER_UPDATE", "action": "promoted", "user": {"id": "w-7"}}"#)
    else {
        panic!("an unknown action must be invalid")
    };
    assert_eq!(errors[0].field, "action");
}

#[test]
fn orders_cache_with_unreadable_money_is_refused_at_its_path() {
    let Err(WebhookError::Invalid(errors)) = Webhook::parse(
        br#"{"webhookType": "ORDERS_CACHE", "actualOrders": [{"billId": "b-1", "totalSum": 1}, {"billId": "b-2", "totalSum": 1.005}]}"#,
    ) else {
        panic!("a three-decimal total must be invalid")
    };
    assert_eq!(errors[0].field, "actualOrders[1].totalSum");
}
