//! One language at a time in the panel: a payment's timeline notes (stored in English), the
//! POS's staff roles and category types, and the fiscal lines (a table, not raw JSON) read in
//! the panel's language; the English page has no Ukrainian note and the reverse.

use crate::helpers::{spawn_app, Backend};
use crate::on_both_stores;
use crate::panel_auth::{restaurant_admin, signed_in};
use rahunok_protocol::Money;
use rahunok_server::store::{CreateOutcome, NewPayment, PaymentStatus, TransitionChanges};

async fn payment_history_roles_category_types_and_fiscal_lines_follow_the_panels_language(backend: Backend) {
    let app = spawn_app(backend).await;
    let cafe = app.create_restaurant("Кав'ярня").await;
    let _pos = app.start_virtual_pos(&cafe).await;
    let store = &app.state.store;
    let new = NewPayment {
        id: "pay-lang-1".into(),
        resto_id: cafe.resto_id.clone(),
        bill_id: "b-none".into(),
        table_number: Some("3".into()),
        idempotency_key: "key-lang-1".into(),
        sum: Money::parse("100.00").unwrap(),
        tips: Money::parse("0.00").unwrap(),
        acquirer: "sandbox".into(),
        receipt: "{}".into(),
        payer: None,
    };
    assert!(matches!(store.create_payment(&new).await.unwrap(), CreateOutcome::Created(_)));
    let fiscal = r#"[{"key":"Чек №","value":"000123"},{"key":"ФН","value":"4000123456"}]"#.to_string();
    let changes = TransitionChanges { fiscal: Some(fiscal), ..TransitionChanges::default() };
    let moved = store.transition_payment(
        &new.id,
        PaymentStatus::Created,
        PaymentStatus::Failed,
        "the acquirer declined",
        changes,
    );
    assert!(moved.await.unwrap());

    restaurant_admin(&app, "marta", &cafe).await;
    let marta = signed_in(&app, "marta").await;
    let path = format!("/panel/r/{}/payments/{}", cafe.resto_id, new.id);
    let uk = marta.get(&path).await.body;
    assert!(uk.contains("еквайр відхилив картку") && !uk.contains("the acquirer declined"), "{uk}");
    assert!(uk.contains("id=\"fiscal\"") && uk.contains("<td>Чек №</td>") && uk.contains("000123"), "a table: {uk}");
    assert!(!uk.contains(r#""key""#), "no raw JSON");
    let en = marta.get(&format!("{path}?lang=en")).await.body;
    assert!(en.contains("the acquirer declined") && !en.contains("еквайр"), "{en}");

    // The language chosen last is remembered (a cookie): ask for Ukrainian again.
    let staff = marta.get(&format!("/panel/r/{}/pos/staff?lang=uk", cafe.resto_id)).await.body;
    assert!(staff.contains("офіціант") && staff.contains("менеджер") && staff.contains("касир"), "{staff}");
    assert!(!staff.contains(">waiter") && !staff.contains("cashier<"), "{staff}");
    let staff_en = marta.get(&format!("/panel/r/{}/pos/staff?lang=en", cafe.resto_id)).await.body;
    assert!(staff_en.contains("waiter") && !staff_en.contains("офіціант"), "{staff_en}");
    let categories = marta.get(&format!("/panel/r/{}/pos/categories?lang=uk", cafe.resto_id)).await.body;
    assert!(categories.contains("страва") && !categories.contains("<td>dish</td>"), "{categories}");
}

on_both_stores!(payment_history_roles_category_types_and_fiscal_lines_follow_the_panels_language);
