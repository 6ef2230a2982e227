//! Request frames the server sends on the socket (spec sections 3 and 5):
//! `{"rID": ..., "operation": ..., <fields>}` with money as two-decimal JSON numbers.

use rahunok_protocol::envelope::{FrameHead, RequestFrame};
use rahunok_protocol::ops::{
    CheckProductsRestrictions, CreateOrderOnTable, GetBill, ItemModifier, OrderItem, PayBill, PluginSettings,
    SetSettings, ShowMessage, SplitOrder, SplitPosition, TablesInfo, VersionInfo,
};
use rahunok_protocol::order::FiscalLine;
use rahunok_protocol::{Money, Quantity};

const RID: &str = "2022-11-18 13:18:51.694125371#Lm4R2EQ";

fn kop(kopiyky: i64) -> Money {
    Money::from_kopiyky(kopiyky).unwrap()
}

fn qty(text: &str) -> Quantity {
    Quantity::parse(text).unwrap()
}

#[test]
fn get_bill_frame_for_a_table_carries_the_table_number_as_a_string() {
    let request = GetBill::for_table("12");
    assert_eq!(
        serde_json::to_string(&RequestFrame::new(RID, &request)).unwrap(),
        r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"getBill","tableNumber":"12"}"#
    );
}

#[test]
fn get_bill_frame_for_a_pre_check_carries_only_the_bill_id() {
    let request = GetBill::for_bill("b-32070");
    assert_eq!(
        serde_json::to_string(&RequestFrame::new(RID, &request)).unwrap(),
        r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"getBill","billId":"b-32070"}"#
    );
}

#[test]
fn pay_bill_frame_writes_sum_and_tips_with_two_decimals() {
    let request = PayBill {
        bill_id: "b-32070".into(),
        sum: kop(12920),
        tips: kop(1300),
        fiscal_data: vec![
            FiscalLine::new("Еквайр", "ПриватБанк"),
            FiscalLine::new("RRN", "123456789012"),
            FiscalLine::new("Код авторизації", "A1B2C3"),
            FiscalLine::new("Картка", "4149 **** **** 1234"),
        ],
    };
    let json = serde_json::to_string(&RequestFrame::new(RID, &request)).unwrap();
    assert!(json.contains(r#""sum":129.20,"tips":13.00"#), "{json}");
    assert_eq!(
        json,
        concat!(
            r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"payBill","billId":"b-32070","sum":129.20,"tips":13.00,"#,
            r#""fiscalData":[{"key":"Еквайр","value":"ПриватБанк"},{"key":"RRN","value":"123456789012"},"#,
            r#"{"key":"Код авторизації","value":"A1B2C3"},{"key":"Картка","value":"4149 **** **** 1234"}]}"#
        )
    );
}

#[test]
fn pay_bill_frame_without_tips_writes_zero_tips() {
    let request = PayBill { bill_id: "b-1".into(), sum: kop(12000), tips: Money::ZERO, fiscal_data: vec![] };
    assert_eq!(
        serde_json::to_string(&RequestFrame::new(RID, &request)).unwrap(),
        r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"payBill","billId":"b-1","sum":120.00,"tips":0.00,"fiscalData":[]}"#
    );
}

#[test]
fn split_order_frame_writes_control_sum_and_exact_fractional_quantities() {
    let request = SplitOrder {
        bill_id: "b-32070".into(),
        control_sum: kop(9750),
        positions: vec![
            SplitPosition { id: "p-3".into(), quantity: qty("1.3") },
            SplitPosition { id: "p-5".into(), quantity: Quantity::whole(2) },
            SplitPosition { id: "p-7".into(), quantity: qty("0.350") },
        ],
    };
    assert_eq!(
        serde_json::to_string(&RequestFrame::new(RID, &request)).unwrap(),
        concat!(
            r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"splitOrder","billId":"b-32070","controlSum":97.50,"#,
            r#""positions":[{"id":"p-3","quantity":1.3},{"id":"p-5","quantity":2},{"id":"p-7","quantity":0.35}]}"#
        )
    );
}

#[test]
fn set_settings_frame_lists_every_setting() {
    let settings = SetSettings {
        print_precheck_qr: true,
        precheck_qr_url: "https://pay.rahunok.ua/b/{billId}".into(),
        message_before_qr: "Оплатіть рахунок телефоном".into(),
        message_after_qr: "Дякуємо!".into(),
        print_delivery_precheck_qr: false,
        settings: PluginSettings { load_modifiers: true },
        bonus_usage: false,
        bonus_payment_types: vec!["Бонуси".into()],
        payment_allowed: true,
    };
    assert_eq!(
        serde_json::to_string(&RequestFrame::message(RID, &settings)).unwrap(),
        concat!(
            r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"setSettings","printPrecheckQr":true,"#,
            r#""precheckQrUrl":"https://pay.rahunok.ua/b/{billId}","messageBeforeQr":"Оплатіть рахунок телефоном","#,
            r#""messageAfterQr":"Дякуємо!","printDeliveryPrecheckQr":false,"settings":{"load_modifiers":"true"},"#,
            r#""bonusUsage":false,"bonusPaymentTypes":["Бонуси"],"paymentAllowed":true}"#
        )
    );
}

#[test]
fn show_message_frame_about_a_bill() {
    let message = ShowMessage {
        message: "Оплату за рахунок 32070 повернено: позначте його неоплаченим".into(),
        warning: true,
        bill_id: Some("b-32070".into()),
    };
    assert_eq!(
        serde_json::to_string(&RequestFrame::message(RID, &message)).unwrap(),
        concat!(
            r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"showMessage","#,
            r#""message":"Оплату за рахунок 32070 повернено: позначте його неоплаченим","warning":true,"billId":"b-32070"}"#
        )
    );
}

#[test]
fn show_message_frame_without_a_bill_writes_bill_id_null() {
    let message = ShowMessage {
        message: "Перевірте з'єднання з інтернетом".into(), warning: false, bill_id: None
    };
    assert_eq!(
        serde_json::to_string(&RequestFrame::message(RID, &message)).unwrap(),
        r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"showMessage","message":"Перевірте з'єднання з інтернетом","warning":false,"billId":null}"#
    );
}

