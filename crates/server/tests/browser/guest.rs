//! The guest journey in headless Chromium: real pages, the real server, the virtual POS. Every
//! test ends by checking the POS side — the order closed, or still open — not only the page.

use crate::helpers::{spawn_app, spawn_app_with, AppOptions, Backend, Restaurant, TestApp};
use crate::webdriver::Browser;
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::Money;
use rahunok_server::payments::sandbox::paid_charges_for_bill;
use std::time::Duration;

/// The Kyiv café fixture with its virtual POS connected, on a server with `options`.
pub(crate) async fn cafe_with(options: AppOptions) -> (TestApp, Restaurant, VirtualPos) {
    let app = spawn_app_with(Backend::Sqlite, options).await;
    let restaurant = app.create_restaurant("Андріївський ранок").await;
    let pos = app.start_virtual_pos(&restaurant).await;
    (app, restaurant, pos)
}

/// The same with the protocol's defaults.
pub(crate) async fn cafe() -> (TestApp, Restaurant, VirtualPos) {
    cafe_with(AppOptions::default()).await
}

pub(crate) fn money(text: &str) -> Money {
    Money::parse(text).unwrap()
}

/// Fills the sandbox card page (expiry `12/30`) and submits it.
pub(crate) async fn pay_with_card(browser: &Browser, card: &str) {
    pay_with_card_expiring(browser, card, "12/30").await
}

/// Fills the sandbox card page with the expiry as typed and submits it.
pub(crate) async fn pay_with_card_expiring(browser: &Browser, card: &str, expiry: &str) {
    browser.find("#card").await.type_text(card).await;
    browser.find("#expiry").await.type_text(expiry).await;
    browser.find("#cvc").await.type_text("123").await;
    browser.find("#pay-card").await.click().await;
}

