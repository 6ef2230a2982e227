//! The panel's console (issue 31): `setSettings` replaces every setting on the POS, so the
//! console starts from the restaurant's stored settings and never sends a body that turns
//! payments off by leaving `paymentAllowed` out.

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::on_both_stores;
use crate::panel_auth::{restaurant_admin, PanelBrowser, PASSWORD};
use crate::payments::cafe;
use serde_json::Value;

/// The newest `setSettings` frame in the request log.
async fn last_set_settings(app: &TestApp, resto_id: &str) -> Value {
    app.state.link.flush_journal().await;
    let (_, log) = app.get_json(&format!("/api/admin/restaurants/{resto_id}/requests?operation=setSettings")).await;
    let newest = &log.as_array().expect("the request log")[0];
    serde_json::from_str(newest["requestBody"].as_str().unwrap()).unwrap()
}

async fn the_console_sends_set_settings_over_the_stored_settings_and_shows_what_it_sent(backend: Backend) {
    let app = spawn_app(backend).await;
    let (r, _pos) = cafe(&app).await;
    restaurant_admin(&app, "oksana", &r).await;
    let oksana = PanelBrowser::new(&app);
    assert_eq!(oksana.sign_in("oksana", PASSWORD).await.status, 303);
    let console = format!("/panel/r/{}/console", r.resto_id);

    let page = oksana.get(&format!("{console}?operation=setSettings")).await;
    assert!(page.body.contains("paymentAllowed") && page.body.contains("id=\"settings-note\""), "{}", page.body);

    // An empty editor: the stored settings go out, payments stay allowed.
    let csrf = oksana.csrf().await;
    let sent = oksana.post_form(&console, &[("csrf", &csrf), ("operation", "setSettings"), ("fields", "")]).await;
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert!(sent.body.contains("id=\"sent-fields\""), "what was sent is shown: {}", sent.body);
    let frame = last_set_settings(&app, &r.resto_id).await;
    assert_eq!(frame["paymentAllowed"], true, "{frame}");
    assert!(frame.get("settings").is_some() && frame.get("precheckQrUrl").is_some(), "every setting: {frame}");

    // One field typed: it changes, the rest keep their stored values.
    let one = [("csrf", csrf.as_str()), ("operation", "setSettings"), ("fields", r#"{"printPrecheckQr": true}"#)];
    assert_eq!(oksana.post_form(&console, &one).await.status, 200);
    let frame = last_set_settings(&app, &r.resto_id).await;
    assert_eq!(
        (frame["printPrecheckQr"].clone(), frame["paymentAllowed"].clone()),
        (true.into(), true.into()),
        "{frame}"
    );
}

on_both_stores!(the_console_sends_set_settings_over_the_stored_settings_and_shows_what_it_sent);
