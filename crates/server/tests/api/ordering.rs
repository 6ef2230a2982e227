//! Ordering from the menu at the table, over HTTP like a phone without JavaScript: the menu
//! from the stored snapshot, the cart, the review with the POS's stock check, the confirmation
//! with its stable `externalId`, and the rules (modifiers, stop list, ordering switched off, a
//! POS without `ORDER_ON_TABLE`), each on SQLite and PostgreSQL.

use crate::helpers::{eventually, spawn_app, spawn_app_with, AppOptions, Backend, RawPos, Restaurant, TestApp};
use crate::on_both_stores;
use crate::panel_auth::{restaurant_admin, PanelBrowser, PASSWORD};
use crate::payments::{form_field, guest_client, Answer, GuestCookie};
use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::Money;
use rahunok_server::store::{GuestOrderStatus, GuestSettings, SnapshotKind};
use serde_json::json;
use std::time::Duration;

/// A phone: keeps the guest cookie, follows no redirects.
pub struct Guest {
    http: reqwest::Client,
    cookie: GuestCookie,
    base: String,
}

impl Guest {
    pub fn new(app: &TestApp) -> Guest {
        Guest { http: guest_client(), cookie: GuestCookie::default(), base: app.base.clone() }
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Answer {
        self.cookie.send(request).await
    }

    pub async fn get(&mut self, path: &str) -> Answer {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        let request = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(request).await
    }
}

async fn switch_ordering_on(app: &TestApp, restaurant: &Restaurant) {
    let settings = GuestSettings { ordering_enabled: true, ..GuestSettings::default() };
    app.state.store.save_guest_settings(&restaurant.resto_id, &settings).await.unwrap();
}

/// Waits until the menu page offers the order forms (the POS's `versionInfo` answered).
async fn wait_ordering_open(guest: &mut Guest, menu: &str) -> String {
    for _ in 0..100 {
        let page = guest.get(menu).await;
        if page.body.contains("/menu/add") {
            return page.body;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("ordering never opened on {menu}");
}

/// A café with ordering on and its virtual POS connected and reporting `ORDER_ON_TABLE`.
async fn ordering_cafe(backend: Backend) -> (TestApp, Restaurant, VirtualPos) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Андріївський ранок").await;
    switch_ordering_on(&app, &restaurant).await;
    let pos = app.start_virtual_pos(&restaurant).await;
    (app, restaurant, pos)
}

fn menu_path(r: &Restaurant, table: &str) -> String {
    format!("/t/{}/{table}/menu", r.resto_id)
}

const HOLUBTSI_TOMATO: &[(&str, &str)] =
    &[("dish", "dish-holubtsi"), ("quantity", "1"), ("g:gm-sauce", "mod-sauce-tomato")];

async fn the_menu_page_is_served_from_the_snapshot_and_100_views_ask_the_pos_nothing(backend: Backend) {
    let (app, r, pos) = ordering_cafe(backend).await;
    let mut guest = Guest::new(&app);
    let first = guest.get(&menu_path(&r, "5")).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(pos.floor().requests_of("menuInfo"), 1, "no snapshot yet: asked once, and stored");
    for _ in 0..100 {
        let page = guest.get(&menu_path(&r, "5")).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("Борщ український"));
    }
    assert_eq!(pos.floor().requests_of("menuInfo"), 1, "100 guest views asked the POS for nothing");
    assert_eq!(pos.floor().requests_of("stopList"), 1);
    // Groups in menuIndex order; the group of modifiers only is not a section.
    let body = guest.get(&menu_path(&r, "5")).await.body;
    let coffee = body.find("id=\"g-grp-coffee\"").unwrap();
    let soups = body.find("id=\"g-grp-soups\"").unwrap();
    let drinks = body.find("id=\"g-grp-drinks\"").unwrap();
    assert!(coffee < soups && soups < drinks);
    assert!(!body.contains("id=\"g-grp-modifiers\""));
    assert!(!body.contains("Колд брю"), "dishes not on sale are not shown");
    assert!(body.contains("520,00 грн / кг"), "weighed dishes are priced per kg");
}

async fn a_stop_listed_dish_cannot_be_added_and_a_short_one_is_shown_before_anything_reaches_the_kitchen(
    backend: Backend,
) {
    let (app, r, pos) = ordering_cafe(backend).await;
    let mut guest = Guest::new(&app);
    let menu = wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;
    let raf = &menu[menu.find("id=\"d-dish-raf\"").unwrap()..];
    let raf = &raf[..raf.find("</li>").unwrap()];
    assert!(raf.contains("Немає в наявності"), "{raf}");
    assert!(!raf.contains("<form"), "a stop-listed dish has no order form");
    let add = format!("{}/add", menu_path(&r, "5"));
    let refused = guest.post(&add, &[("dish", "dish-raf"), ("quantity", "1")]).await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Немає в наявності"));

    // Only 2 sea-buckthorn teas are left: 3 are refused at the review, before the kitchen.
    let added = guest.post(&add, &[("dish", "dish-tea-sea-buckthorn"), ("quantity", "3")]).await;
    assert_eq!(added.status, 303, "{}", added.body);
    let review = guest.get(&format!("/t/{}/5/order", r.resto_id)).await;
    assert_eq!(review.status, 409, "{}", review.body);
    assert!(review.body.contains("Зараз можна замовити лише 2"), "{}", review.body);
    assert!(!review.body.contains("id=\"confirm\""), "nothing to confirm");
    assert_eq!(pos.floor().requests_of("checkProductsRestrictions"), 1);
    assert_eq!(pos.floor().requests_of("createOrderOnTable"), 0, "nothing reached the kitchen");
    assert_eq!(pos.floor().orders_created(), 0);
}

async fn modifier_rules_are_refused_by_the_server_for_hand_made_forms_with_a_clear_message(backend: Backend) {
    let (app, r, pos) = ordering_cafe(backend).await;
    let mut guest = Guest::new(&app);
    let menu = wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;
    let holubtsi = &menu[menu.find("id=\"d-dish-holubtsi\"").unwrap()..];
    let holubtsi = &holubtsi[..holubtsi.find("</li>").unwrap()];
    assert!(holubtsi.contains("type=\"radio\" name=\"g:gm-sauce\" value=\"mod-sauce-tomato\" required"), "{holubtsi}");
    let add = format!("{}/add", menu_path(&r, "5"));
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("dish", "dish-holubtsi"), ("quantity", "1")], "Оберіть: Соус."),
        (
            &[("dish", "dish-holubtsi"), ("g:gm-sauce", "mod-sauce-tomato"), ("g:gm-sauce", "mod-sauce-mushroom")],
            "Соус: не більше 1.",
        ),
        (
            &[
                ("dish", "dish-espresso"),
                ("g:gm-syrup", "mod-syrup-vanilla"),
                ("g:gm-syrup", "mod-syrup-caramel"),
                ("g:gm-syrup", "mod-syrup-hazelnut"),
            ],
            "Сироп: не більше 2.",
        ),
        (&[("dish", "dish-borshch"), ("n:mod-pampushky", "3")], "Пампушки з часником: не більше 2."),
        (
            &[("dish", "dish-espresso"), ("m", "mod-sauce-tomato")],
            "До цієї страви не додають «Томатно-сметанний соус».",
        ),
        (&[("dish", "dish-espresso"), ("quantity", "0")], "Кількість — від 1 до 20."),
        (&[("dish", "dish-espresso"), ("quantity", "many")], "Кількість — від 1 до 20."),
        (&[("dish", "dish-espresso"), ("n:mod-extra-shot", "x")], "Форма пошкоджена"),
        (&[("quantity", "1")], "Форма пошкоджена"),
        (&[("dish", "no-such-dish")], "Цієї страви зараз немає в меню"),
        (&[("dish", "dish-cold-brew")], "Цієї страви зараз немає в меню"),
        (&[("dish", "dish-dorado")], "Немає в наявності"),
        (&[("dish", "dish-pork-baked")], "ціна за вагою"),
    ];
    for (form, message) in cases {
        let refused = guest.post(&add, form).await;
        assert_eq!(refused.status, 422, "{form:?}: {}", refused.body);
        assert!(refused.body.contains(message), "{form:?} should say {message:?}:\n{}", refused.body);
        assert!(refused.body.contains("id=\"choice-problem\""));
    }
    let english = guest.post(&format!("{add}?lang=en"), &[("dish", "dish-holubtsi")]).await;
    assert!(english.body.contains("Please choose: Соус."), "{}", english.body);
    assert_eq!(guest.post_raw(&add, b"%%%=\xff").await.status, 422);

    // Refused choices left the cart empty; a right one is added.
    assert_eq!(guest.get(&format!("/t/{}/5/order", r.resto_id)).await.status, 303, "no cart yet");
    let added = guest.post(&add, HOLUBTSI_TOMATO).await;
    assert_eq!(
        (added.status, added.location.as_str()),
        (303, "/t/{}/5/menu#d-dish-holubtsi".replace("{}", &r.resto_id).as_str())
    );
    let review = guest.get(&format!("/t/{}/5/order", r.resto_id)).await;
    assert_eq!(review.status, 200, "{}", review.body);
    assert!(review.body.contains("+ Томатно-сметанний соус"));
    assert!(review.body.contains("175,00 грн"));
    assert_eq!(pos.floor().requests_of("createOrderOnTable"), 0);
}

