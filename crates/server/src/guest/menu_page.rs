//! `GET /t/{restoId}/{table}/menu`: the restaurant's menu at the table, from the stored
//! snapshot. When ordering is open (the restaurant switched it on and the POS implements
//! `ORDER_ON_TABLE`) each dish that may be ordered has a small form — modifiers as radios,
//! checkboxes or counts with their limits, a quantity, "Add" — that works without JavaScript;
//! otherwise the menu is for browsing and says so. `POST …/menu/add` and `POST …/cart/remove`
//! change the browser's cart and come back to where the guest was.

use super::cart::{line_from_form, not_orderable, Cart, ChoiceProblem};
use super::error::{error_page, GuestError};
use super::menu::{by_weight, GuestMenu, MenuSection, NotOrderable, Ordering};
use super::ordering::{change_cart, checked_table, open_cart};
use super::payer::GuestBrowser;
use super::venue::{known_venue, table_path};
use super::view::{link, money};
use super::visit::{sent_form, Visit};
use super::GuestState;
use crate::store::GuestOrder;
use crate::web::{assets, shell, Lang, Page};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use rahunok_protocol::menu_rules::ModifierLimit;
use rahunok_protocol::ops::{GroupModifierRule, MenuDish};
use rahunok_protocol::Money;

/// `GET /t/{restoId}/{table}/menu`.
pub async fn menu(
    State(state): State<GuestState>,
    Path((resto_id, table)): Path<(String, String)>,
    Visit { lang, browser, path }: Visit,
) -> Page {
    match menu_view(&state, &resto_id, &table, &browser).await {
        Ok(view) => Page::ok(render(lang, &path, &view, None)),
        Err(error) => error_page(lang, &path, &error, &path),
    }
}

/// Everything the menu page shows.
pub struct MenuView {
    /// The restaurant.
    pub venue: super::venue::Venue,
    /// The table number.
    pub table: String,
    /// The menu.
    pub menu: GuestMenu,
    /// Whether guests may order.
    pub ordering: Ordering,
    /// The browser's cart here.
    pub cart: Option<(GuestOrder, Cart)>,
}

async fn menu_view(
    state: &GuestState,
    resto_id: &str,
    table: &str,
    browser: &GuestBrowser,
) -> Result<MenuView, GuestError> {
    let table = checked_table(table)?.to_string();
    let venue = known_venue(state, resto_id).await?;
    let menu = GuestMenu::load(state, resto_id).await?;
    let ordering = Ordering::now(state, resto_id, &venue.settings).await;
    let cart = open_cart(state, resto_id, &table, browser.payer().as_deref()).await?;
    Ok(MenuView { venue, table, menu, ordering, cart })
}

/// The menu page; `problem` is a refused choice, shown beside its dish.
fn render(lang: Lang, path: &str, view: &MenuView, problem: Option<(&str, String)>) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let restaurant = &view.venue.restaurant;
    let table_home = table_path(&restaurant.resto_id, &view.table);
    let sections = view.menu.sections();
    let body = html! {
        h1 { (restaurant.name) }
        p.muted { (t("Меню", "Menu")) " · " (t("Стіл", "Table")) " " (view.table) " · "
            a href=(link(lang, &table_home)) { (t("Рахунок столу", "The table's bill")) } }
        @if let Some(note) = closed_note(lang, view.ordering) { p.notice #ordering-closed role="status" { (note) } }
        @if let Some((dish, message)) = &problem {
            p.alert #choice-problem role="alert" { (message) " " a href={ "#d-" (dish) } { (t("До страви", "To the dish")) } }
        }
        nav.groups aria-label=(t("Розділи меню", "Menu sections")) {
            @for section in sections.iter().filter(|s| s.depth == 0) {
                a href={ "#" (section_anchor(section)) } { (section_name(lang, section)) }
            }
        }
        @for section in &sections {
            (section_markup(lang, view, section, problem.as_ref().map(|(d, m)| (*d, m.as_str()))))
        }
        @if view.ordering == Ordering::Open { (cart_bar(lang, view)) }
        (assets::script("guest-menu.js"))
    };
    shell(lang, &format!("{} — {}", restaurant.name, t("Меню", "Menu")), path, body)
}

