//! Accessibility checked by a real tool: axe-core (from npm) run inside Chromium over every
//! guest page — bill, split and its confirmation, the card page, the receipt, a free table, a
//! paid table, someone paying, the error pages, the landing page — in Ukrainian and English.
//! WCAG 2.x A, AA and AAA rules (AAA's 7:1 contrast among them) must find nothing.

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::webdriver::Browser;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The axe-core version checked with (npm).
const AXE_VERSION: &str = "4.14.1";

/// axe-core's browser build: installed with npm into `target/axe-core` on first use (as `.ci/run`
/// installs Chromium), then read from there.
fn axe_source() -> &'static str {
    static SOURCE: OnceLock<String> = OnceLock::new();
    SOURCE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/axe-core");
        let file = dir.join("node_modules/axe-core/axe.min.js");
        let installed = dir.join("node_modules/axe-core/package.json");
        let version_ok =
            std::fs::read_to_string(&installed).is_ok_and(|p| p.contains(&format!("\"version\": \"{AXE_VERSION}\"")));
        if !version_ok {
            std::fs::create_dir_all(&dir).unwrap();
            let status = std::process::Command::new("npm")
                .args(["install", "--no-audit", "--no-fund", "--prefix"])
                .arg(&dir)
                .arg(format!("axe-core@{AXE_VERSION}"))
                .status()
                .expect("npm runs (node and npm are needed for the accessibility test)");
            assert!(status.success(), "npm could not install axe-core@{AXE_VERSION}");
        }
        std::fs::read_to_string(&file).expect("axe-core's axe.min.js")
    })
}

/// Runs axe on the open page with the given rule tags; each violation as `rule (impact): nodes`.
async fn axe(browser: &Browser, tags: &[&str]) -> Vec<String> {
    let tags = serde_json::to_string(tags).unwrap();
    let script = format!(
        "{}\nreturn axe.run(document, {{runOnly: {{type: 'tag', values: {tags}}}, resultTypes: ['violations']}})\
         .then(r => r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').split('\\n').slice(1, 2).join('')).join(' | ')));",
        axe_source()
    );
    match browser.run(&script).await {
        Value::Array(found) => found.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect(),
        other => panic!("axe did not run: {other}"),
    }
}

/// The guest pages of one journey, as (name, URL); pages reached by a form are visited by
/// `visit` itself.
async fn visit_every_page(app: &TestApp, browser: &Browser, lang: &str, found: &mut Vec<String>) {
    let r = app.create_restaurant("Андріївський ранок").await;
    let ordering = rahunok_server::store::GuestSettings { ordering_enabled: true, ..Default::default() };
    app.state.store.save_guest_settings(&r.resto_id, &ordering).await.unwrap();
    let pos = app.start_virtual_pos(&r).await;
    let mut check = async |name: &str| {
        browser.find("main").await;
        // AAA included: its contrast rule (7:1) is the stricter one the guest pages meet.
        for violation in axe(browser, &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "wcag2aaa"]).await {
            found.push(format!("[{lang}] {name}: {violation}"));
        }
    };
    let base = &app.base;
    let resto = &r.resto_id;
    for (name, path) in [
        ("landing", "/".to_string()),
        ("bill", format!("/t/{resto}/7")),
        ("split", format!("/b/{resto}/b-32071/split")),
        ("free table", format!("/t/{resto}/1")),
        ("unknown table", format!("/t/{resto}/99")),
        ("unknown restaurant", "/t/nope/1".to_string()),
        ("no such page", "/nothing-here".to_string()),
    ] {
        browser.goto(&format!("{base}{path}")).await;
        check(name).await;
    }
    browser.goto(&format!("{base}/b/{resto}/b-32071/split")).await;
    browser.find("input[name=pos][value='p-32071-1']").await.click().await;
    browser.find("#split-next").await.click().await;
    browser.find("#confirm-split").await;
    check("split confirmation").await;
    // A tip over the limit, caught by the page.
    browser.goto(&format!("{base}/t/{resto}/12")).await;
    browser.find("#tip_custom").await.type_text("99999").await;
    check("bill with a refused tip").await;
    browser.find("input[name=tip][value='10']").await.click().await;
    browser.find("#pay").await.click().await;
    browser.find("#card").await;
    check("card page").await;
    browser.find("#card").await.type_text("4000 0000 0000 0002").await;
    browser.find("#expiry").await.type_text("13/30").await;
    browser.find("#pay-card").await.click().await;
    browser.find("#card-error").await;
    check("card page with an error").await;
    browser.back().await;
    browser.back().await;
    browser.find("#cancel-payment").await;
    check("your payment").await;
    let other = reqwest::Client::new();
    let someone = other.get(format!("{base}/t/{resto}/12")).send().await.unwrap().text().await.unwrap();
    assert!(someone.contains("someone-paying"));
    browser.find("#continue-payment").await.click().await;
    browser.find("#card").await.type_text("4242424242424242").await;
    browser.find("#expiry").await.type_text("1230").await;
    browser.find("#cvc").await.type_text("123").await;
    browser.find("#pay-card").await.click().await;
    browser.find("#receipt").await;
    check("receipt").await;
    for _ in 0..100 {
        if pos.floor().paid("b-32072").is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.goto(&format!("{base}/t/{resto}/12")).await;
    check("paid table").await;

    // Ordering from the menu: the menu, a refused choice, the review, the order placed.
    for _ in 0..100 {
        browser.goto(&format!("{base}/t/{resto}/5/menu")).await;
        if browser.try_find("form.add").await.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    check("menu").await;
    let holubtsi = "#d-dish-holubtsi form";
    browser
        .run(&format!(
            "document.querySelectorAll('{holubtsi} input[type=radio]').forEach(i => i.required = false); return 1;"
        ))
        .await;
    browser.find(&format!("{holubtsi} button[type=submit]")).await.click().await;
    browser.find("#choice-problem").await;
    check("menu with a refused choice").await;
    browser.find(&format!("{holubtsi} input[value='mod-sauce-tomato']")).await.click().await;
    browser.find(&format!("{holubtsi} button[type=submit]")).await.click().await;
    browser.find("#review").await;
    check("menu with a cart").await;
    browser.find("#review").await.click().await;
    browser.find("#confirm").await;
    check("order review").await;
    browser.find("#confirm").await.click().await;
    browser.find("#add-to-bill").await;
    check("order placed").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_guest_page_passes_axe_core_in_ukrainian_and_english() {
    axe_source();
    let app = spawn_app(Backend::Sqlite).await;
    let mut found = Vec::new();
    for (lang, languages) in [("uk", "uk-UA,uk"), ("en", "en-US,en")] {
        let browser = Browser::start_with(360, 800, languages).await;
        visit_every_page(&app, &browser, lang, &mut found).await;
    }
    assert!(found.is_empty(), "axe-core found:\n{}", found.join("\n"));
}
