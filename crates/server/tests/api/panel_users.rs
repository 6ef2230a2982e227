//! The panel's users page over HTTP: an operator adds users, resets a password and deactivates
//! a user (each ending that user's sessions at once); a restaurant admin sees and manages only
//! the admins of their own restaurant; nobody can lock the panel by deactivating themselves or
//! the last operator; the sign-in page's "create the first operator" hint shows only while no
//! user exists.

use crate::helpers::{spawn_app, Backend};
use crate::on_both_stores;
use crate::panel_auth::{operator, restaurant_admin, signed_in, PanelBrowser};

fn user_row_shown(page: &str, name: &str) -> bool {
    page.contains(&format!("data-user=\"{name}\""))
}

async fn an_operator_adds_resets_and_deactivates_users_and_their_sessions_end(backend: Backend) {
    let app = spawn_app(backend).await;
    let cafe = app.create_restaurant("Кав'ярня").await;
    let dashboard = format!("/panel/r/{}", cafe.resto_id);
    assert!(PanelBrowser::new(&app).get("/panel/sign-in").await.body.contains("first-operator"), "nobody yet");
    operator(&app, "olena").await;
    assert!(!PanelBrowser::new(&app).get("/panel/sign-in").await.body.contains("first-operator"), "a user exists");

    let olena = signed_in(&app, "olena").await;
    let csrf = olena.csrf().await;
    let role = format!("admin:{}", cafe.resto_id);
    let fields = [("csrf", csrf.as_str()), ("name", "Petro"), ("password", "petro-password-1"), ("role", &role)];
    let added = olena.post_form("/panel/users", &fields).await;
    assert_eq!((added.status, added.location.as_str()), (303, "/panel/users?done=added&name=petro"), "{}", added.body);
    let page = olena.get("/panel/users").await;
    assert!(user_row_shown(&page.body, "petro") && page.body.contains("адміністратор ресторану · Кав'ярня"));
    let again = olena.post_form("/panel/users", &fields).await;
    assert_eq!(again.status, 400, "the name is taken");
    let petro = PanelBrowser::new(&app);
    assert_eq!(petro.sign_in("petro", "petro-password-1").await.status, 303);
    assert_eq!(petro.get(&dashboard).await.status, 200);

    // A reset password ends Petro's session; only the new password signs in.
    let reset =
        olena.post_form("/panel/users/petro/password", &[("csrf", &csrf), ("password", "a-new-password-2")]).await;
    assert_eq!(reset.status, 303);
    let out = petro.get(&dashboard).await;
    assert!(out.status == 303 && out.location.starts_with("/panel/sign-in"), "signed out: {}", out.location);
    let petro = PanelBrowser::new(&app);
    assert_eq!(petro.sign_in("petro", "petro-password-1").await.status, 401, "the old password");
    assert_eq!(petro.sign_in("petro", "a-new-password-2").await.status, 303, "the new password");
    let short = olena.post_form("/panel/users/petro/password", &[("csrf", &csrf), ("password", "short")]).await;
    assert_eq!(short.status, 400);

    // Deactivated: the session ends at once and the password no longer signs in.
    assert_eq!(olena.post_form("/panel/users/petro/deactivate", &[("csrf", &csrf)]).await.status, 303);
    let out = petro.get(&dashboard).await;
    assert!(out.status == 303 && out.location.starts_with("/panel/sign-in"), "the session ended");
    assert_eq!(PanelBrowser::new(&app).sign_in("petro", "a-new-password-2").await.status, 401);
    assert!(olena.get("/panel/users").await.body.contains("деактивований"));
    assert_eq!(olena.post_form("/panel/users/petro/activate", &[("csrf", &csrf)]).await.status, 303);
    assert_eq!(PanelBrowser::new(&app).sign_in("petro", "a-new-password-2").await.status, 303, "active again");

    // Nobody locks the panel: not oneself, not the last operator.
    assert_eq!(olena.post_form("/panel/users/olena/deactivate", &[("csrf", &csrf)]).await.status, 400);
    let promote = olena.post_form("/panel/users/petro/role", &[("csrf", &csrf), ("role", "operator")]).await;
    assert_eq!(promote.status, 303);
    let petro = signed_in_with(&app, "petro", "a-new-password-2").await;
    assert_eq!(petro.get("/panel/restaurants").await.status, 200, "an operator now");
    let petro_csrf = petro.csrf().await;
    assert_eq!(petro.post_form("/panel/users/olena/deactivate", &[("csrf", &petro_csrf)]).await.status, 303);
    let last = petro.post_form("/panel/users/petro/deactivate", &[("csrf", &petro_csrf)]).await;
    assert_eq!(last.status, 400, "not oneself (and the last active operator)");
    // No form without the CSRF token.
    assert_eq!(petro.post_form("/panel/users/olena/activate", &[]).await.status, 403);
}

