//! Paying with monobank in headless Chromium: the guest goes from the table's bill to monobank's
//! page (the emulator's), pays, and lands on our receipt; the POS closes the bill with the card's
//! fiscal lines.

use crate::helpers::{spawn_app_with, AppOptions, Backend};
use crate::monobank_emulator::{MonobankEmulator, MASKED_PAN, RRN, TOKEN};
use crate::webdriver::Browser;
use serde_json::json;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_pays_table_12_on_monobanks_page_and_lands_on_a_receipt_with_the_rrn_and_card() {
    let mono = MonobankEmulator::start().await;
    let options = AppOptions { monobank_api_url: Some(mono.url.clone()), ..AppOptions::default() };
    let app = spawn_app_with(Backend::Sqlite, options).await;
    let restaurant = app.create_restaurant("Кав'ярня на Подолі").await;
    let pos = app.start_virtual_pos(&restaurant).await;
    let chosen = app
        .admin(reqwest::Method::PUT, &format!("/api/admin/restaurants/{}/acquirer", restaurant.resto_id))
        .json(&json!({"kind": "monobank", "token": TOKEN}))
        .send()
        .await
        .unwrap();
    assert_eq!(chosen.status(), 200);

    let browser = Browser::start().await;
    browser.goto(&format!("{}/t/{}/12", app.base, restaurant.resto_id)).await;
    let page = browser.wait_for_text("Разом").await;
    assert!(page.contains("Стіл 12") && page.contains("660,00 грн"), "{page}");
    browser.find("#pay").await.click().await;
    let monobank_page = browser.wait_for_text("plata by mono").await;
    assert!(monobank_page.contains("660.00"), "monobank charges the bill: {monobank_page}");
    browser.save_screenshot("monobank-page").await;
    browser.find("#mono-pay").await.click().await;
    let receipt = browser.wait_for_text("Рахунок закрито").await;
    assert!(receipt.contains(RRN) && receipt.contains(MASKED_PAN), "RRN and card on the receipt: {receipt}");
    assert!(browser.url().await.starts_with(&format!("{}/p/pay_", app.base)), "on our receipt page");
    browser.save_screenshot("monobank-receipt").await;

    let mut paid = None;
    for _ in 0..100 {
        paid = pos.floor().paid("b-32072").cloned();
        if paid.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(paid.expect("the POS closed the bill").times_paid, 1);
    let log =
        app.get_json(&format!("/api/admin/restaurants/{}/requests?operation=payBill", restaurant.resto_id)).await.1;
    assert_eq!(log.as_array().unwrap().len(), 1, "one payBill: {log}");
    let sent = log[0]["requestBody"].as_str().unwrap();
    assert!(sent.contains(RRN) && sent.contains(MASKED_PAN) && sent.contains("monobank"), "fiscal lines: {sent}");
    assert_eq!(mono.calls_to("/api/merchant/invoice/create").len(), 1, "one invoice");
    assert_eq!(mono.invoice_status(&mono.only_invoice()).as_deref(), Some("success"), "one charge");
}
