//! Who is looking, and at which restaurant: the extractors every panel handler starts from.
//! [`InRestaurant`] is the only way a handler gets a restaurant, and it refuses a restaurant
//! admin any restaurant but their own, so no page can forget the check.

use super::session::SignedIn;
use super::PanelError;
use super::PanelState;
use crate::store::{PanelRole, PanelUser, Restaurant};
use crate::web::Lang;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

/// A signed-in viewer of a panel page.
pub struct Viewer {
    /// The page language.
    pub lang: Lang,
    /// The requested path and query (for the language switch).
    pub path: String,
    /// Who.
    pub user: PanelUser,
    /// The CSRF token this viewer's forms carry.
    pub csrf: String,
    /// On a restaurant's pages, the restaurant's time zone: every time on them is shown in it
    /// (elsewhere, in the browser's own zone).
    pub time_zone: Option<String>,
}

impl Viewer {
    /// The Ukrainian or the English text, in the viewer's language.
    pub fn t<'a>(&self, uk: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(uk, en)
    }

    /// Refuses restaurant admins.
    pub fn require_operator(&self) -> Result<(), PanelError> {
        match self.user.role {
            PanelRole::Operator => Ok(()),
            PanelRole::RestaurantAdmin { .. } => Err(PanelError::OperatorsOnly),
        }
    }

    /// Whether the viewer runs the platform.
    pub fn is_operator(&self) -> bool {
        self.user.role == PanelRole::Operator
    }
}

impl FromRequestParts<PanelState> for Viewer {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, state: &PanelState) -> Result<Viewer, PanelError> {
        let SignedIn { user, csrf } = SignedIn::from_request_parts(parts, state).await?;
        let Ok(lang) = Lang::from_request_parts(parts, state).await;
        let path = parts.uri.path_and_query().map(ToString::to_string).unwrap_or_else(|| "/panel".into());
        Ok(Viewer { lang, path, user, csrf, time_zone: None })
    }
}

/// A viewer allowed to see the restaurant named by the `{resto_id}` in the path.
pub struct InRestaurant {
    /// Who.
    pub viewer: Viewer,
    /// The restaurant.
    pub restaurant: Restaurant,
}

impl InRestaurant {
    /// The restaurant's RESTO_ID.
    pub fn resto_id(&self) -> &str {
        &self.restaurant.resto_id
    }
}

impl FromRequestParts<PanelState> for InRestaurant {
    type Rejection = PanelError;

    async fn from_request_parts(parts: &mut Parts, state: &PanelState) -> Result<InRestaurant, PanelError> {
        let mut viewer = Viewer::from_request_parts(parts, state).await?;
        let params =
            RawPathParams::from_request_parts(parts, state).await.map_err(|_| PanelError::NotFound("restaurant"))?;
        let resto_id = params
            .iter()
            .find(|(key, _)| *key == "resto_id")
            .map(|(_, value)| value.to_string())
            .ok_or(PanelError::NotFound("restaurant"))?;
        // A restaurant admin learns nothing about other restaurants, not even whether they exist.
        if !viewer.user.role.may_manage(&resto_id) {
            return Err(PanelError::NotYourRestaurant);
        }
        let restaurant = state.store.restaurant(&resto_id).await?.ok_or(PanelError::UnknownRestaurant(resto_id))?;
        viewer.time_zone = Some(state.store.guest_settings(&restaurant.resto_id).await?.time_zone);
        Ok(InRestaurant { viewer, restaurant })
    }
}