/// Waits until the POS reports the bill paid (10 s at most).
pub(crate) async fn wait_paid_on_pos(pos: &VirtualPos, bill_id: &str) -> rahunok_pos_sim::PaidBill {
    for _ in 0..100 {
        if let Some(paid) = pos.floor().paid(bill_id).cloned() {
            return paid;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the POS never saw bill {bill_id} paid");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_pays_the_table_bill_with_a_tip_and_the_pos_closes_it() {
    let (app, restaurant, pos) = cafe().await;
    let browser = Browser::start().await;
    browser.goto(&format!("{}/t/{}/3", app.base, restaurant.resto_id)).await;
    let page = browser.wait_for_text("Разом").await;
    assert!(page.contains("Андріївський ранок") && page.contains("Стіл 3"), "{page}");
    assert!(page.contains("520,00 грн"), "the bill total: {page}");
    browser.save_screenshot("guest-bill").await;
    browser.find("input[name=tip][value='10']").await.click().await;
    assert_eq!(browser.find("#to-pay").await.text().await, "572,00 грн", "the button shows bill + tip");
    browser.find("#pay").await.click().await;
    browser.wait_for_text("Rahunok Sandbox Pay").await;
    assert_eq!(browser.find("#amount").await.text().await, "572,00 грн");
    browser.save_screenshot("sandbox-card-page").await;
    pay_with_card(&browser, "4242 4242 4242 4242").await;
    let receipt = browser.wait_for_text("Рахунок закрито").await;
    assert!(receipt.contains("52,00 грн") && receipt.contains("572,00 грн"), "tip and total on the receipt: {receipt}");
    assert!(receipt.contains("RRN") && receipt.contains("424242******4242"), "fiscal lines: {receipt}");
    browser.save_screenshot("guest-receipt").await;

    let paid = wait_paid_on_pos(&pos, "b-32070").await;
    assert_eq!((paid.sum, paid.tips, paid.times_paid), (money("520.00"), money("52.00"), 1));
    assert!(pos.floor().open_order("b-32070").is_none(), "the order is closed on the POS");
    assert_eq!(paid_charges_for_bill(&app.state.store, &restaurant.resto_id, "b-32070").await.unwrap(), 1);
    // The receipt stays at its own URL.
    let receipt_url = browser.url().await;
    browser.goto(&receipt_url).await;
    browser.wait_for_text("Рахунок закрито").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_pays_only_the_positions_they_chose() {
    let (app, restaurant, pos) = cafe().await;
    let before = pos.floor().open_order("b-32071").unwrap().total_sum;
    let browser = Browser::start().await;
    browser.goto(&format!("{}/b/{}/b-32071", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("Розділити рахунок").await;
    browser.find("a.button.secondary").await.click().await;
    browser.wait_for_text("Що ви сплачуєте?").await;
    browser.find("input[name=pos][value='p-32071-1']").await.click().await;
    browser.save_screenshot("guest-split").await;
    browser.find("#split-next").await.click().await;
    browser.wait_for_text("Перевірте вибір").await;
    assert_eq!(pos.floor().open_orders().len(), 3, "nothing is split before the guest confirms");
    browser.find("#confirm-split").await.click().await;
    browser.wait_for_text("Сплатити").await;
    let child_url = browser.url().await;
    let child_id = child_url.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
    assert_ne!(child_id, "b-32071", "the guest is on the child bill");
    let child = pos.floor().open_order(&child_id).cloned().expect("the POS has the child bill");
    browser.find("#pay").await.click().await;
    pay_with_card(&browser, "4242424242424242").await;
    browser.wait_for_text("Рахунок закрито").await;

    let paid = wait_paid_on_pos(&pos, &child_id).await;
    assert_eq!(paid.sum, child.total_sum);
    let parent = pos.floor().open_order("b-32071").cloned().expect("the rest of the bill stays open");
    assert_eq!(parent.total_sum + child.total_sum, before, "no kopiyka lost or invented");
    assert!(parent.lines().all(|d| d.position_id.as_deref() != Some("p-32071-1")), "the chosen combo moved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_takes_nothing_and_a_second_card_pays() {
    let (app, restaurant, pos) = cafe().await;
    let browser = Browser::start().await;
    browser.goto(&format!("{}/t/{}/12", app.base, restaurant.resto_id)).await;
    browser.find("#pay").await.click().await;
    pay_with_card(&browser, "4000 0000 0000 0002").await;
    browser.wait_for_text("Оплату відхилено").await;
    browser.save_screenshot("guest-declined").await;
    assert!(pos.floor().open_order("b-32072").is_some(), "declined: the order is still open");
    browser.find("a.button").await.click().await;
    browser.wait_for_text("Разом").await;
    browser.find("#pay").await.click().await;
    pay_with_card(&browser, "4000 0000 0000 3220").await;
    browser.wait_for_text("3-D Secure").await;
    browser.find("#approve").await.click().await;
    browser.wait_for_text("Рахунок закрито").await;
    let paid = wait_paid_on_pos(&pos, "b-32072").await;
    assert_eq!(paid.times_paid, 1);
    assert_eq!(paid_charges_for_bill(&app.state.store, &restaurant.resto_id, "b-32072").await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_offline_pos_gets_a_friendly_page_and_nothing_changes() {
    let app = spawn_app(Backend::Sqlite).await;
    let restaurant = app.create_restaurant("Закрита каса").await;
    let pos = VirtualPos::kyiv_cafe();
    let browser = Browser::start().await;
    browser.goto(&format!("{}/t/{}/3", app.base, restaurant.resto_id)).await;
    let page = browser.wait_for_text("недоступна").await;
    assert!(page.contains("Спробувати ще раз"), "{page}");
    browser.save_screenshot("guest-pos-offline").await;
    assert!(pos.floor().open_order("b-32070").is_some(), "the order stays open");
    browser.goto(&format!("{}/t/{}/3?lang=en", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("till is offline").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_table_without_a_bill_says_so() {
    let (app, restaurant, pos) = cafe().await;
    let browser = Browser::start().await;
    browser.goto(&format!("{}/t/{}/1", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("Відкритого рахунку немає").await;
    browser.save_screenshot("guest-no-bill").await;
    browser.goto(&format!("{}/t/{}/99", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("Такого столу немає").await;
    browser.goto(&format!("{}/t/nope/1", app.base)).await;
    browser.wait_for_text("Заклад не знайдено").await;
    assert!(pos.floor().orders_on_table("1").is_empty());
    assert_eq!(pos.floor().open_orders().len(), 3, "nothing changed on the POS");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bill_that_changed_after_viewing_is_confirmed_before_paying() {
    let (app, restaurant, pos) = cafe().await;
    let browser = Browser::start().await;
    browser.goto(&format!("{}/t/{}/12", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("660,00 грн").await;
    // The waiter adds a dessert while the guest looks at the bill.
    {
        let mut floor = pos.floor();
        let mut order = floor.open_order("b-32072").unwrap().clone();
        let mut dessert = order.guests[0].dishes[0].clone();
        dessert.position_id = Some("p-32072-9".into());
        dessert.name = "Київський торт".into();
        dessert.count = rahunok_protocol::Quantity::whole(1);
        dessert.sum = money("95.00");
        order.guests[0].dishes.push(dessert);
        rahunok_pos_sim::floor::retotal(&mut order);
        floor.replace_order(order);
    }
    browser.find("#pay").await.click().await;
    let page = browser.wait_for_text("Сума рахунку змінилась").await;
    assert!(page.contains("755,00 грн"), "the new total is shown: {page}");
    assert!(pos.floor().paid("b-32072").is_none(), "nothing is charged before the guest confirms");
    browser.save_screenshot("guest-bill-changed").await;
    browser.find("#pay").await.click().await;
    pay_with_card(&browser, "4242424242424242").await;
    browser.wait_for_text("Рахунок закрито").await;
    assert_eq!(wait_paid_on_pos(&pos, "b-32072").await.sum, money("755.00"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guest_page_is_small_and_asks_no_other_host() {
    let (app, restaurant, _pos) = cafe().await;
    let url = format!("{}/t/{}/7", app.base, restaurant.resto_id);
    let html = app.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(html.len() < 60 * 1024, "the page is {} bytes", html.len());
    for attribute in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "url(http", "@import"] {
        assert!(!html.contains(attribute), "the page refers to another host: {attribute}");
    }
    let browser = Browser::start().await;
    browser.goto(&url).await;
    browser.wait_for_text("Разом").await;
    let resources = browser.run("return performance.getEntriesByType('resource').map(e => e.name)").await;
    let origin = app.base.clone();
    for resource in resources.as_array().unwrap() {
        assert!(resource.as_str().unwrap().starts_with(&origin), "a request to another host: {resource}");
    }
    let weight = browser
        .run("return performance.getEntriesByType('navigation')[0].transferSize + performance.getEntriesByType('resource').reduce((a, e) => a + e.transferSize, 0)")
        .await;
    assert!(weight.as_u64().unwrap() < 60 * 1024, "the whole page weighs {weight} bytes");
    // Without JavaScript the bill is in the HTML itself.
    assert!(html.contains("Разом") && html.contains("702,90 грн"));
}
