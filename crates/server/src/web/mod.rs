//! What every HTML page shares: the language (Ukrainian first, English second), the page shell
//! with its small stylesheet (served from this host like every asset: no third-party requests),
//! the HTML response type and its Content-Security-Policy. Guest pages and the admin panel build
//! on this.

pub mod assets;
pub mod clock;
pub mod compression;
pub mod cookies;
pub mod csv;
pub mod edge;
pub mod format;
pub mod landing;
mod lang;
mod not_found;
pub mod paths;
pub mod percent;

pub use lang::Lang;
pub use not_found::{no_such_route, unstorable_url};

use axum::http::header::CONTENT_SECURITY_POLICY;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};

/// Every page's policy: scripts, styles, images, requests and form posts from this host only,
/// no inline script or style at all (the pages' own live in [`assets`]), so markup that ever
/// slips through unescaped does not run; and no page may be framed by another site.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                       form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One more place a page's forms may post to, besides this host: an origin the edge adds to
/// that page's `form-action` (an acquirer's checkout, for the page that sends the guest there
/// with a signed form), and to no other page.
///
/// Why not a policy of the page's own: the edge writes every HTML page's policy, so a page
/// cannot weaken it by mistake; this is the one widening it allows, and it is made only from a
/// URL whose origin is http(s), written as the URL standard serialises it, so nothing but an
/// origin can reach the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormsPostTo(String);

impl FormsPostTo {
    /// The origin of `url` (`https://www.liqpay.ua` of `https://www.liqpay.ua/api/3/checkout`);
    /// `None` for a URL that is not http(s).
    ///
    /// ```
    /// use rahunok_server::web::FormsPostTo;
    /// let to = FormsPostTo::origin_of("https://www.liqpay.ua/api/3/checkout").unwrap();
    /// assert_eq!(to.origin(), "https://www.liqpay.ua");
    /// assert!(to.policy().contains("form-action 'self' https://www.liqpay.ua;"));
    /// assert!(FormsPostTo::origin_of("javascript:alert(1)").is_none());
    /// assert!(FormsPostTo::origin_of("https://x.test; script-src *").is_none());
    /// ```
    pub fn origin_of(url: &str) -> Option<FormsPostTo> {
        let url = reqwest::Url::parse(url).ok()?;
        if !matches!(url.scheme(), "http" | "https") {
            return None;
        }
        let origin = url.origin();
        origin.is_tuple().then(|| FormsPostTo(origin.ascii_serialization()))
    }

    /// The origin.
    pub fn origin(&self) -> &str {
        &self.0
    }

    /// Every page's policy with this origin allowed for its forms.
    pub fn policy(&self) -> String {
        CSP.replace("form-action 'self'", &format!("form-action 'self' {}", self.0))
    }
}

/// A rendered page with its status code.
pub struct Page {
    /// HTTP status.
    pub status: StatusCode,
    /// The document.
    pub markup: Markup,
}

impl Page {
    /// A 200 page.
    pub fn ok(markup: Markup) -> Page {
        Page { status: StatusCode::OK, markup }
    }

    /// A page with another status (a friendly error page).
    pub fn with_status(status: StatusCode, markup: Markup) -> Page {
        Page { status, markup }
    }
}

impl Page {
    /// The page as an answer whose forms may also post to `target` (the edge widens this page's
    /// `form-action` by that origin alone).
    pub fn posting_to(self, target: FormsPostTo) -> Response {
        let mut response = self.into_response();
        if let Ok(policy) = HeaderValue::from_str(&target.policy()) {
            response.headers_mut().insert(CONTENT_SECURITY_POLICY, policy);
        }
        response.extensions_mut().insert(target);
        response
    }
}

impl IntoResponse for Page {
    fn into_response(self) -> Response {
        let mut response = (self.status, Html(self.markup.into_string())).into_response();
        response.headers_mut().insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
        response
    }
}

/// The document shell: `<html lang>`, viewport, the stylesheet (mobile-first, readable on a
/// cheap phone), a language switch that keeps the current path, and `body`.
pub fn shell(lang: Lang, title: &str, current_path: &str, body: Markup) -> Markup {
    shell_with(lang, title, current_path, html! {}, body)
}

/// [`shell`] with more in the `<head>`: a page's own stylesheets and scripts
/// ([`assets::stylesheet`], [`assets::script`]).
pub fn shell_with(lang: Lang, title: &str, current_path: &str, head: Markup, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                meta name="description" content=(description(lang, title));
                link rel="icon" type="image/svg+xml" href=(assets::url("favicon.svg"));
                (assets::stylesheet("style.css"))
                (head)
            }
            body {
                nav.lang {
                    @for other in Lang::ALL {
                        @if *other == lang {
                            span.current { (other.label()) }
                        } @else {
                            a href=(other.switch_link(current_path)) { (other.label()) }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The page's `<meta name="description">`: its title and what this server is for.
fn description(lang: Lang, title: &str) -> String {
    let what = lang.pick(
        "Rahunok: оплата рахунку в закладі за QR-кодом на столі — чайові, розділення рахунку, чек.",
        "Rahunok: pay the restaurant bill by the QR code on the table — tips, split bills, receipts.",
    );
    format!("{title}. {what}")
}

/// A friendly full page with a heading, a sentence and optional extra content (buttons).
pub fn message_page(lang: Lang, path: &str, heading: &str, text: &str, extra: Markup) -> Markup {
    shell(
        lang,
        heading,
        path,
        html! {
            section.message {
                h1 { (heading) }
                p { (text) }
                (extra)
            }
        },
    )
}

/// The headers of a live page (a bill, who is paying it, a card form, a panel view): never
/// cached, so Back shows the page as it is now rather than a stale form; and a `?lang=` choice
/// remembered in the `lang` cookie, so it follows a guest through paying, the card page and
/// the receipt.
pub async fn live_page(request: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let chosen = Lang::chosen_in(request.uri().query());
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(lang) = chosen {
        headers.append(axum::http::header::SET_COOKIE, lang.cookie());
    }
    response
}