/// Why the menu is only for browsing, in the guest's words.
fn closed_note(lang: Lang, ordering: Ordering) -> Option<&'static str> {
    match ordering {
        Ordering::Open => None,
        Ordering::SwitchedOff | Ordering::PosCannot => Some(lang.pick(
            "Замовлення через QR тут недоступне: меню — для перегляду. Щоб замовити, покличте офіціанта.",
            "Ordering is not available here: the menu is for browsing. Please order from your waiter.",
        )),
        Ordering::PosOffline => Some(lang.pick(
            "Каса закладу зараз не на зв'язку: замовити через QR не вийде, меню — для перегляду.",
            "The restaurant's till is offline: ordering by QR is not possible now, the menu is for browsing.",
        )),
    }
}

fn section_anchor(section: &MenuSection<'_>) -> String {
    section.group.map_or_else(|| "g-other".to_string(), |g| format!("g-{}", g.id))
}

fn section_name(lang: Lang, section: &MenuSection<'_>) -> String {
    section.group.map_or_else(|| lang.pick("Інше", "Other").to_string(), |g| g.name.clone())
}

fn section_markup(lang: Lang, view: &MenuView, section: &MenuSection<'_>, problem: Option<(&str, &str)>) -> Markup {
    let heading = html! { (section_name(lang, section)) };
    html! {
        section.menu-group id=(section_anchor(section)) {
            @if section.depth == 0 { h2 { (heading) } } @else { h3 { (heading) } }
            @if !section.dishes.is_empty() {
                ul.dishes {
                    @for dish in &section.dishes {
                        (dish_markup(lang, view, dish, problem.filter(|(d, _)| *d == dish.id).map(|(_, m)| m)))
                    }
                }
            }
        }
    }
}

/// The price as the menu states it: per piece, or per kilogram/litre for weighed dishes.
fn price_text(lang: Lang, dish: &MenuDish) -> String {
    let Some(price) = dish.price else { return String::new() };
    match dish.unit.as_deref().filter(|_| by_weight(dish)) {
        Some(unit) => format!("{} / {unit}", money(lang, price)),
        None => money(lang, price),
    }
}

fn dish_markup(lang: Lang, view: &MenuView, dish: &MenuDish, problem: Option<&str>) -> Markup {
    let orderable = view.menu.orderable(&dish.id);
    html! {
        li.dish id={ "d-" (dish.id) } {
            div.dish-head {
                span.name { (dish.name) }
                span.money { (price_text(lang, dish)) }
            }
            @if let Some(description) = dish.description.as_deref().filter(|d| !d.trim().is_empty()) {
                p.muted.description { (description) }
            }
            @match orderable {
                Err(NotOrderable::StopListed) => p.unavailable { (not_orderable(lang, NotOrderable::StopListed)) },
                Err(why) if view.ordering == Ordering::Open => p.muted { (not_orderable(lang, why)) },
                Ok(_) if view.ordering == Ordering::Open => (add_form(lang, view, dish, problem)),
                _ => {},
            }
        }
    }
}

fn add_form(lang: Lang, view: &MenuView, dish: &MenuDish, problem: Option<&str>) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let action = link(lang, &format!("{}/menu/add", table_path(&view.venue.restaurant.resto_id, &view.table)));
    let singles = dish.single_modifiers();
    let required = dish.group_modifiers.iter().any(|g| g.least() > 0) || singles.iter().any(|s| s.least() > 0);
    let modifiers = html! {
        @for group in &dish.group_modifiers { (group_fieldset(lang, view, dish, group)) }
        @if !singles.is_empty() { (singles_fieldset(lang, view, dish, &singles)) }
    };
    let has_modifiers = !dish.group_modifiers.is_empty() || !singles.is_empty();
    html! {
        form.add method="post" action=(action) {
            input type="hidden" name="dish" value=(dish.id);
            @if required || (has_modifiers && problem.is_some()) { (modifiers) }
            @else if has_modifiers {
                details.extras { summary { (t("Додатки", "Extras")) } (modifiers) }
            }
            @if let Some(problem) = problem { p.field-error role="alert" { (problem) } }
            div.add-row {
                label.quantity { (t("Кількість", "Quantity"))
                    input type="number" name="quantity" value="1" min="1" max=(super::cart::MAX_QUANTITY) inputmode="numeric" required;
                }
                button type="submit" aria-label={ (t("Додати", "Add")) ": " (dish.name) } { (t("Додати", "Add")) }
            }
        }
    }
}

/// A modifier's price as an extra (`+25,00 грн`), or nothing when free.
fn extra_price(lang: Lang, price: Option<Money>) -> Option<String> {
    price.filter(|p| *p > Money::ZERO).map(|p| format!("+{}", money(lang, p)))
}

