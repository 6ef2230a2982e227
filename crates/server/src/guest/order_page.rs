//! The order's last steps. `GET /t/{restoId}/{table}/order`: the review — the cart as the menu
//! prices it, checked with the POS (`checkProductsRestrictions`), what is unavailable or short
//! shown beside its dish; nothing reaches the kitchen until the guest confirms.
//! `POST …/order`: the confirmation, bound to the cart's version the review showed (a cart
//! changed since comes back to the review; a version the POS has not checked is checked first)
//! — the order goes to the POS under its stable `externalId`, by one sender at a time
//! (see [`super::ordering`]), and the guest is sent on (303) to `GET …/order/{id}`, the order as
//! it stands: placed (with the POS's number and sum, and "pay now" or "add to the table's
//! bill"), still being sent (with "check again"), or refused (with why). A refresh there asks
//! nothing of the POS; only the confirm button sends, and sending again is harmless.

use super::cart::Cart;
use super::error::{error_page, GuestError};
use super::menu::{GuestMenu, Ordering};
use super::ordering::{check_stock, checked_table, open_cart, settled, table_id, OrderSender};
use super::payer::GuestBrowser;
use super::venue::table_path;
use super::venue::{known_venue, Venue};
use super::view::{link, money};
use super::visit::{sent_form, Visit};
use super::GuestState;
use crate::store::{now_ms, GuestOrder, GuestOrderStatus, SendLease};
use crate::web::{assets, shell, Lang, Page};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use rahunok_protocol::ops::Restrictions;
use rahunok_protocol::Money;
use serde::Deserialize;

/// `GET /t/{restoId}/{table}/order`.
pub async fn review(
    State(state): State<GuestState>,
    Path((resto_id, table)): Path<(String, String)>,
    Visit { lang, browser, path }: Visit,
) -> Response {
    let menu_path = link(lang, &format!("{}/menu", table_path(&resto_id, &table)));
    match review_page(&state, lang, &path, &resto_id, &table, &browser, None).await {
        Ok(Some(page)) => page.into_response(),
        // No cart (none yet, or just ordered): the menu is where to start.
        Ok(None) => Redirect::to(&menu_path).into_response(),
        Err(error) => error_page(lang, &path, &error, &path).into_response(),
    }
}

/// What the review knows about one line.
enum LineCheck {
    Fine,
    /// The menu's rules refuse it now (the menu changed since it was added).
    Refused(String),
    /// The POS says the kitchen cannot make it (or not that many).
    Short(String),
}

async fn review_page(
    state: &GuestState,
    lang: Lang,
    path: &str,
    resto_id: &str,
    table: &str,
    browser: &GuestBrowser,
    notice: Option<Markup>,
) -> Result<Option<Page>, GuestError> {
    let table = checked_table(table)?;
    let venue = known_venue(state, resto_id).await?;
    let Some((order, cart)) = open_cart(state, resto_id, table, browser.payer().as_deref()).await? else {
        return Ok(None);
    };
    if cart.lines.is_empty() {
        return Ok(None);
    }
    let menu = GuestMenu::load(state, resto_id).await?;
    let ordering = Ordering::now(state, resto_id, &venue.settings).await;
    if ordering == Ordering::Open {
        // A table the POS does not know is found out here, not after the guest confirmed.
        table_id(state, resto_id, table).await?;
    }
    let mut checks: Vec<LineCheck> = cart
        .lines
        .iter()
        .map(|line| match line.check(&menu) {
            Ok(()) => LineCheck::Fine,
            Err(problem) => LineCheck::Refused(problem.message(lang, &menu)),
        })
        .collect();
    let mut stock_problem = None;
    let all_fine = |checks: &[LineCheck]| checks.iter().all(|c| matches!(c, LineCheck::Fine));
    if ordering == Ordering::Open && all_fine(&checks) {
        match check_stock(state, resto_id, &cart).await {
            Ok(restrictions) => mark_short(lang, &cart, &restrictions, &mut checks),
            Err(error) => stock_problem = Some(stock_unknown(lang, &error)),
        }
    }
    let can_confirm = ordering == Ordering::Open && all_fine(&checks) && stock_problem.is_none();
    if can_confirm && order.reviewed_version != Some(order.version) {
        // What the POS found makeable is this version: a confirm of it needs no second check.
        state.store.mark_cart_reviewed(&order.id, order.version).await?;
    }
    let view = Review { venue: &venue, table, order: &order, cart: &cart, menu: &menu, checks: &checks };
    let problem = stock_problem.or_else(|| (ordering != Ordering::Open).then(|| closed(lang)));
    let page = view.render(lang, path, notice, problem, can_confirm);
    let status = if can_confirm { StatusCode::OK } else { StatusCode::CONFLICT };
    Ok(Some(Page::with_status(status, page)))
}

