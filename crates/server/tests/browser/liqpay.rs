//! Paying with LiqPay in headless Chromium: the guest goes from the table's bill to our page,
//! posts the signed checkout to LiqPay (the emulator), pays, and lands on our receipt; the POS
//! closes the bill with the card's fiscal lines. The page's policy lets its form go to LiqPay
//! (a browser enforces `form-action`, so this is where that is proven).

use crate::helpers::{eventually, spawn_app_with, AppOptions, Backend};
use crate::liqpay_emulator::{LiqpayEmulator, AUTHCODE, CARD_MASK, PRIVATE_KEY, PUBLIC_KEY, RRN};
use crate::webdriver::Browser;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_pays_table_12_through_liqpays_page_and_lands_on_a_receipt_with_the_card_mask_and_rrn() {
    let liqpay = LiqpayEmulator::start().await;
    let options = AppOptions { liqpay_api_url: Some(liqpay.url.clone()), ..AppOptions::default() };
    let app = spawn_app_with(Backend::Sqlite, options).await;
    let restaurant = app.create_restaurant("Кав'ярня на Подолі").await;
    let pos = app.start_virtual_pos(&restaurant).await;
    let chosen = app
        .admin(reqwest::Method::PUT, &format!("/api/admin/restaurants/{}/acquirer", restaurant.resto_id))
        .json(&json!({"kind": "liqpay", "publicKey": PUBLIC_KEY, "privateKey": PRIVATE_KEY, "sandbox": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 200);

    let browser = Browser::start().await;
    browser.goto(&format!("{}/t/{}/12", app.base, restaurant.resto_id)).await;
    let page = browser.wait_for_text("Разом").await;
    assert!(page.contains("Стіл 12") && page.contains("660,00 грн"), "{page}");
    browser.find("#pay").await.click().await;
    let ours = browser.wait_for_text("Оплата через LiqPay").await;
    assert!(ours.contains("660,00 грн"), "our page shows what is paid: {ours}");
    assert!(browser.url().await.starts_with(&format!("{}/acquirer/liqpay/checkout/pay_", app.base)));
    browser.save_screenshot("liqpay-our-page").await;
    browser.find("#to-liqpay").await.click().await;
    let liqpays_page = browser.wait_for_text("До сплати").await;
    assert!(liqpays_page.contains("660"), "LiqPay took the signed form and charges the bill: {liqpays_page}");
    browser.save_screenshot("liqpay-page").await;
    browser.find("#liqpay-pay").await.click().await;
    let receipt = browser.wait_for_text("Рахунок закрито").await;
    for shown in ["LiqPay", CARD_MASK, RRN] {
        assert!(receipt.contains(shown), "{shown} on the receipt: {receipt}");
    }
    assert!(browser.url().await.starts_with(&format!("{}/p/pay_", app.base)), "on our receipt page");
    browser.save_screenshot("liqpay-receipt").await;

    let paid = eventually("the POS closes the bill", || async { pos.floor().paid("b-32072").cloned() }).await;
    assert_eq!(paid.times_paid, 1);
    let log =
        app.get_json(&format!("/api/admin/restaurants/{}/requests?operation=payBill", restaurant.resto_id)).await.1;
    assert_eq!(log.as_array().unwrap().len(), 1, "one payBill: {log}");
    let sent = log[0]["requestBody"].as_str().unwrap();
    for line in ["LiqPay", CARD_MASK, RRN, AUTHCODE] {
        assert!(sent.contains(line), "payBill carried {line}: {sent}");
    }
    let (_, payments) = app.get_json(&format!("/api/admin/restaurants/{}/payments", restaurant.resto_id)).await;
    assert_eq!(payments.as_array().unwrap().len(), 1, "one payment: {payments}");
    assert_eq!(liqpay.checkouts().len(), 1, "one checkout");
    assert_eq!(liqpay.charges(), 1, "one charge");
}