#[test]
fn frames_without_fields_carry_only_rid_and_operation() {
    assert_eq!(
        serde_json::to_string(&RequestFrame::new(RID, &TablesInfo {})).unwrap(),
        r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"tablesInfo"}"#
    );
    assert_eq!(
        serde_json::to_string(&RequestFrame::new(RID, &VersionInfo {})).unwrap(),
        r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"versionInfo"}"#
    );
}

#[test]
fn check_products_restrictions_frame_lists_items_and_modifiers() {
    let request = CheckProductsRestrictions {
        items: vec![OrderItem {
            id: "dish-latte".into(),
            quantity: Quantity::whole(2),
            modifier: vec![ItemModifier {
                id: "mod-syrup".into(),
                group_id: Some("gm-syrups".into()),
                quantity: qty("1"),
            }],
        }],
    };
    assert_eq!(
        serde_json::to_string(&RequestFrame::new(RID, &request)).unwrap(),
        concat!(
            r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"checkProductsRestrictions","#,
            r#""items":[{"id":"dish-latte","quantity":2,"modifier":[{"id":"mod-syrup","groupId":"gm-syrups","quantity":1}]}]}"#
        )
    );
}

#[test]
fn create_order_on_table_frame_carries_the_external_id() {
    let request = CreateOrderOnTable {
        external_id: "ord-7f3a".into(),
        origin_name: "Rahunok".into(),
        table_id: "tbl-12".into(),
        items: vec![OrderItem { id: "dish-salo".into(), quantity: qty("0.35"), modifier: vec![] }],
        fiscal_data: vec![FiscalLine::new("RRN", "123456789012")],
    };
    assert_eq!(
        serde_json::to_string(&RequestFrame::new(RID, &request)).unwrap(),
        concat!(
            r#"{"rID":"2022-11-18 13:18:51.694125371#Lm4R2EQ","operation":"createOrderOnTable","externalId":"ord-7f3a","#,
            r#""originName":"Rahunok","tableId":"tbl-12","items":[{"id":"dish-salo","quantity":0.35,"modifier":[]}],"#,
            r#""fiscalData":[{"key":"RRN","value":"123456789012"}]}"#
        )
    );
}

#[test]
fn a_pos_reads_the_frame_head_and_the_request_back() {
    let request = PayBill { bill_id: "b-1".into(), sum: kop(12920), tips: kop(1300), fiscal_data: vec![] };
    let frame = serde_json::to_vec(&RequestFrame::new(RID, &request)).unwrap();
    let head: FrameHead = serde_json::from_slice(&frame).unwrap();
    assert_eq!((head.rid.as_str(), head.operation.as_str()), (RID, "payBill"));
    let back: PayBill = serde_json::from_slice(&frame).unwrap();
    assert_eq!(back, request);
}