fn closed(lang: Lang) -> String {
    lang.pick(
        "Замовлення через QR тут зараз недоступне. Покличте офіціанта.",
        "Ordering by QR is not available here now. Please call your waiter.",
    )
    .to_string()
}

fn stock_unknown(lang: Lang, error: &GuestError) -> String {
    let why = match error {
        GuestError::PosOffline => lang.pick("каса не на зв'язку", "the till is offline"),
        GuestError::PosSlow => lang.pick("каса не відповіла вчасно", "the till did not answer in time"),
        _ => lang.pick("каса відповіла з помилкою", "the till answered with an error"),
    };
    format!(
        "{} ({why}). {}",
        lang.pick("Не вдалося перевірити наявність страв", "We could not check that the dishes are available"),
        lang.pick("Спробуйте ще раз за хвилину.", "Try again in a minute.")
    )
}

/// Marks the lines the POS says are unavailable or short (its results follow the items'
/// order; an id that does not match is looked up by id).
fn mark_short(lang: Lang, cart: &Cart, restrictions: &Restrictions, checks: &mut [LineCheck]) {
    for (index, line) in cart.lines.iter().enumerate() {
        let result = restrictions
            .item_results
            .get(index)
            .filter(|r| r.id == line.dish)
            .or_else(|| restrictions.item_results.iter().find(|r| r.id == line.dish));
        let Some(result) = result.filter(|r| !r.available) else { continue };
        let text = match result.exceed_quantity {
            Some(over) if !over.is_zero() => {
                let left = over.decimal().rescale(0).map(|o| i64::from(line.quantity) - o).filter(|l| *l > 0);
                match left {
                    Some(left) => {
                        format!("{} {left}", lang.pick("Зараз можна замовити лише", "Only this many are left:"))
                    }
                    None => lang.pick("Стільки зараз немає", "Not that many are left").to_string(),
                }
            }
            _ => lang.pick("Немає в наявності", "Not available").to_string(),
        };
        checks[index] = LineCheck::Short(text);
    }
    if !restrictions.check_result && checks.iter().all(|c| matches!(c, LineCheck::Fine)) {
        // The POS said no without saying which: the order cannot go as it is.
        if let Some(first) = checks.first_mut() {
            *first = LineCheck::Short(
                lang.pick("Каса не може прийняти це замовлення", "The till cannot take this order").into(),
            );
        }
    }
}

struct Review<'a> {
    venue: &'a Venue,
    table: &'a str,
    order: &'a GuestOrder,
    cart: &'a Cart,
    menu: &'a GuestMenu,
    checks: &'a [LineCheck],
}

