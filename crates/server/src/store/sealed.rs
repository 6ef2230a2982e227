//! Sealed values in the store: restaurants' signing keys and secret server settings are written
//! only sealed with the master key ([`crate::secrets`]), and a check value tells at start
//! whether the key in hand is the one the store was sealed with.
//!
//! Why here: every read and write of a secret column goes through these few functions, so no
//! query can store one in clear by accident; stores written before sealing existed are sealed
//! in place on the first start with a key (the "migration" SQL alone cannot do: it has no key).

use super::{column, Store, StoreError};
use crate::secrets::{MasterKey, SecretsError};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rahunok_protocol::signing::SigningKey;

/// The server setting holding a sealed check value.
const CHECK_SETTING: &str = "master_key_check";
/// What the check value holds.
const CHECK_TEXT: &[u8] = b"rahunok master key check";

/// Server settings that are secrets (sealed under `server_settings.<name>`).
pub const SECRET_SETTINGS: &[&str] = &["sandbox_secret"];

/// Where a restaurant's keys are sealed (both its current and its previous key column, so a
/// rotation can move the sealed value from one to the other).
fn key_context(resto_id: &str) -> String {
    format!("restaurants.signing_key:{resto_id}")
}

fn setting_context(name: &str) -> String {
    format!("server_settings.{name}")
}

impl Store {
    /// A restaurant's signing key, sealed for its row.
    pub(super) fn seal_signing_key(&self, resto_id: &str, key: &SigningKey) -> String {
        self.master_key.seal(&key.to_bytes(), &key_context(resto_id))
    }

    /// Opens a restaurant's stored signing key.
    pub(super) fn open_signing_key(&self, resto_id: &str, stored: &str) -> Result<SigningKey, StoreError> {
        let bytes = self.master_key.open(stored, &key_context(resto_id))?;
        let array: [u8; 32] = bytes.try_into().map_err(|_| StoreError::Corrupt("signing key length".into()))?;
        Ok(SigningKey::from_bytes(array))
    }

    /// A secret server setting, opened; stores `fresh` (sealed) when there is none yet.
    pub async fn secret_setting_or_insert(&self, name: &str, fresh: &str) -> Result<String, StoreError> {
        let sealed = self.master_key.seal(fresh.as_bytes(), &setting_context(name));
        let stored = self.server_setting_or_insert(name, &sealed).await?;
        let opened = self.master_key.open(&stored, &setting_context(name))?;
        String::from_utf8(opened).map_err(|_| StoreError::Corrupt(format!("setting {name} is not text")))
    }

    /// Refuses a master key that did not seal this store (writing the check value on a store
    /// that has none).
    pub(super) async fn check_master_key(&self) -> Result<(), StoreError> {
        let context = setting_context(CHECK_SETTING);
        let fresh = self.master_key.seal(CHECK_TEXT, &context);
        let stored = self.server_setting_or_insert(CHECK_SETTING, &fresh).await?;
        match self.master_key.open(&stored, &context) {
            Ok(text) if text == CHECK_TEXT => Ok(()),
            _ => Err(StoreError::Secrets(SecretsError::WrongKey(
                "this store was sealed with another master key; give this server the same key as the \
                 others (RAHUNOK_MASTER_KEY, or the master.key file of the data directory that created the store)"
                    .into(),
            ))),
        }
    }

    /// Seals values a store written before sealing keeps in clear.
    pub(super) async fn seal_clear_secrets(&self) -> Result<(), StoreError> {
        let rows = sqlx::query("SELECT resto_id, signing_key, previous_signing_key FROM restaurants")
            .fetch_all(self.pool())
            .await?;
        for row in rows {
            let resto_id: String = column(&row, "resto_id")?;
            for name in ["signing_key", "previous_signing_key"] {
                let Some(text) = column::<Option<String>>(&row, name)? else { continue };
                if MasterKey::is_sealed(&text) {
                    continue;
                }
                let bytes = STANDARD.decode(&text).map_err(|e| StoreError::Corrupt(format!("{name}: {e}")))?;
                let array: [u8; 32] = bytes.try_into().map_err(|_| StoreError::Corrupt(format!("{name} length")))?;
                let sealed = self.seal_signing_key(&resto_id, &SigningKey::from_bytes(array));
                let sql = format!("UPDATE restaurants SET {name} = $1 WHERE resto_id = $2 AND {name} = $3");
                sqlx::query(&sql).bind(sealed).bind(&resto_id).bind(&text).execute(self.pool()).await?;
            }
        }
        for name in SECRET_SETTINGS {
            let Some(text) = self.server_setting(name).await? else { continue };
            if !MasterKey::is_sealed(&text) {
                let sealed = self.master_key.seal(text.as_bytes(), &setting_context(name));
                sqlx::query("UPDATE server_settings SET value = $1 WHERE name = $2 AND value = $3")
                    .bind(sealed)
                    .bind(name)
                    .bind(&text)
                    .execute(self.pool())
                    .await?;
            }
        }
        Ok(())
    }
}