fn limits_text(lang: Lang, least: i64, most: Option<i64>) -> String {
    match (least, most) {
        (1, Some(1)) => lang.pick("оберіть одне", "choose one").to_string(),
        (0, Some(most)) => format!("{} {most}", lang.pick("до", "up to")),
        (least, Some(most)) => format!("{least}–{most}"),
        (0, None) => lang.pick("за бажанням", "optional").to_string(),
        (least, None) => format!("{} {least}", lang.pick("щонайменше", "at least")),
    }
}

fn group_fieldset(lang: Lang, view: &MenuView, dish: &MenuDish, group: &GroupModifierRule) -> Markup {
    let (least, most) = (group.least(), group.most());
    let radios = most == Some(1);
    let name = format!("g:{}", group.id);
    html! {
        fieldset.modifiers data-least=(least) data-most=[most] data-group=(group.id) data-message=(lang.pick("Оберіть потрібну кількість", "Choose as many as needed")) {
            legend { (view.menu.group_name(&group.id)) " " span.muted { "(" (limits_text(lang, least, most)) ")" } }
            @for child in group.children() {
                label.pick {
                    input type=(if radios { "radio" } else { "checkbox" }) name=(name) value=(child.id)
                        required[radios && least > 0] data-dish=(dish.id);
                    span { (view.menu.modifier_name(&child.id)) }
                    @if let Some(extra) = extra_price(lang, view.menu.menu.modifier_price(&child.id)) { span.muted.money { (extra) } }
                }
            }
        }
    }
}

fn singles_fieldset(lang: Lang, view: &MenuView, dish: &MenuDish, singles: &[ModifierLimit]) -> Markup {
    html! {
        fieldset.modifiers {
            legend { (lang.pick("Додатково", "Add-ons")) }
            @for single in singles {
                @let extra = extra_price(lang, view.menu.menu.modifier_price(&single.id));
                @if single.most() == Some(1) {
                    label.pick {
                        input type="checkbox" name="m" value=(single.id) required[single.least() > 0] data-dish=(dish.id);
                        span { (view.menu.modifier_name(&single.id)) }
                        @if let Some(extra) = &extra { span.muted.money { (extra) } }
                    }
                } @else {
                    label.count {
                        span { (view.menu.modifier_name(&single.id)) @if let Some(extra) = &extra { " " span.muted.money { (extra) } } }
                        input type="number" name={ "n:" (single.id) } value=(single.least()) min=(single.least())
                            max=[single.most()] inputmode="numeric";
                    }
                }
            }
        }
    }
}

/// The cart at the bottom of the screen: how many, how much, and on to the review.
fn cart_bar(lang: Lang, view: &MenuView) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let Some((_, cart)) = view.cart.as_ref().filter(|(_, c)| !c.lines.is_empty()) else { return html! {} };
    let count: u32 = cart.lines.iter().map(|l| l.quantity).sum();
    let review = link(lang, &format!("{}/order", table_path(&view.venue.restaurant.resto_id, &view.table)));
    html! {
        div.cart-bar #cart role="region" aria-label=(t("Кошик", "Cart")) {
            span { (t("У кошику", "In the cart")) ": " strong #cart-count { (count) } " · "
                @match cart.total(&view.menu) {
                    Some(total) => span.money #cart-total { (money(lang, total)) },
                    None => span { (t("потрібно переглянути", "needs a look")) },
                }
            }
            a.button #review href=(review) { (t("Переглянути замовлення", "Review the order")) }
        }
    }
}

/// `POST /t/{restoId}/{table}/menu/add`: adds the chosen dish to the browser's cart (a cart
/// and a guest cookie are made on the first add) and comes back to the dish; a choice the
/// menu's rules refuse comes back with why, beside the dish (422).
pub async fn add(
    State(state): State<GuestState>,
    Path((resto_id, table)): Path<(String, String)>,
    Visit { lang, browser, path }: Visit,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let menu_path = link(lang, &format!("{}/menu", table_path(&resto_id, &table)));
    let fields = match sent_form(form, lang, &path, &menu_path) {
        Ok(form) => form,
        Err(page) => return page.into_response(),
    };
    let (payer, new_cookie) = browser.payer_or_new();
    let mut response = match add_to_cart(&state, lang, &resto_id, &table, &payer, &fields).await {
        Ok(Added::To(dish)) => Redirect::to(&format!("{menu_path}#d-{dish}")).into_response(),
        Ok(Added::Refused(view, dish, message)) => {
            let page = render(lang, &menu_path, &view, Some((&dish, message)));
            Page::with_status(StatusCode::UNPROCESSABLE_ENTITY, page).into_response()
        }
        Err(error) => error_page(lang, &menu_path, &error, &menu_path).into_response(),
    };
    if let Some(cookie) = new_cookie {
        response.headers_mut().append(SET_COOKIE, cookie);
    }
    response
}

