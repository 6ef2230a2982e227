//! The scenario the product grew from (the Expirenza "connect with Postman" page), done the
//! hand way: a raw WebSocket with a Basic header, the `tablesInfo` frame read off the socket,
//! the callback signed like Postman's pre-request script, and the tables appear.

use crate::helpers::{spawn_app, Backend, RawPos};
use crate::on_both_stores;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::time::Duration;

/// `CryptoJS.HmacSHA256(body, key).toString(CryptoJS.enc.Base64)`, computed here independently
/// of the product's own signing code.
fn postman_signature(key: &str, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

async fn tables_appear_when_the_pos_answers_tables_info_by_hand(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Кафе у камина").await;
    let mut pos = RawPos::connect_as(&app, &restaurant).await;
    app.wait_connected(&restaurant.resto_id, true).await;

    let url = format!("{}/api/admin/restaurants/{}/tables?refresh=true", app.base, restaurant.resto_id);
    let call = tokio::spawn(app.http.get(url).bearer_auth(&app.token).send());

    // tablesInfo (and hallplansInfo alongside, in either order) arrive on the socket.
    let mut halls_asked = false;
    let frame = loop {
        let frame = pos.next_frame().await;
        halls_asked |= frame["operation"] == "hallplansInfo";
        if frame["operation"] == "tablesInfo" {
            break frame;
        }
    };
    let rid = frame["rID"].as_str().unwrap();
    let body = format!(
        r#"{{
    "rID": "{rid}",
    "tables": [
        {{
            "id": "xxx",
            "name": "у камина",
            "number": 12,
            "hallplanId": "Зала 1"
        }}
    ]
}}"#
    );
    let signature = postman_signature(&restaurant.secret, &body);
    let posted = app
        .http
        .post(format!("{}/callback/tablesInfo", app.base))
        .header("Content-Type", "application/json")
        .header("restoId", &restaurant.resto_id)
        .header("signature", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 200);
    assert_eq!(posted.text().await.unwrap(), "", "success is 200 with an empty body");

    let response = tokio::time::timeout(Duration::from_secs(10), call).await.unwrap().unwrap().unwrap();
    assert_eq!(response.status(), 200);
    let tables: serde_json::Value = response.json().await.unwrap();
    assert_eq!(tables["tables"][0]["id"], "xxx");
    assert_eq!(tables["tables"][0]["name"], "у камина");
    assert_eq!(tables["tables"][0]["number"], 12);
    assert_eq!(tables["tables"][0]["hallPlanId"], "Зала 1");

    // Halls are asked for alongside (stored when the POS answers; the tables do not wait for them).
    if !halls_asked {
        pos.next_request("hallplansInfo").await;
    }

    let (status, stored) = app.get_json(&format!("/api/admin/restaurants/{}/tables", restaurant.resto_id)).await;
    assert_eq!(status, 200);
    assert_eq!(stored["tables"], tables["tables"], "the tables are stored and served without a refresh");
}

on_both_stores!(tables_appear_when_the_pos_answers_tables_info_by_hand);
