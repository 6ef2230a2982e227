//! A restaurant's orders from the menu at the table: when, which table, our `externalId`, the
//! POS's order number, the sum (the POS's, else the cart's) and where each stands — so staff
//! can match what the kitchen printed with what guests sent, and see an order still waiting
//! for the POS's answer or one the POS refused, with why.

use super::access::{InRestaurant, Viewer};
use super::layout::{self, Place, Section};
use super::PanelError;
use super::PanelState;
use crate::store::{GuestOrder, GuestOrderStatus};
use crate::web::format::money;
use crate::web::Page;
use axum::extract::State;
use maud::{html, Markup};
use rahunok_protocol::Money;

/// How many orders the list shows.
const LIST_LIMIT: i64 = 200;

fn status_badge(viewer: &Viewer, status: GuestOrderStatus) -> Markup {
    let (uk, en, class) = match status {
        GuestOrderStatus::Cart => ("кошик", "cart", "badge"),
        GuestOrderStatus::Sending => {
            ("надсилається, відповіді каси ще немає", "sending, no answer from the POS yet", "badge bad")
        }
        GuestOrderStatus::Placed => ("на касі", "on the POS", "badge good"),
        GuestOrderStatus::Refused => ("каса відмовила", "refused by the POS", "badge bad"),
    };
    html! { span class=(class) data-status=(status.as_str()) { (viewer.t(uk, en)) } }
}

fn sum_cell(viewer: &Viewer, order: &GuestOrder) -> Markup {
    let shown = |kopiyky: Option<i64>| kopiyky.and_then(Money::from_kopiyky).map(|m| money(viewer.lang, m));
    html! {
        @match (shown(order.result_sum), shown(order.cart_sum)) {
            (Some(pos), Some(cart)) if pos != cart => {
                (pos) br; span.muted { (viewer.t("у кошику", "cart")) " " (cart) }
            }
            (Some(pos), _) => (pos),
            (None, Some(cart)) => { (cart) " " span.muted { (viewer.t("(кошик)", "(cart)")) } }
            (None, None) => "—",
        }
    }
}

fn orders_table(viewer: &Viewer, orders: &[GuestOrder]) -> Markup {
    html! {
        @if orders.is_empty() {
            p.muted #no-orders { (viewer.t(
                "Замовлень з меню ще немає. Гості замовляють за QR, коли замовлення увімкнено в налаштуваннях і каса підтримує ORDER_ON_TABLE.",
                "No orders from the menu yet. Guests order by QR when ordering is switched on in the settings and the POS supports ORDER_ON_TABLE."
            )) }
        } @else {
            div.table-wrap { table #orders {
                thead { tr {
                    th { (viewer.t("Час", "Time")) } th { (viewer.t("Стіл", "Table")) } th { "externalId" }
                    th { (viewer.t("№ на касі", "POS order")) } th { (viewer.t("Сума", "Sum")) } th { (viewer.t("Стан", "Status")) }
                } }
                tbody { @for order in orders { tr data-order=(order.id) {
                    td { (layout::time(order.sent_at.unwrap_or(order.created_at))) }
                    td { (order.table_number) }
                    td.mono { (order.id) }
                    td { @match (order.pos_order_number, &order.pos_order_id) {
                        (Some(number), _) => (number),
                        (None, Some(id)) => span.mono { (id) },
                        (None, None) => "—",
                    } }
                    td.money { (sum_cell(viewer, order)) }
                    td { (status_badge(viewer, order.status))
                        @if let Some(why) = order.last_error.as_deref().filter(|_| order.status != GuestOrderStatus::Placed) {
                            br; span.muted { (why) }
                        }
                    }
                } } }
            } }
        }
    }
}

/// `GET /panel/r/{resto_id}/orders`.
pub async fn list(State(state): State<PanelState>, at: InRestaurant) -> Result<Page, PanelError> {
    let viewer = &at.viewer;
    let orders = state.store.guest_orders(at.resto_id(), LIST_LIMIT).await?;
    let body = orders_table(viewer, &orders);
    Ok(layout::page(viewer, Section::Orders.label(viewer), Place::Restaurant(&at.restaurant, Section::Orders), body))
}