enum Added {
    /// Added; back to this dish.
    To(String),
    /// Refused: the menu again with why beside the dish.
    Refused(Box<MenuView>, String, String),
}

async fn add_to_cart(
    state: &GuestState,
    lang: Lang,
    resto_id: &str,
    table: &str,
    payer: &str,
    fields: &[(String, String)],
) -> Result<Added, GuestError> {
    let browser = Some(payer);
    let table = checked_table(table)?;
    let venue = known_venue(state, resto_id).await?;
    let ordering = Ordering::now(state, resto_id, &venue.settings).await;
    if ordering != Ordering::Open {
        return Err(GuestError::OrderingClosed);
    }
    let menu = GuestMenu::load(state, resto_id).await?;
    let cart = open_cart(state, resto_id, table, browser).await?;
    let mut view = MenuView { venue, table: table.to_string(), menu, ordering, cart };
    let chosen = line_from_form(fields).and_then(|line| line.check(&view.menu).map(|()| line));
    let refused = |view: MenuView, dish: String, problem: ChoiceProblem| {
        let message = problem.message(lang, &view.menu);
        Ok(Added::Refused(Box::new(view), dish, message))
    };
    let dish_field = fields.iter().find(|(k, _)| k == "dish").map(|(_, v)| v.clone()).unwrap_or_default();
    let line = match chosen {
        Ok(line) => line,
        Err(problem) => return refused(view, dish_field, problem),
    };
    let dish = line.dish.clone();
    match change_cart(state, resto_id, table, payer, |cart| cart.add(line.clone())).await? {
        Ok(()) => Ok(Added::To(dish)),
        Err(problem) => {
            view.cart = open_cart(state, resto_id, table, browser).await?;
            refused(view, dish, problem)
        }
    }
}

/// The remove form.
#[derive(Debug, serde::Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    line: String,
    /// The cart's version the page showed: a line is removed only from the cart as seen.
    #[serde(default)]
    version: String,
    #[serde(default)]
    back: String,
}

/// `POST /t/{restoId}/{table}/cart/remove`: takes a line out of the browser's cart, then back
/// to the review (or the menu).
pub async fn remove(
    State(state): State<GuestState>,
    Path((resto_id, table)): Path<(String, String)>,
    lang: Lang,
    browser: GuestBrowser,
    form: Result<Form<RemoveForm>, FormRejection>,
) -> Response {
    let home = table_path(&resto_id, &table);
    let menu_path = link(lang, &format!("{home}/menu"));
    let form = match sent_form(form, lang, &menu_path, &menu_path) {
        Ok(form) => form,
        Err(page) => return page.into_response(),
    };
    let back = if form.back == "menu" { menu_path.clone() } else { link(lang, &format!("{home}/order")) };
    match remove_line(&state, lang, &resto_id, &table, &browser, &form).await {
        Ok(()) => Redirect::to(&back).into_response(),
        Err(error) => error_page(lang, &menu_path, &error, &back).into_response(),
    }
}

async fn remove_line(
    state: &GuestState,
    lang: Lang,
    resto_id: &str,
    table: &str,
    browser: &GuestBrowser,
    form: &RemoveForm,
) -> Result<(), GuestError> {
    let table = checked_table(table)?;
    let damaged = || GuestError::BadInput(lang.pick("Форма пошкоджена.", "The form is damaged.").into());
    let index: usize = form.line.trim().parse().map_err(|_| damaged())?;
    let seen: Option<i64> = form.version.trim().parse().ok();
    // No cart (already ordered, or another browser): nothing to remove, the page shows why.
    let Some((order, mut cart)) = open_cart(state, resto_id, table, browser.payer().as_deref()).await? else {
        return Ok(());
    };
    // The cart changed since the page was shown: line `index` may be another dish now. The
    // page the guest comes back to shows the cart as it is.
    if seen.is_some_and(|seen| seen != order.version) || index >= cart.lines.len() {
        return Ok(());
    }
    cart.lines.remove(index);
    // Written only over the version read; if it moved on meanwhile, the same holds.
    state.store.save_cart_lines(&order.id, order.version, &cart.to_stored()).await?;
    Ok(())
}
