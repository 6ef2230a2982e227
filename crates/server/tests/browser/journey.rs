//! The guest journey's second pass in Chromium, used as guests use it: Back in the middle of
//! paying, a second phone at the table, a declined card tried again, an English phone from the
//! bill to the receipt, and every page at the widths of real phones with 3 to 5 tip presets.
//! Each test ends on the POS side or the store, not only on what the page says.

use crate::guest::{cafe, cafe_with, money, pay_with_card_expiring as pay_with_card, wait_paid_on_pos};
use crate::helpers::{AppOptions, TestApp};
use crate::webdriver::Browser;
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::Money;
use rahunok_server::payments::sandbox::paid_charges_for_bill;
use rahunok_server::store::{GuestSettings, PaymentFilter, PaymentStatus};
use std::time::Duration;

async fn payments_with(app: &TestApp, resto_id: &str, status: PaymentStatus) -> usize {
    let filter = PaymentFilter { status: Some(status), ..PaymentFilter::default() };
    app.state.store.payments(resto_id, &filter).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_guest_who_goes_back_continues_or_cancels_and_a_second_phone_pays_at_once() {
    let (app, r, pos) = cafe().await;
    let table = format!("{}/t/{}/12", app.base, r.resto_id);
    let (first, second) = Browser::start_two((360, 800), (1366, 900)).await;
    first.goto(&table).await;
    first.find("input[name=tip][value='10']").await.click().await;
    first.find("#pay").await.click().await;
    first.wait_for_text("Rahunok Sandbox Pay").await;
    let with_tip = first.find("#amount").await.text().await;
    // Back from the card page: the bill says the payment is this guest's, to continue or cancel.
    first.back().await;
    let page = first.wait_for_text("Ви вже почали оплату").await;
    assert!(page.contains("тому") && page.contains("Продовжити оплату"), "{page}");
    assert!(first.try_find("#pay").await.is_none(), "no second pay button");
    first.save_screenshot("journey-back-your-payment-360").await;
    first.find("#continue-payment").await.click().await;
    first.wait_for_text("Rahunok Sandbox Pay").await;
    assert_eq!(first.find("#amount").await.text().await, with_tip, "continuing keeps the tip chosen");
    first.back().await;
    first.wait_for_text("Ви вже почали оплату").await;

    // A second phone at the table is told someone is paying, and since when.
    second.goto(&table).await;
    let seen = second.wait_for_text("Хтось уже сплачує").await;
    assert!(seen.contains("Оплату почато") && seen.contains("тому"), "{seen}");
    assert!(second.try_find("#pay").await.is_none() && second.try_find("#cancel-payment").await.is_none());
    second.save_screenshot("journey-someone-paying-1366").await;

    // The first guest cancels; the second pays at once.
    first.find("#cancel-payment").await.click().await;
    first.find("#pay").await;
    assert_eq!(payments_with(&app, &r.resto_id, PaymentStatus::Cancelled).await, 1);
    second.refresh().await;
    second.find("#pay").await.click().await;
    second.wait_for_text("Rahunok Sandbox Pay").await;
    assert_eq!(second.find("#amount").await.text().await, "660,00 грн");
    pay_with_card(&second, "4242 4242 4242 4242", "12/30").await;
    second.wait_for_text("Рахунок закрито").await;
    let paid = wait_paid_on_pos(&pos, "b-32072").await;
    assert_eq!((paid.sum, paid.tips, paid.times_paid), (money("660.00"), Money::ZERO, 1));
    assert_eq!(paid_charges_for_bill(&app.state.store, &r.resto_id, "b-32072").await.unwrap(), 1);

    // The table now says it is paid, with the time, to both phones.
    first.goto(&table).await;
    let done = first.wait_for_text("Рахунок сплачено ✓").await;
    assert!(done.contains("Сплачено о"), "{done}");
    first.save_screenshot("journey-table-paid-360").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_payment_frees_the_bill_after_the_configured_hold() {
    let payment_timings = rahunok_server::config::PaymentTimings {
        tick: Duration::from_millis(100),
        // The closer asks about unfinished payments after 2 s (20 s in production); a payment
        // whose charge is still being made is left alone whatever this is
        // (`api::monobank::a_payment_monobank_is_slow_to_create_is_not_expired_while_its_invoice_is_made`).
        reconcile_after: Duration::from_secs(2),
        // Long enough for a loaded machine to open a page well inside it; the loop below
        // waits for it to pass.
        hold_without_activity: Duration::from_secs(10),
        ..Default::default()
    };
    let (app, r, pos) = cafe_with(AppOptions { payment_timings, ..AppOptions::default() }).await;
    let table = format!("{}/t/{}/12", app.base, r.resto_id);
    let (first, second) = Browser::start_two((360, 800), (390, 844)).await;
    first.goto(&table).await;
    first.find("#pay").await.click().await;
    first.wait_for_text("Rahunok Sandbox Pay").await;
    // The guest puts the phone away on the card page.
    second.goto(&table).await;
    second.wait_for_text("Хтось уже сплачує").await;
    let mut free = false;
    for _ in 0..400 {
        second.refresh().await;
        if second.try_find("#pay").await.is_some() {
            free = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(free, "the bill never became free again");
    assert_eq!(payments_with(&app, &r.resto_id, PaymentStatus::Expired).await, 1);
    // The abandoned card page can no longer be paid: it leads to the payment's status.
    first.refresh().await;
    first.wait_for_text("Час на оплату минув").await;
    second.find("#pay").await.click().await;
    // The second guest pays in one step, well inside the hold.
    second.find("#card").await;
    second
        .run(
            "document.querySelector('#card').value = '4242424242424242';\n\
             document.querySelector('#expiry').value = '1230';\n\
             document.querySelector('#cvc').value = '123';\n\
             document.querySelector('#pay-card').click();",
        )
        .await;
    second.wait_for_text("Рахунок закрито").await;
    assert_eq!(wait_paid_on_pos(&pos, "b-32072").await.times_paid, 1);
    assert_eq!(paid_charges_for_bill(&app.state.store, &r.resto_id, "b-32072").await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_declined_card_is_tried_again_with_the_same_tip_and_the_card_page_reads_1230() {
    let (app, r, pos) = cafe().await;
    let browser = Browser::start_sized(360, 800).await;
    browser.goto(&format!("{}/t/{}/12", app.base, r.resto_id)).await;
    browser.find("input[name=tip][value='15']").await.click().await;
    browser.find("#pay").await.click().await;
    let card_page = browser.wait_for_text("Rahunok Sandbox Pay").await;
    assert!(card_page.contains("Андріївський ранок · стіл 12"), "the restaurant, not a bill id: {card_page}");
    assert!(!card_page.contains("b-32072"), "{card_page}");
    let amount = browser.find("#amount").await.text().await;
    // A typo in the expiry keeps the card number typed.
    pay_with_card(&browser, "4000 0000 0000 0002", "13/30").await;
    browser.wait_for_text("ММ/РР").await;
    assert_eq!(browser.find("#card").await.attribute("value").await.as_deref(), Some("4000 0000 0000 0002"));
    browser.save_screenshot("journey-card-expiry-refused-360").await;
    browser.find("#expiry").await.type_text("12 / 30").await;
    browser.find("#cvc").await.type_text("123").await;
    browser.find("#pay-card").await.click().await;
    browser.wait_for_text("Оплату відхилено").await;
    browser.find("a.button").await.click().await;
    browser.wait_for_text("Разом").await;
    let kept = browser.run("return document.querySelector('input[name=tip]:checked').value").await;
    assert_eq!(kept, "15", "the retry keeps the 15 % tip");
    browser.find("#pay").await.click().await;
    browser.wait_for_text("Rahunok Sandbox Pay").await;
    assert_eq!(browser.find("#amount").await.text().await, amount);
    pay_with_card(&browser, "4242424242424242", "1230").await;
    browser.wait_for_text("Рахунок закрито").await;
    let paid = wait_paid_on_pos(&pos, "b-32072").await;
    assert_eq!((paid.sum, paid.times_paid), (money("660.00"), 1));
    assert!(paid.tips > Money::ZERO);
    // The guest who paid rates the service on the receipt.
    browser.run("document.getElementById('after-paying').scrollIntoView(); return 0").await;
    assert_fits(&browser, "receipt with the rating at 360 px").await;
    browser.save_screenshot("journey-receipt-rating-360").await;
    browser.find("button[name=rating][value='5']").await.click().await;
    browser.wait_for_text("Дякуємо за оцінку: 5 / 5").await;
    let filter = PaymentFilter { status: Some(PaymentStatus::Closed), ..PaymentFilter::default() };
    let closed = app.state.store.payments(&r.resto_id, &filter).await.unwrap();
    assert_eq!(closed[0].rating, Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tapped_preset_clears_the_typed_tip_and_a_tip_over_the_limit_is_caught_in_the_page() {
    let (app, r, pos) = cafe().await;
    let browser = Browser::start_sized(360, 800).await;
    browser.goto(&format!("{}/t/{}/7", app.base, r.resto_id)).await;
    let page = browser.wait_for_text("Відсоток рахується від").await;
    assert!(page.contains("до знижок"), "the base of the percentages is named: {page}");
    let custom = browser.find("#tip_custom").await;
    custom.type_text("100").await;
    let checked = browser.run("return document.querySelectorAll('input[name=tip]:checked').length").await;
    assert_eq!(checked, 0, "a typed tip clears the preset");
    assert_eq!(browser.find("#to-pay").await.text().await, "802,90 грн");
    browser.find("input[name=tip][value='10']").await.click().await;
    let typed = "return document.getElementById('tip_custom').value";
    assert_eq!(browser.run(typed).await, "", "a preset clears the typed tip");
    assert_eq!(browser.find("#to-pay").await.text().await, "781,00 грн", "10 % of 781,00 before discounts");
    browser.find("#tip_custom").await.type_text("99999").await;
    let error = browser.find("#tip-error").await.text().await;
    assert!(error.contains("не можуть перевищувати"), "{error}");
    let before = browser.url().await;
    browser.find("#pay").await.click().await;
    assert_eq!(browser.url().await, before, "the form is not sent");
    assert_eq!(browser.run(typed).await, "99999", "the input is kept");
    browser.save_screenshot("journey-tip-over-limit-360").await;
    assert!(pos.floor().paid("b-32071").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_english_phone_sees_english_from_the_bill_to_the_receipt() {
    let (app, r, pos) = cafe().await;
    let browser = Browser::start_with(390, 844, "en-US,en").await;
    let table = format!("{}/t/{}/12", app.base, r.resto_id);
    browser.goto(&table).await;
    let bill = browser.wait_for_text("Total").await;
    assert!(bill.contains("Table 12") && bill.contains("Percentages are of"), "{bill}");
    assert!(!bill.contains("Сплатити") && !bill.contains("Разом"), "{bill}");
    browser.find("input[name=tip][value='10']").await.click().await;
    browser.find("#pay").await.click().await;
    let card = browser.wait_for_text("Card number").await;
    assert!(card.contains("To pay") && card.contains("table 12") && !card.contains("Рахунок"), "{card}");
    pay_with_card(&browser, "4242 4242 4242 4242", "1230").await;
    let receipt = browser.wait_for_text("The bill is closed").await;
    assert!(receipt.contains("Approval code") && receipt.contains("UAH") && !receipt.contains("грн"), "{receipt}");
    let filter = PaymentFilter::default();
    let payment = app.state.store.payments(&r.resto_id, &filter).await.unwrap().remove(0);
    let kyiv = rahunok_server::web::clock::date_time(payment.created_at, "Europe/Kyiv");
    assert!(receipt.contains(&format!("Time: {kyiv}")), "the receipt is in Kyiv time ({kyiv}): {receipt}");
    assert_eq!(receipt.matches(&payment.id).count(), 1, "the payment id once");
    browser.save_screenshot("journey-english-receipt-390").await;
    wait_paid_on_pos(&pos, "b-32072").await;
    browser.goto(&table).await;
    browser.wait_for_text("Bill paid ✓").await;
    // Choosing Ukrainian is remembered over the browser's English.
    browser.find("nav.lang a").await.click().await;
    browser.wait_for_text("Рахунок сплачено ✓").await;
    browser.goto(&format!("{}/t/{}/3", app.base, r.resto_id)).await;
    browser.wait_for_text("Разом").await;
}

/// Checks the page fits the window: no sideways scroll, every control at least 44 px.
async fn assert_fits(browser: &Browser, what: &str) {
    let measured = browser
        .run(
            "const small = [...document.querySelectorAll('a.button, button, input[type=text], select, .tips label, nav.lang a, label.pick')]\
               .filter(e => e.offsetParent !== null)\
               .map(e => [e.tagName + (e.id ? '#' + e.id : '') + ' ' + e.textContent.trim().slice(0, 20), e.getBoundingClientRect()])\
               .filter(([, r]) => r.height < 44 || r.width < 44).map(([n, r]) => n + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));\
             return { scroll: document.documentElement.scrollWidth, inner: window.innerWidth, small };",
        )
        .await;
    let (scroll, inner) = (measured["scroll"].as_u64().unwrap(), measured["inner"].as_u64().unwrap());
    assert!(scroll <= inner, "{what}: the page is {scroll} px wide in a {inner} px window");
    assert_eq!(measured["small"], serde_json::json!([]), "{what}: tap targets under 44 px");
}

/// A guest pays bill b-32070 over HTTP with a tip typed in; the receipt's URL.
async fn a_paid_receipt(app: &TestApp, resto_id: &str) -> String {
    let guest = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let html = guest.get(format!("{}/b/{resto_id}/b-32070", app.base)).send().await.unwrap().text().await.unwrap();
    let field = |name: &str| {
        let marker = format!("name=\"{name}\" value=\"");
        let start = html.find(&marker).unwrap() + marker.len();
        html[start..].split('"').next().unwrap().to_string()
    };
    let form = [
        ("idempotency_key", field("idempotency_key")),
        ("expected_total", field("expected_total")),
        ("tip_custom", "480".into()),
    ];
    let pay = guest.post(format!("{}/b/{resto_id}/b-32070/pay", app.base)).form(&form).send().await.unwrap();
    let checkout = pay.headers()["location"].to_str().unwrap().to_string();
    let card = [("card", "4242424242424242"), ("expiry", "12/30"), ("cvc", "123")];
    let back = guest.post(&checkout).form(&card).send().await.unwrap();
    back.headers()["location"].to_str().unwrap().to_string()
}

/// Makes bill b-32071 long and dear: a long dish name and a price in the thousands.
fn a_long_dear_line(pos: &VirtualPos) {
    let mut floor = pos.floor();
    let mut order = floor.open_order("b-32071").unwrap().clone();
    let mut dish = order.guests[0].dishes[0].clone();
    dish.position_id = Some("p-32071-9".into());
    dish.name = "Стейк рибай сухої витримки з соусом демі-гласс і печеними овочами".into();
    dish.count = rahunok_protocol::Quantity::whole(3);
    dish.sum = money("12345.60");
    order.guests[0].dishes.push(dish);
    rahunok_pos_sim::floor::retotal(&mut order);
    floor.replace_order(order);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_guest_page_fits_phones_from_320_to_430_px_with_3_to_5_tip_presets() {
    let (app, r, pos) = cafe().await;
    a_long_dear_line(&pos);
    let receipt = a_paid_receipt(&app, &r.resto_id).await;
    let guest = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let bill = format!("{}/b/{}/b-32072", app.base, r.resto_id);
    let html = guest.get(&bill).send().await.unwrap().text().await.unwrap();
    let key = html.split("name=\"idempotency_key\" value=\"").nth(1).unwrap().split('"').next().unwrap();
    let form = [("idempotency_key", key), ("expected_total", "66000"), ("tip", "0")];
    let pay = guest.post(format!("{bill}/pay")).form(&form).send().await.unwrap();
    let checkout = pay.headers()["location"].to_str().unwrap().to_string();

    let browser = Browser::start_sized(320, 800).await;
    for presets in [vec![5, 10, 15], vec![5, 10, 15, 20], vec![3, 5, 10, 15, 20]] {
        let settings = GuestSettings { tip_percents: presets.clone(), ..GuestSettings::default() };
        app.state.store.save_guest_settings(&r.resto_id, &settings).await.unwrap();
        for width in [320, 360, 390, 430] {
            browser.resize(width, 800).await;
            let pages = [
                ("bill", format!("{}/t/{}/7", app.base, r.resto_id)),
                ("split", format!("{}/b/{}/b-32071/split", app.base, r.resto_id)),
                ("checkout", checkout.clone()),
                ("receipt", receipt.clone()),
            ];
            for (name, url) in &pages {
                browser.goto(url).await;
                browser.find("main").await;
                assert_fits(&browser, &format!("{name} at {width} px with {} presets", presets.len())).await;
                if presets.len() == 5 && (width == 320 || width == 360) {
                    // The part that used to overflow: the tips (or the card form), in view.
                    browser.run("const e = document.querySelector('.tips, form, #receipt'); if (e) e.scrollIntoView(); return 0").await;
                    browser.save_screenshot(&format!("fit-{name}-{width}-5-presets")).await;
                }
            }
        }
    }
    browser.resize(1366, 900).await;
    browser.goto(&format!("{}/t/{}/7", app.base, r.resto_id)).await;
    browser.find("main").await;
    assert_fits(&browser, "bill at 1366 px").await;
    browser.save_screenshot("fit-bill-1366").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_split_page_keeps_the_guests_and_its_live_total_is_the_pos_child_bill() {
    let (app, r, pos) = cafe().await;
    let browser = Browser::start_sized(360, 800).await;
    browser.goto(&format!("{}/b/{}/b-32071/split", app.base, r.resto_id)).await;
    let page = browser.wait_for_text("Що ви сплачуєте?").await;
    assert!(page.contains("Гість 1") && page.contains("Гість 2") && page.contains("× 0,35"), "{page}");
    assert_eq!(browser.find("#split-total").await.text().await, "0,00 грн");
    browser.find("input[name=pos][value='p-32071-1']").await.click().await;
    browser.find("input[name=pos][value='p-32071-5']").await.click().await;
    let live = browser.find("#split-total").await.text().await;
    assert_ne!(live, "0,00 грн");
    browser.run("document.getElementById('split-summary').scrollIntoView(); return 0").await;
    browser.save_screenshot("journey-split-live-total-360").await;
    browser.find("#split-next").await.click().await;
    browser.wait_for_text("Перевірте вибір").await;
    assert_eq!(browser.find("#split-estimate").await.text().await, live, "the step to confirm says the same");
    assert_eq!(pos.floor().open_orders().len(), 3, "nothing is split before the guest confirms");
    browser.save_screenshot("journey-split-confirm-360").await;
    browser.find("#confirm-split").await.click().await;
    browser.wait_for_text("Чайові").await;
    assert_eq!(
        browser.find("#bill-total").await.text().await,
        live,
        "the child bill the POS made costs what was shown"
    );
    let child_url = browser.url().await;
    let child_id = child_url.rsplit('/').next().unwrap().split('?').next().unwrap().to_string();
    let child = pos.floor().open_order(&child_id).cloned().expect("the POS has the child bill");
    assert!(!child.discounts.list.is_empty(), "a discounted table: the child carries its share");
    assert_eq!(rahunok_server::web::format::money(rahunok_server::web::Lang::Uk, child.total_sum), live);
}
