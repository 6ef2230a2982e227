//! `GET|POST /b/{restoId}/{billId}/split`: the guest ticks the positions they pay for (with a
//! quantity for lines of several pieces), grouped by the bill's guests as the POS names them,
//! and sees a running total of what they will pay (discounts shared the way a POS applying them
//! in proportion does). "Next" shows what will be split off for a confirmation; only a
//! confirmed choice sends `splitOrder`, with the `controlSum` of exactly those lines (modifiers
//! move with their parent), and takes the guest to the child bill the POS returns — its total
//! is the POS's and is shown before paying.

use super::bill::one_bill;
use super::error::{error_page, GuestError};
use super::split::{can_split, estimated_share, family_sum, pickable_lines, plan, raw_total, Choice, Pickable};
use super::view::{link, money, quantity};
use super::visit::{sent_form, Visit};
use super::GuestState;
use crate::web::{assets, paths, shell, Lang, Page};
use axum::extract::rejection::FormRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use rahunok_protocol::ops::{SplitAnswer, SplitOrder};
use rahunok_protocol::order::Order;
use rahunok_protocol::{Money, Quantity};

/// The split form.
pub async fn split_form(
    State(state): State<GuestState>,
    Path((resto_id, bill_id)): Path<(String, String)>,
    Visit { lang, path, .. }: Visit,
) -> Page {
    let bill_path = link(lang, &paths::bill(&resto_id, &bill_id));
    let (venue, order) = match one_bill(&state, &resto_id, &bill_id).await {
        Ok(found) => found,
        Err(error) => return error_page(lang, &path, &error, &bill_path),
    };
    let t = |uk, en| lang.pick(uk, en);
    if !venue.settings.split_enabled || !can_split(&order) {
        let text = t(
            "Цей рахунок не можна розділити. Його можна сплатити повністю.",
            "This bill cannot be split. You can pay it in full.",
        );
        let back = html! { a.button href=(bill_path) { (t("До рахунку", "Back to the bill")) } };
        return Page::ok(crate::web::message_page(lang, &path, t("Розділити не можна", "Cannot split"), text, back));
    }
    let body = html! {
        h1 { (t("Що ви сплачуєте?", "What are you paying for?")) }
        p.muted { (venue.restaurant.name) " · " (t("рахунок", "bill")) " " (money(lang, order.total_sum)) }
        form.card #split-form method="post" action=(link(lang, &format!("{}/split", paths::bill(&resto_id, &bill_id))))
            data-raw=[raw_total(&order).map(|m| m.kopiyky())]
            data-discounts=(order.discounts.list.iter().map(|d| d.sum.kopiyky().to_string()).collect::<Vec<_>>().join(","))
            data-decimal=(t(",", ".")) data-group=(t("\u{a0}", ",")) data-currency=(t("грн", "UAH")) {
            @for (guest, picks) in by_guest(&order) {
                @if let Some(guest) = guest { h2 { (guest) } }
                ul.lines { @for pick in &picks { (pick_line(lang, pick)) } }
            }
            div.total #split-summary {
                span { (t("Ваша частина", "Your part")) }
                span.money #split-total { (money(lang, Money::ZERO)) }
            }
            @if !order.discounts.list.is_empty() {
                p.muted.hint { (t("Зі знижкою рахунку, поділеною пропорційно. Точну суму покаже каса перед оплатою.",
                                  "With the bill's discount shared in proportion. The till confirms the exact amount before you pay.")) }
            }
            button #split-next type="submit" { (t("Далі", "Next")) }
        }
        a.button.secondary href=(bill_path) { (t("Сплатити весь рахунок", "Pay the whole bill")) }
        (assets::script("guest-split.js"))
    };
    Page::ok(shell(lang, &venue.restaurant.name, &path, body))
}