impl Review<'_> {
    fn render(
        &self,
        lang: Lang,
        path: &str,
        notice: Option<Markup>,
        problem: Option<String>,
        can_confirm: bool,
    ) -> Markup {
        let t = |uk, en| lang.pick(uk, en);
        let home = table_path(&self.venue.restaurant.resto_id, self.table);
        let total = self.cart.total(self.menu);
        let body = html! {
            h1 { (t("Ваше замовлення", "Your order")) }
            p.muted { (self.venue.restaurant.name) " · " (t("Стіл", "Table")) " " (self.table) }
            @if let Some(notice) = notice { (notice) }
            section.card.bill {
                ul.lines.order-lines {
                    @for (index, line) in self.cart.lines.iter().enumerate() {
                        (order_line(lang, self.menu, line))
                        @match &self.checks[index] {
                            LineCheck::Fine => {},
                            LineCheck::Refused(why) | LineCheck::Short(why) => li.problem { p.field-error.line-problem role="alert" { (why) } },
                        }
                        li.remove {
                            form.inline method="post" action=(link(lang, &format!("{home}/cart/remove"))) {
                                input type="hidden" name="line" value=(index);
                                input type="hidden" name="version" value=(self.order.version);
                                button.link type="submit" { (t("Прибрати", "Remove")) span.visually-hidden { ": " (dish_name(self.menu, &line.dish)) } }
                            }
                        }
                    }
                }
                @if let Some(total) = total {
                    div.total { span { (t("Разом", "Total")) } span.money #order-total { (money(lang, total)) } }
                }
            }
            @if let Some(problem) = problem { p.alert #order-problem role="alert" { (problem) } }
            @if let (true, Some(total)) = (can_confirm, total) {
                form #confirm-form method="post" action=(link(lang, &format!("{home}/order"))) {
                    input type="hidden" name="order" value=(self.order.id);
                    input type="hidden" name="version" value=(self.order.version);
                    input type="hidden" name="expected_sum" value=(total.kopiyky());
                    p.muted.hint { (t("Після підтвердження замовлення одразу піде на кухню.", "Once you confirm, the order goes straight to the kitchen.")) }
                    button #confirm type="submit" { (t("Підтвердити замовлення", "Confirm the order")) " · " (money(lang, total)) }
                }
            } @else if !self.checks.iter().all(|c| matches!(c, LineCheck::Fine)) {
                p.muted { (t("Приберіть або змініть позначені страви, щоб замовити.", "Remove or change the marked dishes to order.")) }
            }
            a.button.secondary href=(link(lang, &format!("{home}/menu"))) { (t("← Додати ще з меню", "← Add more from the menu")) }
            (assets::script("guest-menu.js"))
        };
        shell(lang, t("Ваше замовлення", "Your order"), path, body)
    }
}

fn dish_name(menu: &GuestMenu, id: &str) -> String {
    menu.menu.dish(id).map_or_else(|| id.to_string(), |d| d.name.clone())
}

/// A cart line with its modifiers under it.
fn order_line(lang: Lang, menu: &GuestMenu, line: &super::cart::CartLine) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    html! {
        li.dish-line {
            span { (dish_name(menu, &line.dish)) @if line.quantity != 1 { " × " (line.quantity) } }
            @match line.sum(menu) {
                Some(sum) => span.money { (money(lang, sum)) },
                None => span.muted { (t("немає в меню", "not on the menu")) },
            }
        }
        @for modifier in &line.modifiers {
            li.child { span { "+ " (menu.modifier_name(&modifier.id)) @if modifier.count != 1 { " × " (modifier.count) } } span {} }
        }
    }
}

/// The confirm form.
#[derive(Debug, Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    order: String,
    /// The cart's version the review showed (absent on the "check again" form).
    #[serde(default)]
    version: String,
    #[serde(default)]
    expected_sum: String,
}

/// `POST /t/{restoId}/{table}/order`.
pub async fn confirm(
    State(state): State<GuestState>,
    Path((resto_id, table)): Path<(String, String)>,
    Visit { lang, browser, path }: Visit,
    form: Result<Form<ConfirmForm>, FormRejection>,
) -> Response {
    let review_path = link(lang, &format!("{}/order", table_path(&resto_id, &table)));
    let form = match sent_form(form, lang, &path, &review_path) {
        Ok(form) => form,
        Err(page) => return page.into_response(),
    };
    match confirmed(&state, lang, &review_path, &resto_id, &table, &browser, &form).await {
        Ok(response) => response,
        Err(error) => error_page(lang, &review_path, &error, &review_path).into_response(),
    }
}

