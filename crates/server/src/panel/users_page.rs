//! The users page: who may sign in to the panel, and the four things done to them — add,
//! deactivate (or reactivate), reset the password, change the role.
//!
//! Why this exists: without it every change to the panel's users needed shell access to run
//! `rahunok user add` on the server. Operators manage everyone; a restaurant admin sees and
//! manages only the admins of their own restaurant and can make no operators. Nobody may
//! deactivate themselves or take the last active operator away, so the panel cannot be left
//! without a way in. A deactivated user's sessions end at once, and so do the sessions of a
//! user whose password was reset. Every change is a POST that redirects back (POST → GET).

use super::access::Viewer;
use super::layout::{self, csrf_field, Place};
use super::users::{
    check_password, create_user, hash_password_off_thread, normalize_name, password_rule, UserError, MAX_NAME_CHARS,
    MIN_PASSWORD_CHARS,
};
use super::PanelError;
use super::PanelState;
use crate::store::{now_ms, ListedPanelUser, PanelRole, Restaurant};
use crate::web::{percent, Lang, Page};
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;

const PAGE: &str = "/panel/users";

/// What the page says happened last (from the redirect after a change).
#[derive(Deserialize, Default)]
pub struct Done {
    done: Option<String>,
    name: Option<String>,
}

fn done_text(viewer: &Viewer, done: &Done) -> Option<String> {
    let name = done.name.as_deref().unwrap_or_default();
    let text = match done.done.as_deref()? {
        "added" => viewer.t("Додано", "Added"),
        "deactivated" => viewer.t("Деактивовано (сеанси завершено)", "Deactivated (sessions ended)"),
        "activated" => viewer.t("Знову активний", "Active again"),
        "password" => viewer.t("Пароль змінено (сеанси завершено)", "Password reset (sessions ended)"),
        "role" => viewer.t("Роль змінено", "Role changed"),
        _ => return None,
    };
    Some(format!("{text}: {name}"))
}

/// The restaurant whose users the viewer manages (`None`: an operator, every user).
fn scope(viewer: &Viewer) -> Option<&str> {
    viewer.user.role.own_restaurant()
}

/// `GET /panel/users`.
pub async fn page(
    State(state): State<PanelState>,
    viewer: Viewer,
    Query(done): Query<Done>,
) -> Result<Page, PanelError> {
    let users = state.store.listed_panel_users(scope(&viewer)).await?;
    let restaurants = match scope(&viewer) {
        None => state.store.restaurants().await?,
        Some(own) => state.store.restaurant(own).await?.into_iter().collect(),
    };
    let body = html! {
        @if let Some(text) = done_text(&viewer, &done) { p.notice role="status" { (text) } }
        div.table-wrap { table #users {
            thead { tr {
                th { (viewer.t("Ім'я", "Name")) }
                th { (viewer.t("Роль", "Role")) }
                th { (viewer.t("Стан", "State")) }
                th { (viewer.t("Дії", "Actions")) }
            } }
            tbody { @for listed in &users { (user_row(&viewer, listed, &restaurants)) } }
        } }
        (add_form(&viewer, &restaurants))
    };
    Ok(layout::page(&viewer, viewer.t("Користувачі панелі", "Panel users"), Place::Platform, body))
}

fn role_text(viewer: &Viewer, role: &PanelRole, restaurants: &[Restaurant]) -> String {
    match role {
        PanelRole::Operator => viewer.t("оператор", "operator").to_string(),
        PanelRole::RestaurantAdmin { resto_id } => {
            let name = restaurants.iter().find(|r| &r.resto_id == resto_id).map_or(resto_id.as_str(), |r| &r.name);
            format!("{} · {name}", viewer.t("адміністратор ресторану", "restaurant admin"))
        }
    }
}

fn role_options(viewer: &Viewer, restaurants: &[Restaurant], current: Option<&PanelRole>) -> Markup {
    html! {
        @if viewer.is_operator() {
            option value="operator" selected[current == Some(&PanelRole::Operator)] { (viewer.t("оператор", "operator")) }
        }
        @for restaurant in restaurants {
            @let role = PanelRole::RestaurantAdmin { resto_id: restaurant.resto_id.clone() };
            option value={"admin:" (restaurant.resto_id)} selected[current == Some(&role)] {
                (role_text(viewer, &role, restaurants))
            }
        }
    }
}

