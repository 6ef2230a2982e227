//! The page language: `?lang=uk|en` (remembered in a cookie by the pages that set it), else the
//! `lang` cookie, else Ukrainian.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

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

    fn from_parts(parts: &Parts) -> Lang {
        let from_query = parts
            .uri
            .query()
            .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("lang=")))
            .and_then(Lang::from_code);
        let from_cookie = || {
            parts
                .headers
                .get_all(axum::http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .find_map(|pair| pair.trim().strip_prefix("lang="))
                .and_then(Lang::from_code)
        };
        from_query.or_else(from_cookie).unwrap_or(Lang::Uk)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Lang, Infallible> {
        Ok(Lang::from_parts(parts))
    }
}
