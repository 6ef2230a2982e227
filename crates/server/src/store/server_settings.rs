//! Server-wide values that must survive restarts (the admin token's hash, sealed secrets,
//! the master key's check value).

use super::{column, Store, StoreError};

impl Store {
    /// A stored server setting.
    pub async fn server_setting(&self, name: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM server_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(self.pool())
            .await?;
        row.map(|r| column(&r, "value")).transpose()
    }

    /// Stores `value` unless the setting exists; returns the value in force.
    pub async fn server_setting_or_insert(&self, name: &str, value: &str) -> Result<String, StoreError> {
        sqlx::query("INSERT INTO server_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(value)
            .execute(self.pool())
            .await?;
        self.server_setting(name).await?.ok_or_else(|| StoreError::Corrupt(format!("setting {name} vanished")))
    }

    /// Removes a server setting.
    pub async fn delete_server_setting(&self, name: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM server_settings WHERE name = $1").bind(name).execute(self.pool()).await?;
        Ok(())
    }
}