fn user_row(viewer: &Viewer, listed: &ListedPanelUser, restaurants: &[Restaurant]) -> Markup {
    let name = &listed.user.name;
    let yourself = *name == viewer.user.name;
    let action = |what: &str| format!("{PAGE}/{name}/{what}");
    html! {
        tr data-user=(name) {
            td { (name) @if yourself { " " span.muted { (viewer.t("(ви)", "(you)")) } } }
            td { (role_text(viewer, &listed.user.role, restaurants)) }
            td { @if listed.active { (viewer.t("активний", "active")) } @else { span.badge.bad { (viewer.t("деактивований", "deactivated")) } } }
            td.actions {
                form.row.password method="post" action=(action("password")) {
                    (csrf_field(viewer))
                    label { (viewer.t("Новий пароль", "New password"))
                        input type="password" name="password" minlength=(MIN_PASSWORD_CHARS) required autocomplete="new-password";
                    }
                    button.inline.secondary type="submit" { (viewer.t("Змінити пароль", "Reset password")) }
                }
                @if viewer.is_operator() && !yourself {
                    form.row.role method="post" action=(action("role")) {
                        (csrf_field(viewer))
                        label { (viewer.t("Роль", "Role"))
                            select name="role" { (role_options(viewer, restaurants, Some(&listed.user.role))) }
                        }
                        button.inline.secondary type="submit" { (viewer.t("Змінити роль", "Change role")) }
                    }
                }
                @if !yourself {
                    form.row.state method="post" action=(action(if listed.active { "deactivate" } else { "activate" })) {
                        (csrf_field(viewer))
                        button.inline.secondary type="submit" {
                            (if listed.active { viewer.t("Деактивувати", "Deactivate") } else { viewer.t("Активувати", "Activate") })
                        }
                    }
                }
            }
        }
    }
}

fn add_form(viewer: &Viewer, restaurants: &[Restaurant]) -> Markup {
    html! {
        section.card #add-user {
            h2 { (viewer.t("Новий користувач", "New user")) }
            form method="post" action=(PAGE) {
                (csrf_field(viewer))
                label { (viewer.t("Ім'я для входу", "Sign-in name"))
                    input type="text" name="name" required maxlength=(MAX_NAME_CHARS) autocapitalize="none" autocomplete="off";
                }
                label { (viewer.t("Пароль", "Password")) " (" (password_rule(viewer.lang)) ")"
                    input type="password" name="password" minlength=(MIN_PASSWORD_CHARS) required autocomplete="new-password";
                }
                label { (viewer.t("Роль", "Role")) select name="role" { (role_options(viewer, restaurants, None)) } }
                button type="submit" { (viewer.t("Додати", "Add")) }
            }
        }
    }
}

/// A role as the forms send it: `operator` or `admin:<RESTO_ID>`, checked against what the
/// viewer may give.
async fn chosen_role(state: &PanelState, viewer: &Viewer, value: &str) -> Result<PanelRole, PanelError> {
    let role = match value.strip_prefix("admin:") {
        None if value == "operator" => PanelRole::Operator,
        Some(resto_id) if state.store.restaurant(resto_id).await?.is_some() => {
            PanelRole::RestaurantAdmin { resto_id: resto_id.to_string() }
        }
        _ => return Err(PanelError::BadRequest(viewer.t("Невідома роль.", "Unknown role.").into())),
    };
    match (scope(viewer), &role) {
        (None, _) => Ok(role),
        (Some(own), PanelRole::RestaurantAdmin { resto_id }) if resto_id == own => Ok(role),
        (Some(_), PanelRole::Operator) => Err(PanelError::OperatorsOnly),
        (Some(_), _) => Err(PanelError::NotYourRestaurant),
    }
}

/// The user `name`, if the viewer may manage them and they are not the viewer.
async fn managed_other(state: &PanelState, viewer: &Viewer, name: &str) -> Result<ListedPanelUser, PanelError> {
    let users = state.store.listed_panel_users(scope(viewer)).await?;
    let user = users.into_iter().find(|u| u.user.name == name).ok_or(PanelError::NotFound("user"))?;
    if user.user.name == viewer.user.name {
        return Err(PanelError::BadRequest(
            viewer.t("Це ви: цього не можна зробити з собою.", "That is you: this cannot be done to yourself.").into(),
        ));
    }
    Ok(user)
}

/// Refuses to leave the panel without an active operator.
async fn keep_an_operator(state: &PanelState, viewer: &Viewer, user: &ListedPanelUser) -> Result<(), PanelError> {
    if user.user.role == PanelRole::Operator && user.active && state.store.active_operator_count().await? <= 1 {
        return Err(PanelError::BadRequest(
            viewer.t("Це останній активний оператор.", "This is the last active operator.").into(),
        ));
    }
    Ok(())
}

