//! What is refused (spec section 4, step 6): an answer is unusable without an `rID`, as a bill
//! whose money cannot be read, or as a `SUCCESS` without the part its caller needs (no
//! `result`). Each refusal names the field by its path, as the error body of section 7 shows
//! it (`orders[0].totalSum`). A `FAIL` without a substate is usable: a failure with an
//! unspecified reason and a conformance warning.

use rahunok_protocol::conformance::kind;
use rahunok_protocol::envelope::{substate, Callback};
use rahunok_protocol::ops::{self, validate_callback, BillAnswer, CallbackError};
use rahunok_protocol::webhook::{Webhook, WebhookError};
use rahunok_protocol::{ErrorBody, FieldError, Operation};

const RID: &str = "2022-11-18 13:18:51.694125371#Lm4R2EQ";

/// The field errors of a refused getBill answer.
fn bill_refusal(body: &str) -> Vec<FieldError> {
    match Callback::<BillAnswer>::parse(body.as_bytes()) {
        Ok(accepted) => panic!("accepted {accepted:?}\n{body}"),
        Err(errors) => errors,
    }
}

fn fields(errors: &[FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}

/// A SUCCESS getBill answer whose first order has `total_sum` as its (raw JSON) totalSum.
fn bill_with_total(total_sum: &str) -> String {
    format!(r#"{{"rID": "{RID}", "state": "SUCCESS", "orders": [{{"billId": "b-1", "totalSum": {total_sum}}}]}}"#)
}

#[test]
fn unreadable_total_sum_is_refused_at_orders_0_total_sum() {
    let errors = bill_refusal(&bill_with_total(r#""abc""#));
    assert_eq!(fields(&errors), ["orders[0].totalSum"]);
    assert_eq!(errors[0].message, "`abc` is not an amount of money");
}

#[test]
fn total_sum_with_three_decimals_is_refused_at_its_path() {
    let errors = bill_refusal(&bill_with_total("12.345"));
    assert_eq!(fields(&errors), ["orders[0].totalSum"]);
    assert_eq!(errors[0].message, "`12.345` has more than 2 decimal places");
}

#[test]
fn negative_total_sum_is_refused_at_its_path() {
    let errors = bill_refusal(&bill_with_total("-129.20"));
    assert_eq!(fields(&errors), ["orders[0].totalSum"]);
    assert_eq!(errors[0].message, "`-129.20` is negative");
}

#[test]
fn total_sum_in_exponent_notation_is_refused() {
    assert_eq!(fields(&bill_refusal(&bill_with_total("1.292e2"))), ["orders[0].totalSum"]);
}

#[test]
fn missing_or_null_total_sum_is_refused_as_required() {
    let missing = bill_refusal(&format!(r#"{{"rID": "{RID}", "orders": [{{"billId": "b-1"}}]}}"#));
    assert_eq!(missing, [FieldError::new("orders[0].totalSum", "is required")]);
    let null = bill_refusal(&bill_with_total("null"));
    assert_eq!(fields(&null), ["orders[0].totalSum"]);
}

#[test]
fn money_error_in_the_second_order_names_index_1() {
    let body = format!(
        r#"{{"rID": "{RID}", "orders": [{{"billId": "b-1", "totalSum": 1}}, {{"billId": "b-2", "totalSum": 0.001}}]}}"#
    );
    assert_eq!(fields(&bill_refusal(&body)), ["orders[1].totalSum"]);
}

#[test]
fn money_error_deep_in_a_dish_line_names_the_whole_path() {
    let body = format!(
        r#"{{"rID": "{RID}", "orders": [{{"billId": "b-1", "totalSum": 1, "guests": [
            {{"name": "Гість 1", "dishes": []}},
            {{"name": "Гість 2", "dishes": [{{"name": "Борщ", "sum": 95.001}}]}}]}}]}}"#
    );
    assert_eq!(fields(&bill_refusal(&body)), ["orders[0].guests[1].dishes[0].sum"]);
}

#[test]
fn money_error_in_a_discount_names_the_whole_path() {
    let body = format!(
        r#"{{"rID": "{RID}", "orders": [{{"billId": "b-1", "totalSum": 1, "discounts": {{"list": [{{"name": "10%", "sum": "ten"}}]}}}}]}}"#
    );
    assert_eq!(fields(&bill_refusal(&body)), ["orders[0].discounts.list[0].sum"]);
}

