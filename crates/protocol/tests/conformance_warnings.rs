//! Conformance warnings (spec section 4): each loose form that is accepted is reported with a
//! stable kind and the path of the field, next to the typed answer it reads as.

use rahunok_protocol::conformance::kind;
use rahunok_protocol::envelope::{substate, AnswerBody, Callback, RequestFrame};
use rahunok_protocol::ops::{self, validate_callback_with_warnings, PluginSettings, SetSettings};
use rahunok_protocol::{ConformanceWarning, Operation};

/// Parses `body` with warnings, panicking on a refusal.
fn parse<A: AnswerBody>(body: &str) -> (Callback<A>, Vec<ConformanceWarning>) {
    Callback::<A>::parse_with_warnings(body.as_bytes()).unwrap_or_else(|errors| panic!("refused: {errors:?}\n{body}"))
}

fn kinds_and_fields(warnings: &[ConformanceWarning]) -> Vec<(&str, &str)> {
    warnings.iter().map(|w| (w.kind.as_str(), w.field.as_str())).collect()
}

#[test]
fn dotted_version_info_with_a_text_plugin_version_is_read_with_warnings() {
    let body = r#"{"rID": "r1", "state": "SUCCESS", "partner.id": "acme", "plugin.version": "v0.6.0", "restaurant.version": "1.2", "systemInfo": {"os": "win"}, "additionalInfo": null, "updateInfo": null}"#;
    let (version, warnings) = parse::<ops::VersionInfoAnswer>(body);
    assert_eq!(version.head.failure(), None);
    assert_eq!(version.body.partner_id.as_deref(), Some("acme"));
    assert_eq!(version.body.plugin_version, None);
    assert_eq!(version.body.plugin_version_text.as_deref(), Some("v0.6.0"));
    assert_eq!(version.body.restaurant_version.as_deref(), Some("1.2"));
    assert_eq!(version.body.additional_info, Some(serde_json::json!({"os": "win"})));
    assert!(version.body.update_info.is_empty());
    assert_eq!(
        kinds_and_fields(&warnings),
        [
            (kind::NULL_LIST, "updateInfo"),
            (kind::DOTTED_VERSION_INFO, "partner.id"),
            (kind::DOTTED_VERSION_INFO, "plugin.version"),
            (kind::DOTTED_VERSION_INFO, "restaurant.version"),
            (kind::DOTTED_VERSION_INFO, "systemInfo"),
            (kind::UNREADABLE_INFORMATIONAL, "plugin.version"),
        ]
    );
    // The same through the operation-level entry point the server uses.
    let (head, again) = validate_callback_with_warnings(Operation::VersionInfo, body.as_bytes()).unwrap();
    assert_eq!((head.rid.as_str(), again), ("r1", warnings));
}

