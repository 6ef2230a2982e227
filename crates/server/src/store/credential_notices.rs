//! Credentials shown once, after the POST that issued them.
//!
//! Why this exists: creating a restaurant (or rotating its secret) in the panel is a form POST,
//! and the secret may be shown only once — the store keeps nothing it could be shown from
//! again. Answering the POST with the secret made a refresh repeat the POST and create a second
//! restaurant. Instead the new secret is kept here, sealed with the master key, for a few
//! minutes under a random id; the POST redirects to a page that takes it (and deletes it) and
//! shows it to the user who issued it. A refresh repeats that GET and finds it gone. Being in
//! the store, it works whichever node of a cluster serves the redirect.

use super::{column, now_ms, Store, StoreError};
use rand::distributions::{Alphanumeric, DistString};

/// How long an issued secret waits to be shown.
const KEPT_FOR_MS: i64 = 10 * 60 * 1000;

/// A secret waiting to be shown once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialNotice {
    /// The restaurant it belongs to.
    pub resto_id: String,
    /// The new secret.
    pub secret: String,
    /// Until when the previous secret still works (after a rotation), unix ms.
    pub previous_valid_until: Option<i64>,
}

fn context(id: &str) -> String {
    format!("credential_notices.secret:{id}")
}

impl Store {
    /// Keeps `notice` for `user` to see once; the id to show it by.
    pub async fn keep_credential_notice(&self, user: &str, notice: &CredentialNotice) -> Result<String, StoreError> {
        let id = Alphanumeric.sample_string(&mut rand::thread_rng(), 32);
        let now = now_ms();
        sqlx::query("DELETE FROM credential_notices WHERE created_at < $1")
            .bind(now - KEPT_FOR_MS)
            .execute(self.pool())
            .await?;
        sqlx::query(
            "INSERT INTO credential_notices (id, resto_id, shown_to, secret_sealed, previous_valid_until, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(&notice.resto_id)
        .bind(user)
        .bind(self.master_key.seal(notice.secret.as_bytes(), &context(&id)))
        .bind(notice.previous_valid_until)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(id)
    }

    /// Takes the notice `id` of `resto_id` kept for `user`: `None` when it was shown already,
    /// expired, or is someone else's. Of two concurrent takes only one gets it.
    pub async fn take_credential_notice(
        &self,
        id: &str,
        resto_id: &str,
        user: &str,
    ) -> Result<Option<CredentialNotice>, StoreError> {
        let row = sqlx::query(
            "SELECT secret_sealed, previous_valid_until, created_at FROM credential_notices \
             WHERE id = $1 AND resto_id = $2 AND shown_to = $3",
        )
        .bind(id)
        .bind(resto_id)
        .bind(user)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        let deleted = sqlx::query("DELETE FROM credential_notices WHERE id = $1").bind(id).execute(self.pool()).await?;
        if deleted.rows_affected() != 1 || column::<i64>(&row, "created_at")? < now_ms() - KEPT_FOR_MS {
            return Ok(None);
        }
        let sealed: String = column(&row, "secret_sealed")?;
        let secret = String::from_utf8(self.master_key.open(&sealed, &context(id))?)
            .map_err(|_| StoreError::Corrupt("a kept secret is not text".into()))?;
        Ok(Some(CredentialNotice {
            resto_id: resto_id.to_string(),
            secret,
            previous_valid_until: column(&row, "previous_valid_until")?,
        }))
    }
}
