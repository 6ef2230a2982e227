//! The stylesheets and scripts of the guest pages and the panel, as files.
//!
//! Why files and not inline `<style>` and `<script>`: every page's Content-Security-Policy says
//! `script-src 'self'` and `style-src 'self'` without `'unsafe-inline'`, so markup that ever
//! slips through unescaped (a `<script>`, an `onclick=`) is not run. The files live in
//! `web/assets/` and are embedded in the binary at compile time (`include_bytes!`): nothing to
//! deploy beside the binary, nothing read from disk at run time.
//!
//! Each is served at `/assets/{name}.{hash}.{ext}`, the hash being the first hex digits of the
//! SHA-256 of its bytes, so a browser may keep it for a year without asking again (`immutable`):
//! changed bytes get a new URL, and pages link the current one through [`url`] (or [`script`] and
//! [`stylesheet`]). An old hash or an unknown name is a 404, never other bytes under that name.

use crate::web::Lang;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::Uri;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Every asset: the name pages ask for, and its bytes.
const FILES: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("assets/style.css")),
    ("guest-bill.js", include_bytes!("assets/guest-bill.js")),
    ("guest-split.js", include_bytes!("assets/guest-split.js")),
    ("guest-receipt.js", include_bytes!("assets/guest-receipt.js")),
    ("guest-menu.js", include_bytes!("assets/guest-menu.js")),
    ("panel.css", include_bytes!("assets/panel.css")),
    ("panel.js", include_bytes!("assets/panel.js")),
    ("panel-console.js", include_bytes!("assets/panel-console.js")),
    ("panel-dashboard.js", include_bytes!("assets/panel-dashboard.js")),
    ("panel-restaurants.js", include_bytes!("assets/panel-restaurants.js")),
    ("panel-tables.js", include_bytes!("assets/panel-tables.js")),
    ("panel-print.css", include_bytes!("assets/panel-print.css")),
    ("panel-print.js", include_bytes!("assets/panel-print.js")),
    ("favicon.svg", include_bytes!("assets/favicon.svg")),
];

/// Hex digits of the SHA-256 kept in a URL: 48 bits, plenty to tell one version from the next.
const HASH_DIGITS: usize = 12;

/// A year: the longest lifetime caches honour.
const CACHE_FOREVER: &str = "public, max-age=31536000, immutable";

/// An embedded file and where it is served.
struct Asset {
    name: &'static str,
    path: String,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// The assets with their URLs, hashed once on first use.
static ASSETS: LazyLock<Vec<Asset>> =
    LazyLock::new(|| FILES.iter().map(|(name, bytes)| Asset::new(name, bytes)).collect());

impl Asset {
    fn new(name: &'static str, bytes: &'static [u8]) -> Asset {
        let (stem, extension) = name.rsplit_once('.').expect("an asset's name has an extension");
        let digest = Sha256::digest(bytes);
        let hash: String = digest.iter().take(HASH_DIGITS / 2).map(|byte| format!("{byte:02x}")).collect();
        Asset { name, path: format!("/assets/{stem}.{hash}.{extension}"), content_type: content_type(extension), bytes }
    }
}

fn content_type(extension: &str) -> &'static str {
    match extension {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        other => panic!("no content type for .{other} assets: add one here"),
    }
}

/// The current URL of the asset `name` (e.g. `url("guest-bill.js")`).
///
/// # Panics
/// On a name not in `FILES`: a typo in the code, which any test of that page catches.
pub fn url(name: &str) -> &'static str {
    let asset = ASSETS.iter().find(|asset| asset.name == name);
    &asset.unwrap_or_else(|| panic!("no asset named {name}")).path
}

/// A `<link rel="stylesheet">` to the asset `name`.
pub fn stylesheet(name: &str) -> Markup {
    html! { link rel="stylesheet" href=(url(name)); }
}

/// A `<script src defer>` of the asset `name`: it runs once the document is parsed, after the
/// deferred scripts before it (so `panel.js`, in the head, runs before a page's own script).
pub fn script(name: &str) -> Markup {
    html! { script src=(url(name)) defer {} }
}

/// `GET /assets/{file}`, and `/favicon.ico` for browsers that ask there whatever the page says.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/assets/{file}", get(serve)).route("/favicon.ico", get(favicon))
}

/// The icon at the address browsers try first (an SVG: every current browser draws it).
async fn favicon() -> Response {
    let asset = ASSETS.iter().find(|asset| asset.name == "favicon.svg").expect("the favicon is an asset");
    let headers = [(CONTENT_TYPE, asset.content_type), (CACHE_CONTROL, "public, max-age=86400")];
    (headers, asset.bytes).into_response()
}

async fn serve(lang: Lang, uri: Uri) -> Response {
    let Some(asset) = ASSETS.iter().find(|asset| asset.path == uri.path()) else {
        return crate::web::no_such_route(lang, uri).await;
    };
    let headers =
        [(CONTENT_TYPE, asset.content_type), (CACHE_CONTROL, CACHE_FOREVER), (X_CONTENT_TYPE_OPTIONS, "nosniff")];
    (headers, asset.bytes).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_asset_has_a_url_with_the_hash_of_its_bytes() {
        for (name, bytes) in FILES {
            let hex: String = Sha256::digest(bytes).iter().map(|byte| format!("{byte:02x}")).collect();
            let (stem, extension) = name.rsplit_once('.').unwrap();
            assert_eq!(url(name), format!("/assets/{stem}.{}.{extension}", &hex[..HASH_DIGITS]));
        }
    }

    #[test]
    fn asset_names_are_unique() {
        let mut names: Vec<&str> = FILES.iter().map(|(name, _)| *name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FILES.len());
    }
}
