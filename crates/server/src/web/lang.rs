//! The page language: `?lang=uk|en` (remembered in the `lang` cookie by the guest pages and the
//! panel), else the `lang` cookie, else the browser's `Accept-Language` (a guest's first visit),
//! else Ukrainian.

use super::cookies;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use std::convert::Infallible;
use std::time::Duration;

/// The cookie remembering a chosen language.
const COOKIE_NAME: &str = "lang";
/// How long a chosen language is remembered: a year.
const REMEMBERED_FOR: Duration = Duration::from_secs(365 * 24 * 3600);

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Українська (the default).
    Uk,
    /// English.
    En,
}

impl Lang {
    /// Every language, in the order of the switch.
    pub const ALL: &'static [Lang] = &[Lang::Uk, Lang::En];

    /// The BCP 47 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Uk => "uk",
            Lang::En => "en",
        }
    }

    /// The label on the switch.
    pub fn label(self) -> &'static str {
        match self {
            Lang::Uk => "Українська",
            Lang::En => "English",
        }
    }

    /// The Ukrainian or the English text.
    pub fn pick<'a>(self, uk: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Uk => uk,
            Lang::En => en,
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "uk" | "ua" => Some(Lang::Uk),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// `path` with `lang=<this>` set in its query.
    /// A path that starts with `//` would be another host's address (`//evil.example/x`); it
    /// is kept on this host.
    pub fn switch_link(self, path: &str) -> String {
        let (base, query) = path.split_once('?').unwrap_or((path, ""));
        let base = format!("/{}", base.trim_start_matches('/'));
        let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
        let lang = format!("lang={}", self.code());
        pairs.push(&lang);
        format!("{base}?{}", pairs.join("&"))
    }

    /// The language a `?lang=` in this query chooses.
    pub fn chosen_in(query: Option<&str>) -> Option<Lang> {
        query.and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang="))).and_then(Lang::from_code)
    }

    /// The `Set-Cookie` value remembering this language for a year.
    pub fn cookie(self) -> HeaderValue {
        cookies::set_cookie(cookies::ours(COOKIE_NAME, self.code(), "/", REMEMBERED_FOR))
    }

    /// The first language of an `Accept-Language` header we speak, by the browser's preference
    /// (`en-US,en;q=0.9` → English; `de, uk;q=0.5` → Ukrainian).
    ///
    /// ```
    /// use rahunok_server::web::Lang;
    /// assert_eq!(Lang::accepted("en-US,en;q=0.9"), Some(Lang::En));
    /// assert_eq!(Lang::accepted("de, en;q=0.3, uk;q=0.5"), Some(Lang::Uk));
    /// assert_eq!(Lang::accepted("de"), None);
    /// ```
    pub fn accepted(header: &str) -> Option<Lang> {
        let mut ranked: Vec<(u16, Lang)> = header
            .split(',')
            .filter_map(|item| {
                let mut parts = item.split(';');
                let primary = parts.next()?.trim().split('-').next()?;
                let weight = parts
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .map(|q| q.trim().parse::<f32>().map(|q| (q.clamp(0.0, 1.0) * 1000.0) as u16).unwrap_or(0))
                    .unwrap_or(1000);
                Lang::from_code(primary).filter(|_| weight > 0).map(|lang| (weight, lang))
            })
            .collect();
        ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
        ranked.first().map(|(_, lang)| *lang)
    }

    fn from_parts(parts: &Parts) -> Lang {
        let from_query = Lang::chosen_in(parts.uri.query());
        let from_cookie = || cookies::value(&parts.headers, COOKIE_NAME).and_then(Lang::from_code);
        let from_browser = || {
            parts
                .headers
                .get(axum::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(Lang::accepted)
        };
        from_query.or_else(from_cookie).or_else(from_browser).unwrap_or(Lang::Uk)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Lang, Infallible> {
        Ok(Lang::from_parts(parts))
    }
}
