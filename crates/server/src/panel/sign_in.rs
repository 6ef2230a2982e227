//! Signing in and out. Attempts are slowed per (name, client address) and per address across
//! names ([`super::sign_in_throttle`]), whether or not the name exists (so a refusal says
//! nothing about which names do); the right password from another address always signs in. The
//! address is the client's as every per-address limit counts it (`crate::client_address`: behind
//! a trusted proxy, the one it forwards).
//! Passwords and tokens are never logged.

use super::access::Viewer;
use super::session::{self, SignedIn, SESSION_COOKIE, SIGN_IN_COOKIE};
use super::users::{check_against_nobody, normalize_name, password_matches};
use super::PanelError;
use super::PanelState;
use crate::client_address::ClientAddress;
use crate::store::{PanelRole, PanelUser};
use crate::web::{self, cookies, Lang, Page};
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use std::time::Duration;

/// Where the panel starts for a user.
fn home_of(user: &PanelUser) -> String {
    match &user.role {
        PanelRole::Operator => "/panel/restaurants".to_string(),
        PanelRole::RestaurantAdmin { resto_id } => format!("/panel/r/{resto_id}"),
    }
}

/// `/panel`: the user's start page, or the sign-in form.
pub async fn home(viewer: Result<Viewer, PanelError>) -> Result<Redirect, PanelError> {
    match viewer {
        Ok(viewer) => Ok(Redirect::to(&home_of(&viewer.user))),
        Err(PanelError::NotSignedIn) => Ok(Redirect::to("/panel/sign-in")),
        Err(other) => Err(other),
    }
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    next: Option<String>,
}

/// What the form says went wrong last time.
#[derive(Clone, Copy)]
enum Trouble {
    None,
    WrongPassword,
    /// Too many attempts lately: wait this long.
    Slowed(Duration),
}

fn sign_in_page(lang: Lang, csrf: &str, next: &str, name: &str, trouble: Trouble, nobody_yet: bool) -> Markup {
    let body = html! { div.narrow {
        h1 { "Rahunok · " (lang.pick("вхід у панель", "panel sign-in")) }
        @match trouble {
            Trouble::WrongPassword => p.alert role="alert" { (lang.pick("Неправильне ім'я або пароль.", "Wrong name or password.")) },
            Trouble::Slowed(wait) => p.alert role="alert" {
                (lang.pick("Забагато спроб звідси: спробуйте ще раз за ", "Too many attempts from here: try again in "))
                (wait_text(lang, wait))
                "."
            },
            Trouble::None => {},
        }
        form.card method="post" action="/panel/sign-in" {
            input type="hidden" name="csrf" value=(csrf);
            input type="hidden" name="next" value=(next);
            label { (lang.pick("Ім'я", "Name"))
                input type="text" name="name" value=(name) autocomplete="username" autocapitalize="none" required autofocus;
            }
            label { (lang.pick("Пароль", "Password"))
                input type="password" name="password" autocomplete="current-password" required;
            }
            button type="submit" { (lang.pick("Увійти", "Sign in")) }
        }
        @if nobody_yet {
            p.muted #first-operator { (lang.pick(
                "Користувачів ще немає. Першого оператора створює команда: rahunok user add --role operator ІМ'Я",
                "No users yet. The first operator is created with: rahunok user add --role operator NAME",
            )) }
        }
    } };
    web::shell(lang, lang.pick("Вхід", "Sign in"), "/panel/sign-in", body)
}

/// The CSRF token of the sign-in form: the sign-in cookie's, or a fresh one to set.
fn sign_in_token(headers: &HeaderMap) -> (String, bool) {
    match cookies::value(headers, SIGN_IN_COOKIE) {
        Some(token) => (token.to_string(), false),
        None => (session::random_token(), true),
    }
}

/// The form again (or for the first time); `nobody_yet` adds the hint for creating the first
/// operator, shown only while no user exists.
fn form_response(
    headers: &HeaderMap,
    status: StatusCode,
    lang: Lang,
    (next, name): (&str, &str),
    trouble: Trouble,
    nobody_yet: bool,
) -> Response {
    let (csrf, fresh) = sign_in_token(headers);
    let status = if matches!(trouble, Trouble::Slowed(_)) { StatusCode::TOO_MANY_REQUESTS } else { status };
    let page = sign_in_page(lang, &csrf, next, name, trouble, nobody_yet);
    let mut response = Page::with_status(status, page).into_response();
    if fresh {
        response.headers_mut().append(header::SET_COOKIE, session::set_cookie(headers, SIGN_IN_COOKIE, Some(&csrf)));
    }
    if let Trouble::Slowed(wait) = trouble {
        let seconds = wait.as_secs().max(1).to_string();
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_str(&seconds).expect("digits"));
    }
    response
}

