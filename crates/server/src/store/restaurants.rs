//! Restaurants and their POS credentials. Only the HMAC-effective key of each secret is kept
//! (see `rahunok_protocol::signing`); a rotated-out key stays valid until its grace period ends.

use super::{column, now_ms, Store, StoreError};
use rahunok_protocol::ops::SetSettings;
use rahunok_protocol::signing::{generate_secret, SigningKey};
use rand::distributions::{Alphanumeric, DistString};
use serde::Serialize;
use sqlx::any::AnyRow;

/// A restaurant as the platform knows it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Restaurant {
    /// The public id the POS authenticates with.
    pub resto_id: String,
    /// Display name.
    pub name: String,
    /// Creation time, unix ms.
    pub created_at: i64,
    /// What the POS is told on connect.
    pub settings: SetSettings,
    /// When the previous secret stops working (after a rotation), unix ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_secret_valid_until: Option<i64>,
}

/// The keys a restaurant's POS may sign with right now.
#[derive(Debug, Clone)]
pub struct RestaurantCredentials {
    /// The current key.
    pub current: SigningKey,
    /// The previous key, while its grace period lasts.
    pub previous: Option<SigningKey>,
}

impl RestaurantCredentials {
    /// Every key that is valid now, current first.
    pub fn keys(&self) -> impl Iterator<Item = &SigningKey> {
        std::iter::once(&self.current).chain(self.previous.iter())
    }

    /// Checks a secret presented in Basic auth.
    pub fn accepts_secret(&self, secret: &str) -> bool {
        // Check every key so the time taken does not say which one matched.
        self.keys().fold(false, |ok, key| key.matches_secret(secret) | ok)
    }
}

/// A restaurant's keys as stored: the previous key with the end of its grace period (kept in
/// memory by [`super::kept`]; its grace is checked at each use).
#[derive(Clone)]
pub(super) struct StoredKeys {
    current: SigningKey,
    previous: Option<(SigningKey, i64)>,
}

impl StoredKeys {
    /// The keys valid now.
    fn valid_now(&self) -> RestaurantCredentials {
        let previous = self.previous.as_ref().filter(|(_, until)| *until > now_ms()).map(|(key, _)| key.clone());
        RestaurantCredentials { current: self.current.clone(), previous }
    }
}

fn restaurant_from(row: &AnyRow) -> Result<Restaurant, StoreError> {
    let settings: String = column(row, "settings")?;
    Ok(Restaurant {
        resto_id: column(row, "resto_id")?,
        name: column(row, "name")?,
        created_at: column(row, "created_at")?,
        settings: serde_json::from_str(&settings).map_err(|e| StoreError::Corrupt(format!("settings: {e}")))?,
        previous_secret_valid_until: column::<Option<i64>>(row, "previous_valid_until")?.filter(|t| *t > now_ms()),
    })
}

/// A restaurant's display name: 1 to 200 characters, trimmed. Every way of creating a
/// restaurant (admin API, panel, CLI) goes through it.
///
/// ```
/// use rahunok_server::store::RestaurantName;
/// assert_eq!(RestaurantName::parse("  Кав'ярня ").unwrap().as_str(), "Кав'ярня");
/// assert!(RestaurantName::parse("   ").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestaurantName(String);

/// Why a name is not a restaurant name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a restaurant name is 1 to 200 characters")]
pub struct InvalidRestaurantName;

impl RestaurantName {
    /// The longest name, in characters.
    pub const MAX_CHARS: usize = 200;