async fn confirmed(
    state: &GuestState,
    lang: Lang,
    review_path: &str,
    resto_id: &str,
    table: &str,
    browser: &GuestBrowser,
    form: &ConfirmForm,
) -> Result<Response, GuestError> {
    let table = checked_table(table)?;
    let order = state.store.guest_order(form.order.trim()).await?.ok_or(GuestError::OrderNotFound)?;
    let mine =
        order.resto_id == resto_id && order.table_number == table && Some(&order.browser) == browser.payer().as_ref();
    if !mine {
        return Err(GuestError::OrderNotFound);
    }
    let order_page = link(lang, &format!("{}/order/{}", table_path(resto_id, table), order.id));
    let to_order_page = || Ok(Redirect::to(&order_page).into_response());
    let sender = OrderSender::of(state);
    let wait = state.config.guest_wait;
    let order = match order.status {
        GuestOrderStatus::Placed | GuestOrderStatus::Refused => return to_order_page(),
        GuestOrderStatus::Sending => order,
        GuestOrderStatus::Cart => match claim(state, &sender, lang, resto_id, table, &order, form).await? {
            Claim::Won { lease, table_id } => {
                sender.start(&order, table_id, lease).wait(wait).await;
                return to_order_page();
            }
            Claim::Changed(why) => {
                let notice = html! { p.alert #cart-changed role="alert" { (why) } };
                let page = review_page(state, lang, review_path, resto_id, table, browser, Some(notice)).await?;
                return Ok(page.map_or_else(|| Redirect::to(review_path).into_response(), IntoResponse::into_response));
            }
            // Another confirm claimed it: its sender sends, this one waits for the outcome.
            Claim::Lost => state.store.guest_order(&order.id).await?.ok_or(GuestError::OrderNotFound)?,
        },
    };
    // Sent before and nobody sending it now (the attempt ended without an answer, or its node
    // died): send it again, same externalId. Otherwise wait for whoever sends it.
    if order.status == GuestOrderStatus::Sending && !order.being_sent(now_ms()) {
        let table_id = match order.pos_table_id.clone() {
            Some(id) => id,
            None => table_id(state, resto_id, table).await?,
        };
        if let Some(sending) = sender.resend(&order, table_id).await? {
            sending.wait(wait).await;
            return to_order_page();
        }
    }
    settled(&state.store, &order.id, wait).await?;
    to_order_page()
}

/// What came of confirming a cart.
enum Claim {
    /// This confirm claimed the cart and holds the lease on its first send.
    Won {
        /// The lease.
        lease: SendLease,
        /// The POS's id of the table.
        table_id: String,
    },
    /// The cart is not what the guest reviewed (or cannot go as it is): the review again, with why.
    Changed(String),
    /// Another confirm claimed it first.
    Lost,
}

/// Claims the cart for sending when ordering is open and the cart is what the guest reviewed:
/// the same total and the same version, and that version found makeable by the POS (asked
/// now when the cart changed since its review, or was never reviewed).
async fn claim(
    state: &GuestState,
    sender: &OrderSender,
    lang: Lang,
    resto_id: &str,
    table: &str,
    order: &GuestOrder,
    form: &ConfirmForm,
) -> Result<Claim, GuestError> {
    let venue = known_venue(state, resto_id).await?;
    if Ordering::now(state, resto_id, &venue.settings).await != Ordering::Open {
        return Err(GuestError::OrderingClosed);
    }
    let cart = Cart::from_stored(&order.lines)?;
    let menu = GuestMenu::load(state, resto_id).await?;
    if cart.lines.is_empty() {
        return Ok(Claim::Changed(lang.pick("Кошик порожній.", "The cart is empty.").into()));
    }
    if let Some(problem) = cart.lines.iter().find_map(|l| l.check(&menu).err()) {
        return Ok(Claim::Changed(problem.message(lang, &menu)));
    }
    let Some(total) = cart.total(&menu) else {
        let why = lang.pick("Частини страв уже немає в меню.", "Some dishes are no longer on the menu.");
        return Ok(Claim::Changed(why.into()));
    };
    let expected: i64 = form
        .expected_sum
        .trim()
        .parse()
        .map_err(|_| GuestError::BadInput(lang.pick("Форма пошкоджена.", "The form is damaged.").into()))?;
    if total.kopiyky() != expected {
        let was = Money::from_kopiyky(expected).unwrap_or_default();
        return Ok(Claim::Changed(format!(
            "{}: {} → {}. {}",
            lang.pick("Сума замовлення змінилась", "The order's total has changed"),
            money(lang, was),
            money(lang, total),
            lang.pick("Перевірте і підтвердіть ще раз.", "Please check and confirm again.")
        )));
    }
    let changed = || {
        Claim::Changed(
            lang.pick(
                "Кошик змінився після перегляду: перевірте його і підтвердіть ще раз.",
                "The cart changed since you reviewed it: please check it and confirm again.",
            )
            .into(),
        )
    };
    if form.version.trim().parse::<i64>().ok() != Some(order.version) {
        return Ok(changed());
    }
    if order.reviewed_version != Some(order.version) {
        // Not what the POS last checked: ask it now, before anything reaches the kitchen.
        let restrictions = check_stock(state, resto_id, &cart).await?;
        let mut checks: Vec<LineCheck> = cart.lines.iter().map(|_| LineCheck::Fine).collect();
        mark_short(lang, &cart, &restrictions, &mut checks);
        if !checks.iter().all(|c| matches!(c, LineCheck::Fine)) {
            let why = lang.pick(
                "Каса зараз не може приготувати все з кошика: див. позначені страви.",
                "The kitchen cannot make all of this now: see the marked dishes.",
            );
            return Ok(Claim::Changed(why.into()));
        }
        if !state.store.mark_cart_reviewed(&order.id, order.version).await? {
            return Ok(changed());
        }
    }
    let table_id = table_id(state, resto_id, table).await?;
    let lease = sender.lease();
    if state.store.claim_cart(&order.id, order.version, total.kopiyky(), &table_id, &lease).await? {
        return Ok(Claim::Won { lease, table_id });
    }
    match state.store.guest_order(&order.id).await? {
        Some(now) if now.status == GuestOrderStatus::Cart => Ok(changed()),
        Some(_) => Ok(Claim::Lost),
        None => Err(GuestError::OrderNotFound),
    }
}

/// `GET /t/{restoId}/{table}/order/{id}`: the order as it stands (asks nothing of the POS).
pub async fn placed(
    State(state): State<GuestState>,
    Path((resto_id, table, id)): Path<(String, String, String)>,
    Visit { lang, path, .. }: Visit,
) -> Page {
    match placed_page(&state, lang, &path, &resto_id, &table, &id).await {
        Ok(page) => page,
        Err(error) => error_page(lang, &path, &error, &path),
    }
}

async fn placed_page(
    state: &GuestState,
    lang: Lang,
    path: &str,
    resto_id: &str,
    table: &str,
    id: &str,
) -> Result<Page, GuestError> {
    let table = checked_table(table)?;
    let venue = known_venue(state, resto_id).await?;
    let order = state
        .store
        .guest_order(id)
        .await?
        .filter(|o| o.resto_id == resto_id && o.table_number == table && o.status != GuestOrderStatus::Cart)
        .ok_or(GuestError::OrderNotFound)?;
    let cart = Cart::from_stored(&order.lines)?;
    // The names on the page come from the menu; an order still shows without one.
    let menu = GuestMenu::load(state, resto_id).await.ok();
    let home = table_path(resto_id, table);
    let t = |uk, en| lang.pick(uk, en);
    let lines = html! {
        @if let Some(menu) = &menu {
            section.card.bill { ul.lines { @for line in &cart.lines { (order_line(lang, menu, line)) } }
                @if let Some(sum) = order.result_sum.or(order.cart_sum).and_then(Money::from_kopiyky) {
                    div.total { span { (t("Разом", "Total")) } span.money #placed-total { (money(lang, sum)) } }
                }
            }
        }
    };
    let body = match order.status {
        GuestOrderStatus::Placed => placed_body(lang, &venue, &home, &order, lines),
        GuestOrderStatus::Refused => html! {
            h1 { (t("Каса не прийняла замовлення", "The till did not take the order")) }
            p #refused-why { (t("Причина", "Why")) ": " (order.last_error.as_deref().unwrap_or("—")) }
            (lines)
            p { (t("Ваш кошик збережено: змініть його і спробуйте ще раз.", "Your cart is kept: change it and try again.")) }
            a.button href=(link(lang, &format!("{home}/order"))) { (t("До кошика", "To the cart")) }
        },
        _ => html! {
            h1 { (t("Надсилаємо замовлення на касу…", "Sending the order to the till…")) }
            p { (t("Каса ще не підтвердила замовлення. Перевірте ще раз: замовлення не задвоїться.", "The till has not confirmed the order yet. Check again: the order will not be doubled.")) }
            (lines)
            form #check-again method="post" action=(link(lang, &format!("{home}/order"))) {
                input type="hidden" name="order" value=(order.id);
                input type="hidden" name="expected_sum" value=(order.cart_sum.unwrap_or_default());
                button type="submit" { (t("Перевірити ще раз", "Check again")) }
            }
        },
    };
    let body = html! { (body) (assets::script("guest-menu.js")) };
    Ok(Page::ok(shell(lang, &venue.restaurant.name, path, body)))
}

fn placed_body(lang: Lang, venue: &Venue, home: &str, order: &GuestOrder, lines: Markup) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let number = order.pos_order_number.map(|n| n.to_string()).or_else(|| order.pos_order_id.clone());
    let differs = match (order.result_sum, order.cart_sum) {
        (Some(pos), Some(cart)) if pos != cart => Some((pos, cart)),
        _ => None,
    };
    html! {
        h1 { (t("Замовлення прийнято ✓", "Order placed ✓")) }
        p.muted { (venue.restaurant.name) " · " (t("Стіл", "Table")) " " (order.table_number)
            @if let Some(number) = &number { " · " (t("Замовлення", "Order")) " №" span #order-number { (number) } } }
        @if let Some((pos, cart)) = differs {
            p.alert #sum-differs role="alert" {
                (t("Каса порахувала замовлення інакше", "The till priced the order differently")) ": "
                strong { (money(lang, Money::from_kopiyky(pos).unwrap_or_default())) }
                " (" (t("у кошику було", "the cart said")) " " (money(lang, Money::from_kopiyky(cart).unwrap_or_default())) "). "
                (t("Сплачується сума каси.", "The till's sum is what you pay."))
            }
        }
        (lines)
        p { (t("Замовлення вже на кухні. Сплатіть зараз або пізніше, разом з рахунком столу.", "The order is in the kitchen. Pay now, or later with the table's bill.")) }
        @if let Some(bill) = &order.pos_order_id {
            a.button #pay-now href=(link(lang, &crate::web::paths::bill(&venue.restaurant.resto_id, bill))) { (t("Сплатити зараз", "Pay now")) }
        }
        a.button.secondary #add-to-bill href=(link(lang, home)) { (t("Додати до рахунку столу", "Add to the table's bill")) }
        a.button.secondary href=(link(lang, &format!("{home}/menu"))) { (t("Замовити ще", "Order more")) }
    }
}
