//! `--quirks`: the virtual POS answers in loose shapes that the protocol still accepts, each
//! reported as a conformance warning; without quirks its answers are conformant.

use rahunok_pos_sdk::answer_frame;
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::conformance::kind;
use rahunok_protocol::envelope::Callback;
use rahunok_protocol::ops::{self, validate_callback_with_warnings};
use rahunok_protocol::{ConformanceWarning, Operation};

const FRAMES: [&str; 6] = [
    r#"{"rID":"r-1","operation":"versionInfo"}"#,
    r#"{"rID":"r-2","operation":"stopList"}"#,
    r#"{"rID":"r-3","operation":"getBill","tableNumber":"3"}"#,
    r#"{"rID":"r-4","operation":"splitOrder","billId":"b-32070","controlSum":95.00,"positions":[{"id":"p-32070-1","quantity":1}]}"#,
    r#"{"rID":"r-5","operation":"tablesInfo"}"#,
    r#"{"rID":"r-6","operation":"getBill","tableNumber":"99"}"#,
];

/// The callback body the POS sends for `frame`.
async fn answer(pos: &VirtualPos, frame: &str) -> (Operation, Vec<u8>) {
    let callback = answer_frame(pos, frame.as_bytes()).await.expect("a callback");
    (callback.operation, callback.body)
}

fn has(warnings: &[ConformanceWarning], kind: &str, field: &str) -> bool {
    warnings.iter().any(|w| w.kind == kind && w.field == field)
}

#[tokio::test]
async fn quirky_answers_are_accepted_with_conformance_warnings() {
    let pos = VirtualPos::kyiv_cafe().with_quirks(true);
    let mut bodies = Vec::new();
    for frame in FRAMES {
        let (operation, body) = answer(&pos, frame).await;
        let text = String::from_utf8_lossy(&body).to_string();
        let (_, warnings) = validate_callback_with_warnings(operation, &body)
            .unwrap_or_else(|e| panic!("{operation:?} refused: {e:?}\n{text}"));
        assert!(has(&warnings, kind::ENUM_CASE, "state"), "{operation:?}: {warnings:?}\n{text}");
        bodies.push((body, warnings));
    }

    let (body, warnings) = &bodies[0];
    let (version, _) = Callback::<ops::VersionInfoAnswer>::parse_with_warnings(body).unwrap();
    assert_eq!(version.body.plugin_version, None);
    assert_eq!(version.body.plugin_version_text.as_deref(), Some("v0.6.0"));
    assert_eq!(version.body.partner_id.as_deref(), Some("rahunok-pos-sim"));
    assert!(version.body.has_feature(ops::feature::ORDERS_CACHE));
    assert!(has(warnings, kind::DOTTED_VERSION_INFO, "plugin.version"), "{warnings:?}");
    assert!(has(warnings, kind::UNREADABLE_INFORMATIONAL, "plugin.version"), "{warnings:?}");
    assert!(has(warnings, kind::NULL_LIST, "updateInfo"), "{warnings:?}");

    let (body, warnings) = &bodies[1];
    let stop = Callback::<ops::StopListAnswer>::parse(body).unwrap();
    assert!(!stop.body.items.is_empty());
    assert!(has(warnings, kind::STOP_LIST_ID_QUANTITY, "items[0]"), "{warnings:?}");

    let (body, warnings) = &bodies[2];
    let bill = Callback::<ops::BillAnswer>::parse(body).unwrap();
    assert_eq!(bill.body.orders[0].table_number.as_deref(), Some("3"));
    assert_eq!(bill.body.orders[0].total_sum.kopiyky(), 52000);
    for (kind, field) in [
        (kind::STRING_AS_NUMBER, "tableNumber"),
        (kind::TOP_LEVEL_TABLE_NUMBER, "orders[0].tableNumber"),
        (kind::ENUM_CASE, "orders[0].state"),
        (kind::WHOLE_NUMBER_MONEY, "orders[0].totalSum"),
        (kind::NULL_LIST, "orders[0].discounts.list"),
    ] {
        assert!(has(warnings, kind, field), "{kind} at {field}: {warnings:?}");
    }

    let (body, warnings) = &bodies[3];
    let split = Callback::<ops::SplitAnswer>::parse(body).unwrap();
    assert_eq!(split.head.failure(), None, "{}", String::from_utf8_lossy(body));
    assert_eq!(split.body.0.orders.len(), 2);
    assert!(split.body.0.orders.iter().all(|o| o.table_number.as_deref() == Some("3")));
    assert!(has(warnings, kind::TOP_LEVEL_TABLE_NUMBER, "orders[1].tableNumber"), "{warnings:?}");

    let (body, _) = &bodies[5];
    let missing = Callback::<ops::BillAnswer>::parse(body).unwrap();
    assert_eq!(missing.head.failure().as_deref(), Some("TABLE_NOT_FOUND"));
}

#[tokio::test]
async fn without_quirks_the_answers_are_conformant() {
    let pos = VirtualPos::kyiv_cafe();
    for frame in FRAMES {
        let (operation, body) = answer(&pos, frame).await;
        let (_, warnings) = validate_callback_with_warnings(operation, &body).unwrap();
        assert!(warnings.is_empty(), "{operation:?}: {warnings:?}\n{}", String::from_utf8_lossy(&body));
    }
}