impl Guest {
    async fn post_raw(&mut self, path: &str, body: &[u8]) -> Answer {
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.to_vec());
        self.send(request).await
    }
}

async fn ordering_switched_off_or_a_pos_without_order_on_table_leaves_the_menu_to_browse(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Switched off").await;
    let _pos = app.start_virtual_pos(&r).await;
    let mut guest = Guest::new(&app);
    let page = guest.get(&menu_path(&r, "5")).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Борщ український"), "the menu is there to browse");
    assert!(page.body.contains("id=\"ordering-closed\""));
    assert!(page.body.contains("Замовлення через QR тут недоступне"));
    assert!(!page.body.contains("/menu/add") && !page.body.contains("<form"), "no order form");
    let add = format!("{}/add", menu_path(&r, "5"));
    assert_eq!(guest.post(&add, HOLUBTSI_TOMATO).await.status, 403, "a hand-made add is refused too");

    // Ordering on, but the POS does not implement ORDER_ON_TABLE.
    let other = app.create_restaurant("No ORDER_ON_TABLE").await;
    switch_ordering_on(&app, &other).await;
    let store = &app.state.store;
    let fixture = rahunok_pos_sim::Fixture::kyiv_cafe();
    store
        .save_snapshot(&other.resto_id, SnapshotKind::Menu, &serde_json::to_string(&fixture.menu).unwrap())
        .await
        .unwrap();
    let stop = json!({ "items": fixture.stop_list });
    store.save_snapshot(&other.resto_id, SnapshotKind::StopList, &stop.to_string()).await.unwrap();
    let mut pos = RawPos::connect_as(&app, &other).await;
    let asked = pos.next_request("versionInfo").await;
    let answer = json!({ "rID": asked["rID"], "state": "SUCCESS", "pluginVersion": 3,
        "implementedFeatures": [{ "feature": "BILL_V_2", "available": true, "implemented": true },
                                { "feature": "ORDER_ON_TABLE", "available": false, "implemented": false }] });
    let (status, _) =
        app.post_callback("versionInfo", &other.resto_id, &other.secret, answer.to_string().as_bytes()).await;
    assert_eq!(status, 200);
    let page = guest.get(&menu_path(&other, "5")).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Замовлення через QR тут недоступне"));
    assert!(!page.body.contains("<form"), "no order form");
    assert_eq!(guest.post(&format!("{}/add", menu_path(&other, "5")), HOLUBTSI_TOMATO).await.status, 403);
}

