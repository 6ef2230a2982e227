//! A payment holds its bill only for the browser that started it: that browser, coming back,
//! continues or cancels it (and a cancel frees the bill at once, the acquirer's charge
//! cancelled too); everyone else is told someone is paying; a payment nobody touches lets go
//! after the configured hold. Cookies are handled by hand here, as a browser would.

use crate::helpers::{spawn_app, spawn_app_with, AppOptions, Backend, TestApp};
use crate::on_both_stores;
use crate::panel_auth::{restaurant_admin, PanelBrowser, PASSWORD};
use crate::payments::{cafe, form_field, guest_client, pay_at_sandbox, wait_for_status, Answer, GuestCookie};
use rahunok_server::payments::sandbox::paid_charges_for_bill;
use std::time::Duration;

/// One guest's phone: a client that keeps the guest cookie the server gives it.
struct Phone {
    http: reqwest::Client,
    cookie: GuestCookie,
}

impl Phone {
    fn new() -> Phone {
        Phone { http: guest_client(), cookie: GuestCookie::default() }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        self.cookie.send(request).await
    }

    async fn open(&mut self, url: &str) -> Answer {
        let request = self.http.get(url);
        self.send(request).await
    }

    /// Opens the bill and presses "Pay" without a tip.
    async fn pay(&mut self, app: &TestApp, resto_id: &str, bill_id: &str) -> Answer {
        let page = self.open(&format!("{}/b/{resto_id}/{bill_id}", app.base)).await;
        let key = form_field(&page.body, "idempotency_key");
        let expected = form_field(&page.body, "expected_total");
        self.submit(app, resto_id, bill_id, &key, &expected).await
    }

    /// Presses "Pay" on a bill page opened earlier (its form's key and total).
    async fn submit(&mut self, app: &TestApp, resto_id: &str, bill_id: &str, key: &str, expected: &str) -> Answer {
        let form = [("idempotency_key", key), ("expected_total", expected), ("tip", "0"), ("tip_custom", "")];
        let request = self.http.post(format!("{}/b/{resto_id}/{bill_id}/pay", app.base)).form(&form);
        self.send(request).await
    }

    async fn post(&mut self, url: &str) -> Answer {
        let request = self.http.post(url).form(&[("x", "")]);
        self.send(request).await
    }
}

fn payment_of(checkout: &str) -> String {
    checkout.rsplit('/').next().unwrap().to_string()
}

async fn a_guest_who_comes_back_may_cancel_and_the_next_guest_pays_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, pos) = cafe(&app).await;
    let bill = format!("{}/b/{}/b-32070", app.base, r.resto_id);
    let (mut alice, mut bob) = (Phone::new(), Phone::new());
    let started = alice.pay(&app, &r.resto_id, "b-32070").await;
    assert_eq!(started.status, 303, "{}", started.body);
    assert!(alice.cookie.is_set(), "the paying browser is given its guest cookie");
    let payment_id = payment_of(&started.location);

    // Alice comes back (Back, a refresh): her payment is hers to continue or cancel.
    let back = alice.open(&bill).await;
    assert!(back.body.contains("Ви вже почали оплату") && back.body.contains("Продовжити оплату"), "{}", back.body);
    assert!(back.body.contains(&started.location), "continue leads to her card page");
    assert!(!back.body.contains("id=\"pay\""), "no second pay button for the same bill");
    // Pressing "Pay" again on a page opened before (another tab) lands on the same choice,
    // not on a refusal.
    let again = alice.submit(&app, &r.resto_id, "b-32070", "another-tab-key-123", "52000").await;
    assert_eq!(again.status, 200);
    assert!(again.body.contains("Скасувати оплату"), "{}", again.body);

    // Bob, at the same table, is told someone is paying and since when; he cannot cancel it.
    let seen = bob.open(&bill).await;
    assert!(seen.body.contains("Хтось уже сплачує") && seen.body.contains("тому"), "{}", seen.body);
    assert!(!seen.body.contains("Скасувати оплату"));
    let refused = bob.submit(&app, &r.resto_id, "b-32070", "bobs-old-page-key-1", "52000").await;
    assert_eq!(refused.status, 409);
    let forged = bob.post(&format!("{}/p/{payment_id}/cancel", app.base)).await;
    assert_eq!(forged.status, 403, "only the browser that started it may cancel");
    wait_for_status(&app, &r.resto_id, &payment_id, "created").await;

    // Alice cancels: the bill is free at once and her card page can no longer be paid.
    let cancelled = alice.post(&format!("{}/p/{payment_id}/cancel", app.base)).await;
    assert_eq!((cancelled.status, cancelled.location.as_str()), (303, format!("/b/{}/b-32070", r.resto_id).as_str()));
    wait_for_status(&app, &r.resto_id, &payment_id, "cancelled").await;
    let late = pay_at_sandbox(&alice.http, &started.location, "4242424242424242").await;
    assert!(late.ends_with(&format!("/p/{payment_id}")), "the cancelled card page sends her to the payment: {late}");
    let status = alice.open(&late).await;
    assert!(status.body.contains("Оплату скасовано"), "{}", status.body);

    let paying = bob.pay(&app, &r.resto_id, "b-32070").await;
    assert_eq!(paying.status, 303, "the next guest pays at once: {}", paying.body);
    let back = pay_at_sandbox(&bob.http, &paying.location, "4242424242424242").await;
    wait_for_status(&app, &r.resto_id, &payment_of(&back), "closed").await;
    assert_eq!(paid_charges_for_bill(&app.state.store, &r.resto_id, "b-32070").await.unwrap(), 1, "one charge");
    assert_eq!(pos.floor().paid("b-32070").unwrap().times_paid, 1);
}