/// "30 с" / "10 хв", rounded up.
fn wait_text(lang: Lang, wait: Duration) -> String {
    let seconds = wait.as_secs().max(1);
    if seconds < 90 {
        format!("{seconds} {}", lang.pick("с", "s"))
    } else {
        format!("{} {}", seconds.div_ceil(60), lang.pick("хв", "min"))
    }
}

/// The sign-in form (or straight on, for a signed-in viewer).
pub async fn form(
    State(state): State<PanelState>,
    signed_in: Result<SignedIn, PanelError>,
    lang: Lang,
    headers: HeaderMap,
    Query(query): Query<NextQuery>,
) -> Result<Response, PanelError> {
    let next = session::safe_next(query.next.as_deref());
    if signed_in.is_ok() {
        return Ok(Redirect::to(&next).into_response());
    }
    let nobody_yet = !state.store.has_panel_users().await?;
    Ok(form_response(&headers, StatusCode::OK, lang, (&next, ""), Trouble::None, nobody_yet))
}

#[derive(Deserialize)]
pub struct Credentials {
    name: String,
    password: String,
    next: Option<String>,
}

/// Checks the password; on success starts a session and goes on to `next`.
pub async fn submit(
    State(state): State<PanelState>,
    ClientAddress(address): ClientAddress,
    lang: Lang,
    headers: HeaderMap,
    Form(form): Form<Credentials>,
) -> Result<Response, PanelError> {
    let name = normalize_name(&form.name);
    let next = session::safe_next(form.next.as_deref());
    if let Err(wait) = state.sign_in_throttle.attempt(&name, address) {
        tracing::info!(user = name, %address, "panel sign-in slowed down");
        let slowed = Trouble::Slowed(wait);
        return Ok(form_response(&headers, StatusCode::TOO_MANY_REQUESTS, lang, (&next, &name), slowed, false));
    }
    let Some(user) = verify(&state, &name, form.password).await? else {
        tracing::info!(user = name, %address, "panel sign-in failed");
        let nobody_yet = !state.store.has_panel_users().await?;
        let wrong = Trouble::WrongPassword;
        return Ok(form_response(&headers, StatusCode::UNAUTHORIZED, lang, (&next, &name), wrong, nobody_yet));
    };
    let token = session::start(&state, &user.name).await?;
    tracing::info!(user = user.name, role = user.role.code(), "panel sign-in");
    let mut response = Redirect::to(&next).into_response();
    let cookies = response.headers_mut();
    cookies.append(header::SET_COOKIE, session::set_cookie(&headers, SESSION_COOKIE, Some(token.cookie_value())));
    cookies.append(header::SET_COOKIE, session::set_cookie(&headers, SIGN_IN_COOKIE, None));
    Ok(response)
}

/// The user, if `password` is theirs. Takes as long for unknown names as for known ones.
async fn verify(state: &PanelState, name: &str, password: String) -> Result<Option<PanelUser>, PanelError> {
    let stored = state.store.panel_user_credentials(name).await?;
    let checked = tokio::task::spawn_blocking(move || match stored {
        Some(stored) => password_matches(&password, &stored.password_hash).then_some(stored.user),
        None => {
            check_against_nobody(&password);
            None
        }
    })
    .await
    .expect("password checks do not panic");
    Ok(checked)
}

/// Ends the session and clears its cookie.
pub async fn sign_out(State(state): State<PanelState>, headers: HeaderMap) -> Result<Response, PanelError> {
    if let Some(token) = session::presented(&headers) {
        state.store.delete_panel_session(&token.store_key()).await?;
    }
    let mut response = Redirect::to("/panel/sign-in").into_response();
    response.headers_mut().append(header::SET_COOKIE, session::set_cookie(&headers, SESSION_COOKIE, None));
    Ok(response)
}
