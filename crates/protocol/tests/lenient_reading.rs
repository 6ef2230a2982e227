//! Spec section 4, "Be liberal in what you accept": loosely typed answers from integrations
//! already in production are accepted and normalised, not refused.

use rahunok_protocol::envelope::{AnswerHead, AnswerState, Callback};
use rahunok_protocol::ops::{self, BillAnswer};
use rahunok_protocol::order::{Order, OrderState};
use rahunok_protocol::webhook::Webhook;
use rahunok_protocol::{Money, Quantity};

const RID: &str = "2022-11-18 13:18:51.694125371#Lm4R2EQ";

fn bill(body: &str) -> Callback<BillAnswer> {
    Callback::<BillAnswer>::parse(body.as_bytes()).unwrap_or_else(|errors| panic!("refused: {errors:?}\n{body}"))
}

/// A getBill answer with one order whose fields are `order_fields` (plus its bill id).
fn bill_with_order(order_fields: &str) -> Order {
    let body = format!(r#"{{"rID": "{RID}", "state": "SUCCESS", "orders": [{{"billId": "b-1", {order_fields}}}]}}"#);
    bill(&body).body.orders.into_iter().next().unwrap()
}

fn kop(kopiyky: i64) -> Money {
    Money::from_kopiyky(kopiyky).unwrap()
}

#[test]
fn table_number_reads_the_same_as_number_or_string() {
    let as_number = bill(&format!(r#"{{"rID": "{RID}", "tableNumber": 12, "orders": []}}"#));
    let as_string = bill(&format!(r#"{{"rID": "{RID}", "tableNumber": "12", "orders": []}}"#));
    assert_eq!(as_number.body.table_number.as_deref(), Some("12"));
    assert_eq!(as_number, as_string);
}

#[test]
fn table_number_field_of_a_table_reads_from_a_string() {
    let body = format!(r#"{{"rID": "{RID}", "tables": [{{"id": "t", "name": "Біля вікна", "number": "12"}}]}}"#);
    let tables = Callback::<ops::TablesInfoAnswer>::parse(body.as_bytes()).unwrap();
    assert_eq!(tables.body.tables[0].number, 12);
}

#[test]
fn ids_and_order_numbers_read_from_either_numbers_or_strings() {
    let a = bill_with_order(r#""orderNumber": 32070, "tableId": 5, "totalSum": 1"#);
    let b = bill_with_order(r#""orderNumber": "32070", "tableId": "5", "totalSum": "1""#);
    assert_eq!(a, b);
    assert_eq!((a.order_number, a.table_id.as_deref()), (Some(32070), Some("5")));
    let numeric_bill_id = bill(&format!(r#"{{"rID": "{RID}", "orders": [{{"billId": 32070, "totalSum": 1}}]}}"#));
    assert_eq!(numeric_bill_id.body.orders[0].bill_id, "32070");
}

#[test]
fn orders_null_reads_as_no_orders() {
    let answer = bill(&format!(r#"{{"rID": "{RID}", "state": "SUCCESS", "orders": null}}"#));
    assert!(answer.body.orders.is_empty());
    let absent = bill(&format!(r#"{{"rID": "{RID}", "state": "SUCCESS"}}"#));
    assert_eq!(absent, answer);
}

#[test]
fn discounts_with_a_null_list_read_as_no_discounts() {
    let order = bill_with_order(r#""totalSum": 129.20, "discounts": {"list": null}"#);
    assert!(order.discounts.list.is_empty());
}

#[test]
fn discounts_that_are_null_read_as_no_discounts() {
    // An optional field that is `null` is the same as an absent one.
    let order = bill_with_order(r#""totalSum": 129.20, "discounts": null"#);
    assert!(order.discounts.list.is_empty());
}

#[test]
fn discounts_that_are_an_empty_string_read_as_no_discounts() {
    let order = bill_with_order(r#""totalSum": 129.20, "discounts": """#);
    assert!(order.discounts.list.is_empty());
}

#[test]
fn empty_linked_to_means_no_parent_line() {
    let order = bill_with_order(
        r#""totalSum": 95, "guests": [{"name": "Гість 1", "dishes": [
            {"positionId": "p-1", "linkedTo": "", "name": "Борщ", "count": 1, "sum": 95},
            {"positionId": "p-2", "linkedTo": null, "name": "Хліб", "count": 1, "sum": 0},
            {"positionId": "p-3", "name": "Вода", "count": 1, "sum": 0},
            {"positionId": "p-4", "linkedTo": "p-1", "name": "Сметана", "count": 1, "sum": 0}]}]"#,
    );
    let parents: Vec<_> = order.lines().map(|d| d.linked_to.as_deref()).collect();
    assert_eq!(parents, [None, None, None, Some("p-1")]);
}

#[test]
fn empty_created_means_unknown() {
    assert_eq!(bill_with_order(r#""totalSum": 1, "created": """#).created, None);
    assert_eq!(bill_with_order(r#""totalSum": 1, "created": null"#).created, None);
    assert_eq!(
        bill_with_order(r#""totalSum": 1, "created": "2022.11.18 13:05:10""#).created.as_deref(),
        Some("2022.11.18 13:05:10")
    );
}

#[test]
fn empty_optional_strings_and_money_read_as_absent() {
    let order = bill_with_order(
        r#""totalSum": 1, "rootBillId": "", "waiter": "", "waiterId": null, "rawSum": "", "bonusSum": null, "state": """#,
    );
    assert_eq!(order, bill_with_order(r#""totalSum": 1"#));
}

#[test]
fn order_state_is_read_in_any_letter_case() {
    for (wire, state) in [
        ("New", OrderState::New),
        ("bill", OrderState::Bill),
        ("PAYED", OrderState::Payed),
        ("Payed", OrderState::Payed),
    ] {
        let order = bill_with_order(&format!(r#""totalSum": 1, "state": "{wire}""#));
        assert_eq!(order.state, Some(state), "{wire}");
    }
}

#[test]
fn answer_state_is_read_in_any_letter_case() {
    for (wire, state) in
        [("success", AnswerState::Success), ("Success", AnswerState::Success), ("fail", AnswerState::Fail)]
    {
        let body = format!(r#"{{"rID": "{RID}", "state": "{wire}", "substate": "ORDER_NOT_FOUND"}}"#);
        assert_eq!(bill(&body).head.state, state, "{wire}");
    }
}

#[test]
fn substate_is_reported_in_upper_case_whatever_the_pos_wrote() {
    let body = format!(r#"{{"rID": "{RID}", "state": "FAIL", "substate": "table_not_found"}}"#);
    assert_eq!(bill(&body).head.failure().as_deref(), Some("TABLE_NOT_FOUND"));
}

#[test]
fn success_with_empty_substate_error_code_and_message_is_accepted() {
    let body = format!(
        r#"{{"rID": "{RID}", "state": "SUCCESS", "substate": "", "errorCode": "", "errorMessage": "", "orders": []}}"#
    );
    let answer = bill(&body);
    assert_eq!(answer.head, AnswerHead::success(RID));
}

#[test]
fn answer_without_state_is_a_success() {
    let body = format!(r#"{{"rID": "{RID}", "orders": []}}"#);
    assert_eq!(bill(&body).head.state, AnswerState::Success);
}

#[test]
fn whole_number_money_equals_two_decimal_money() {
    let whole = bill_with_order(r#""totalSum": 120"#);
    let decimals = bill_with_order(r#""totalSum": 120.00"#);
    let text = bill_with_order(r#""totalSum": "120.00""#);
    let one_decimal = bill_with_order(r#""totalSum": 120.0"#);
    assert_eq!(whole.total_sum, kop(12000));
    assert_eq!(whole, decimals);
    assert_eq!(whole, text);
    assert_eq!(whole, one_decimal);
}

#[test]
fn roles_read_from_a_comma_separated_string_and_from_an_array() {
    let parse = |roles: &str| {
        let body = format!(r#"{{"rID": "{RID}", "users": [{{"id": "w-7", "name": "Олена", "roles": {roles}}}]}}"#);
        Callback::<ops::UsersInfoAnswer>::parse(body.as_bytes()).unwrap().body.users.remove(0).roles
    };
    assert_eq!(parse(r#""waiter,manager""#), ["waiter", "manager"]);
    assert_eq!(parse(r#""waiter, manager""#), ["waiter", "manager"]);
    assert_eq!(parse(r#"["waiter", "manager"]"#), ["waiter", "manager"]);
    assert_eq!(parse(r#""waiter""#), ["waiter"]);
    assert!(parse(r#""""#).is_empty());
    assert!(parse("null").is_empty());
}

#[test]
fn a_single_guest_object_reads_as_a_list_of_one() {
    let order = bill_with_order(
        r#""totalSum": 95, "guests": {"name": "Гість 1", "dishes": {"positionId": "p-1", "name": "Борщ", "count": 1, "sum": 95}}"#,
    );
    assert_eq!(order.guests.len(), 1);
    assert_eq!(order.guests[0].name, "Гість 1");
    assert_eq!(order.guests[0].dishes.len(), 1);
    assert_eq!(order.guests[0].dishes[0].sum, kop(9500));
}

#[test]
fn a_single_order_object_reads_as_a_list_of_one() {
    let answer = bill(&format!(r#"{{"rID": "{RID}", "orders": {{"billId": "b-1", "totalSum": 129.20}}}}"#));
    assert_eq!(answer.body.orders.len(), 1);
    assert_eq!(answer.body.orders[0].total_sum, kop(12920));
}

#[test]
fn booleans_read_from_strings_numbers_and_null() {
    for (wire, expected) in [
        ("true", true),
        (r#""true""#, true),
        (r#""True""#, true),
        ("1", true),
        ("false", false),
        (r#""0""#, false),
        ("null", false),
        (r#""""#, false),
    ] {
        let order = bill_with_order(&format!(r#""totalSum": 1, "splitAvailable": {wire}"#));
        assert_eq!(order.split_available, expected, "splitAvailable: {wire}");
    }
}

#[test]
fn fractional_count_reads_exactly_from_number_or_string() {
    let order = bill_with_order(
        r#""totalSum": 1, "guests": [{"name": "", "dishes": [{"name": "Сало", "count": 0.35, "sum": 1}, {"name": "Сир", "count": "1.3", "sum": 0}, {"name": "Хліб", "sum": 0}]}]"#,
    );
    let counts: Vec<_> = order.lines().map(|d| d.count).collect();
    assert_eq!(counts, [Quantity::parse("0.35").unwrap(), Quantity::parse("1.3").unwrap(), Quantity::whole(1)]);
}

#[test]
fn unknown_extra_fields_are_accepted() {
    let body = format!(
        r#"{{"rID": "{RID}", "state": "SUCCESS", "posBuild": "2024.1", "orders": [{{"billId": "b-1", "totalSum": 1, "vip": true, "guests": [{{"name": "", "color": "red", "dishes": []}}]}}]}}"#
    );
    assert_eq!(bill(&body).body.orders[0].bill_id, "b-1");
}

#[test]
fn fail_answer_with_an_unreadable_body_is_still_a_failure_not_a_refusal() {
    // A failed answer carries no data we rely on; only its substate matters.
    let body = format!(
        r#"{{"rID": "{RID}", "state": "FAIL", "substate": "ORDER_NOT_FOUND", "orders": [{{"totalSum": "abc"}}]}}"#
    );
    let answer = bill(&body);
    assert_eq!(answer.head.failure().as_deref(), Some("ORDER_NOT_FOUND"));
    assert!(answer.body.orders.is_empty());
}

#[test]
fn version_info_plugin_version_reads_from_string_or_number() {
    for wire in ["41", r#""41""#, "41.0"] {
        let body = format!(r#"{{"rID": "{RID}", "pluginVersion": {wire}}}"#);
        let version = Callback::<ops::VersionInfoAnswer>::parse(body.as_bytes()).unwrap();
        assert_eq!(version.body.plugin_version, Some(41), "{wire}");
    }
}

#[test]
fn empty_exceed_quantity_reads_as_absent() {
    let body = format!(
        r#"{{"rID": "{RID}", "result": {{"checkResult": true, "itemResults": [{{"id": "d-1", "name": "Лате", "available": true, "exceedQuantity": ""}}, {{"id": "d-2", "available": true, "exceedQuantity": null}}]}}}}"#
    );
    let check = Callback::<ops::RestrictionsAnswer>::parse(body.as_bytes()).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(check.body.result.item_results[0].exceed_quantity, None);
    assert_eq!(check.body.result.item_results[1].exceed_quantity, None);
}

#[test]
fn orders_cache_short_order_with_empty_or_lower_case_state_is_accepted() {
    let body = br#"{"webhookType": "ORDERS_CACHE", "actualOrders": [
        {"billId": "b-1", "totalSum": 0, "state": ""},
        {"billId": "b-2", "totalSum": "", "state": null},
        {"billId": "b-3", "totalSum": 10, "state": "bill"}]}"#;
    let Webhook::OrdersCache(cache) = Webhook::parse(body).unwrap_or_else(|e| panic!("{e:?}")) else {
        panic!("not ORDERS_CACHE")
    };
    let states: Vec<_> = cache.actual_orders.iter().map(|o| o.state).collect();
    assert_eq!(states, [None, None, Some(OrderState::Bill)]);
    assert_eq!(cache.actual_orders[1].total_sum, Money::ZERO);
}

#[test]
fn a_dish_line_with_null_or_missing_count_is_one_piece() {
    let body = br#"{"rID":"r","orders":[{"billId":"b","totalSum":10,"guests":[{"name":"g","dishes":[
        {"name":"a","count":null,"sum":5},{"name":"b","sum":5}]}]}]}"#;
    let bill = rahunok_protocol::Callback::<rahunok_protocol::ops::BillAnswer>::parse(body).unwrap();
    let counts: Vec<String> = bill.body.orders[0].lines().map(|d| d.count.to_string()).collect();
    assert_eq!(counts, ["1", "1"]);
}

#[test]
fn a_pos_sending_both_spellings_is_read_not_refused() {
    let body =
        br#"{"rID":"r","pluginVersion":42,"plugin.version":"41","partner.id":"acme","restaurant.version":"7.1"}"#;
    let answer = Callback::<ops::VersionInfoAnswer>::parse(body).unwrap();
    assert_eq!(answer.body.plugin_version, Some(42), "the camelCase value wins");
    assert_eq!(answer.body.partner_id.as_deref(), Some("acme"));
    assert_eq!(answer.body.restaurant_version.as_deref(), Some("7.1"));
    let tables = br#"{"rID":"r","tables":[{"id":"t","number":1,"hallPlanId":"h1","hallplanId":"h2"}]}"#;
    let answer = Callback::<ops::TablesInfoAnswer>::parse(tables).unwrap();
    assert_eq!(answer.body.tables[0].hall_plan_id.as_deref(), Some("h1"));
}