#[test]
fn discounts_that_are_text_are_refused_at_their_path() {
    let body = format!(r#"{{"rID": "{RID}", "orders": [{{"billId": "b-1", "totalSum": 1, "discounts": "10%"}}]}}"#);
    assert_eq!(fields(&bill_refusal(&body)), ["orders[0].discounts"]);
}

#[test]
fn missing_bill_id_is_refused_at_its_path() {
    let body = format!(r#"{{"rID": "{RID}", "orders": [{{"totalSum": 1}}]}}"#);
    assert_eq!(bill_refusal(&body), [FieldError::new("orders[0].billId", "is required")]);
}

#[test]
fn unknown_order_state_is_refused_at_its_path() {
    let body = format!(r#"{{"rID": "{RID}", "orders": [{{"billId": "b-1", "totalSum": 1, "state": "CLOSED"}}]}}"#);
    let errors = bill_refusal(&body);
    assert_eq!(fields(&errors), ["orders[0].state"]);
    assert!(errors[0].message.contains("NEW, BILL, PAYED"), "{}", errors[0].message);
}

#[test]
fn missing_rid_is_refused_at_rid() {
    let errors = bill_refusal(r#"{"state": "SUCCESS", "orders": []}"#);
    assert_eq!(errors, [FieldError::new("rID", "is required")]);
}

#[test]
fn empty_or_null_rid_is_refused_at_rid() {
    for rid in [r#""""#, "null"] {
        let errors = bill_refusal(&format!(r#"{{"rID": {rid}, "orders": []}}"#));
        assert_eq!(fields(&errors), ["rID"], "rID: {rid}");
    }
}

#[test]
fn fail_without_substate_is_a_failure_with_an_unspecified_reason_and_a_warning() {
    for written in ["", r#", "substate": null"#, r#", "substate": """#] {
        let body = format!(r#"{{"rID": "{RID}", "state": "FAIL"{written}}}"#);
        let (answer, warnings) = Callback::<BillAnswer>::parse_with_warnings(body.as_bytes())
            .unwrap_or_else(|errors| panic!("refused {errors:?}\n{body}"));
        assert_eq!(answer.head.substate, None, "{body}");
        assert_eq!(answer.head.failure().as_deref(), Some(substate::UNSPECIFIED), "{body}");
        assert_eq!(warnings[0].kind, kind::FAIL_WITHOUT_SUBSTATE, "{body}");
        assert_eq!(warnings[0].field, "substate", "{body}");
    }
    // Every operation answered by a callback accepts it.
    for operation in Operation::ALL.iter().copied().filter(|o| o.expects_callback()) {
        let body = format!(r#"{{"rID": "{RID}", "state": "FAIL"}}"#);
        let (head, warnings) = ops::validate_callback_with_warnings(operation, body.as_bytes())
            .unwrap_or_else(|e| panic!("{operation:?} refused: {e:?}"));
        assert_eq!(head.failure().as_deref(), Some(substate::UNSPECIFIED));
        assert!(warnings.iter().any(|w| w.kind == kind::FAIL_WITHOUT_SUBSTATE), "{operation:?}");
    }
}

#[test]
fn success_without_a_result_is_refused_at_result() {
    for result in ["", r#", "result": null"#, r#", "result": """#] {
        let body = format!(r#"{{"rID": "{RID}", "state": "SUCCESS"{result}}}"#);
        for operation in [Operation::CheckProductsRestrictions, Operation::CreateOrderOnTable] {
            let Err(CallbackError::Invalid(errors)) = validate_callback(operation, body.as_bytes()) else {
                panic!("{operation:?} accepted {body}")
            };
            assert_eq!(errors, [FieldError::new("result", "is required")], "{operation:?} {body}");
        }
    }
    // A FAIL answer needs no result.
    let body = format!(r#"{{"rID": "{RID}", "state": "FAIL", "substate": "POS_ERROR"}}"#);
    assert!(Callback::<ops::RestrictionsAnswer>::parse(body.as_bytes()).is_ok());
    assert!(Callback::<ops::CreateOrderAnswer>::parse(body.as_bytes()).is_ok());
}

#[test]
fn unknown_answer_state_is_refused_at_state() {
    let errors = bill_refusal(&format!(r#"{{"rID": "{RID}", "state": "MAYBE"}}"#));
    assert_eq!(fields(&errors), ["state"]);
}

#[test]
fn head_and_body_problems_are_reported_together() {
    let body = r#"{"rID": "   ", "state": "FAIL", "orders": [{"billId": "b-1", "totalSum": 1.001}]}"#;
    // A blank rID is refused; the body of a FAIL answer is not held against it.
    assert_eq!(fields(&bill_refusal(body)), ["rID"]);
    let body = r#"{"rID": "   ", "state": "SUCCESS", "orders": [{"billId": "b-1", "totalSum": 1.001}]}"#;
    assert_eq!(fields(&bill_refusal(body)), ["rID", "orders[0].totalSum"]);
}

#[test]
fn body_that_is_not_an_object_is_refused() {
    for body in ["[]", "42", r#""text""#, "{", ""] {
        assert!(Callback::<BillAnswer>::parse(body.as_bytes()).is_err(), "{body:?}");
    }
}

#[test]
fn split_order_success_with_one_order_is_refused_at_orders() {
    let body = format!(r#"{{"rID": "{RID}", "state": "SUCCESS", "orders": [{{"billId": "b-1", "totalSum": 1}}]}}"#);
    let errors = Callback::<ops::SplitAnswer>::parse(body.as_bytes()).unwrap_err();
    assert_eq!(fields(&errors), ["orders"]);
    assert!(errors[0].message.contains("exactly two orders"), "{}", errors[0].message);
    assert!(errors[0].message.ends_with("got 1"), "{}", errors[0].message);
}

#[test]
fn split_order_success_with_three_or_no_orders_is_refused_at_orders() {
    let one = r#"{"billId": "b", "totalSum": 1}"#;
    for orders in [format!("[{one}, {one}, {one}]"), "[]".to_string(), "null".to_string()] {
        let body = format!(r#"{{"rID": "{RID}", "orders": {orders}}}"#);
        let errors = Callback::<ops::SplitAnswer>::parse(body.as_bytes()).unwrap_err();
        assert_eq!(fields(&errors), ["orders"], "orders: {orders}");
    }
}

#[test]
fn split_order_failure_needs_no_orders() {
    let body = format!(r#"{{"rID": "{RID}", "state": "FAIL", "substate": "ORDER_NOT_FOUND"}}"#);
    assert!(Callback::<ops::SplitAnswer>::parse(body.as_bytes()).is_ok());
}

#[test]
fn operations_without_a_callback_refuse_any_callback() {
    let body = format!(r#"{{"rID": "{RID}"}}"#);
    assert_eq!(
        validate_callback(Operation::SetSettings, body.as_bytes()),
        Err(CallbackError::NoCallback(Operation::SetSettings))
    );
    assert_eq!(
        validate_callback(Operation::ShowMessage, body.as_bytes()),
        Err(CallbackError::NoCallback(Operation::ShowMessage))
    );
}

#[test]
fn validate_callback_reports_field_paths_for_the_named_operation() {
    let body = bill_with_total("12.345");
    assert_eq!(
        validate_callback(Operation::GetBill, body.as_bytes()),
        Err(CallbackError::Invalid(vec![FieldError::new(
            "orders[0].totalSum",
            "`12.345` has more than 2 decimal places"
        )]))
    );
    // The same body is fine for an operation that has no totalSum to read.
    assert!(validate_callback(Operation::TablesInfo, body.as_bytes()).is_ok());
}

#[test]
fn table_number_that_is_not_whole_is_refused_at_its_path() {
    let body =
        format!(r#"{{"rID": "{RID}", "tables": [{{"id": "t-1", "number": 12}}, {{"id": "t-2", "number": "12a"}}]}}"#);
    let Err(CallbackError::Invalid(errors)) = validate_callback(Operation::TablesInfo, body.as_bytes()) else {
        panic!("a table number of 12a must be refused")
    };
    assert_eq!(fields(&errors), ["tables[1].number"]);
}

#[test]
fn menu_price_with_three_decimals_is_refused_at_its_path() {
    let body =
        format!(r#"{{"rID": "{RID}", "dishes": [{{"id": "d-1", "price": 95}}, {{"id": "d-2", "price": 9.999}}]}}"#);
    let Err(CallbackError::Invalid(errors)) = validate_callback(Operation::MenuInfo, body.as_bytes()) else {
        panic!("a price of 9.999 must be refused")
    };
    assert_eq!(fields(&errors), ["dishes[1].price"]);
}

#[test]
fn webhook_field_errors_name_their_path() {
    let Err(WebhookError::Invalid(errors)) =
        Webhook::parse(br#"{"webhookType": "ORDERS_CACHE", "orders": [{"billId": "b-1", "totalSum": "abc"}]}"#)
    else {
        panic!("unreadable money in a cached order must be refused")
    };
    assert_eq!(fields(&errors), ["orders[0].totalSum"]);
}

#[test]
fn field_errors_fill_the_error_body_of_section_7() {
    let errors = bill_refusal(&bill_with_total("12.345"));
    let body =
        ErrorBody::new("VALIDATION", "Invalid callback", "request", "The callback body is not valid for getBill.")
            .with_field_errors(errors);
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        r#"{"errCode":"VALIDATION","errText":"The callback body is not valid for getBill.","errTitle":"Invalid callback","errType":"request","fieldErrors":[{"field":"orders[0].totalSum","message":"`12.345` has more than 2 decimal places"}]}"#
    );
}
