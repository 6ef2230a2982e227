//! The browser harness works: Chromium opens a page of the real server.

use crate::helpers::{spawn_app, Backend};
use crate::webdriver::Browser;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chromium_opens_a_page_of_the_real_server() {
    let app = spawn_app(Backend::Sqlite).await;
    let browser = Browser::start().await;
    browser.goto(&format!("{}/healthz", app.base)).await;
    assert_eq!(browser.body_text().await.trim(), "ok");
}