/// The pickable lines under the bill's guests (as the POS names them); one unnamed group when
/// the bill has a single guest.
fn by_guest(order: &Order) -> Vec<(Option<String>, Vec<Pickable<'_>>)> {
    let picks = pickable_lines(order);
    let named = order.guests.len() > 1;
    let mut groups: Vec<(Option<String>, Vec<Pickable<'_>>)> = Vec::new();
    for guest in &order.guests {
        let mine: Vec<Pickable<'_>> =
            picks.iter().filter(|p| guest.dishes.iter().any(|d| std::ptr::eq(d, p.line))).cloned().collect();
        if !mine.is_empty() {
            groups.push((named.then(|| guest.name.clone()), mine));
        }
    }
    groups
}

/// One line to tick: its name and weight (`× 0,35`), modifiers, a quantity for lines of several
/// pieces, and its price; each choice carries its sum in kopiyky for the running total.
fn pick_line(lang: Lang, pick: &Pickable<'_>) -> Markup {
    let t = |uk, en| lang.pick(uk, en);
    let id = pick.position_id();
    let whole = family_sum(pick, pick.line.count);
    html! {
        li {
            label.pick {
                input type="checkbox" name="pos" value=(id) data-sum=[whole.map(|m| m.kopiyky())];
                span {
                    (pick.line.name)
                    @if pick.line.count.to_string() != "1" && pick.whole_pieces().is_none() {
                        " × " (quantity(lang, pick.line.count))
                    }
                    @for child in &pick.children { @if !child.hidden { br; span.muted { "+ " (child.name) } } }
                }
            }
            span {
                @if let Some(pieces) = pick.whole_pieces() {
                    select name={ "qty_" (id) } aria-label=(t("Кількість", "Quantity")) {
                        @for n in (1..=pieces).rev() {
                            option value=(n) data-sum=[u32::try_from(n).ok().and_then(|n| family_sum(pick, Quantity::whole(n))).map(|m| m.kopiyky())] { (n) " × " }
                        }
                    }
                }
                @match whole {
                    Some(total) => span.money { (money(lang, total)) },
                    // Sums no bill can hold (a POS answering nonsense): not shown rather than a crash.
                    None => span.money { "—" },
                }
            }
        }
    }
}

/// `POST …/split`: without `confirm`, the choice to confirm; with it, `splitOrder` and on to
/// the child bill.
pub async fn split(
    State(state): State<GuestState>,
    Path((resto_id, bill_id)): Path<(String, String)>,
    Visit { lang, path, .. }: Visit,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let retry = link(lang, &format!("{}/split", paths::bill(&resto_id, &bill_id)));
    let fields = match sent_form(form, lang, &path, &retry) {
        Ok(form) => form,
        Err(page) => return page.into_response(),
    };
    let confirmed = fields.iter().any(|(name, value)| name == "confirm" && value == "yes");
    let outcome = match confirmed {
        true => split_bill(&state, lang, &resto_id, &bill_id, &fields)
            .await
            .map(|child| Redirect::to(&link(lang, &paths::bill(&resto_id, &child))).into_response()),
        false => confirmation(&state, lang, &path, &resto_id, &bill_id, &fields).await,
    };
    match outcome {
        Ok(response) => response,
        Err(error) => error_page(lang, &path, &error, &retry).into_response(),
    }
}

/// The chosen lines, checked, with what they come to, and the button that splits.
async fn confirmation(
    state: &GuestState,
    lang: Lang,
    path: &str,
    resto_id: &str,
    bill_id: &str,
    fields: &[(String, String)],
) -> Result<Response, GuestError> {
    let t = |uk, en| lang.pick(uk, en);
    let (venue, order) = checked_order(state, lang, resto_id, bill_id).await?;
    let choices = choices_from(fields, &order)?;
    let (_, control_sum) = plan(&order, &choices).map_err(|e| GuestError::BadInput(split_message(lang, &e)))?;
    let estimate = estimated_share(&order, control_sum)
        .ok_or_else(|| GuestError::PosError("the bill's sums do not add up".into()))?;
    let picks = pickable_lines(&order);
    let body = html! {
        h1 { (t("Перевірте вибір", "Check your choice")) }
        p.muted { (venue.restaurant.name) " · " (t("рахунок", "bill")) " " (money(lang, order.total_sum)) }
        section.card #split-review {
            ul.lines {
                @for (position, amount) in &choices {
                    @if let Some(pick) = picks.iter().find(|p| p.position_id() == position) {
                        li {
                            span { (pick.line.name) " × " (quantity(lang, *amount)) }
                            span.money { (family_sum(pick, *amount).map(|m| money(lang, m)).unwrap_or_else(|| "—".into())) }
                        }
                    }
                }
            }
            div.total { span { (t("Ваша частина", "Your part")) } span.money #split-estimate { (money(lang, estimate)) } }
            p.muted.hint { (t("Ці позиції буде виділено в окремий рахунок на касі; його суму ви побачите перед оплатою.",
                              "These positions become a bill of their own on the till; you see its total before paying.")) }
        }
        form method="post" action=(link(lang, &format!("{}/split", paths::bill(resto_id, bill_id)))) {
            @for (name, value) in fields.iter().filter(|(name, _)| name == "pos" || name.starts_with("qty_")) {
                input type="hidden" name=(name) value=(value);
            }
            input type="hidden" name="confirm" value="yes";
            button #confirm-split type="submit" { (t("Розділити й перейти до оплати", "Split and go to payment")) }
        }
        a.button.secondary href=(link(lang, &format!("{}/split", paths::bill(resto_id, bill_id)))) { (t("Змінити вибір", "Change the choice")) }
    };
    Ok(Page::ok(shell(lang, &venue.restaurant.name, path, body)).into_response())
}

async fn checked_order(
    state: &GuestState,
    lang: Lang,
    resto_id: &str,
    bill_id: &str,
) -> Result<(super::venue::Venue, Order), GuestError> {
    let (venue, order) = one_bill(state, resto_id, bill_id).await?;
    if !venue.settings.split_enabled {
        return Err(GuestError::BadInput(
            lang.pick("Цей заклад не розділяє рахунки.", "This restaurant does not split bills.").into(),
        ));
    }
    Ok((venue, order))
}

/// Sends `splitOrder` for a confirmed choice; the child bill's id.
async fn split_bill(
    state: &GuestState,
    lang: Lang,
    resto_id: &str,
    bill_id: &str,
    fields: &[(String, String)],
) -> Result<String, GuestError> {
    let (_, order) = checked_order(state, lang, resto_id, bill_id).await?;
    let choices = choices_from(fields, &order)?;
    let (positions, control_sum) = plan(&order, &choices).map_err(|e| GuestError::BadInput(split_message(lang, &e)))?;
    let request = SplitOrder { bill_id: bill_id.to_string(), control_sum, positions };
    let SplitAnswer(answer) = state.link.request(resto_id, &request).await?.body;
    let child = answer.orders.get(1).ok_or_else(|| GuestError::PosError("split returned no child bill".into()))?;
    Ok(child.bill_id.clone())
}

fn choices_from(fields: &[(String, String)], order: &Order) -> Result<Vec<Choice>, GuestError> {
    let pickable = pickable_lines(order);
    let mut choices = Vec::new();
    for (_, position) in fields.iter().filter(|(name, _)| name == "pos") {
        let pick = pickable
            .iter()
            .find(|p| p.position_id() == position)
            .ok_or_else(|| GuestError::BadInput(format!("unknown position {position}")))?;
        let quantity = match fields.iter().find(|(name, _)| *name == format!("qty_{position}")) {
            Some((_, text)) => {
                Quantity::parse(text).map_err(|_| GuestError::BadInput(format!("bad quantity {text}")))?
            }
            None => pick.line.count,
        };
        choices.push((position.clone(), quantity));
    }
    Ok(choices)
}

fn split_message(lang: Lang, error: &super::split::SplitError) -> String {
    use super::split::SplitError::*;
    match error {
        NothingChosen => lang.pick("Оберіть хоча б одну позицію.", "Choose at least one position."),
        Everything => lang.pick(
            "Ви обрали весь рахунок — сплатіть його без розділення.",
            "That is the whole bill — pay it without splitting.",
        ),
        BadPosition(_) => lang.pick("Цю позицію не можна так розділити.", "That position cannot be split that way."),
    }
    .to_string()
}
