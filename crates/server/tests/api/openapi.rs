//! The admin API's OpenAPI 3.1 document: it parses, it lists exactly the admin routes the
//! server serves (each answers 401 without the token and 405 to the methods not listed), and its
//! error body schema is the body the server sends.

use crate::helpers::{spawn_app, Backend, TestApp};
use crate::on_both_stores;
use serde_json::Value;
use std::collections::BTreeSet;

/// The admin API as README documents it: every route and method.
const ADMIN_ROUTES: &[(&str, &str)] = &[
    ("get", "/api/admin/health"),
    ("get", "/api/admin/restaurants"),
    ("post", "/api/admin/restaurants"),
    ("get", "/api/admin/restaurants/{resto_id}"),
    ("delete", "/api/admin/restaurants/{resto_id}/connection"),
    ("get", "/api/admin/restaurants/{resto_id}/acquirer"),
    ("put", "/api/admin/restaurants/{resto_id}/acquirer"),
    ("post", "/api/admin/restaurants/{resto_id}/rotate-secret"),
    ("get", "/api/admin/restaurants/{resto_id}/tables"),
    ("get", "/api/admin/restaurants/{resto_id}/halls"),
    ("get", "/api/admin/restaurants/{resto_id}/staff"),
    ("get", "/api/admin/restaurants/{resto_id}/categories"),
    ("get", "/api/admin/restaurants/{resto_id}/menu"),
    ("get", "/api/admin/restaurants/{resto_id}/stop-list"),
    ("get", "/api/admin/restaurants/{resto_id}/orders"),
    ("post", "/api/admin/restaurants/{resto_id}/operations/{operation}"),
    ("get", "/api/admin/restaurants/{resto_id}/requests"),
    ("get", "/api/admin/restaurants/{resto_id}/payments"),
    ("get", "/api/admin/restaurants/{resto_id}/payments/{payment_id}"),
    ("post", "/api/admin/restaurants/{resto_id}/payments/{payment_id}/refund"),
    ("post", "/api/admin/restaurants/{resto_id}/payments/{payment_id}/retry"),
    ("get", "/api/admin/restaurants/{resto_id}/callback-refusals"),
    ("get", "/api/admin/restaurants/{resto_id}/conformance-warnings"),
];

const METHODS: &[&str] = &["get", "post", "put", "delete", "patch"];

async fn document(app: &TestApp) -> Value {
    let response = app.http.get(format!("{}/api/admin/openapi.json", app.base)).send().await.unwrap();
    assert_eq!(response.status(), 200, "served without the token");
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).expect("the document is JSON")
}

fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let paths = document["paths"].as_object().expect("paths");
    let mut found = BTreeSet::new();
    for (path, item) in paths {
        for method in item.as_object().unwrap().keys().filter(|k| METHODS.contains(&k.as_str())) {
            found.insert((method.clone(), path.clone()));
        }
    }
    found
}

/// `path` with its parameters filled in.
fn concrete(path: &str, resto_id: &str) -> String {
    path.replace("{resto_id}", resto_id).replace("{payment_id}", "no-such-payment").replace("{operation}", "getBill")
}

async fn the_openapi_document_lists_exactly_the_admin_routes_the_server_serves(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("OpenAPI").await;
    let document = document(&app).await;
    assert!(document["openapi"].as_str().unwrap().starts_with("3.1"), "OpenAPI 3.1: {}", document["openapi"]);
    let expected: BTreeSet<(String, String)> =
        ADMIN_ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    assert_eq!(operations(&document), expected);

    for (method, path) in ADMIN_ROUTES {
        let url = format!("{}{}", app.base, concrete(path, &restaurant.resto_id));
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let without_token = app.http.request(method, &url).send().await.unwrap();
        assert_eq!(without_token.status(), 401, "{path} is served, behind the admin token");
    }
    let paths: BTreeSet<&str> = ADMIN_ROUTES.iter().map(|(_, p)| *p).collect();
    for path in paths {
        for method in METHODS.iter().filter(|m| !ADMIN_ROUTES.contains(&(**m, path))) {
            let url = format!("{}{}", app.base, concrete(path, &restaurant.resto_id));
            let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let refused = app.admin(method.clone(), &url.replacen(&app.base, "", 1)).send().await.unwrap();
            assert_eq!(refused.status(), 405, "{method} {path} is not served");
        }
    }
}

async fn the_documented_error_body_is_the_one_the_server_sends(backend: Backend) {
    let app = spawn_app(backend).await;
    let document = document(&app).await;
    let schema = &document["components"]["schemas"]["ErrorBody"];
    let documented: BTreeSet<&str> = schema["properties"].as_object().unwrap().keys().map(String::as_str).collect();
    let (status, sent) = app.get_json("/api/admin/restaurants/nope").await;
    assert_eq!(status, 404);
    let sent_keys: BTreeSet<&str> = sent.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(documented, sent_keys, "{sent}");
    let get_restaurant = &document["paths"]["/api/admin/restaurants/{resto_id}"]["get"]["responses"];
    let not_found = &get_restaurant["404"]["content"]["application/json"]["schema"]["$ref"];
    assert_eq!(not_found, "#/components/schemas/ErrorBody", "every error refers to the one schema");
    assert_eq!(document["components"]["securitySchemes"]["admin_token"]["scheme"], "bearer");
}

on_both_stores!(
    the_openapi_document_lists_exactly_the_admin_routes_the_server_serves,
    the_documented_error_body_is_the_one_the_server_sends,
);