/// Runs a virtual POS (sharing `pos`'s floor) against `app`, until the test ends.
async fn run_pos_against(app: &TestApp, r: &Restaurant, pos: &VirtualPos) {
    let mut config = PosConfig::new(&app.base, &r.resto_id, &r.secret, "RahunokSim");
    config.reconnect_delay = Duration::from_millis(200);
    tokio::spawn(pos.clone().run(config, None));
    app.wait_connected(&r.resto_id, true).await;
}

async fn a_double_submit_and_a_retry_after_a_restart_make_one_order_on_the_pos(backend: Backend) {
    let options = AppOptions { guest_wait: Duration::from_secs(2), ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let r = app.create_restaurant("Restart").await;
    switch_ordering_on(&app, &r).await;
    let pos = VirtualPos::kyiv_cafe();
    let first_pos = {
        let mut config = PosConfig::new(&app.base, &r.resto_id, &r.secret, "RahunokSim");
        config.reconnect_delay = Duration::from_millis(200);
        tokio::spawn(pos.clone().run(config, None))
    };
    app.wait_connected(&r.resto_id, true).await;
    let mut guest = Guest::new(&app);
    wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;
    let add = format!("{}/add", menu_path(&r, "5"));
    assert_eq!(guest.post(&add, HOLUBTSI_TOMATO).await.status, 303);
    assert_eq!(guest.post(&add, &[("dish", "dish-espresso"), ("quantity", "2")]).await.status, 303);
    let review = guest.get(&format!("/t/{}/5/order", r.resto_id)).await;
    assert_eq!(review.status, 200, "{}", review.body);
    let (order_id, expected) = (form_field(&review.body, "order"), form_field(&review.body, "expected_sum"));
    let version = form_field(&review.body, "version");
    assert_eq!(expected, "28500", "175 + 2 × 55");

    // The POS takes the order's frame and dies before answering; the server crashes too.
    first_pos.abort();
    let mut hand_pos = RawPos::connect_as(&app, &r).await;
    let asked = hand_pos.next_request("versionInfo").await;
    let features = json!({ "rID": asked["rID"], "state": "SUCCESS",
        "implementedFeatures": [{ "feature": "ORDER_ON_TABLE", "available": true, "implemented": true }] });
    app.post_callback("versionInfo", &r.resto_id, &r.secret, features.to_string().as_bytes()).await;
    let confirm = format!("/t/{}/5/order", r.resto_id);
    let form = [("order", order_id.as_str()), ("version", version.as_str()), ("expected_sum", expected.as_str())];
    let sent = guest.post(&confirm, &form).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let frame = hand_pos.next_request("createOrderOnTable").await;
    assert_eq!(frame["externalId"], order_id.as_str(), "our id, stored before sending");
    assert_eq!(frame["tableId"], "tbl-05");
    assert_eq!(
        frame["items"][0]["modifier"][0],
        json!({ "id": "mod-sauce-tomato", "groupId": "gm-sauce", "quantity": 1 })
    );
    let waiting = guest.get(&sent.location).await;
    assert!(waiting.body.contains("Надсилаємо замовлення на касу"), "{}", waiting.body);
    assert_eq!(app.state.store.guest_order(&order_id).await.unwrap().unwrap().status, GuestOrderStatus::Sending);
    // The order went out; its answer never came. The server restarts; the POS is back.
    drop(hand_pos);
    let app = app.restart().await;
    run_pos_against(&app, &r, &pos).await;
    let mut guest = Guest { base: app.base.clone(), ..guest };
    wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;

    // "Check again", pressed twice at once, and once more later: one order on the POS.
    let twin = || Guest { http: guest_client(), cookie: guest.cookie.clone(), base: app.base.clone() };
    let (mut one, mut two) = (twin(), twin());
    let (a, b) = tokio::join!(one.post(&confirm, &form), two.post(&confirm, &form));
    assert_eq!((a.status, b.status), (303, 303), "{} / {}", a.body, b.body);
    assert_eq!(guest.post(&confirm, &form).await.status, 303);
    assert_eq!(pos.floor().orders_created(), 1, "one order, whatever was resent");
    let order = pos.floor().created_order(&order_id).expect("the order carries our externalId");
    assert_eq!(order.table_number.as_deref(), Some("5"));
    assert_eq!(order.total_sum.kopiyky(), 28500);
    assert_eq!(order.lines().filter(|d| d.linked_to.is_some()).count(), 1, "the sauce is linked to its dish");
    let stored = app.state.store.guest_order(&order_id).await.unwrap().unwrap();
    assert_eq!(stored.status, GuestOrderStatus::Placed);
    assert_eq!(stored.pos_order_id.as_deref(), Some(order.bill_id.as_str()));
    assert_eq!((stored.cart_sum, stored.result_sum), (Some(28500), Some(28500)));

    // The order page: what was placed, pay now or with the table's bill; a refresh sends nothing.
    let sent_before = pos.floor().requests_of("createOrderOnTable");
    let placed = guest.get(&format!("/t/{}/5/order/{order_id}", r.resto_id)).await;
    assert_eq!(placed.status, 200);
    assert!(placed.body.contains("Замовлення прийнято"), "{}", placed.body);
    assert!(placed.body.contains(&format!("href=\"/b/{}/{}\"", r.resto_id, order.bill_id)));
    assert!(!placed.body.contains("id=\"sum-differs\""));
    guest.get(&format!("/t/{}/5/order/{order_id}", r.resto_id)).await;
    assert_eq!(pos.floor().requests_of("createOrderOnTable"), sent_before);
    let table = guest.get(&format!("/t/{}/5", r.resto_id)).await;
    assert!(table.body.contains("Голубці з соусом на вибір"), "the table's bill shows the order:\n{}", table.body);
    assert!(table.body.contains("285,00 грн"));
    // The cart is gone: the review leads back to the menu.
    assert_eq!(guest.get(&confirm).await.status, 303);

    // The panel lists it: table, externalId, the POS's number, the sum, where it stands.
    restaurant_admin(&app, "marta", &r).await;
    let marta = PanelBrowser::new(&app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let list = marta.get(&format!("/panel/r/{}/orders", r.resto_id)).await.body;
    let row = &list[list.find(&format!("data-order=\"{order_id}\"")).expect("the order is listed")..];
    let row = &row[..row.find("</tr>").unwrap()];
    let number = order.order_number.unwrap().to_string();
    for shown in ["<td>5</td>", order_id.as_str(), number.as_str(), "285,00 грн", "data-status=\"placed\""] {
        assert!(row.contains(shown), "{shown} in {row}");
    }
}

async fn the_panel_switch_opens_ordering_and_the_pos_sum_wins_over_a_stale_menu(backend: Backend) {
    let app = spawn_app(backend).await;
    let r = app.create_restaurant("Stale menu").await;
    let _pos = app.start_virtual_pos(&r).await;
    // The panel's switch, off by default, opens ordering.
    restaurant_admin(&app, "marta", &r).await;
    let marta = PanelBrowser::new(&app);
    assert_eq!(marta.sign_in("marta", PASSWORD).await.status, 303);
    let settings = format!("/panel/r/{}/settings", r.resto_id);
    let page = marta.get(&settings).await.body;
    assert!(page.contains("name=\"ordering_enabled\""), "{page}");
    assert!(!page.contains("name=\"ordering_enabled\" checked"), "off by default");
    let csrf = form_field(&page, "csrf");
    let fields = [
        ("csrf", csrf.as_str()),
        ("precheck_qr_url", ""),
        ("message_before_qr", ""),
        ("message_after_qr", ""),
        ("tip_percents", "5, 10"),
        ("ordering_enabled", "on"),
    ];
    let saved = marta.post_form(&settings, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert!(app.state.store.guest_settings(&r.resto_id).await.unwrap().ordering_enabled);
    assert!(marta.get(&settings).await.body.contains("name=\"ordering_enabled\" checked"));

    // The stored menu is older than the POS's prices: an espresso is 50 here, 55 on the POS.
    let mut menu = rahunok_pos_sim::Fixture::kyiv_cafe().menu;
    menu.dishes.iter_mut().find(|d| d.id == "dish-espresso").unwrap().price = Some(Money::parse("50").unwrap());
    let stale = serde_json::to_string(&menu).unwrap();
    app.state.store.save_snapshot(&r.resto_id, SnapshotKind::Menu, &stale).await.unwrap();
    let mut guest = Guest::new(&app);
    wait_ordering_open(&mut guest, &menu_path(&r, "2")).await;
    let add = format!("{}/add", menu_path(&r, "2"));
    assert_eq!(guest.post(&add, &[("dish", "dish-espresso"), ("quantity", "2")]).await.status, 303);
    let review = guest.get(&format!("/t/{}/2/order", r.resto_id)).await;
    assert!(review.body.contains("100,00 грн"), "{}", review.body);
    let (order, expected) = (form_field(&review.body, "order"), form_field(&review.body, "expected_sum"));
    let version = form_field(&review.body, "version");
    let confirm = format!("/t/{}/2/order", r.resto_id);
    let sent = guest.post(&confirm, &[("order", &order), ("version", &version), ("expected_sum", &expected)]).await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    let placed = guest.get(&sent.location).await;
    assert!(placed.body.contains("id=\"sum-differs\""), "{}", placed.body);
    let differs = &placed.body[placed.body.find("id=\"sum-differs\"").unwrap()..];
    let differs = &differs[..differs.find("</p>").unwrap()];
    assert!(differs.contains("110,00 грн") && differs.contains("100,00 грн"), "{differs}");
    let stored = app.state.store.guest_order(&order).await.unwrap().unwrap();
    assert_eq!((stored.cart_sum, stored.result_sum), (Some(10000), Some(11000)));
    // "Pay now" is the POS's bill, at the POS's sum.
    let bill = format!("/b/{}/{}", r.resto_id, stored.pos_order_id.unwrap());
    assert!(placed.body.contains(&format!("href=\"{bill}\"")));
    let pay = guest.get(&bill).await;
    assert!(pay.body.contains("name=\"expected_total\" value=\"11000\""), "{}", pay.body);
}

/// `n` phones with `guest`'s cookie: one browser's tabs (or a double click), sending at once.
fn tabs_of(guest: &Guest, n: usize) -> Vec<Guest> {
    (0..n).map(|_| Guest { http: guest_client(), cookie: guest.cookie.clone(), base: guest.base.clone() }).collect()
}

/// The review's confirm form as the page has it: order, version, expected sum.
fn confirm_form(review: &str) -> Vec<(String, String)> {
    ["order", "version", "expected_sum"].iter().map(|name| (name.to_string(), form_field(review, name))).collect()
}

fn pairs(form: &[(String, String)]) -> Vec<(&str, &str)> {
    form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

async fn a_cart_grown_after_its_review_is_checked_again_and_20_teas_with_2_left_never_reach_the_kitchen(
    backend: Backend,
) {
    let (app, r, pos) = ordering_cafe(backend).await;
    let mut guest = Guest::new(&app);
    wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;
    let add = format!("{}/add", menu_path(&r, "5"));
    let tea = |n: &'static str| [("dish", "dish-tea-sea-buckthorn"), ("quantity", n)];
    assert_eq!(guest.post(&add, &tea("1")).await.status, 303);
    let review_path = format!("/t/{}/5/order", r.resto_id);
    let review = guest.get(&review_path).await;
    assert_eq!(review.status, 200, "one tea of the two left: confirmable\n{}", review.body);
    let reviewed = confirm_form(&review.body);
    assert_eq!(pos.floor().requests_of("checkProductsRestrictions"), 1);

    // Another tab grows the cart to 20 teas after the review; nobody looks at it again.
    assert_eq!(guest.post(&add, &tea("19")).await.status, 303);
    let order_id = &reviewed[0].1;
    let stored = app.state.store.guest_order(order_id).await.unwrap().unwrap();
    // The form the review gave: its total no longer matches, the review comes again.
    let stale = guest.post(&review_path, &pairs(&reviewed)).await;
    assert_eq!(stale.status, 409, "{}", stale.body);
    assert!(stale.body.contains("id=\"cart-changed\""), "{}", stale.body);
    // A hand-made confirm of the cart as it is now (its version and its total, 20 × 85): the
    // POS is asked again before anything is sent, and says only 2 are left.
    let (version, total) = (stored.version.to_string(), (20 * 8500).to_string());
    let forged = [("order", order_id.as_str()), ("version", version.as_str()), ("expected_sum", total.as_str())];
    let confirmed = guest.post(&review_path, &forged).await;
    assert_eq!(confirmed.status, 409, "{}", confirmed.body);
    assert!(confirmed.body.contains("id=\"cart-changed\""), "{}", confirmed.body);
    assert!(confirmed.body.contains("Зараз можна замовити лише 2"), "{}", confirmed.body);
    assert!(!confirmed.body.contains("id=\"confirm\""), "nothing to confirm");
    assert!(pos.floor().requests_of("checkProductsRestrictions") >= 2, "the grown cart was checked again");
    assert_eq!(pos.floor().requests_of("createOrderOnTable"), 0, "nothing reached the kitchen");
    assert_eq!(pos.floor().orders_created(), 0);
    let stored = app.state.store.guest_order(order_id).await.unwrap().unwrap();
    assert_eq!(stored.status, GuestOrderStatus::Cart, "still the guest's cart, to change");
}

async fn a_group_modifier_sent_as_a_single_one_is_refused_and_a_required_group_takes_only_its_own(backend: Backend) {
    let (app, r, pos) = ordering_cafe(backend).await;
    let mut guest = Guest::new(&app);
    wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;
    let add = format!("{}/add", menu_path(&r, "5"));
    // The required sauce sent as a single modifier (`m`): it would satisfy nothing on the POS,
    // which reads no groupId.
    let single = [("dish", "dish-holubtsi"), ("m", "mod-sauce-tomato")];
    let refused = guest.post(&add, &single).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.body.contains("«Томатно-сметанний соус» обирають у групі «Соус»."), "{}", refused.body);
    let english = guest.post(&format!("{add}?lang=en"), &single).await;
    let said = "&quot;Томатно-сметанний соус&quot; is chosen in the group &quot;Соус&quot;.";
    assert!(english.body.contains(said), "{}", english.body);
    // The required group is satisfied only by its own modifiers.
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("dish", "dish-holubtsi"), ("g:gm-sauce", "mod-syrup-vanilla")],
            "До цієї страви не додають «Сироп ванільний».",
        ),
        (
            &[("dish", "dish-holubtsi"), ("g:gm-syrup", "mod-syrup-vanilla")],
            "До цієї страви не додають «Сироп ванільний».",
        ),
        (
            &[("dish", "dish-holubtsi"), ("g:gm-sauce", "mod-sauce-tomato"), ("m", "mod-sauce-mushroom")],
            "«Грибний соус» обирають у групі «Соус».",
        ),
        // A group's modifier on a dish that has that group, but sent alone: refused the same way.
        (&[("dish", "dish-espresso"), ("m", "mod-syrup-vanilla")], "«Сироп ванільний» обирають у групі «Сироп»."),
    ];
    for (form, message) in cases {
        let refused = guest.post(&add, form).await;
        assert_eq!(refused.status, 422, "{form:?}: {}", refused.body);
        assert!(refused.body.contains(message), "{form:?} should say {message:?}:\n{}", refused.body);
    }
    assert_eq!(guest.get(&format!("/t/{}/5/order", r.resto_id)).await.status, 303, "no cart: nothing was added");
    assert_eq!(pos.floor().requests_of("createOrderOnTable"), 0);
}