fn back(done: &str, name: &str) -> Redirect {
    Redirect::to(&format!("{PAGE}?done={done}&name={}", percent::component(name)))
}

#[derive(Deserialize)]
pub struct NewUser {
    name: String,
    password: String,
    role: String,
}

/// `POST /panel/users`.
pub async fn add(
    State(state): State<PanelState>,
    viewer: Viewer,
    Form(form): Form<NewUser>,
) -> Result<Redirect, PanelError> {
    let role = chosen_role(&state, &viewer, &form.role).await?;
    let user = create_user(&state.store, &form.name, &form.password, role)
        .await
        .map_err(|error| user_error(&viewer, error))?;
    tracing::info!(user = user.name, role = user.role.code(), by = viewer.user.name, "panel user added");
    Ok(back("added", &user.name))
}

/// What the viewer is told when a user cannot be added or given a password.
fn user_error(viewer: &Viewer, error: UserError) -> PanelError {
    match error {
        UserError::Store(error) => PanelError::from(error),
        UserError::BadName => PanelError::BadRequest(match viewer.lang {
            Lang::Uk => format!("Ім'я: 1–{MAX_NAME_CHARS} літери, цифри, «.», «_», «-», «@»."),
            Lang::En => format!("A name is 1–{MAX_NAME_CHARS} letters, digits, `.`, `_`, `-`, `@`."),
        }),
        UserError::ShortPassword => PanelError::BadRequest(match viewer.lang {
            Lang::Uk => format!("Пароль: {}.", password_rule(Lang::Uk)),
            Lang::En => format!("A password is {}.", password_rule(Lang::En)),
        }),
        UserError::NameTaken(name) => {
            PanelError::BadRequest(format!("{}: {name}", viewer.t("Ім'я зайняте", "The name is taken")))
        }
        UserError::UnknownRestaurant(_) => PanelError::BadRequest(viewer.t("Невідома роль.", "Unknown role.").into()),
    }
}

/// `POST /panel/users/{name}/deactivate` and `…/activate`.
pub async fn set_active(
    State(state): State<PanelState>,
    viewer: Viewer,
    Path((name, what)): Path<(String, String)>,
) -> Result<Redirect, PanelError> {
    let active = match what.as_str() {
        "activate" => true,
        "deactivate" => false,
        _ => return Err(PanelError::NotFound("action")),
    };
    let user = managed_other(&state, &viewer, &normalize_name(&name)).await?;
    if !active {
        keep_an_operator(&state, &viewer, &user).await?;
    }
    state.store.set_panel_user_active(&user.user.name, active, now_ms()).await?;
    tracing::info!(user = user.user.name, active, by = viewer.user.name, "panel user (de)activated");
    Ok(back(if active { "activated" } else { "deactivated" }, &user.user.name))
}

#[derive(Deserialize)]
pub struct NewPassword {
    password: String,
}

/// `POST /panel/users/{name}/password`: anyone the viewer manages, or the viewer themselves.
pub async fn reset_password(
    State(state): State<PanelState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Form(form): Form<NewPassword>,
) -> Result<Redirect, PanelError> {
    let name = normalize_name(&name);
    if name != viewer.user.name {
        managed_other(&state, &viewer, &name).await?;
    }
    check_password(&form.password).map_err(|error| user_error(&viewer, error))?;
    let hash = hash_password_off_thread(form.password).await;
    state.store.set_panel_user_password(&name, &hash).await?;
    tracing::info!(user = name, by = viewer.user.name, "panel user's password reset");
    Ok(back("password", &name))
}

#[derive(Deserialize)]
pub struct NewRole {
    role: String,
}

/// `POST /panel/users/{name}/role` (operators only).
pub async fn change_role(
    State(state): State<PanelState>,
    viewer: Viewer,
    Path(name): Path<String>,
    Form(form): Form<NewRole>,
) -> Result<Redirect, PanelError> {
    viewer.require_operator()?;
    let user = managed_other(&state, &viewer, &normalize_name(&name)).await?;
    let role = chosen_role(&state, &viewer, &form.role).await?;
    if role != PanelRole::Operator {
        keep_an_operator(&state, &viewer, &user).await?;
    }
    state.store.set_panel_user_role(&user.user.name, &role).await?;
    tracing::info!(user = user.user.name, role = role.code(), by = viewer.user.name, "panel user's role changed");
    Ok(back("role", &user.user.name))
}
