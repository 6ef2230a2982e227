//! What a restaurant offers its guests beyond the bill: the tip presets, whether a guest may
//! split the bill, the time zone guests read times in, and where to leave a review. Set by the restaurant in the admin
//! panel, read by the guest pages.

use super::{column, now_ms, Store, StoreError};
use serde::Serialize;

/// The guest-facing choices of one restaurant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GuestSettings {
    /// Tip presets, in percent of the bill, in the order shown (at most [`GuestSettings::MAX_TIPS`]).
    pub tip_percents: Vec<u32>,
    /// Whether guests may split the bill (when the POS offers `splitAvailable`).
    pub split_enabled: bool,
    /// The restaurant's IANA time zone (`Europe/Kyiv`): receipts and every guest time use it.
    pub time_zone: String,
    /// Where a guest who paid may leave a review (an http(s) URL), shown on the receipt.
    pub review_url: Option<String>,
    /// Whether guests may order from the menu at the table (when the POS implements
    /// `ORDER_ON_TABLE`); off until the restaurant switches it on.
    pub ordering_enabled: bool,
}

impl GuestSettings {
    /// The most tip presets a restaurant may offer.
    pub const MAX_TIPS: usize = 6;
    /// The largest tip preset, in percent.
    pub const MAX_TIP_PERCENT: u32 = 100;
    /// The time zone of a restaurant that has not chosen one.
    pub const DEFAULT_TIME_ZONE: &'static str = "Europe/Kyiv";
}

impl Default for GuestSettings {
    /// 5, 10 and 15 percent; splitting allowed; Kyiv time; no ordering from the menu.
    fn default() -> GuestSettings {
        GuestSettings {
            tip_percents: vec![5, 10, 15],
            split_enabled: true,
            time_zone: GuestSettings::DEFAULT_TIME_ZONE.to_string(),
            review_url: None,
            ordering_enabled: false,
        }
    }
}

fn percents_to_text(percents: &[u32]) -> String {
    percents.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
}

fn percents_from_text(text: &str) -> Result<Vec<u32>, StoreError> {
    text.split(',')
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().map_err(|_| StoreError::Corrupt(format!("tip percents `{text}`"))))
        .collect()
}

impl Store {
    /// The restaurant's guest settings; the defaults until the restaurant saves its own.
    pub async fn guest_settings(&self, resto_id: &str) -> Result<GuestSettings, StoreError> {
        if let Some(kept) = self.kept.guest_settings.get(resto_id) {
            return Ok(kept);
        }
        let started = self.kept.guest_settings.read_starts();
        let settings = self.read_guest_settings(resto_id).await?;
        self.kept.guest_settings.keep(resto_id, settings.clone(), started);
        Ok(settings)
    }

    async fn read_guest_settings(&self, resto_id: &str) -> Result<GuestSettings, StoreError> {
        let row = sqlx::query(
            "SELECT tip_percents, split_enabled, time_zone, review_url, ordering_enabled FROM guest_settings \
             WHERE resto_id = $1",
        )
        .bind(resto_id)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(GuestSettings::default()) };
        Ok(GuestSettings {
            tip_percents: percents_from_text(&column::<String>(&row, "tip_percents")?)?,
            split_enabled: column::<i64>(&row, "split_enabled")? != 0,
            time_zone: column::<Option<String>>(&row, "time_zone")?
                .filter(|zone| !zone.is_empty())
                .unwrap_or_else(|| GuestSettings::DEFAULT_TIME_ZONE.to_string()),
            review_url: column::<Option<String>>(&row, "review_url")?.filter(|url| !url.is_empty()),
            ordering_enabled: column::<Option<i64>>(&row, "ordering_enabled")?.unwrap_or(0) != 0,
        })
    }

    /// Replaces the restaurant's guest settings.
    pub async fn save_guest_settings(&self, resto_id: &str, settings: &GuestSettings) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO guest_settings (resto_id, tip_percents, split_enabled, time_zone, review_url, ordering_enabled, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (resto_id) DO UPDATE SET \
             tip_percents = excluded.tip_percents, split_enabled = excluded.split_enabled, \
             time_zone = excluded.time_zone, review_url = excluded.review_url, \
             ordering_enabled = excluded.ordering_enabled, updated_at = excluded.updated_at",
        )
        .bind(resto_id)
        .bind(percents_to_text(&settings.tip_percents))
        .bind(i64::from(settings.split_enabled))
        .bind(&settings.time_zone)
        .bind(settings.review_url.clone())
        .bind(i64::from(settings.ordering_enabled))
        .bind(now_ms())
        .execute(self.pool())
        .await?;
        self.kept.guest_settings.forget(resto_id);
        Ok(())
    }
}