async fn a_payment_nobody_touches_lets_the_bill_go_after_the_hold(backend: Backend) {
    let payment_timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        reconcile_after: Duration::ZERO,
        hold_without_activity: Duration::from_millis(500),
        ..Default::default()
    };
    let app = spawn_app_with(backend, AppOptions { payment_timings, ..AppOptions::default() }).await;
    let (r, _pos) = cafe(&app).await;
    let mut alice = Phone::new();
    let started = alice.pay(&app, &r.resto_id, "b-32070").await;
    assert_eq!(started.status, 303);
    let payment_id = payment_of(&started.location);
    // She never opens the card page: the hold ends long before the 15-minute expiry.
    let detail = wait_for_status(&app, &r.resto_id, &payment_id, "expired").await;
    assert!(detail["transitions"].to_string().contains("did not finish"), "{detail}");
    let mut bob = Phone::new();
    let paying = bob.pay(&app, &r.resto_id, "b-32070").await;
    assert_eq!(paying.status, 303, "the bill is free again");
    let late = pay_at_sandbox(&alice.http, &started.location, "4242424242424242").await;
    assert!(late.ends_with(&format!("/p/{payment_id}")), "the lapsed charge cannot be paid: {late}");
    assert_eq!(paid_charges_for_bill(&app.state.store, &r.resto_id, "b-32070").await.unwrap(), 0);
}

async fn a_paid_table_says_so_with_the_time_and_a_free_table_answers_200(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, pos) = cafe(&app).await;
    let mut alice = Phone::new();
    let started = alice.pay(&app, &r.resto_id, "b-32070").await;
    let back = pay_at_sandbox(&alice.http, &started.location, "4242424242424242").await;
    wait_for_status(&app, &r.resto_id, &payment_of(&back), "closed").await;
    assert!(pos.floor().open_order("b-32070").is_none(), "the POS closed the bill");
    let table = format!("{}/t/{}/3", app.base, r.resto_id);
    let mut bob = Phone::new();
    let seen = bob.open(&table).await;
    assert_eq!(seen.status, 200);
    assert!(seen.body.contains("Рахунок сплачено ✓") && seen.body.contains("Сплачено о"), "{}", seen.body);
    assert!(!seen.body.contains(&format!("/p/{}", payment_of(&back))), "the receipt is the payer's, not the table's");
    let english = bob.open(&format!("{table}?lang=en")).await;
    assert!(english.body.contains("Bill paid ✓") && english.body.contains("Paid at"), "{}", english.body);
    let own = alice.open(&table).await;
    assert!(own.body.contains(&format!("/p/{}", payment_of(&back))), "the payer gets the receipt link");
    let free = bob.open(&format!("{}/t/{}/1", app.base, r.resto_id)).await;
    assert_eq!(free.status, 200, "a real table with no bill is a page, not a broken link");
    assert!(free.body.contains("Відкритого рахунку немає"));
    assert_eq!(bob.open(&format!("{}/t/{}/99", app.base, r.resto_id)).await.status, 404);
    assert_eq!(bob.open(&format!("{}/t/nope/1", app.base)).await.status, 404);
}

