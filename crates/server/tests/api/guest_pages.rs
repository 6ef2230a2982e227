//! The guest pages over plain HTTP (no JavaScript): what the bill shows, and the friendly pages.

use crate::helpers::{eventually, spawn_app, Backend};
use crate::on_both_stores;
use crate::payments::{cafe, form_field, guest_client, pay_at_sandbox, wait_for_status};

async fn the_bill_nests_modifiers_hides_hidden_lines_and_shows_discounts(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Андріївський ранок").await;
    app.start_virtual_pos(&r).await;
    let html = app.http.get(format!("{}/t/{}/7", app.base, r.resto_id)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("Сніданок + кава"));
    assert!(
        html.contains(r#"<li class="child"><span>Сирники зі сметаною</span>"#),
        "a combo part is nested under its parent"
    );
    assert_eq!(html.matches("Капучино").count(), 1, "the hidden combo line is not shown, the ordered one is");
    assert!(html.contains("Знижка 10% гостю") && html.contains("−78,10 грн"), "discounts are listed");
    assert!(html.contains("702,90 грн") && html.contains("Ірина Бондаренко"), "total and waiter");
    assert!(html.contains("Буженина домашня × 0,35"), "weight dishes keep their exact quantity");
    let english =
        app.http.get(format!("{}/t/{}/7?lang=en", app.base, r.resto_id)).send().await.unwrap().text().await.unwrap();
    assert!(english.contains("702.90 UAH") && english.contains("Split the bill") && english.contains("lang=\"en\""));
}

async fn a_table_with_several_bills_lets_the_guest_choose(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Кав'ярня").await;
    let pos = app.start_virtual_pos(&r).await;
    let split = rahunok_protocol::ops::SplitOrder {
        bill_id: "b-32072".into(),
        control_sum: rahunok_protocol::Money::parse("245").unwrap(),
        positions: vec![rahunok_protocol::ops::SplitPosition {
            id: "p-32072-2".into(),
            quantity: rahunok_protocol::Quantity::whole(1),
        }],
    };
    let (_, child) = pos.floor().split(&split).unwrap();
    let html = app.http.get(format!("{}/t/{}/12", app.base, r.resto_id)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("кілька рахунків"), "{html}");
    assert!(
        html.contains(&format!("/b/{}/b-32072", r.resto_id))
            && html.contains(&format!("/b/{}/{}", r.resto_id, child.bill_id))
    );
}

async fn friendly_pages_say_what_happened(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Кав'ярня").await;
    let page = |path: String| {
        let http = app.http.clone();
        async move {
            let response = http.get(path).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    };
    let (status, html) = page(format!("{}/t/unknown-restaurant/1", app.base)).await;
    assert_eq!(status, 404);
    assert!(html.contains("Заклад не знайдено"));
    let (status, html) = page(format!("{}/t/{}/1", app.base, r.resto_id)).await;
    assert_eq!(status, 503, "no POS connected");
    assert!(html.contains("Спробувати ще раз"));
    app.start_virtual_pos(&r).await;
    let (status, html) = page(format!("{}/b/{}/b-32072/split", app.base, r.resto_id)).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Американо") && html.contains("<select name=\"qty_p-32072-1\""),
        "several pieces offer a quantity"
    );
    let (status, html) = page(format!("{}/t/{}/1", app.base, r.resto_id)).await;
    assert_eq!(status, 200, "a real table with no open bill is a page, not a broken link");
    assert!(html.contains("Відкритого рахунку немає"));
    let (status, html) = page(format!("{}/t/{}/99", app.base, r.resto_id)).await;
    assert_eq!(status, 404, "a table the POS does not know");
    assert!(html.contains("Такого столу немає"));
    let (status, html) = page(format!("{}/b/{}/b-nope", app.base, r.resto_id)).await;
    assert_eq!(status, 404);
    assert!(html.contains("Відкритого рахунку немає"));
    let (status, _) = page(format!("{}/p/pay_nothing", app.base)).await;
    assert_eq!(status, 404);
    let bad = app
        .http
        .post(format!("{}/b/{}/b-32072/pay", app.base, r.resto_id))
        .form(&[("idempotency_key", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422, "a damaged form is refused with a page, not a crash");
    let bad = app
        .http
        .post(format!("{}/b/{}/b-32072/pay", app.base, r.resto_id))
        .form(&[("idempotency_key", "a-long-enough-key"), ("expected_total", "66000"), ("tip_custom", "lots")])
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    assert!(bad.text().await.unwrap().contains("50,50"), "the page says how to write a tip");
}

/// A POS answers `getBill` by `billId` for a bill it closed with the bill in state `PAYED`
/// (spec section 5): such a bill is never offered for payment, by its pre-check QR or on its
/// table, and a pay form sent for it takes no money.
async fn a_bill_the_pos_reports_paid_is_not_offered_for_payment(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Кав'ярня").await;
    let pos = app.start_virtual_pos(&r).await;
    let bill = format!("{}/b/{}/b-32070", app.base, r.resto_id);
    let open = app.http.get(&bill).send().await.unwrap().text().await.unwrap();
    let (key, expected) = (form_field(&open, "idempotency_key"), form_field(&open, "expected_total"));
    let total = pos.floor().open_order("b-32070").unwrap().total_sum;
    pos.floor().pay("b-32070", total, rahunok_protocol::Money::ZERO).expect("paid at the till");

    let page = app.http.get(&bill).send().await.unwrap();
    assert_eq!(page.status(), 404);
    let html = page.text().await.unwrap();
    assert!(html.contains("Відкритого рахунку немає") && !html.contains("idempotency_key"), "{html}");
    let table = app.http.get(format!("{}/t/{}/7", app.base, r.resto_id)).send().await.unwrap().text().await.unwrap();
    assert!(!table.contains("b-32070"), "the paid bill is not listed on its table: {table}");
    let sent = app
        .http
        .post(format!("{bill}/pay"))
        .form(&[("idempotency_key", key.as_str()), ("expected_total", &expected), ("tip", "0"), ("tip_custom", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 404, "{}", sent.text().await.unwrap());
    let (_, payments) = app.get_json(&format!("/api/admin/restaurants/{}/payments", r.resto_id)).await;
    assert_eq!(payments, serde_json::json!([]), "no payment was made");
}

on_both_stores!(
    a_bill_the_pos_reports_paid_is_not_offered_for_payment,
    the_bill_nests_modifiers_hides_hidden_lines_and_shows_discounts,
    a_table_with_several_bills_lets_the_guest_choose,
    friendly_pages_say_what_happened,
);

/// Found 9 of issue 28: a bill id is one encoded segment in every link, so a bill the POS
/// calls `b/77?x#1% 2` has a link on its table's page that opens it (200, the bill), and its
/// pay form pays it to the end: the sandbox charges it and the POS closes that bill.
async fn a_bill_whose_id_holds_a_slash_has_a_pay_link_that_works_to_the_end(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, pos) = cafe(&app).await;
    let odd = "b/77?x#1% 2";
    let encoded = "b%2F77%3Fx%231%25%202";
    let (table, total) = {
        let mut floor = pos.floor();
        let mut order = floor.open_order("b-32070").expect("the fixture's bill").clone();
        order.bill_id = odd.to_string();
        order.order_number = Some(77_077);
        let seated = (order.table_number.clone().expect("the bill is on a table"), order.total_sum.kopiyky());
        floor.open(order);
        seated
    };
    let guest = guest_client();
    let table_url = format!("{}/t/{}/{table}", app.base, r.resto_id);
    let choose = eventually("the table lists both bills", || async {
        let html = guest.get(&table_url).send().await.unwrap().text().await.unwrap();
        html.contains("77077").then_some(html)
    })
    .await;
    let bill_path = format!("/b/{}/{encoded}", r.resto_id);
    // The link carries the table the guest came from (kept if the POS's answer by id names none).
    assert!(choose.contains(&format!("href=\"{bill_path}?table={table}\"")), "the link to the bill: {choose}");

    let page = guest.get(format!("{}{bill_path}", app.base)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&format!("action=\"{bill_path}/pay\"")), "the bill with its pay form: {html}");
    let (key, expected) = (form_field(&html, "idempotency_key"), form_field(&html, "expected_total"));
    assert_eq!(expected, total.to_string(), "the bill's total");
    let form = [("idempotency_key", key.as_str()), ("expected_total", &expected), ("tip", "0"), ("tip_custom", "")];
    let started = guest.post(format!("{}{bill_path}/pay", app.base)).form(&form).send().await.unwrap();
    assert_eq!(started.status(), 303, "{}", started.text().await.unwrap());
    let checkout = started.headers()["location"].to_str().unwrap().to_string();
    let back = pay_at_sandbox(&guest, &checkout, "4242424242424242").await;
    let payment_id = back.rsplit('/').next().unwrap().to_string();
    let detail = wait_for_status(&app, &r.resto_id, &payment_id, "closed").await;
    assert_eq!(detail["billId"], odd, "{detail}");
    assert_eq!(pos.floor().paid(odd).expect("the POS closed that bill").times_paid, 1);
    assert!(pos.floor().paid("b-32070").is_none(), "and no other");
}

on_both_stores!(a_bill_whose_id_holds_a_slash_has_a_pay_link_that_works_to_the_end);

async fn the_restaurants_tip_presets_and_split_setting_shape_the_bill_page(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Кав'ярня").await;
    app.start_virtual_pos(&r).await;
    let settings =
        rahunok_server::store::GuestSettings { tip_percents: vec![7, 12], split_enabled: false, ..Default::default() };
    app.state.store.save_guest_settings(&r.resto_id, &settings).await.unwrap();
    let html = app.http.get(format!("{}/t/{}/7", app.base, r.resto_id)).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(r#"value="7""#) && html.contains(r#"value="12""#), "the restaurant's presets");
    assert!(!html.contains(r#"value="10""#), "no default presets");
    assert!(!html.contains("Розділити рахунок"), "split is off");
    let split = app
        .http
        .get(format!("{}/b/{}/b-32071/split", app.base, r.resto_id))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(split.contains("Розділити не можна"));
    let refused = app
        .http
        .post(format!("{}/b/{}/b-32071/pay", app.base, r.resto_id))
        .form(&[("idempotency_key", "a-long-enough-key"), ("expected_total", "70290"), ("tip", "10")])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 422, "a tip outside the presets is refused");
}

on_both_stores!(the_restaurants_tip_presets_and_split_setting_shape_the_bill_page);

/// The text of the element with `id` (up to its first child tag).
fn text_of(html: &str, id: &str) -> String {
    let marker = format!("id=\"{id}\">");
    let start = html.find(&marker).unwrap_or_else(|| panic!("no #{id} in {html}")) + marker.len();
    html[start..].split('<').next().unwrap().to_string()
}

/// `1 162,90 грн` → 1162.90.
fn hryvnias(text: &str) -> rahunok_protocol::Money {
    let number: String = text.trim_end_matches(" грн").chars().filter(|c| !c.is_whitespace()).collect();
    rahunok_protocol::Money::parse(&number.replace(',', ".")).unwrap()
}

async fn a_split_is_sent_only_once_confirmed_and_its_estimate_is_the_pos_child_bill(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Кав'ярня").await;
    let pos = app.start_virtual_pos(&r).await;
    let url = format!("{}/b/{}/b-32071/split", app.base, r.resto_id);
    let form = app.http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(form.contains("<h2>Гість 1</h2>") && form.contains("<h2>Гість 2</h2>"), "the guests stay");
    assert!(form.contains("× 0,35"), "a weighed line keeps its weight");
    let chosen = [("pos", "p-32071-1"), ("pos", "p-32071-5")];
    let review = app.http.post(&url).form(&chosen).send().await.unwrap();
    assert_eq!(review.status(), 200);
    let review = review.text().await.unwrap();
    assert!(review.contains("Перевірте вибір") && review.contains("name=\"confirm\""), "{review}");
    assert_eq!(pos.floor().open_orders().len(), 3, "nothing is split before the guest confirms");
    let estimate = hryvnias(&text_of(&review, "split-estimate"));

    let guest = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let confirmed = [("pos", "p-32071-1"), ("pos", "p-32071-5"), ("confirm", "yes")];
    let split = guest.post(&url).form(&confirmed).send().await.unwrap();
    assert_eq!(split.status(), 303);
    let child_id = split.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();
    let child = pos.floor().open_order(&child_id).cloned().expect("the POS has the child bill");
    assert!(!child.discounts.list.is_empty(), "the child carries its share of the discount");
    assert_eq!(child.total_sum, estimate, "the page's total is what the POS charges");
}

async fn a_tip_over_the_limit_comes_back_with_what_was_typed(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Кав'ярня").await;
    let pos = app.start_virtual_pos(&r).await;
    let form =
        [("idempotency_key", "a-long-enough-key"), ("expected_total", "66000"), ("tip", "10"), ("tip_custom", "99999")];
    let refused = app.http.post(format!("{}/b/{}/b-32072/pay", app.base, r.resto_id)).form(&form).send().await.unwrap();
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("value=\"99999\"") && html.contains("не можуть перевищувати"), "{html}");
    assert!(html.contains("id=\"pay\""), "the bill again, ready to pay");
    assert!(pos.floor().paid("b-32072").is_none());
    assert!(app
        .get_json(&format!("/api/admin/restaurants/{}/payments", r.resto_id))
        .await
        .1
        .as_array()
        .unwrap()
        .is_empty());
}

on_both_stores!(
    a_split_is_sent_only_once_confirmed_and_its_estimate_is_the_pos_child_bill,
    a_tip_over_the_limit_comes_back_with_what_was_typed,
);
