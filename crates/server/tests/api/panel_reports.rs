//! Reports over HTTP: the figures of a seeded day are the sums of the payments that took money
//! (per day and per waiter, with the average rating), the CSV has its columns, a byte-order
//! mark and the Cyrillic intact, and only the restaurant's own people see it.

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::on_both_stores;
use crate::panel_auth::{restaurant_admin, signed_in};
use rahunok_protocol::Money;
use rahunok_server::store::{now_ms, CreateOutcome, NewPayment, PaymentStatus, TransitionChanges};
use rahunok_server::web::clock;

async fn seed(app: &TestApp, resto_id: &str, id: &str, waiter: &str, (sum, tips): (&str, &str), to: PaymentStatus) {
    let receipt = serde_json::json!({
        "restaurant": "Кав'ярня", "tableNumber": "3", "waiter": waiter,
        "guests": [], "discounts": [], "bonus": 0, "total": 0
    });
    let new = NewPayment {
        id: id.into(),
        resto_id: resto_id.into(),
        bill_id: format!("b-{id}"),
        table_number: Some("3".into()),
        idempotency_key: format!("key-{id}"),
        sum: Money::parse(sum).unwrap(),
        tips: Money::parse(tips).unwrap(),
        acquirer: "sandbox".into(),
        receipt: receipt.to_string(),
        payer: None,
    };
    let store = &app.state.store;
    assert!(matches!(store.create_payment(&new).await.unwrap(), CreateOutcome::Created(_)));
    if to != PaymentStatus::Created {
        let changed = store.transition_payment(id, PaymentStatus::Created, to, "seeded", TransitionChanges::default());
        assert!(changed.await.unwrap());
    }
}

async fn the_report_of_a_seeded_day_sums_its_payments_by_day_and_by_waiter_and_exports_csv(backend: Backend) {
    let app = spawn_app(backend).await;
    let cafe = app.create_restaurant("Кав'ярня").await;
    let id = cafe.resto_id.as_str();
    seed(&app, id, "p1", "Ірина Бондаренко", ("702.90", "70.29"), PaymentStatus::Paid).await;
    seed(&app, id, "p2", "Ірина Бондаренко", ("100.00", "0.00"), PaymentStatus::Paid).await;
    seed(&app, id, "p3", "Олег, старший", ("250.50", "25.05"), PaymentStatus::Paid).await;
    seed(&app, id, "p4", "Олег, старший", ("999.00", "99.00"), PaymentStatus::Created).await;
    seed(&app, id, "p5", "Ірина Бондаренко", ("555.00", "5.00"), PaymentStatus::Failed).await;
    let store = &app.state.store;
    assert!(store.rate_payment("p1", 5).await.unwrap());
    assert!(store.rate_payment("p2", 4).await.unwrap());
    let today = clock::date_of(now_ms(), "Europe/Kyiv");

    restaurant_admin(&app, "marta", &cafe).await;
    let marta = signed_in(&app, "marta").await;
    let page = marta.get(&format!("/panel/r/{id}/reports")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"by-day\"") && page.body.contains("id=\"by-waiter\""));
    assert!(page.body.contains(&today) && page.body.contains("Ірина Бондаренко"), "{}", page.body);

    let by_day = marta.get(&format!("/panel/r/{id}/reports.csv?by=day")).await;
    assert_eq!(by_day.status, 200);
    assert_eq!(by_day.headers["content-type"], "text/csv; charset=utf-8");
    assert!(by_day.headers["content-disposition"].to_str().unwrap().contains(".csv"));
    let expected_day = format!(
        "\u{feff}date,payments,sum,tips,ratings,average_rating\r\n\
         {today},3,1053.40,95.34,2,4.5\r\n\
         total,3,1053.40,95.34,2,4.5\r\n"
    );
    assert_eq!(by_day.body, expected_day, "the sums of the three payments that took money");

    let by_waiter = marta.get(&format!("/panel/r/{id}/reports.csv?by=waiter&from={today}&to={today}")).await;
    let expected_waiter = "\u{feff}waiter,payments,sum,tips,ratings,average_rating\r\n\
         Ірина Бондаренко,2,802.90,70.29,2,4.5\r\n\
         \"Олег, старший\",1,250.50,25.05,0,\r\n\
         total,3,1053.40,95.34,2,4.5\r\n";
    assert_eq!(by_waiter.body, expected_waiter);

    // Another range holds none of them; a bad range is refused with a reason.
    let yesterday = clock::add_days(&today, -1).unwrap();
    let empty = marta.get(&format!("/panel/r/{id}/reports.csv?from={yesterday}&to={yesterday}")).await;
    assert_eq!(empty.body, "\u{feff}date,payments,sum,tips,ratings,average_rating\r\ntotal,0,0.00,0.00,0,\r\n");
    assert_eq!(marta.get(&format!("/panel/r/{id}/reports?from=30.11.2026")).await.status, 400);
    assert_eq!(marta.get(&format!("/panel/r/{id}/reports?from={today}&to={yesterday}")).await.status, 400);
    assert_eq!(marta.get(&format!("/panel/r/{id}/reports?from=2020-01-01&to={today}")).await.status, 400);
    assert_eq!(marta.get(&format!("/panel/r/{id}/reports.csv?by=table")).await.status, 400);

    // Another restaurant's admin does not see it.
    let bistro = app.create_restaurant("Бістро").await;
    restaurant_admin(&app, "ivan", &bistro).await;
    let ivan = signed_in(&app, "ivan").await;
    assert_eq!(ivan.get(&format!("/panel/r/{id}/reports.csv")).await.status, 403);
}

on_both_stores!(the_report_of_a_seeded_day_sums_its_payments_by_day_and_by_waiter_and_exports_csv);