async fn the_guest_who_paid_rates_the_service_and_the_panel_shows_it_per_waiter(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, _pos) = cafe(&app).await;
    let settings = rahunok_server::store::GuestSettings {
        review_url: Some("https://example.com/review/cafe".into()),
        ..Default::default()
    };
    app.state.store.save_guest_settings(&r.resto_id, &settings).await.unwrap();
    let mut alice = Phone::new();
    let started = alice.pay(&app, &r.resto_id, "b-32070").await;
    let back = pay_at_sandbox(&alice.http, &started.location, "4242424242424242").await;
    let payment_id = payment_of(&back);
    wait_for_status(&app, &r.resto_id, &payment_id, "closed").await;
    let receipt = alice.open(&back).await;
    assert!(receipt.body.contains("Оцініть обслуговування"), "{}", receipt.body);
    assert!(receipt.body.contains("href=\"https://example.com/review/cafe\""), "the restaurant's review link");
    let rating_url = format!("{}/p/{payment_id}/rating", app.base);

    // Someone else with the receipt's link cannot rate; nonsense is refused with a page.
    let mut bob = Phone::new();
    assert!(!bob.open(&back).await.body.contains("Оцініть обслуговування"));
    let forged = bob.http.post(&rating_url).form(&[("rating", "1")]);
    assert_eq!(bob.send(forged).await.status, 403);
    for nonsense in ["0", "6", "five", ""] {
        let refused = alice.http.post(&rating_url).form(&[("rating", nonsense)]);
        assert_eq!(alice.send(refused).await.status, 422, "{nonsense:?}");
    }
    let rated = alice.http.post(&rating_url).form(&[("rating", "4")]);
    let rated = alice.send(rated).await;
    assert_eq!((rated.status, rated.location.as_str()), (303, format!("/p/{payment_id}").as_str()));
    let receipt = alice.open(&back).await;
    assert!(receipt.body.contains("Дякуємо за оцінку: 4 / 5"), "{}", receipt.body);
    let (_, stored) = app.get_json(&format!("/api/admin/restaurants/{}/payments/{payment_id}", r.resto_id)).await;
    assert_eq!(stored["rating"], 4, "{stored}");

    restaurant_admin(&app, "marta", &r).await;
    let marta = PanelBrowser::new(&app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let list = marta.get(&format!("/panel/r/{}/payments", r.resto_id)).await.body;
    assert!(list.contains("4 ★"), "the rating per payment: {list}");
    let by_waiter = list.split("id=\"ratings-by-waiter\"").nth(1).expect("ratings by waiter");
    assert!(by_waiter.contains("<td>Олена Коваль</td><td>1</td>"), "the waiter of table 3: {by_waiter}");
    assert!(by_waiter.contains("4.0 ★"), "{by_waiter}");
    let detail = marta.get(&format!("/panel/r/{}/payments/{payment_id}", r.resto_id)).await.body;
    assert!(detail.contains("id=\"payment-rating\">4 ★"), "{detail}");
}

on_both_stores!(
    the_guest_who_paid_rates_the_service_and_the_panel_shows_it_per_waiter,
    a_guest_who_comes_back_may_cancel_and_the_next_guest_pays_at_once,
    a_payment_nobody_touches_lets_the_bill_go_after_the_hold,
    a_paid_table_says_so_with_the_time_and_a_free_table_answers_200,
);
