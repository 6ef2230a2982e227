//! What the POS knows about the restaurant — staff, menu categories, the menu, the stop list —
//! shown from the last stored copy, with a button that asks the POS again. The POS is the
//! source of truth; a failed refresh leaves the stored copy on the page and says why.

use super::access::{InRestaurant, Viewer};
use super::error::explain_link;
use super::layout::{self, csrf_field, Place, Section};
use super::PanelError;
use super::PanelState;
use crate::pos_data::PosDataError;
use crate::web::format::money;
use crate::web::Page;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::{html, Markup};
use rahunok_protocol::ops::{
    CategoriesInfo, CategoriesInfoAnswer, MenuInfo, MenuInfoAnswer, StopList, StopListAnswer, UsersInfo,
    UsersInfoAnswer,
};
use std::collections::HashMap;

/// Which POS data a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PosData {
    Staff,
    Categories,
    Menu,
    StopList,
}

impl PosData {
    fn from_slug(slug: &str) -> Option<PosData> {
        match slug {
            "staff" => Some(PosData::Staff),
            "categories" => Some(PosData::Categories),
            "menu" => Some(PosData::Menu),
            "stop-list" => Some(PosData::StopList),
            _ => None,
        }
    }

    fn section(self) -> Section {
        match self {
            PosData::Staff => Section::Staff,
            PosData::Categories => Section::Categories,
            PosData::Menu => Section::Menu,
            PosData::StopList => Section::StopList,
        }
    }

    async fn refresh(self, state: &PanelState, resto_id: &str) -> Result<(), PanelError> {
        let data = &state.pos_data;
        let refreshed = match self {
            PosData::Staff => data.refresh::<UsersInfo>(resto_id).await.map(drop),
            PosData::Categories => data.refresh::<CategoriesInfo>(resto_id).await.map(drop),
            PosData::Menu => data.refresh::<MenuInfo>(resto_id).await.map(drop),
            PosData::StopList => data.refresh::<StopList>(resto_id).await.map(drop),
        };
        refreshed.map_err(PosDataError::into_error)
    }

    /// Asks the POS again: `Some` sentence for the viewer when the POS did not give it.
    async fn refresh_or_problem(self, state: &PanelState, at: &InRestaurant) -> Result<Option<String>, PanelError> {
        match self.refresh(state, at.resto_id()).await {
            Ok(()) => Ok(None),
            Err(PanelError::Link(error)) => Ok(Some(explain_link(&error, at.viewer.lang))),
            Err(other) => Err(other),
        }
    }

    /// Whether a copy of this data is stored (from an earlier refresh).
    async fn is_stored(self, state: &PanelState, resto_id: &str) -> Result<bool, PanelError> {
        let data = &state.pos_data;
        Ok(match self {
            PosData::Staff => data.stored::<UsersInfo>(resto_id).await?.is_some(),
            PosData::Categories => data.stored::<CategoriesInfo>(resto_id).await?.is_some(),
            PosData::Menu => data.stored::<MenuInfo>(resto_id).await?.is_some(),
            PosData::StopList => data.stored::<StopList>(resto_id).await?.is_some(),
        })
    }
}

fn pos_data(slug: &str) -> Result<PosData, PanelError> {
    PosData::from_slug(slug).ok_or(PanelError::NotFound("page"))
}

