//! Pages run only their own files: every page's Content-Security-Policy allows scripts and styles
//! from this host and nothing inline, and the pages' scripts and stylesheets are served from
//! `/assets/` under a hash of their bytes, cached for a year.

use crate::helpers::{spawn_app, Backend, Restaurant, TestApp};
use crate::on_both_stores;
use crate::panel_auth::{operator, PanelBrowser, PASSWORD};
use reqwest::header::{HeaderMap, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use sha2::{Digest, Sha256};

/// The value of `name` in `html` right after `marker` (up to the closing quote).
fn attribute_after(html: &str, marker: &str) -> String {
    let start = html.find(marker).unwrap_or_else(|| panic!("no `{marker}` in the page")) + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Every `/assets/…` URL a page links (`href` or `src`).
fn asset_urls(html: &str) -> Vec<String> {
    html.split("=\"/assets/").skip(1).map(|rest| format!("/assets/{}", rest.split('"').next().unwrap())).collect()
}

/// The page answers with a CSP that runs no inline script or style, and has none to run.
fn assert_strict(path: &str, status: u16, headers: &HeaderMap, html: &str) {
    assert!(status < 400 || status == 404, "{path} answers {status}: {html}");
    let csp = headers.get(CONTENT_SECURITY_POLICY).unwrap_or_else(|| panic!("{path} has no CSP")).to_str().unwrap();
    let directive = |name: &str| {
        csp.split(';').map(str::trim).find(|d| d.starts_with(name)).unwrap_or_else(|| panic!("{path}: no {name}"))
    };
    assert_eq!(directive("script-src"), "script-src 'self'", "{path}: {csp}");
    assert_eq!(directive("style-src"), "style-src 'self'", "{path}: {csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{path}: {csp}");
    assert!(!html.contains("<style"), "{path} has an inline stylesheet");
    assert!(!html.contains(" style=\""), "{path} has an inline style attribute");
    assert!(!html.contains("javascript:"), "{path} has a javascript: URL");
    for handler in [" onclick=", " onsubmit=", " onchange=", " oninput=", " onload="] {
        assert!(!html.contains(handler), "{path} has an inline event handler: {handler}");
    }
    for script in html.split("<script").skip(1) {
        let tag = script.split('>').next().unwrap();
        assert!(tag.contains("src=\"/assets/"), "{path} has an inline script: <script{tag}>");
    }
    assert!(asset_urls(html).iter().any(|url| url.contains("/style.")), "{path} links the stylesheet");
}

/// A guest's way to the sandbox card page: the bill's pay form, then the acquirer's redirect.
async fn checkout_url(app: &TestApp, restaurant: &Restaurant) -> String {
    let guest = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let bill = guest.get(format!("{}/t/{}/7", app.base, restaurant.resto_id)).send().await.unwrap();
    let html = bill.text().await.unwrap();
    let action = attribute_after(&html, "<form class=\"card\" id=\"pay-form\" method=\"post\" action=\"");
    let key = attribute_after(&html, "name=\"idempotency_key\" value=\"");
    let expected = attribute_after(&html, "name=\"expected_total\" value=\"");
    let fields = [("idempotency_key", key.as_str()), ("expected_total", &expected), ("tip", "0"), ("tip_custom", "")];
    let paying = guest.post(format!("{}{action}", app.base)).form(&fields).send().await.unwrap();
    assert_eq!(paying.status(), 303, "the pay form sends the guest to the acquirer");
    let location = paying.headers()["location"].to_str().unwrap().to_string();
    if location.starts_with('/') {
        format!("{}{location}", app.base)
    } else {
        location
    }
}

async fn every_page_has_a_csp_without_unsafe_inline(backend: Backend) {
    let app = spawn_app(backend).await;
    let restaurant = app.create_restaurant("Андріївський ранок").await;
    let _pos = app.start_virtual_pos(&restaurant).await;

    let mut guest_paths = vec![format!("/t/{}/7", restaurant.resto_id), "/no/such/page".to_string()];
    let checkout = checkout_url(&app, &restaurant).await;
    guest_paths.push(checkout.trim_start_matches(&app.base).to_string());
    for path in &guest_paths {
        let response = app.http.get(format!("{}{path}", app.base)).send().await.unwrap();
        let (status, headers) = (response.status().as_u16(), response.headers().clone());
        assert_strict(path, status, &headers, &response.text().await.unwrap());
    }
    assert!(guest_paths[2].starts_with("/sandbox/checkout/"), "the card page: {}", guest_paths[2]);

    operator(&app, "olena").await;
    let browser = PanelBrowser::new(&app);
    let sign_in = browser.get("/panel/sign-in").await;
    assert_strict("/panel/sign-in", sign_in.status, &sign_in.headers, &sign_in.body);
    assert_eq!(browser.sign_in("olena", PASSWORD).await.status, 303);
    let csrf = browser.csrf().await;
    let resto = format!("/panel/r/{}", restaurant.resto_id);
    let fetched = browser.post_with_csrf_header(&format!("{resto}/tables.json"), &csrf).await;
    assert_eq!(fetched.status, 200, "the tables are fetched, so the print page has its sheets");
    let payments = browser.get(&format!("{resto}/payments")).await;
    let payment = attribute_after(&payments.body, &format!("href=\"{resto}/payments/"));
    let panel_paths = [
        "/panel/restaurants".to_string(),
        resto.clone(),
        format!("{resto}/tables"),
        format!("{resto}/tables/print"),
        format!("{resto}/pos/staff"),
        format!("{resto}/pos/menu"),
        format!("{resto}/payments"),
        format!("{resto}/payments/{payment}"),
        format!("{resto}/requests"),
        format!("{resto}/console"),
        format!("{resto}/settings"),
    ];
    for path in &panel_paths {
        let page = browser.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_strict(path, page.status, &page.headers, &page.body);
    }
    let print = browser.get(&format!("{resto}/tables/print")).await;
    assert!(print.body.contains("<svg") && print.body.contains("data-print"), "the sheets and their print button");
}

on_both_stores!(every_page_has_a_csp_without_unsafe_inline);

/// Fetches `url` and checks it is the asset it names: its type, a year's cache, and the hash.
async fn assert_served_with_its_hash(app: &TestApp, url: &str) {
    let file = url.strip_prefix("/assets/").unwrap();
    let parts: Vec<&str> = file.split('.').collect();
    assert_eq!(parts.len(), 3, "{url} is name.hash.ext");
    let (hash, extension) = (parts[1], parts[2]);
    assert!(hash.len() >= 8 && hash.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()), "{url}");
    let response = app.http.get(format!("{}{url}", app.base)).send().await.unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let headers = response.headers().clone();
    let content_type = headers[CONTENT_TYPE].to_str().unwrap();
    let expected_type = match extension {
        "css" => "text/css",
        "js" => "text/javascript",
        "svg" => "image/svg+xml",
        other => panic!("an unexpected asset type: {other}"),
    };
    assert!(content_type.starts_with(expected_type), "{url} is {content_type}");
    assert_eq!(headers[CACHE_CONTROL], "public, max-age=31536000, immutable", "{url}");
    assert_eq!(headers[X_CONTENT_TYPE_OPTIONS], "nosniff", "{url}");
    let bytes = response.bytes().await.unwrap();
    let digest: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    assert!(digest.starts_with(hash), "{url}: the hash is of its bytes ({digest})");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn assets_are_served_with_a_content_hash_and_long_cache() {
    let app = spawn_app(Backend::Sqlite).await;
    let restaurant = app.create_restaurant("Андріївський ранок").await;
    let _pos = app.start_virtual_pos(&restaurant).await;
    let bill = app.http.get(format!("{}/t/{}/7", app.base, restaurant.resto_id)).send().await.unwrap();
    let html = bill.text().await.unwrap();
    let urls = asset_urls(&html);
    assert!(urls.iter().any(|u| u.ends_with(".css")) && urls.iter().any(|u| u.ends_with(".js")), "{urls:?}");
    operator(&app, "olena").await;
    let browser = PanelBrowser::new(&app);
    browser.sign_in("olena", PASSWORD).await;
    let dashboard = browser.get(&format!("/panel/r/{}", restaurant.resto_id)).await;
    let mut all = urls;
    all.extend(asset_urls(&dashboard.body));
    assert!(all.len() >= 5, "the guest page's and the dashboard's files: {all:?}");
    for url in &all {
        assert_served_with_its_hash(&app, url).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_asset_hash_is_404() {
    let app = spawn_app(Backend::Sqlite).await;
    let page = app.http.get(format!("{}/panel/sign-in", app.base)).send().await.unwrap().text().await.unwrap();
    let current = asset_urls(&page).into_iter().find(|u| u.contains("/style.")).expect("the stylesheet's URL");
    let hash = current.split('.').nth(1).unwrap();
    let stale_hash: String = hash.chars().map(|c| if c == '0' { '1' } else { '0' }).collect();
    let stale = current.replace(hash, &stale_hash);
    for url in [stale.as_str(), "/assets/style.css", "/assets/nothing.0123456789ab.js", "/assets/"] {
        let response = app.http.get(format!("{}{url}", app.base)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{url}");
        assert!(response.headers()[CONTENT_TYPE].to_str().unwrap().starts_with("text/html"), "the friendly page");
        assert!(response.headers().get(CACHE_CONTROL).is_none(), "{url}: a 404 is not cached for a year");
    }
    assert_eq!(app.http.get(format!("{}{current}", app.base)).send().await.unwrap().status(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bare_address_says_what_this_is_and_every_page_has_an_icon_and_a_description() {
    let app = spawn_app(Backend::Sqlite).await;
    let landing = app.http.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(landing.status(), 200);
    let html = landing.text().await.unwrap();
    assert!(html.contains("href=\"/panel\"") && html.contains("QR"), "{html}");
    let english = app.http.get(format!("{}/", app.base)).header("Accept-Language", "en-GB,en;q=0.9").send().await;
    assert!(english.unwrap().text().await.unwrap().contains("Restaurant panel"), "Accept-Language picks English");
    let icon = app.http.get(format!("{}/favicon.ico", app.base)).send().await.unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()[CONTENT_TYPE], "image/svg+xml");
    for path in ["/", "/panel/sign-in", "/t/nope/1", "/nothing-here"] {
        let page = app.http.get(format!("{}{path}", app.base)).send().await.unwrap().text().await.unwrap();
        assert!(page.contains("<meta name=\"description\" content=\""), "{path}: no description");
        let icon = attribute_after(&page, "<link rel=\"icon\" type=\"image/svg+xml\" href=\"");
        assert_served_with_its_hash(&app, &icon).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_over_4_kib_come_compressed_when_asked_and_a_guest_page_as_it_is() {
    let app = spawn_app(Backend::Sqlite).await;
    let restaurant = app.create_restaurant("Стиснута кав'ярня").await;
    let _pos = app.start_virtual_pos(&restaurant).await;
    let fetch = |path: String, encoding: Option<&'static str>| {
        let mut request = app.http.get(format!("{}{path}", app.base)).bearer_auth(&app.token);
        if let Some(encoding) = encoding {
            request = request.header("Accept-Encoding", encoding);
        }
        async move {
            let response = request.send().await.unwrap();
            let encoding = response.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_string());
            let vary = response.headers().get("vary").map(|v| v.to_str().unwrap().to_ascii_lowercase());
            (encoding, vary, response.bytes().await.unwrap())
        }
    };
    let document = "/api/admin/openapi.json".to_string();
    let (plain_encoding, _, plain) = fetch(document.clone(), None).await;
    assert_eq!(plain_encoding, None);
    assert!(plain.len() > 4096, "the OpenAPI document is over 4 KiB: {}", plain.len());

    let (encoding, vary, gzip) = fetch(document.clone(), Some("gzip")).await;
    assert_eq!(encoding.as_deref(), Some("gzip"));
    assert!(vary.is_some_and(|v| v.contains("accept-encoding")), "caches keep the two apart");
    assert_eq!(&gzip[..2], &[0x1f, 0x8b], "a gzip stream");
    assert!(gzip.len() < plain.len() / 2, "{} bytes gzip against {} plain", gzip.len(), plain.len());

    let (encoding, _, brotli) = fetch(document, Some("gzip, deflate, br")).await;
    assert_eq!(encoding.as_deref(), Some("br"), "brotli when the client takes it");
    assert!(brotli.len() < plain.len() / 2, "{} bytes brotli against {} plain", brotli.len(), plain.len());

    let table_page = format!("/t/{}/7", restaurant.resto_id);
    let (encoding, _, page) = fetch(table_page, Some("gzip, deflate, br")).await;
    assert!(String::from_utf8_lossy(&page).contains("/pay"), "the page shows the bill");
    assert_eq!(encoding, None, "a {}-byte guest page is sent as it is", page.len());

    let (encoding, _, ok) = fetch("/healthz".to_string(), Some("gzip")).await;
    assert_eq!((encoding, ok.as_ref()), (None, b"ok".as_ref()));
}
