//! Ordering from the menu at the table in Chromium, as a guest does it: from the free table's
//! page to the menu, a dish with a required sauce and two espressos, the review, a double
//! click on "confirm", refresh and Back after it, the order on the POS's table 5, the table's
//! bill showing it, and paying it — in Ukrainian on a 360 px phone, then "pay now" in English
//! on a 1366 px screen. Screenshots of each page land in `target/screenshots/`.

use crate::guest::{cafe, money, pay_with_card, wait_paid_on_pos};
use crate::helpers::{Restaurant, TestApp};
use crate::webdriver::Browser;
use rahunok_pos_sim::VirtualPos;
use rahunok_server::store::GuestSettings;
use std::time::Duration;

async fn switch_ordering_on(app: &TestApp, r: &Restaurant) {
    let settings = GuestSettings { ordering_enabled: true, ..GuestSettings::default() };
    app.state.store.save_guest_settings(&r.resto_id, &settings).await.unwrap();
}

/// Opens the menu until it offers order forms (the POS's `versionInfo` has answered).
async fn open_menu(browser: &Browser, url: &str) {
    for _ in 0..100 {
        browser.goto(url).await;
        if browser.try_find("form.add").await.is_some() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("ordering never opened at {url}");
}

async fn orders_on_pos(pos: &VirtualPos) -> (usize, usize) {
    let floor = pos.floor();
    (floor.orders_created(), floor.requests_of("createOrderOnTable"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_orders_two_dishes_one_with_a_required_sauce_on_table_5_and_pays_with_the_tables_bill() {
    let (app, r, pos) = cafe().await;
    switch_ordering_on(&app, &r).await;
    let browser = Browser::start_sized(360, 800).await;
    let table = format!("{}/t/{}/5", app.base, r.resto_id);
    browser.goto(&table).await;
    browser.wait_for_text("Відкритого рахунку немає").await;
    browser.find("#menu-link").await.click().await;
    browser.find("#g-grp-coffee").await;
    open_menu(&browser, &format!("{table}/menu")).await;
    browser.save_screenshot("ordering-menu-uk-360").await;
    assert!(browser.try_find("#d-dish-raf form").await.is_none(), "the stop-listed raf cannot be added");
    assert!(browser.find("#d-dish-raf").await.text().await.contains("Немає в наявності"));

    // The sauce is required: the page will not send the form without it...
    let holubtsi = "#d-dish-holubtsi form";
    let valid = browser.run(&format!("return document.querySelector('{holubtsi}').checkValidity();")).await;
    assert_eq!(valid, serde_json::json!(false), "a required radio group keeps the form from going");
    // ...and the server says what is missing when a form comes without it anyway.
    browser
        .run(&format!(
            "document.querySelectorAll('{holubtsi} input[type=radio]').forEach(i => i.required = false); return 1;"
        ))
        .await;
    browser.find(&format!("{holubtsi} button[type=submit]")).await.click().await;
    let refused = browser.find("#choice-problem").await.text().await;
    assert!(refused.contains("Оберіть: Соус."), "{refused}");
    browser.save_screenshot("ordering-menu-refused-uk-360").await;
    browser.find(&format!("{holubtsi} input[value='mod-sauce-tomato']")).await.click().await;
    browser.find(&format!("{holubtsi} button[type=submit]")).await.click().await;
    browser.wait_for_text("У кошику: 1").await;
    assert_eq!(browser.find("#cart-total").await.text().await, "175,00 грн");
    // An espresso group allows two syrups: the third box is disabled once two are ticked.
    let espresso = "#d-dish-espresso form";
    browser.find(&format!("{espresso} details summary")).await.click().await;
    browser.find(&format!("{espresso} input[value='mod-syrup-vanilla']")).await.click().await;
    browser.find(&format!("{espresso} input[value='mod-syrup-caramel']")).await.click().await;
    let third = browser.find(&format!("{espresso} input[value='mod-syrup-hazelnut']")).await;
    assert_eq!(third.attribute("disabled").await.as_deref(), Some("true"));
    browser.find(&format!("{espresso} input[value='mod-syrup-caramel']")).await.click().await;
    browser.find(&format!("{espresso} input[value='mod-syrup-vanilla']")).await.click().await;
    browser.run(&format!("document.querySelector('{espresso} input[name=quantity]').value = '2'; return 1;")).await;
    browser.find(&format!("{espresso} button[type=submit]")).await.click().await;
    browser.wait_for_text("У кошику: 3").await;
    assert_eq!(browser.find("#cart-total").await.text().await, "285,00 грн");
    browser.save_screenshot("ordering-menu-cart-uk-360").await;

    // The review: stock checked, nothing sent yet.
    browser.find("#review").await.click().await;
    browser.find("#confirm").await;
    assert_eq!(browser.find("#order-total").await.text().await, "285,00 грн");
    assert_eq!(orders_on_pos(&pos).await, (0, 0), "nothing reaches the kitchen before the confirm");
    browser.save_screenshot("ordering-review-uk-360").await;
    // A double click sends one form (and a second one would carry the same externalId).
    browser.run("const b = document.querySelector('#confirm'); b.click(); b.click(); return 1;").await;
    browser.wait_for_text("Замовлення прийнято").await;
    browser.save_screenshot("ordering-placed-uk-360").await;
    let placed_url = browser.url().await;
    assert_eq!(orders_on_pos(&pos).await, (1, 1));
    let number = browser.find("#order-number").await.text().await;
    let order = pos.floor().open_orders().iter().find(|o| o.table_number.as_deref() == Some("5")).cloned();
    let order = order.expect("the virtual POS holds the order on table 5");
    assert_eq!(order.order_number.map(|n| n.to_string()), Some(number));
    assert_eq!(order.total_sum, money("285.00"));
    let names: Vec<_> = order.lines().map(|d| d.name.clone()).collect();
    assert_eq!(names, ["Голубці з соусом на вибір", "Томатно-сметанний соус", "Еспресо"]);

    // Refresh and Back after the POST send nothing more.
    browser.refresh().await;
    browser.wait_for_text("Замовлення прийнято").await;
    browser.back().await;
    browser.find("main").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(orders_on_pos(&pos).await, (1, 1), "refresh and Back created nothing");

    // Add to the table's bill: the table page shows it, and the guest pays it there.
    browser.goto(&placed_url).await;
    browser.find("#add-to-bill").await.click().await;
    browser.wait_for_text("Голубці з соусом на вибір").await;
    assert!(browser.find("#bill-total").await.text().await.contains("285,00 грн"));
    browser.find("#pay").await.click().await;
    browser.wait_for_text("Rahunok Sandbox Pay").await;
    pay_with_card(&browser, "4242 4242 4242 4242").await;
    browser.wait_for_text("Рахунок закрито").await;
    let paid = wait_paid_on_pos(&pos, &order.bill_id).await;
    assert_eq!(paid.sum, money("285.00"));

    // In English on a wide screen: another order, paid at once with "pay now". (The phone's
    // browser goes first: two at once would wait for each other's turn with another test.)
    drop(browser);
    let wide = Browser::start_with(1366, 900, "en-US,en").await;
    open_menu(&wide, &format!("{table}/menu?lang=en")).await;
    wide.save_screenshot("ordering-menu-en-1366").await;
    wide.find("#d-dish-borshch form details summary").await.click().await;
    wide.run("document.querySelector('#d-dish-borshch form input[name=\"n:mod-pampushky\"]').value = '2'; return 1;")
        .await;
    wide.find("#d-dish-borshch form button[type=submit]").await.click().await;
    wide.wait_for_text("In the cart: 1").await;
    wide.find("#review").await.click().await;
    wide.find("#confirm").await;
    assert_eq!(wide.find("#order-total").await.text().await, "205.00 UAH", "135 + 2 × 35");
    wide.save_screenshot("ordering-review-en-1366").await;
    wide.find("#confirm").await.click().await;
    wide.wait_for_text("Order placed").await;
    wide.save_screenshot("ordering-placed-en-1366").await;
    let second_placed = wide.url().await;
    wide.find("#pay-now").await.click().await;
    wide.find("#pay").await.click().await;
    wide.wait_for_text("Rahunok Sandbox Pay").await;
    pay_with_card(&wide, "4242 4242 4242 4242").await;
    wide.wait_for_text("closed").await;
    let external_id = external_id_in(&second_placed);
    let second = pos.floor().created_order(&external_id).expect("the second order carries our externalId");
    assert_eq!(wait_paid_on_pos(&pos, &second.bill_id).await.sum, money("205.00"));
    assert_eq!(orders_on_pos(&pos).await, (2, 2));
}

/// The `externalId` in an order page's address (`/t/{resto}/{table}/order/{id}?lang=…`).
fn external_id_in(url: &str) -> String {
    url.rsplit('/').next().unwrap().split('?').next().unwrap().to_string()
}
