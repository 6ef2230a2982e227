//! The admin panel in headless Chromium: an operator and a restaurant admin at work, against
//! the real server and the virtual POS. Each test saves screenshots of the pages it visits
//! (`target/screenshots/panel-*.png`), on a laptop-sized window or a phone-sized one.

use crate::helpers::{spawn_app, spawn_app_with, AppOptions, Backend, Restaurant, TestApp};
use crate::webdriver::Browser;
use base64::Engine;
use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::VirtualPos;
use rahunok_server::panel::users::create_user;
use rahunok_server::store::PanelRole;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery";

async fn laptop() -> Browser {
    Browser::start_sized(1280, 900).await
}

async fn operator(app: &TestApp) {
    create_user(&app.state.store, "olena", PASSWORD, PanelRole::Operator).await.unwrap();
}

async fn restaurant_admin(app: &TestApp, restaurant: &Restaurant) {
    let role = PanelRole::RestaurantAdmin { resto_id: restaurant.resto_id.clone() };
    create_user(&app.state.store, "marta", PASSWORD, role).await.unwrap();
}

/// Signs in through the form and waits for the first page.
async fn sign_in(browser: &Browser, app: &TestApp, name: &str, lands_on: &str) {
    browser.goto(&format!("{}/panel", app.base)).await;
    browser.find("input[name=name]").await.type_text(name).await;
    browser.find("input[name=password]").await.type_text(PASSWORD).await;
    browser.find("form[action='/panel/sign-in'] button").await.click().await;
    browser.wait_for_text(lands_on).await;
}

/// A café with its virtual POS connected.
async fn cafe(app: &TestApp) -> (Restaurant, VirtualPos) {
    let restaurant = app.create_restaurant("Андріївський ранок").await;
    let pos = app.start_virtual_pos(&restaurant).await;
    (restaurant, pos)
}