async fn ten_adds_of_one_dish_at_once_make_eleven_and_ten_first_adds_make_one_cart(backend: Backend) {
    let (app, r, pos) = ordering_cafe(backend).await;
    let mut guest = Guest::new(&app);
    wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;
    let add = format!("{}/add", menu_path(&r, "5"));
    let espresso = [("dish", "dish-espresso"), ("quantity", "1")];
    assert_eq!(guest.post(&add, &espresso).await.status, 303);
    let mut tabs = tabs_of(&guest, 10);
    let sent = futures_util::future::join_all(tabs.iter_mut().map(|tab| tab.post(&add, &espresso))).await;
    assert!(sent.iter().all(|a| a.status == 303), "{:?}", sent.iter().map(|a| a.status).collect::<Vec<_>>());
    let menu = guest.get(&menu_path(&r, "5")).await.body;
    assert!(menu.contains("id=\"cart-count\">11<"), "1 + 10 at once, none lost:\n{menu}");
    assert_eq!(open_carts(&app, &r).await, 1);

    // Ordered: the next ten adds at once, with no cart yet, start one cart between them.
    let review = guest.get(&format!("/t/{}/5/order", r.resto_id)).await;
    assert_eq!(review.status, 200, "{}", review.body);
    let confirmed = guest.post(&format!("/t/{}/5/order", r.resto_id), &pairs(&confirm_form(&review.body))).await;
    assert_eq!(confirmed.status, 303, "{}", confirmed.body);
    assert_eq!(pos.floor().orders_created(), 1);
    assert_eq!(open_carts(&app, &r).await, 0);
    let tea = [("dish", "dish-tea-black"), ("quantity", "1")];
    let sent = futures_util::future::join_all(tabs.iter_mut().map(|tab| tab.post(&add, &tea))).await;
    assert!(sent.iter().all(|a| a.status == 303), "{:?}", sent.iter().map(|a| a.status).collect::<Vec<_>>());
    let menu = guest.get(&menu_path(&r, "5")).await.body;
    assert!(menu.contains("id=\"cart-count\">10<"), "{menu}");
    assert_eq!(open_carts(&app, &r).await, 1, "one open cart per browser at a table");
}