    /// Trims and checks a name.
    pub fn parse(text: &str) -> Result<RestaurantName, InvalidRestaurantName> {
        let name = text.trim();
        if name.is_empty() || name.chars().count() > RestaurantName::MAX_CHARS {
            return Err(InvalidRestaurantName);
        }
        Ok(RestaurantName(name.to_string()))
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

const RESTAURANT_COLUMNS: &str = "resto_id, name, created_at, settings, previous_valid_until";

impl Store {
    /// Creates a restaurant; returns it with its new `SECRET_KEY` (shown once, never stored).
    pub async fn create_restaurant(&self, name: &RestaurantName) -> Result<(Restaurant, String), StoreError> {
        let resto_id = Alphanumeric.sample_string(&mut rand::thread_rng(), 12).to_ascii_lowercase();
        let secret = generate_secret();
        let key = SigningKey::derive(&secret).expect("generated secrets are long enough");
        let settings = serde_json::to_string(&SetSettings::default()).expect("settings serialise");
        sqlx::query(
            "INSERT INTO restaurants (resto_id, name, signing_key, settings, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&resto_id)
        .bind(name.as_str())
        .bind(self.seal_signing_key(&resto_id, &key))
        .bind(settings)
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        let restaurant = self.restaurant(&resto_id).await?.ok_or_else(|| StoreError::Corrupt("vanished".into()))?;
        Ok((restaurant, secret))
    }

    /// One restaurant.
    pub async fn restaurant(&self, resto_id: &str) -> Result<Option<Restaurant>, StoreError> {
        let still_in_grace = |mut restaurant: Restaurant| {
            restaurant.previous_secret_valid_until = restaurant.previous_secret_valid_until.filter(|t| *t > now_ms());
            restaurant
        };
        if let Some(kept) = self.kept.restaurants.get(resto_id) {
            return Ok(Some(still_in_grace(kept)));
        }
        let started = self.kept.restaurants.read_starts();
        let sql = format!("SELECT {RESTAURANT_COLUMNS} FROM restaurants WHERE resto_id = $1");
        let row = sqlx::query(&sql).bind(resto_id).fetch_optional(self.pool()).await?;
        let Some(restaurant) = row.as_ref().map(restaurant_from).transpose()? else { return Ok(None) };
        self.kept.restaurants.keep(resto_id, restaurant.clone(), started);
        Ok(Some(still_in_grace(restaurant)))
    }

    /// Every restaurant, by name.
    pub async fn restaurants(&self) -> Result<Vec<Restaurant>, StoreError> {
        let sql = format!("SELECT {RESTAURANT_COLUMNS} FROM restaurants ORDER BY name, resto_id");
        let rows = sqlx::query(&sql).fetch_all(self.pool()).await?;
        rows.iter().map(restaurant_from).collect()
    }

    /// The keys a restaurant's POS may use now; `None` for an unknown restaurant.
    pub async fn credentials(&self, resto_id: &str) -> Result<Option<RestaurantCredentials>, StoreError> {
        if let Some(kept) = self.kept.credentials.get(resto_id) {
            return Ok(Some(kept.valid_now()));
        }
        let started = self.kept.credentials.read_starts();
        let row = sqlx::query(
            "SELECT signing_key, previous_signing_key, previous_valid_until FROM restaurants WHERE resto_id = $1",
        )
        .bind(resto_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let current = self.open_signing_key(resto_id, &column::<String>(&row, "signing_key")?)?;
        let valid_until: Option<i64> = column(&row, "previous_valid_until")?;
        let previous = match (column::<Option<String>>(&row, "previous_signing_key")?, valid_until) {
            (Some(text), Some(until)) if until > now_ms() => Some((self.open_signing_key(resto_id, &text)?, until)),
            _ => None,
        };
        let keys = StoredKeys { current, previous };
        self.kept.credentials.keep(resto_id, keys.clone(), started);
        Ok(Some(keys.valid_now()))
    }

    /// Issues a new secret; the old one keeps working for `grace_ms`. `None` for an unknown
    /// restaurant.
    pub async fn rotate_secret(&self, resto_id: &str, grace_ms: i64) -> Result<Option<(String, i64)>, StoreError> {
        let secret = generate_secret();
        let key = SigningKey::derive(&secret).expect("generated secrets are long enough");
        let valid_until = now_ms() + grace_ms.max(0);
        let done = sqlx::query(
            "UPDATE restaurants SET previous_signing_key = signing_key, previous_valid_until = $1, signing_key = $2 WHERE resto_id = $3",
        )
        .bind(valid_until)
        .bind(self.seal_signing_key(resto_id, &key))
        .bind(resto_id)
        .execute(self.pool())
        .await?;
        self.kept.credentials.forget(resto_id);
        self.kept.restaurants.forget(resto_id);
        Ok((done.rows_affected() == 1).then_some((secret, valid_until)))
    }

    /// Replaces the settings pushed to the POS.
    pub async fn save_settings(&self, resto_id: &str, settings: &SetSettings) -> Result<bool, StoreError> {
        let text = serde_json::to_string(settings).expect("settings serialise");
        let done = sqlx::query("UPDATE restaurants SET settings = $1 WHERE resto_id = $2")
            .bind(text)
            .bind(resto_id)
            .execute(self.pool())
            .await?;
        self.kept.restaurants.forget(resto_id);
        Ok(done.rows_affected() == 1)
    }
}