/// Polls a script until it returns `expected` (10 s at most).
async fn wait_for_script(browser: &Browser, script: &str, expected: serde_json::Value) {
    let mut last = serde_json::Value::Null;
    for _ in 0..100 {
        last = browser.run(script).await;
        if last == expected {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("`{script}` returned {last}, not {expected}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_signs_in_and_sees_the_restaurants_with_live_dots() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let (_cafe, _pos) = cafe(&app).await;
    app.create_restaurant("Закрита піцерія").await;
    let browser = laptop().await;
    browser.goto(&format!("{}/panel/sign-in", app.base)).await;
    browser.wait_for_text("вхід у панель").await;
    browser.save_screenshot("panel-sign-in").await;
    sign_in(&browser, &app, "Olena", "Новий ресторан").await;
    let page = browser.wait_for_text("Андріївський ранок").await;
    assert!(
        page.contains("Закрита піцерія") && page.contains("підключена") && page.contains("не підключена"),
        "{page}"
    );
    assert_eq!(browser.find_all(".dot.on").await.len(), 1, "one restaurant is connected");
    browser.save_screenshot("panel-restaurants").await;
    browser.find("nav.lang a").await.click().await;
    browser.wait_for_text("New restaurant").await;
    browser.save_screenshot("panel-restaurants-english").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_creates_a_restaurant_sees_its_secret_once_and_a_refresh_creates_no_other() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let browser = laptop().await;
    sign_in(&browser, &app, "olena", "Новий ресторан").await;
    browser.find("input[name=name]").await.type_text("Кав'ярня на Подолі").await;
    browser.find("form[action='/panel/restaurants'] button").await.click().await;
    browser.wait_for_text("Збережіть секрет зараз").await;
    let resto_id = browser.find("#resto-id").await.text().await;
    let secret = browser.find("#secret-key").await.text().await;
    let authorization = browser.find("#authorization").await.text().await;
    let expected = base64::engine::general_purpose::STANDARD.encode(format!("{resto_id}:{secret}"));
    assert_eq!(authorization, format!("Basic {expected}"), "a ready Authorization header");
    assert!(secret.len() >= 43, "at least 32 random bytes: {secret}");
    assert_eq!(browser.find_all("button[data-copy]").await.len(), 4, "copy buttons");
    browser.save_screenshot("panel-credentials").await;

    // The creation redirected (POST → GET): a refresh neither creates another restaurant nor
    // shows the secret again.
    browser.run("location.reload()").await;
    let again = browser.wait_for_text("уже показано").await;
    assert!(!again.contains(&secret), "the secret is shown once");
    assert_eq!(app.state.store.restaurants().await.unwrap().len(), 1, "one restaurant, however often refreshed");
    browser.save_screenshot("panel-credentials-shown-already").await;

    browser.find("a.button").await.click().await;
    let dashboard = browser.wait_for_text("RESTO_ID").await;
    assert!(!dashboard.contains(&secret), "the dashboard does not show the secret");
    // Back lands on the GET that showed the secret: it is gone, nothing is resubmitted.
    browser.run("history.back()").await;
    assert!(!browser.wait_for_text("уже показано").await.contains(&secret));
    assert_eq!(app.state.store.restaurants().await.unwrap().len(), 1);
    browser.run("history.forward()").await;
    browser.wait_for_text("RESTO_ID").await;
    browser.goto(&format!("{}/panel/restaurants", app.base)).await;
    let list = browser.wait_for_text("Кав'ярня на Подолі").await;
    assert!(!list.contains(&secret));
    let html = browser.run("return document.documentElement.outerHTML").await;
    assert!(!html.as_str().unwrap().contains(&secret), "not even hidden in the HTML");

    // The credentials are real: a POS connects with them.
    let config = PosConfig::new(&app.base, &resto_id, &secret, "RahunokSim");
    tokio::spawn(VirtualPos::kyiv_cafe().run(config, None));
    app.wait_connected(&resto_id, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_turns_connected_without_a_reload_when_the_virtual_pos_connects() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let restaurant = app.create_restaurant("Андріївський ранок").await;
    let browser = Browser::start().await;
    sign_in(&browser, &app, "olena", "Новий ресторан").await;
    browser.goto(&format!("{}/panel/r/{}", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("Не підключена").await;
    // Not connected: what the POS needs, never the secret, a check command, a new secret.
    let setup = browser.find("#pos-setup").await.text().await;
    let socket = format!("{}/restaurantEntryPoint", app.base.replacen("http", "ws", 1));
    assert!(setup.contains(&socket) && setup.contains(&format!("{}/callback/<operation>", app.base)), "{setup}");
    assert!(setup.contains(&format!("restoId: {}", restaurant.resto_id)), "{setup}");
    assert!(setup.contains(&format!("rahunok check-pos --server {}", app.base)), "{setup}");
    assert!(!setup.contains(&restaurant.secret), "the secret is not shown again");
    assert!(browser.try_find("#pos-setup form[action$='/credentials'] button").await.is_some(), "rotate secret");
    browser.save_screenshot("panel-dashboard-offline").await;
    browser.run("window.stillTheSamePage = true").await;

    let _pos = app.start_virtual_pos(&restaurant).await;
    wait_for_script(&browser, "return document.getElementById('conn-dot').className", "dot on".into()).await;
    let page = browser.wait_for_text("RahunokSim").await;
    assert!(page.contains("Підключена"), "{page}");
    browser.wait_for_text("BILL_V_2").await;
    assert_eq!(browser.run("return window.stillTheSamePage === true").await, true, "no reload happened");
    browser.save_screenshot("panel-dashboard-connected").await;
}

/// Reads a URL through the browser (its session cookie included): status and bytes.
async fn download(browser: &Browser, url: &str) -> (u16, Vec<u8>) {
    let script = format!(
        "var x = new XMLHttpRequest(); x.open('GET', {url:?}, false);\
         x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();\
         var s = ''; for (var i = 0; i < x.responseText.length; i++) s += String.fromCharCode(x.responseText.charCodeAt(i) & 255);\
         return [x.status, btoa(s)];"
    );
    let answer = browser.run(&script).await;
    let bytes = base64::engine::general_purpose::STANDARD.decode(answer[1].as_str().unwrap()).unwrap();
    (answer[0].as_u64().unwrap() as u16, bytes)
}

/// The text of the one QR code in a greyscale image.
fn decode_qr(width: usize, height: usize, luma: impl Fn(usize, usize) -> u8) -> String {
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, luma);
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the image");
    grids[0].decode().expect("the code decodes").1
}

fn decode_png_qr(png: &[u8]) -> String {
    let mut reader = png::Decoder::new(std::io::Cursor::new(png)).read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let width = info.width as usize;
    decode_qr(width, info.height as usize, |x, y| pixels[y * width + x])
}

/// Draws the SVG's dark runs (`M{x},{y}h{n}v1h-{n}z`, one unit per module) and decodes them.
fn decode_svg_qr(svg: &str) -> String {
    let view_box = svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap();
    let side: usize = view_box.parse().unwrap();
    let path = svg.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut dark = vec![false; side * side];
    for run in path.split('M').filter(|r| !r.is_empty()) {
        let (xy, rest) = run.split_once('h').unwrap();
        let (x, y) = xy.split_once(',').unwrap();
        let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
        let length: usize = rest.split('v').next().unwrap().parse().unwrap();
        dark[y * side + x..y * side + x + length].fill(true);
    }
    const SCALE: usize = 8;
    decode_qr(side * SCALE, side * SCALE, |x, y| if dark[(y / SCALE) * side + x / SCALE] { 0 } else { 255 })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tables_and_qr_codes_show_the_fixtures_twelve_tables_in_two_halls() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let (restaurant, _pos) = cafe(&app).await;
    let browser = laptop().await;
    sign_in(&browser, &app, "olena", "Новий ресторан").await;
    browser.goto(&format!("{}/panel/r/{}/tables", app.base, restaurant.resto_id)).await;
    let page = browser.wait_for_text("Столів: 12, залів: 2").await;
    let halls: Vec<String> = {
        let mut names = Vec::new();
        for heading in browser.find_all("#tables h2").await {
            names.push(heading.text().await);
        }
        names
    };
    assert_eq!(halls, ["Основна зала", "Літня тераса"]);
    assert_eq!(browser.find_all(".qr-card").await.len(), 12);
    assert!(page.contains("Біля каміна · № 3"), "{page}");
    browser.save_screenshot("panel-tables").await;

    browser.find("#print-all").await.click().await;
    browser.wait_for_text("Скануйте, щоб переглянути й оплатити рахунок").await;
    assert_eq!(browser.find_all(".sheet .label svg").await.len(), 12, "every table on the A4 sheets");
    browser.save_screenshot("panel-tables-print").await;

    let phone = Browser::start().await;
    sign_in(&phone, &app, "olena", "Новий ресторан").await;
    phone.goto(&format!("{}/panel/r/{}/tables", app.base, restaurant.resto_id)).await;
    phone.wait_for_text("Столів: 12").await;
    phone.save_screenshot("panel-tables-phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_tables_page_says_clearly_when_the_pos_is_offline() {
    let app = spawn_app(Backend::Sqlite).await;
    let restaurant = app.create_restaurant("Закрита каса").await;
    restaurant_admin(&app, &restaurant).await;
    let browser = Browser::start().await;
    sign_in(&browser, &app, "marta", "Підключення каси").await;
    browser.goto(&format!("{}/panel/r/{}/tables", app.base, restaurant.resto_id)).await;
    let alert = browser.find("#tables .alert").await.text().await;
    assert_eq!(alert, "Каса не підключена: столи неможливо отримати.");
    assert!(browser.try_find("#tables button").await.is_some(), "a button to try again");
    browser.save_screenshot("panel-tables-offline").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_downloaded_qr_code_decodes_to_the_tables_guest_url() {
    let app = spawn_app(Backend::Sqlite).await;
    let (restaurant, _pos) = cafe(&app).await;
    restaurant_admin(&app, &restaurant).await;
    let browser = Browser::start().await;
    sign_in(&browser, &app, "marta", "Підключення каси").await;
    browser.goto(&format!("{}/panel/r/{}/tables", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("Столів: 12").await;
    let card = browser.find(".qr-card[data-table='7']").await;
    assert!(card.text().await.contains("№ 7"));
    let png_link = browser.find(".qr-card[data-table='7'] a[href$='qr.png?download=1']").await;
    let svg_link = browser.find(".qr-card[data-table='7'] a[href$='qr.svg?download=1']").await;
    let guest_url = format!("{}/t/{}/7", app.base, restaurant.resto_id);

    let (status, png) = download(&browser, &png_link.attribute("href").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(decode_png_qr(&png), guest_url, "the PNG scans to the table's guest page");
    let (status, svg) = download(&browser, &svg_link.attribute("href").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(decode_svg_qr(&String::from_utf8(svg).unwrap()), guest_url, "so does the SVG");

    // And the guest page it names is the bill of table 7.
    let guest = app.http.get(&guest_url).send().await.unwrap();
    assert_eq!(guest.status(), 200);
}

/// Opens the request log until its first entry is there (the log is written in the background).
async fn logged_entry<'b>(browser: &'b Browser, url: &str) -> crate::webdriver::Element<'b> {
    for _ in 0..50 {
        browser.goto(url).await;
        if let Some(entry) = browser.try_find("#request-log details").await {
            return entry;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no entry in the request log at {url}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_sent_from_the_console_shows_the_pos_answer_and_lands_in_the_request_log() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let (restaurant, _pos) = cafe(&app).await;
    let browser = laptop().await;
    sign_in(&browser, &app, "olena", "Новий ресторан").await;
    browser.goto(&format!("{}/panel/r/{}/console", app.base, restaurant.resto_id)).await;
    browser.find("#operation option[value='getBill']").await.click().await;
    wait_for_script(&browser, "return document.getElementById('fields').value", r#"{"tableNumber": "1"}"#.into()).await;
    browser.find("#fields").await.type_text(r#"{"tableNumber": "3"}"#).await;
    browser.find("form[action$='/console#console-result'] button[type=submit]").await.click().await;
    let answer = browser.find("#pos-answer").await.text().await;
    assert!(answer.contains("\"state\": \"SUCCESS\"") && answer.contains("b-32070"), "{answer}");
    assert!(answer.contains("520"), "the bill's total: {answer}");
    browser.save_screenshot("panel-console").await;

    let log_url = browser.find("#console-result a").await.attribute("href").await.unwrap();
    let entry = logged_entry(&browser, &format!("{}{log_url}", app.base)).await;
    entry.click().await;
    let text = entry.text().await;
    assert!(text.contains("answered") && text.contains("\"tableNumber\": \"3\"") && text.contains("b-32070"), "{text}");
    browser.save_screenshot("panel-requests").await;
    browser.goto(&format!("{}/panel/r/{}/requests?outcome=pos_fail", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("Запитів не знайдено").await;
}

/// Issue 31: choosing `setSettings` fills the editor with the restaurant's stored settings (the
/// message replaces them all on the POS), and the answer shows the fields that went out; at a
/// phone's width and a laptop's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_settings_in_the_console_starts_from_the_stored_settings_and_shows_what_went_out() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let (restaurant, _pos) = cafe(&app).await;
    let browser = laptop().await;
    sign_in(&browser, &app, "olena", "Новий ресторан").await;
    for (width, height, name) in
        [(1366, 900, "panel-console-set-settings"), (390, 844, "panel-console-set-settings-390")]
    {
        browser.resize(width, height).await;
        browser.goto(&format!("{}/panel/r/{}/console", app.base, restaurant.resto_id)).await;
        browser.find("#operation option[value='setSettings']").await.click().await;
        let editor = "return document.getElementById('fields').value.includes('\"paymentAllowed\": true')";
        wait_for_script(&browser, editor, true.into()).await;
        browser.find("form[action$='/console#console-result'] button[type=submit]").await.click().await;
        let sent = browser.find("#sent-fields").await.text().await;
        assert!(sent.contains("\"paymentAllowed\": true") && sent.contains("\"settings\""), "{sent}");
        browser.find("#settings-note").await;
        browser.save_screenshot(name).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_categories_menu_and_stop_list_come_from_the_pos_on_first_open_and_refresh() {
    let app = spawn_app(Backend::Sqlite).await;
    let (restaurant, _pos) = cafe(&app).await;
    restaurant_admin(&app, &restaurant).await;
    let browser = laptop().await;
    sign_in(&browser, &app, "marta", "Підключення каси").await;
    let pages = [
        ("staff", "Олена Коваль", "panel-staff"),
        ("categories", "Сніданки", "panel-categories"),
        ("menu", "Київський торт", "panel-menu"),
        ("stop-list", "Раф лавандовий", "panel-stop-list"),
    ];
    for (slug, expected, screenshot) in pages {
        // The first open asks the POS by itself: no empty page, no button to find first.
        browser.goto(&format!("{}/panel/r/{}/pos/{slug}", app.base, restaurant.resto_id)).await;
        browser.wait_for_text(expected).await;
        browser.wait_for_text("Отримано з каси").await;
        browser.save_screenshot(screenshot).await;
        browser.find("form[method=post].row button").await.click().await;
        browser.wait_for_text("Отримано з каси").await;
        assert!(browser.body_text().await.contains(expected), "refreshed on demand too");
    }
    assert!(browser.body_text().await.contains("Дорадо на грилі"), "the stop list names dishes from the menu");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_saved_in_the_panel_reach_the_guest_settings() {
    let app = spawn_app(Backend::Sqlite).await;
    let (restaurant, _pos) = cafe(&app).await;
    restaurant_admin(&app, &restaurant).await;
    let browser = Browser::start().await;
    sign_in(&browser, &app, "marta", "Підключення каси").await;
    browser.goto(&format!("{}/panel/r/{}/settings", app.base, restaurant.resto_id)).await;
    browser.find("input[name=print_precheck_qr]").await.click().await;
    browser.find("input[name=message_before_qr]").await.type_text("Скануйте, щоб оплатити").await;
    browser.find("input[name=tip_percents]").await.type_text("10, 15, 20").await;
    browser.find("input[name=split_enabled]").await.click().await;
    browser.find("form[action$='/settings'] > button").await.click().await;
    browser.wait_for_text("Збережено й надіслано на касу").await;
    browser.save_screenshot("panel-settings").await;
    let stored = app.state.store.restaurant(&restaurant.resto_id).await.unwrap().unwrap().settings;
    assert!(stored.print_precheck_qr);
    assert!(stored.precheck_qr_url.ends_with(&format!("/b/{}/{{billId}}", restaurant.resto_id)));
    let guest = app.state.store.guest_settings(&restaurant.resto_id).await.unwrap();
    assert_eq!((guest.tip_percents, guest.split_enabled), (vec![10, 15, 20], false));
}

/// A guest pays table 3 in the browser, the way the guest pages do it.
async fn guest_pays_table_three(app: &TestApp, restaurant: &Restaurant) {
    let guest = Browser::start().await;
    guest.goto(&format!("{}/t/{}/3", app.base, restaurant.resto_id)).await;
    guest.find("#pay").await.click().await;
    guest.find("#card").await.type_text("4242 4242 4242 4242").await;
    guest.find("#expiry").await.type_text("12/30").await;
    guest.find("#cvc").await.type_text("123").await;
    guest.find("#pay-card").await.click().await;
    guest.wait_for_text("Рахунок закрито").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restaurant_admin_refunds_a_payment_and_the_pos_is_told() {
    let app = spawn_app(Backend::Sqlite).await;
    let (restaurant, pos) = cafe(&app).await;
    restaurant_admin(&app, &restaurant).await;
    guest_pays_table_three(&app, &restaurant).await;

    let browser = laptop().await;
    sign_in(&browser, &app, "marta", "Підключення каси").await;
    browser.goto(&format!("{}/panel/r/{}/payments", app.base, restaurant.resto_id)).await;
    let list = browser.wait_for_text("b-32070").await;
    assert!(list.contains("закрито"), "{list}");
    browser.save_screenshot("panel-payments").await;
    browser.goto(&format!("{}/panel/r/{}/payments?status=refunded", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("Платежів не знайдено").await;
    browser.goto(&format!("{}/panel/r/{}/payments?status=closed", app.base, restaurant.resto_id)).await;
    browser.find("#payments tbody a").await.click().await;
    let detail = browser.wait_for_text("Історія").await;
    assert!(detail.contains("створено") && detail.contains("оплачено") && detail.contains("закрито"), "{detail}");
    browser.save_screenshot("panel-payment-detail").await;

    browser.find("#refund input[name=confirm]").await.click().await;
    browser.find("#refund button").await.click().await;
    let refunded = browser.wait_for_text("Гроші повернено гостю").await;
    assert!(refunded.contains("повернено"), "{refunded}");
    assert_eq!(browser.find("#payment-status span").await.attribute("data-status").await.as_deref(), Some("refunded"));
    assert!(browser.try_find("#refund").await.is_none(), "a refunded payment cannot be refunded again");
    browser.save_screenshot("panel-payment-refunded").await;
    for _ in 0..50 {
        if pos.floor().messages().iter().any(|m| m.bill_id.as_deref() == Some("b-32070")) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the POS was not told about the refund");
}

/// The pages' stylesheets and scripts are files from this host, under a CSP without
/// `'unsafe-inline'`: on a phone and on a laptop the guest bill and the dashboard are styled, and
/// the scripts run (the live dots, local times, the bill's total with the tip).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn styles_and_scripts_load_from_asset_files_on_a_phone_and_a_laptop() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let restaurant = app.create_restaurant("Андріївський ранок").await;
    let mut pos = None;
    for width in [360, 1366] {
        let browser = Browser::start_sized(width, 900).await;
        sign_in(&browser, &app, "olena", "Новий ресторан").await;
        if pos.is_none() {
            browser.wait_for_text("не підключена").await;
            pos = Some(app.start_virtual_pos(&restaurant).await);
            wait_for_script(&browser, "return document.querySelectorAll('.dot.on').length", 1.into()).await;
        }

        browser.goto(&format!("{}/panel/r/{}", app.base, restaurant.resto_id)).await;
        browser.wait_for_text("RESTO_ID").await;
        let main_width = "return getComputedStyle(document.querySelector('main')).maxWidth";
        assert_eq!(browser.run(main_width).await, "1152px", "panel.css is applied");
        let created = browser.find("time[data-ms]").await.text().await;
        assert!(!created.contains("UTC"), "panel.js shows the local time: {created}");
        browser.save_screenshot(&format!("panel-dashboard-{width}")).await;

        browser.goto(&format!("{}/t/{}/3", app.base, restaurant.resto_id)).await;
        browser.wait_for_text("Разом").await;
        let background = browser.run("return getComputedStyle(document.body).backgroundColor").await;
        assert_eq!(background, "rgb(250, 248, 244)", "style.css is applied");
        browser.save_screenshot(&format!("guest-bill-{width}")).await;
        browser.find("input[name=tip][value='10']").await.click().await;
        assert_eq!(browser.find("#to-pay").await.text().await, "572,00 грн", "guest-bill.js adds the tip");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_the_pos_version_text_and_its_conformance_warnings_by_kind() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let restaurant = app.create_restaurant("Стара каса").await;
    let mut config = PosConfig::new(&app.base, &restaurant.resto_id, &restaurant.secret, "OldPlugin");
    config.reconnect_delay = Duration::from_millis(200);
    tokio::spawn(VirtualPos::kyiv_cafe().with_quirks(true).run(config, None));
    app.wait_connected(&restaurant.resto_id, true).await;
    let stop_list = format!("/api/admin/restaurants/{}/stop-list?refresh=true", restaurant.resto_id);
    assert_eq!(app.get_json(&stop_list).await.0, 200, "the loose stop list is read");

    let browser = laptop().await;
    sign_in(&browser, &app, "olena", "Новий ресторан").await;
    let dashboard = format!("{}/panel/r/{}", app.base, restaurant.resto_id);
    browser.goto(&dashboard).await;
    let page = browser.wait_for_text("v0.6.0").await;
    for kind in ["DOTTED_VERSION_INFO", "UNREADABLE_INFORMATIONAL", "STOP_LIST_ID_QUANTITY"] {
        assert!(page.contains(kind), "{kind} is listed: {page}");
    }
    assert!(page.contains("Відповідність протоколу"), "{page}");
    let latest_body = browser.run("return document.querySelector('#conformance pre') !== null").await;
    assert_eq!(latest_body, true, "each kind keeps its latest body");
    browser.save_screenshot("panel-conformance").await;
    browser.run("document.querySelectorAll('#conformance details').forEach(d => d.open = true)").await;
    browser.save_screenshot("panel-conformance-open").await;

    browser.find("nav.lang a").await.click().await;
    let english = browser.wait_for_text("Protocol conformance").await;
    assert!(english.contains("STOP_LIST_ID_QUANTITY") && english.contains("v0.6.0"), "{english}");
    browser.goto(&dashboard).await;
    browser.wait_for_text("Protocol conformance").await;
    // One browser at a time: a test holding one while it waits for a second can wait forever
    // for a test doing the same (two browsers run at once; `Browser::start_two` takes both).
    drop(browser);

    let phone = Browser::start_sized(360, 800).await;
    sign_in(&phone, &app, "olena", "Новий ресторан").await;
    phone.goto(&dashboard).await;
    phone.wait_for_text("STOP_LIST_ID_QUANTITY").await;
    phone.run("document.querySelectorAll('#conformance details').forEach(d => d.open = true)").await;
    let overflow = phone.run("return document.documentElement.scrollWidth - window.innerWidth").await;
    assert!(overflow.as_i64().unwrap_or(99) <= 0, "no sideways scrolling at 360 px: {overflow}");
    phone.run("document.getElementById('conformance').scrollIntoView()").await;
    phone.save_screenshot("panel-conformance-phone").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guessing_browser_is_told_to_wait_and_a_huge_stored_answer_is_shown_cut_with_a_download() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let restaurant = app.create_restaurant("Великий").await;
    app.log_a_huge_answer(&restaurant.resto_id, 2 * 1024 * 1024).await;

    let phone = Browser::start_sized(360, 800).await;
    for _ in 0..5 {
        phone.goto(&format!("{}/panel/sign-in", app.base)).await;
        phone.find("input[name=name]").await.type_text("olena").await;
        phone.find("input[name=password]").await.type_text("wrong").await;
        phone.find("form[action='/panel/sign-in'] button").await.click().await;
        phone.wait_for_text("Неправильне").await;
    }
    phone.find("input[name=password]").await.type_text(PASSWORD).await;
    phone.find("form[action='/panel/sign-in'] button").await.click().await;
    phone.wait_for_text("спробуйте ще раз за").await;
    phone.save_screenshot("panel-sign-in-slowed-phone").await;
    drop(phone);

    // Only olena from this address is slowed: another operator signs in from it at once.
    create_user(&app.state.store, "andriy", PASSWORD, PanelRole::Operator).await.unwrap();
    let laptop = laptop().await;
    sign_in(&laptop, &app, "andriy", "Новий ресторан").await;
    laptop.goto(&format!("{}/panel/r/{}/requests", app.base, restaurant.resto_id)).await;
    laptop.run("document.querySelectorAll('details').forEach(d => d.open = true)").await;
    let page = laptop.wait_for_text("Завантажити повністю").await;
    assert!(page.contains("2048 KB"), "the whole size is said: {page}");
    laptop.save_screenshot("panel-request-log-cut").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_carry_the_public_url_and_without_one_a_loopback_panel_warns_that_phones_cannot_open_them() {
    // No public URL, the panel opened at 127.0.0.1: the codes would lead nowhere on a phone.
    let app = spawn_app(Backend::Sqlite).await;
    let (restaurant, _pos) = cafe(&app).await;
    restaurant_admin(&app, &restaurant).await;
    // The first of the two holds both places; it goes last.
    let (narrow, wide) = Browser::start_two((360, 800), (1280, 900)).await;
    for (browser, name) in [(wide, "laptop"), (narrow, "phone")] {
        sign_in(&browser, &app, "marta", "Підключення каси").await;
        browser.goto(&format!("{}/panel/r/{}/tables", app.base, restaurant.resto_id)).await;
        browser.wait_for_text("Столів: 12").await;
        let warning = browser.find("#unreachable-codes").await.text().await;
        assert!(warning.contains("Телефони гостей не відкриють ці коди") && warning.contains(&app.base), "{warning}");
        assert!(warning.contains("--public-url"), "it says how to fix it: {warning}");
        let width: i64 =
            browser.run("return document.documentElement.scrollWidth - innerWidth").await.as_i64().unwrap();
        assert!(width <= 0, "no sideways scroll on the {name}");
        browser.save_screenshot(&format!("panel-tables-unreachable-{name}")).await;
        browser.goto(&format!("{}/panel/r/{}/tables?lang=en", app.base, restaurant.resto_id)).await;
        browser.wait_for_text("12 tables").await;
        let warning = browser.find("#unreachable-codes").await.text().await;
        assert!(warning.contains("Guests' phones cannot open these codes"), "in English too: {warning}");
    }

    // With a public URL the codes carry it, and no warning is shown.
    let options = AppOptions { public_url: Some("https://pay.example.com".into()), ..AppOptions::default() };
    let app = spawn_app_with(Backend::Sqlite, options).await;
    let (restaurant, _pos) = cafe(&app).await;
    restaurant_admin(&app, &restaurant).await;
    let browser = laptop().await;
    sign_in(&browser, &app, "marta", "Підключення каси").await;
    browser.goto(&format!("{}/panel/r/{}/tables?lang=en", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("12 tables").await;
    assert!(browser.try_find("#unreachable-codes").await.is_none(), "no warning with a public URL");
    let png_link = browser.find(".qr-card[data-table='7'] a[href$='qr.png?download=1']").await;
    let (status, png) = download(&browser, &png_link.attribute("href").await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(decode_png_qr(&png), format!("https://pay.example.com/t/{}/7", restaurant.resto_id));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operator_adds_a_restaurant_admin_on_the_users_page_on_a_phone_and_a_laptop() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let (restaurant, _pos) = cafe(&app).await;
    restaurant_admin(&app, &restaurant).await;
    let phone = Browser::start_sized(360, 800).await;
    sign_in(&phone, &app, "olena", "Новий ресторан").await;
    phone.find("a[href='/panel/users']").await.click().await;
    phone.wait_for_text("Користувачі панелі").await;
    phone.find("#add-user input[name=name]").await.type_text("taras").await;
    phone.find("#add-user input[name=password]").await.type_text("taras-password-1").await;
    phone.find("#add-user button").await.click().await;
    let page = phone.wait_for_text("Додано: taras").await;
    assert!(page.contains("marta") && page.contains("olena"), "{page}");
    let overflow = phone.run("return document.documentElement.scrollWidth - innerWidth").await.as_i64().unwrap();
    assert!(overflow <= 0, "no sideways scroll on a phone: {overflow}");
    phone.save_screenshot("panel-users-phone").await;
    // The refresh after the POST repeats the GET: still one taras.
    phone.run("location.reload()").await;
    phone.wait_for_text("Додано: taras").await;
    assert_eq!(app.state.store.listed_panel_users(None).await.unwrap().len(), 3);
    drop(phone);
    let laptop = laptop().await;
    sign_in(&laptop, &app, "olena", "Новий ресторан").await;
    laptop.goto(&format!("{}/panel/users?lang=en", app.base)).await;
    laptop.wait_for_text("Panel users").await;
    laptop.save_screenshot("panel-users-laptop-english").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reports_tab_shows_the_guests_payment_by_day_and_waiter_on_a_phone_and_a_laptop() {
    let app = spawn_app(Backend::Sqlite).await;
    let (restaurant, _pos) = cafe(&app).await;
    restaurant_admin(&app, &restaurant).await;
    guest_pays_table_three(&app, &restaurant).await;
    // The first of the two holds both places; it goes last.
    let (wide, narrow) = Browser::start_two((1366, 900), (360, 800)).await;
    for (browser, name) in [(narrow, "phone"), (wide, "laptop")] {
        sign_in(&browser, &app, "marta", "Підключення каси").await;
        browser.goto(&format!("{}/panel/r/{}/reports", app.base, restaurant.resto_id)).await;
        let page = browser.wait_for_text("Разом").await;
        assert!(page.contains("Олена Коваль") && page.contains("520,00"), "table 3: its waiter and sum: {page}");
        let rows = browser.find_all("#by-day tbody tr").await.len();
        assert_eq!(rows, 1, "one day with payments");
        let overflow = browser.run("return document.documentElement.scrollWidth - innerWidth").await.as_i64().unwrap();
        assert!(overflow <= 0, "no sideways scroll on the {name}");
        browser.save_screenshot(&format!("panel-reports-{name}")).await;
        browser.goto(&format!("{}/panel/r/{}/reports?lang=en", app.base, restaurant.resto_id)).await;
        let english = browser.wait_for_text("Total").await;
        assert!(english.contains("By the day") || english.contains("Waiter"), "{english}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restaurants_pages_show_times_in_its_time_zone() {
    let app = spawn_app(Backend::Sqlite).await;
    operator(&app).await;
    let restaurant = app.create_restaurant("Токійська кав'ярня").await;
    let store = &app.state.store;
    let mut settings = store.guest_settings(&restaurant.resto_id).await.unwrap();
    settings.time_zone = "Asia/Tokyo".into();
    store.save_guest_settings(&restaurant.resto_id, &settings).await.unwrap();
    let created_at = store.restaurant(&restaurant.resto_id).await.unwrap().unwrap().created_at;
    let in_tokyo = rahunok_server::web::clock::time_of_day(created_at, "Asia/Tokyo");

    let browser = laptop().await;
    sign_in(&browser, &app, "olena", "Новий ресторан").await;
    browser.goto(&format!("{}/panel/r/{}", app.base, restaurant.resto_id)).await;
    browser.wait_for_text("GMT+9").await;
    let shown: Vec<String> = {
        let mut texts = Vec::new();
        for time in browser.find_all("time[data-ms]").await {
            texts.push(time.text().await);
        }
        texts
    };
    // The browser writes the hour without a leading zero (`0:05` past midnight, `9:30`).
    let unpadded = in_tokyo.strip_prefix('0').unwrap_or(&in_tokyo);
    assert!(shown.iter().any(|t| t.contains(unpadded) && t.contains("GMT+9")), "{shown:?} in Tokyo is {in_tokyo}");
}
