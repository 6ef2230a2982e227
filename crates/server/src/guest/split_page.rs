//! `GET|POST /b/{restoId}/{billId}/split`: the guest ticks the positions they pay for (with a
//! quantity for lines of several pieces); the server sends `splitOrder` with the `controlSum`
//! of exactly those lines (modifiers move with their parent) and takes the guest to the child
//! bill the POS returns, to tip and pay it.

use super::bill::one_bill;
use super::error::{error_page, GuestError};
use super::split::{can_split, pickable_lines, plan, Choice};
use super::view::{link, money};
use crate::state::AppState;
use crate::web::{shell, Lang, Page};
use axum::extract::rejection::FormRejection;
use axum::extract::{OriginalUri, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use rahunok_protocol::ops::{SplitAnswer, SplitOrder};
use rahunok_protocol::Quantity;

/// The split form.
pub async fn split_form(
    State(state): State<AppState>,
    Path((resto_id, bill_id)): Path<(String, String)>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
) -> Page {
    let path = uri.to_string();
    let bill_path = link(lang, &format!("/b/{resto_id}/{bill_id}"));
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
        form.card method="post" action=(link(lang, &format!("/b/{resto_id}/{bill_id}/split"))) {
            ul.lines {
                @for pick in pickable_lines(&order) {
                    li {
                        label {
                            input type="checkbox" name="pos" value=(pick.position_id());
                            " " (pick.line.name)
                            @for child in &pick.children { @if !child.hidden { br; span.muted { "+ " (child.name) } } }
                        }
                        span {
                            @if let Some(pieces) = pick.whole_pieces() {
                                select name={ "qty_" (pick.position_id()) } aria-label=(t("Кількість", "Quantity")) {
                                    @for n in (1..=pieces).rev() { option value=(n) { (n) " × " } }
                                }
                            }
                            @match pick.children.iter().try_fold(pick.line.sum, |total, c| total.checked_add(c.sum)) {
                                Some(total) => span.money { (money(lang, total)) },
                                // Sums no bill can hold (a POS answering nonsense): not shown rather than a crash.
                                None => span.money { "—" },
                            }
                        }
                    }
                }
            }
            button type="submit" { (t("Сплатити обране", "Pay for these")) }
        }
        a.button.secondary href=(bill_path) { (t("Сплатити весь рахунок", "Pay the whole bill")) }
    };
    Page::ok(shell(lang, &venue.restaurant.name, &path, body))
}

/// Sends `splitOrder` and goes to the child bill.
pub async fn split(
    State(state): State<AppState>,
    Path((resto_id, bill_id)): Path<(String, String)>,
    lang: Lang,
    OriginalUri(uri): OriginalUri,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let path = uri.to_string();
    let retry = link(lang, &format!("/b/{resto_id}/{bill_id}/split"));
    let fields = match form {
        Ok(Form(fields)) => fields,
        Err(rejection) => {
            return error_page(lang, &path, &GuestError::BadInput(rejection.body_text()), &retry).into_response()
        }
    };
    match split_bill(&state, lang, &resto_id, &bill_id, &fields).await {
        Ok(child) => Redirect::to(&link(lang, &format!("/b/{resto_id}/{child}"))).into_response(),
        Err(error) => error_page(lang, &path, &error, &retry).into_response(),
    }
}

async fn split_bill(
    state: &AppState,
    lang: Lang,
    resto_id: &str,
    bill_id: &str,
    fields: &[(String, String)],
) -> Result<String, GuestError> {
    let (venue, order) = one_bill(state, resto_id, bill_id).await?;
    if !venue.settings.split_enabled {
        return Err(GuestError::BadInput(
            lang.pick("Цей заклад не розділяє рахунки.", "This restaurant does not split bills.").into(),
        ));
    }
    let choices = choices_from(fields, &order)?;
    let (positions, control_sum) = plan(&order, &choices).map_err(|e| GuestError::BadInput(split_message(lang, &e)))?;
    let request = SplitOrder { bill_id: bill_id.to_string(), control_sum, positions };
    let SplitAnswer(answer) = state.link.request(resto_id, &request).await?.body;
    let child = answer.orders.get(1).ok_or_else(|| GuestError::PosError("split returned no child bill".into()))?;
    Ok(child.bill_id.clone())
}

fn choices_from(
    fields: &[(String, String)],
    order: &rahunok_protocol::order::Order,
) -> Result<Vec<Choice>, GuestError> {
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