#[test]
fn readable_plugin_version_keeps_its_text_too_and_a_camel_case_text_version_is_a_warning() {
    let (version, warnings) = parse::<ops::VersionInfoAnswer>(r#"{"rID": "r1", "pluginVersion": 41}"#);
    assert_eq!((version.body.plugin_version, version.body.plugin_version_text.as_deref()), (Some(41), Some("41")));
    assert!(warnings.is_empty(), "{warnings:?}");
    let (version, warnings) = parse::<ops::VersionInfoAnswer>(r#"{"rID": "r1", "pluginVersion": "v0.6.0"}"#);
    assert_eq!((version.body.plugin_version, version.body.plugin_version_text.as_deref()), (None, Some("v0.6.0")));
    assert_eq!(kinds_and_fields(&warnings), [(kind::UNREADABLE_INFORMATIONAL, "pluginVersion")]);
    let (version, warnings) =
        parse::<ops::VersionInfoAnswer>(r#"{"rID": "r1", "restaurantVersion": {"major": 7}, "updateInfo": "soon"}"#);
    assert_eq!(version.body.restaurant_version, None);
    assert_eq!(version.body.update_info, [serde_json::json!("soon")]);
    assert_eq!(
        kinds_and_fields(&warnings),
        [(kind::TEXT_AS_LIST, "updateInfo"), (kind::UNREADABLE_INFORMATIONAL, "restaurantVersion")]
    );
}

#[test]
fn stop_list_items_written_as_id_and_quantity_read_as_product_id_and_balance() {
    let body = r#"{"rID":"r1","state":"SUCCESS","items":[{"id":"dish-uzvar","quantity":0},{"id":"dish-borshch","quantity":2}]}"#;
    let (stop, warnings) = parse::<ops::StopListAnswer>(body);
    let items: Vec<(&str, String)> =
        stop.body.items.iter().map(|i| (i.product_id.as_str(), i.balance.to_string())).collect();
    assert_eq!(items, [("dish-uzvar", "0".to_string()), ("dish-borshch", "2".to_string())]);
    assert_eq!(
        kinds_and_fields(&warnings),
        [(kind::STOP_LIST_ID_QUANTITY, "items[0]"), (kind::STOP_LIST_ID_QUANTITY, "items[1]")]
    );
    // Written back in the spec's spelling.
    assert!(serde_json::to_string(&stop).unwrap().contains(r#"{"productId":"dish-uzvar","balance":0}"#));
    // Neither spelling of the id is a field error at the item's path.
    let errors = Callback::<ops::StopListAnswer>::parse(br#"{"rID":"r1","items":[{"quantity":0}]}"#).unwrap_err();
    assert_eq!(errors[0].field, "items[0].productId");
}

#[test]
fn split_order_fail_with_a_number_table_and_null_orders_is_a_failure_with_warnings() {
    let body = r#"{"rID": "r1", "state": "FAIL", "tableNumber": 12, "orders": null}"#;
    let (split, warnings) = parse::<ops::SplitAnswer>(body);
    assert_eq!(split.head.failure().as_deref(), Some(substate::UNSPECIFIED));
    assert_eq!(split.body.0.table_number.as_deref(), Some("12"));
    assert!(split.body.0.orders.is_empty());
    assert_eq!(
        kinds_and_fields(&warnings),
        [
            (kind::FAIL_WITHOUT_SUBSTATE, "substate"),
            (kind::STRING_AS_NUMBER, "tableNumber"),
            (kind::NULL_LIST, "orders")
        ]
    );
}

#[test]
fn get_bill_table_number_only_at_the_top_level_applies_to_the_order() {
    let body = r#"{"rID": "r1", "state": "SUCCESS", "tableNumber": "12", "orders": [
        {"billId": "b-32070", "orderNumber": 32070, "state": "BILL", "totalSum": 129.20,
         "guests": [{"name": "Гість 1", "dishes": [{"dishId": "dish-borshch", "positionId": "p-1", "linkedTo": null,
                     "name": "Борщ", "count": 1, "sum": 129.20}]}]},
        {"billId": "b-32071", "tableNumber": "14", "totalSum": 10.00}]}"#;
    let (bill, warnings) = parse::<ops::BillAnswer>(body);
    assert_eq!(bill.body.orders[0].table_number.as_deref(), Some("12"));
    assert_eq!(bill.body.orders[1].table_number.as_deref(), Some("14"), "an order's own table wins");
    assert_eq!(kinds_and_fields(&warnings), [(kind::TOP_LEVEL_TABLE_NUMBER, "orders[0].tableNumber")]);
}

#[test]
fn loose_forms_deep_in_a_bill_are_reported_at_their_paths() {
    let body = r#"{"rID": "r1", "state": "success", "substate": "", "orders": [
        {"billId": 32070, "orderNumber": "32070", "state": "Bill", "totalSum": 120, "created": "",
         "discounts": null, "splitAvailable": "true",
         "guests": {"name": "Гість 1", "dishes": [{"name": "Борщ", "linkedTo": "", "sum": "95.00"}]}}]}"#;
    let (bill, warnings) = parse::<ops::BillAnswer>(body);
    assert_eq!(bill.body.orders[0].total_sum.kopiyky(), 12000);
    assert_eq!(
        kinds_and_fields(&warnings),
        [
            (kind::ENUM_CASE, "state"),
            (kind::EMPTY_STRING_AS_ABSENT, "substate"),
            (kind::STRING_AS_NUMBER, "orders[0].billId"),
            (kind::NUMBER_AS_STRING, "orders[0].orderNumber"),
            (kind::ENUM_CASE, "orders[0].state"),
            (kind::WHOLE_NUMBER_MONEY, "orders[0].totalSum"),
            (kind::EMPTY_STRING_AS_ABSENT, "orders[0].created"),
            (kind::NULL_OBJECT, "orders[0].discounts"),
            (kind::LOOSE_BOOL, "orders[0].splitAvailable"),
            (kind::OBJECT_AS_LIST, "orders[0].guests"),
            (kind::EMPTY_STRING_AS_ABSENT, "orders[0].guests[0].dishes[0].linkedTo"),
            (kind::NUMBER_AS_STRING, "orders[0].guests[0].dishes[0].sum"),
        ]
    );
}

#[test]
fn a_conformant_answer_has_no_warnings() {
    let body = r#"{"rID": "r1", "state": "SUCCESS", "substate": null, "tableNumber": "12", "orders": [
        {"billId": "b-1", "tableNumber": "12", "state": "NEW", "totalSum": 129.20, "discounts": {"list": []},
         "guests": [{"name": "Гість 1", "dishes": [{"name": "Борщ", "linkedTo": null, "count": 1, "sum": 129.20}]}]}]}"#;
    let (_, warnings) = parse::<ops::BillAnswer>(body);
    assert!(warnings.is_empty(), "{warnings:?}");
    let (_, warnings) = parse::<ops::StopListAnswer>(r#"{"rID":"r1","items":[{"productId":"d","balance":0.5}]}"#);
    assert!(warnings.is_empty(), "{warnings:?}");
}

#[test]
fn set_settings_sends_load_modifiers_as_a_string_and_reads_both_forms() {
    let frame = serde_json::to_string(&RequestFrame::message("r1", &SetSettings::default())).unwrap();
    assert!(frame.contains(r#""settings":{"load_modifiers":"true"}"#), "{frame}");
    for (wire, expected) in [(r#""true""#, true), ("true", true), (r#""false""#, false), ("false", false)] {
        let read: SetSettings =
            serde_json::from_str(&format!(r#"{{"settings": {{"load_modifiers": {wire}}}}}"#)).unwrap();
        assert_eq!(read.settings, PluginSettings { load_modifiers: expected }, "{wire}");
    }
}

#[test]
fn warnings_serialise_in_camel_case_for_the_store_and_the_panel() {
    let (_, warnings) = parse::<ops::SplitAnswer>(r#"{"rID": "r1", "state": "FAIL"}"#);
    let json = serde_json::to_value(&warnings).unwrap();
    assert_eq!(json[0]["kind"], "FAIL_WITHOUT_SUBSTATE");
    assert_eq!(json[0]["field"], "substate");
    let back: Vec<ConformanceWarning> = serde_json::from_value(json).unwrap();
    assert_eq!(back, warnings);
}