/// A POS data page. Opened for the first time (nothing stored yet) while the POS is
/// connected, it asks the POS at once rather than showing an empty page with a button.
pub async fn page(
    State(state): State<PanelState>,
    at: InRestaurant,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Page, PanelError> {
    let data = pos_data(&slug)?;
    let never_fetched = !data.is_stored(&state, at.resto_id()).await?;
    let mut problem = None;
    if never_fetched && state.link.connection_info_anywhere(at.resto_id()).await.is_some() {
        problem = data.refresh_or_problem(&state, &at).await?;
    }
    render(&state, &at, data, problem).await
}

/// Asks the POS again, then shows the page (with the POS's failure, if it failed).
pub async fn refresh(
    State(state): State<PanelState>,
    at: InRestaurant,
    Path((_, slug)): Path<(String, String)>,
) -> Result<Response, PanelError> {
    let data = pos_data(&slug)?;
    match data.refresh_or_problem(&state, &at).await? {
        None => Ok(Redirect::to(&data.section().path(at.resto_id())).into_response()),
        Some(problem) => Ok(render(&state, &at, data, Some(problem)).await?.into_response()),
    }
}

async fn render(
    state: &PanelState,
    at: &InRestaurant,
    data: PosData,
    problem: Option<String>,
) -> Result<Page, PanelError> {
    let viewer = &at.viewer;
    let resto_id = at.resto_id();
    let (content, refreshed_at) = match data {
        PosData::Staff => shown(state.pos_data.stored::<UsersInfo>(resto_id).await?, |a| staff(viewer, a)),
        PosData::Categories => {
            shown(state.pos_data.stored::<CategoriesInfo>(resto_id).await?, |a| categories(viewer, a))
        }
        PosData::Menu => shown(state.pos_data.stored::<MenuInfo>(resto_id).await?, |a| menu(viewer, a)),
        PosData::StopList => {
            let menu = state.pos_data.stored::<MenuInfo>(resto_id).await?.map(|(m, _)| m);
            let answer = state.pos_data.stored::<StopList>(resto_id).await?;
            shown(answer, |a| stop_list(viewer, a, menu.as_ref()))
        }
    };
    let body = html! {
        @if let Some(problem) = problem { p.alert role="alert" { (problem) } }
        form.row method="post" action=(data.section().path(resto_id)) {
            (csrf_field(viewer))
            p.muted {
                @match refreshed_at {
                    Some(at) => { (viewer.t("Отримано з каси", "Received from the POS")) " " (layout::time(at)) }
                    None => { (viewer.t("Ще не отримано з каси.", "Not received from the POS yet.")) }
                }
            }
            button.inline type="submit" { (viewer.t("Оновити з каси", "Refresh from the POS")) }
        }
        (content)
    };
    let title = data.section().label(viewer);
    Ok(layout::page(viewer, title, Place::Restaurant(&at.restaurant, data.section()), body))
}

/// The rendered data and when it was stored, or nothing yet.
fn shown<A>(stored: Option<(A, i64)>, render: impl FnOnce(&A) -> Markup) -> (Markup, Option<i64>) {
    match stored {
        Some((answer, at)) => (render(&answer), Some(at)),
        None => (html! {}, None),
    }
}

fn staff(viewer: &Viewer, answer: &UsersInfoAnswer) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr { th { (viewer.t("Ім'я", "Name")) } th { (viewer.t("Ролі", "Roles")) } th { (viewer.t("Телефон", "Phone")) } th { "ID" } } }
            tbody { @for user in &answer.users { tr {
                td { (user.name) } td { (user.roles.iter().map(|r| super::words::role(viewer, r)).collect::<Vec<_>>().join(", ")) } td { (user.cell_phone.as_deref().unwrap_or("—")) } td.mono { (user.id) }
            } } }
        } }
    }
}

fn categories(viewer: &Viewer, answer: &CategoriesInfoAnswer) -> Markup {
    html! {
        div.table-wrap { table {
            thead { tr { th { (viewer.t("Назва", "Name")) } th { (viewer.t("Тип", "Type")) } th { "ID" } } }
            tbody { @for category in &answer.categories { tr {
                td { (category.name) } td { (category.r#type.as_deref().map_or("—", |t| super::words::category_type(viewer, t))) } td.mono { (category.id) }
            } } }
        } }
    }
}

fn menu(viewer: &Viewer, answer: &MenuInfoAnswer) -> Markup {
    let mut by_category: Vec<(&str, Vec<&rahunok_protocol::ops::MenuDish>)> = Vec::new();
    for dish in &answer.dishes {
        let category = dish.category.as_deref().unwrap_or("—");
        match by_category.iter_mut().find(|(name, _)| *name == category) {
            Some((_, dishes)) => dishes.push(dish),
            None => by_category.push((category, vec![dish])),
        }
    }
    html! {
        p.muted { (answer.dishes.len()) " " (viewer.t("страв", "dishes")) ", " (answer.modifiers.len()) " " (viewer.t("модифікаторів", "modifiers")) }
        @for (category, dishes) in &by_category {
            h2 { (category) }
            div.table-wrap { table {
                thead { tr { th { (viewer.t("Страва", "Dish")) } th { (viewer.t("Ціна", "Price")) } th { (viewer.t("Од.", "Unit")) } th { (viewer.t("Доступна", "Active")) } th { "ID" } } }
                tbody { @for dish in dishes { tr {
                    td { (dish.name) }
                    td.money { (dish.price.map(|p| money(viewer.lang, p)).unwrap_or_else(|| "—".into())) }
                    td { (dish.unit.as_deref().unwrap_or("")) }
                    td { (if dish.is_active { viewer.t("так", "yes") } else { viewer.t("ні", "no") }) }
                    td.mono { (dish.id) }
                } } }
            } }
        }
    }
}

fn stop_list(viewer: &Viewer, answer: &StopListAnswer, menu: Option<&MenuInfoAnswer>) -> Markup {
    let names: HashMap<&str, &str> =
        menu.map(|m| m.dishes.iter().map(|d| (d.id.as_str(), d.name.as_str())).collect()).unwrap_or_default();
    html! {
        @if answer.items.is_empty() { p { (viewer.t("Стоп-лист порожній: усе в наявності.", "The stop list is empty: everything is available.")) } }
        @else { div.table-wrap { table {
            thead { tr { th { (viewer.t("Страва", "Dish")) } th { (viewer.t("Залишок", "Left")) } th { "ID" } } }
            tbody { @for item in &answer.items { tr {
                td { (names.get(item.product_id.as_str()).copied().unwrap_or("—")) }
                td { @if item.balance.is_zero() { span.badge.bad { (viewer.t("немає", "out")) } } @else { (item.balance.to_string()) } }
                td.mono { (item.product_id) }
            } } }
        } } }
    }
}