async fn open_carts(app: &TestApp, r: &Restaurant) -> i64 {
    use sqlx::Row;
    sqlx::query("SELECT COUNT(*) AS n FROM guest_orders WHERE resto_id = $1 AND status = 'cart'")
        .bind(&r.resto_id)
        .fetch_one(app.state.store.pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

async fn ten_confirms_at_once_send_one_create_order_on_table(backend: Backend) {
    let (app, r, pos) = ordering_cafe(backend).await;
    let mut guest = Guest::new(&app);
    wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;
    assert_eq!(guest.post(&format!("{}/add", menu_path(&r, "5")), HOLUBTSI_TOMATO).await.status, 303);
    let confirm = format!("/t/{}/5/order", r.resto_id);
    let review = guest.get(&confirm).await;
    assert_eq!(review.status, 200, "{}", review.body);
    let form = confirm_form(&review.body);
    let (fields, mut tabs) = (pairs(&form), tabs_of(&guest, 10));
    let sent = futures_util::future::join_all(tabs.iter_mut().map(|tab| tab.post(&confirm, &fields))).await;
    let order_page = format!("/t/{}/5/order/{}", r.resto_id, form[0].1);
    for answer in &sent {
        assert_eq!((answer.status, answer.location.as_str()), (303, order_page.as_str()), "{}", answer.body);
    }
    assert_eq!(pos.floor().requests_of("createOrderOnTable"), 1, "one createOrderOnTable for ten confirms");
    assert_eq!(pos.floor().orders_created(), 1);
    let stored = app.state.store.guest_order(&form[0].1).await.unwrap().unwrap();
    assert_eq!(stored.status, GuestOrderStatus::Placed);
    let placed = guest.get(&order_page).await;
    assert!(placed.body.contains("Замовлення прийнято"), "{}", placed.body);
}

async fn an_order_left_sending_by_a_crash_is_sent_again_without_the_guest_and_a_day_old_cart_is_pruned(
    backend: Backend,
) {
    let order_timings = rahunok_server::config::OrderTimings {
        tick: Duration::from_millis(100),
        resend_after: Duration::from_millis(500),
        ..Default::default()
    };
    let options = AppOptions { guest_wait: Duration::from_secs(1), order_timings, ..AppOptions::default() };
    let app = spawn_app_with(backend, options).await;
    let r = app.create_restaurant("Crash").await;
    switch_ordering_on(&app, &r).await;
    let pos = VirtualPos::kyiv_cafe();
    let first_pos = {
        let mut config = PosConfig::new(&app.base, &r.resto_id, &r.secret, "RahunokSim");
        config.reconnect_delay = Duration::from_millis(200);
        tokio::spawn(pos.clone().run(config, None))
    };
    app.wait_connected(&r.resto_id, true).await;
    let mut guest = Guest::new(&app);
    wait_ordering_open(&mut guest, &menu_path(&r, "5")).await;
    assert_eq!(guest.post(&format!("{}/add", menu_path(&r, "5")), HOLUBTSI_TOMATO).await.status, 303);
    let confirm = format!("/t/{}/5/order", r.resto_id);
    let review = guest.get(&confirm).await;
    assert_eq!(review.status, 200, "{}", review.body);
    let form = confirm_form(&review.body);
    let order_id = form[0].1.clone();

    // The POS takes the order's frame and never answers; the server dies before any answer.
    first_pos.abort();
    let mut hand_pos = RawPos::connect_as(&app, &r).await;
    let asked = hand_pos.next_request("versionInfo").await;
    let features = json!({ "rID": asked["rID"], "state": "SUCCESS",
        "implementedFeatures": [{ "feature": "ORDER_ON_TABLE", "available": true, "implemented": true }] });
    app.post_callback("versionInfo", &r.resto_id, &r.secret, features.to_string().as_bytes()).await;
    assert_eq!(guest.post(&confirm, &pairs(&form)).await.status, 303);
    let frame = hand_pos.next_request("createOrderOnTable").await;
    assert_eq!(frame["externalId"], order_id.as_str());
    drop(hand_pos);
    let app = app.restart().await;

    // Nobody asks again; the POS comes back; the keeper sends the order, same externalId.
    run_pos_against(&app, &r, &pos).await;
    let store = app.state.store.clone();
    let placed = eventually("the order left sending is placed", || {
        let store = store.clone();
        let id = order_id.clone();
        async move { store.guest_order(&id).await.unwrap().filter(|o| o.status == GuestOrderStatus::Placed) }
    })
    .await;
    let made = pos.floor().created_order(&order_id).expect("the POS made it under our externalId");
    assert_eq!(placed.pos_order_id.as_deref(), Some(made.bill_id.as_str()));
    assert_eq!(pos.floor().requests_of("createOrderOnTable"), 1);
    assert_eq!(pos.floor().orders_created(), 1);

    // A cart nobody touched for more than a day goes; a fresh one stays.
    let mut idle = Guest::new(&app);
    let mut busy = Guest::new(&app);
    let add = format!("{}/add", menu_path(&r, "7"));
    assert_eq!(idle.post(&add, &[("dish", "dish-espresso")]).await.status, 303);
    assert_eq!(busy.post(&add, &[("dish", "dish-tea-black")]).await.status, 303);
    let day_ago = rahunok_server::store::now_ms() - 25 * 3600 * 1000;
    sqlx::query("UPDATE guest_orders SET updated_at = $1 WHERE status = 'cart' AND cart_lines LIKE '%dish-espresso%'")
        .bind(day_ago)
        .execute(store.pool())
        .await
        .unwrap();
    eventually("the day-old cart is pruned", || {
        let store = store.clone();
        async move {
            let (kept, _) = carts_holding(&store, "dish-espresso", "dish-tea-black").await;
            (kept == 0).then_some(())
        }
    })
    .await;
    assert_eq!(carts_holding(&store, "dish-espresso", "dish-tea-black").await, (0, 1), "the fresh cart stays");
    assert!(idle.get(&format!("/t/{}/7/order", r.resto_id)).await.status == 303, "the idle guest has no cart now");
}

/// How many carts hold `a`, and how many `b`.
async fn carts_holding(store: &rahunok_server::store::Store, a: &str, b: &str) -> (i64, i64) {
    use sqlx::Row;
    let mut counts = [0, 0];
    for (n, dish) in [a, b].iter().enumerate() {
        counts[n] = sqlx::query("SELECT COUNT(*) AS n FROM guest_orders WHERE status = 'cart' AND cart_lines LIKE $1")
            .bind(format!("%{dish}%"))
            .fetch_one(store.pool())
            .await
            .unwrap()
            .get::<i64, _>("n");
    }
    (counts[0], counts[1])
}

on_both_stores!(
    a_cart_grown_after_its_review_is_checked_again_and_20_teas_with_2_left_never_reach_the_kitchen,
    a_group_modifier_sent_as_a_single_one_is_refused_and_a_required_group_takes_only_its_own,
    ten_adds_of_one_dish_at_once_make_eleven_and_ten_first_adds_make_one_cart,
    ten_confirms_at_once_send_one_create_order_on_table,
    an_order_left_sending_by_a_crash_is_sent_again_without_the_guest_and_a_day_old_cart_is_pruned,
    the_panel_switch_opens_ordering_and_the_pos_sum_wins_over_a_stale_menu,
    the_menu_page_is_served_from_the_snapshot_and_100_views_ask_the_pos_nothing,
    a_stop_listed_dish_cannot_be_added_and_a_short_one_is_shown_before_anything_reaches_the_kitchen,
    modifier_rules_are_refused_by_the_server_for_hand_made_forms_with_a_clear_message,
    ordering_switched_off_or_a_pos_without_order_on_table_leaves_the_menu_to_browse,
    a_double_submit_and_a_retry_after_a_restart_make_one_order_on_the_pos,
);