async fn a_user_named_in_cyrillic_is_added_and_named_back_in_the_notice(backend: Backend) {
    let app = spawn_app(backend).await;
    operator(&app, "olena").await;
    let olena = signed_in(&app, "olena").await;
    let csrf = olena.csrf().await;
    let fields =
        [("csrf", csrf.as_str()), ("name", "Оксана@кафе"), ("password", "oksana-password-1"), ("role", "operator")];
    let added = olena.post_form("/panel/users", &fields).await;
    let escaped = "%D0%BE%D0%BA%D1%81%D0%B0%D0%BD%D0%B0%40%D0%BA%D0%B0%D1%84%D0%B5";
    assert_eq!((added.status, added.location.as_str()), (303, &*format!("/panel/users?done=added&name={escaped}")));
    let page = olena.get(&added.location).await;
    assert!(page.body.contains("Додано: оксана@кафе") && user_row_shown(&page.body, "оксана@кафе"), "{}", page.body);

    let fields = [("csrf", csrf.as_str()), ("name", "taras"), ("password", "short"), ("role", "operator")];
    let short = olena.post_form("/panel/users", &fields).await;
    assert_eq!(short.status, 400);
    assert!(short.body.contains("Пароль: щонайменше 10 символів."), "{}", short.body);
}

/// Signs in from another loopback address: this test's sign-ins from 127.0.0.1 (some wrong
/// on purpose) have used up that address's allowance for the name.
async fn signed_in_with<'a>(app: &'a crate::helpers::TestApp, name: &str, password: &str) -> PanelBrowser<'a> {
    let browser = PanelBrowser::from_address(app, std::net::IpAddr::from([127, 0, 0, 2]));
    assert_eq!(browser.sign_in(name, password).await.status, 303);
    browser
}

async fn a_restaurant_admin_sees_and_manages_only_their_own_restaurants_users(backend: Backend) {
    let app = spawn_app(backend).await;
    let cafe = app.create_restaurant("Кав'ярня").await;
    let bistro = app.create_restaurant("Бістро").await;
    operator(&app, "olena").await;
    restaurant_admin(&app, "marta", &cafe).await;
    restaurant_admin(&app, "oksana", &cafe).await;
    restaurant_admin(&app, "ivan", &bistro).await;

    let marta = signed_in(&app, "marta").await;
    let page = marta.get("/panel/users").await;
    assert_eq!(page.status, 200);
    assert!(user_row_shown(&page.body, "marta") && user_row_shown(&page.body, "oksana"), "{}", page.body);
    assert!(!user_row_shown(&page.body, "ivan") && !user_row_shown(&page.body, "olena"), "only her restaurant's");
    assert!(!page.body.contains("Бістро") && !page.body.contains("value=\"operator\""), "nothing else offered");

    let csrf = marta.csrf().await;
    for other in ["ivan", "olena"] {
        let tried = marta.post_form(&format!("/panel/users/{other}/deactivate"), &[("csrf", &csrf)]).await;
        assert_eq!(tried.status, 404, "{other} is not hers to see");
        let tried = marta
            .post_form(
                &format!("/panel/users/{other}/password"),
                &[("csrf", &csrf), ("password", "x".repeat(12).as_str())],
            )
            .await;
        assert_eq!(tried.status, 404, "nor to reset");
    }
    let to_bistro = format!("admin:{}", bistro.resto_id);
    for role in [to_bistro.as_str(), "operator"] {
        let fields = [("csrf", csrf.as_str()), ("name", "taras"), ("password", "taras-password-1"), ("role", role)];
        assert_eq!(marta.post_form("/panel/users", &fields).await.status, 403, "{role}");
    }
    let own = format!("admin:{}", cafe.resto_id);
    let fields = [("csrf", csrf.as_str()), ("name", "taras"), ("password", "taras-password-1"), ("role", own.as_str())];
    assert_eq!(marta.post_form("/panel/users", &fields).await.status, 303);
    let role = marta.post_form("/panel/users/oksana/role", &[("csrf", &csrf), ("role", &own)]).await;
    assert_eq!(role.status, 403, "roles are the operators'");
    assert_eq!(marta.post_form("/panel/users/oksana/deactivate", &[("csrf", &csrf)]).await.status, 303);
    assert_eq!(PanelBrowser::new(&app).sign_in("oksana", crate::panel_auth::PASSWORD).await.status, 401);
    let listed = app.state.store.listed_panel_users(Some(&cafe.resto_id)).await.unwrap();
    let names: Vec<&str> = listed.iter().map(|u| u.user.name.as_str()).collect();
    assert_eq!(names, ["marta", "oksana", "taras"]);
}

on_both_stores!(
    an_operator_adds_resets_and_deactivates_users_and_their_sessions_end,
    a_restaurant_admin_sees_and_manages_only_their_own_restaurants_users,
    a_user_named_in_cyrillic_is_added_and_named_back_in_the_notice,
);
