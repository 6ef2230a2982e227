//! Who may sign in to the admin panel: users with argon2 password hashes and a role, their
//! browser sessions (only a hash of each session token is kept, so a copy of the database
//! signs nobody in), and the failed-sign-in counters behind the lockout.
//!
//! The counters live in the store, not in memory, so a lockout holds on every node of a
//! cluster and across restarts.

use super::{column, Store, StoreError};
use serde::Serialize;
use sqlx::any::AnyRow;

/// What a panel user may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "role", rename_all = "kebab-case")]
pub enum PanelRole {
    /// Runs the platform: every restaurant, creating restaurants, issuing credentials.
    Operator,
    /// Runs one restaurant and sees only it.
    #[serde(rename_all = "camelCase")]
    RestaurantAdmin {
        /// The restaurant.
        resto_id: String,
    },
}

impl PanelRole {
    /// The role's name as stored and as typed on the command line.
    pub fn code(&self) -> &'static str {
        match self {
            PanelRole::Operator => "operator",
            PanelRole::RestaurantAdmin { .. } => "restaurant-admin",
        }
    }

    /// Whether this role may see and change `resto_id`.
    pub fn may_manage(&self, resto_id: &str) -> bool {
        match self {
            PanelRole::Operator => true,
            PanelRole::RestaurantAdmin { resto_id: own } => own == resto_id,
        }
    }

    /// The one restaurant of a restaurant admin.
    pub fn own_restaurant(&self) -> Option<&str> {
        match self {
            PanelRole::Operator => None,
            PanelRole::RestaurantAdmin { resto_id } => Some(resto_id),
        }
    }

    fn from_columns(code: &str, resto_id: Option<String>) -> Result<PanelRole, StoreError> {
        match (code, resto_id) {
            ("operator", _) => Ok(PanelRole::Operator),
            ("restaurant-admin", Some(resto_id)) => Ok(PanelRole::RestaurantAdmin { resto_id }),
            (other, _) => Err(StoreError::Corrupt(format!("panel user role `{other}`"))),
        }
    }
}

/// A panel user (without the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PanelUser {
    /// The sign-in name (lower case).
    pub name: String,
    /// What the user may do.
    #[serde(flatten)]
    pub role: PanelRole,
}

/// A panel user as the users page lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedPanelUser {
    /// The user.
    pub user: PanelUser,
    /// Whether the user may sign in (a deactivated user may not, and has no session).
    pub active: bool,
    /// When the user was added, unix ms.
    pub created_at: i64,
}

/// A panel user with the stored password hash, for checking a sign-in.
#[derive(Debug, Clone)]
pub struct PanelUserCredentials {
    /// The user.
    pub user: PanelUser,
    /// The argon2 hash in PHC string form.
    pub password_hash: String,
}

fn user_from(row: &AnyRow) -> Result<PanelUser, StoreError> {
    let role: String = column(row, "role")?;
    Ok(PanelUser { name: column(row, "name")?, role: PanelRole::from_columns(&role, column(row, "resto_id")?)? })
}

impl Store {
    /// Adds a user; false when the name is taken.
    pub async fn insert_panel_user(&self, user: &PanelUser, password_hash: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO panel_users (name, password_hash, role, resto_id, created_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(&user.name)
        .bind(password_hash)
        .bind(user.role.code())
        .bind(user.role.own_restaurant().map(str::to_string))
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// A user and their password hash, by sign-in name.
    pub async fn panel_user_credentials(&self, name: &str) -> Result<Option<PanelUserCredentials>, StoreError> {
        let row = sqlx::query(
            "SELECT name, password_hash, role, resto_id FROM panel_users WHERE name = $1 AND deactivated_at IS NULL",
        )
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        Ok(Some(PanelUserCredentials { user: user_from(&row)?, password_hash: column(&row, "password_hash")? }))
    }

    /// Every panel user, by name.
    pub async fn panel_users(&self) -> Result<Vec<PanelUser>, StoreError> {
        let rows =
            sqlx::query("SELECT name, role, resto_id FROM panel_users ORDER BY name").fetch_all(self.pool()).await?;
        rows.iter().map(user_from).collect()
    }

    /// Every panel user with their state, by name; only the users of `resto_id` when given.
    pub async fn listed_panel_users(&self, resto_id: Option<&str>) -> Result<Vec<ListedPanelUser>, StoreError> {
        let rows = sqlx::query(
            "SELECT name, role, resto_id, deactivated_at, created_at FROM panel_users \
             WHERE $1 IS NULL OR resto_id = $1 ORDER BY name",
        )
        .bind(resto_id.map(str::to_string))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ListedPanelUser {
                    user: user_from(row)?,
                    active: column::<Option<i64>>(row, "deactivated_at")?.is_none(),
                    created_at: column(row, "created_at")?,
                })
            })
            .collect()
    }

    /// Deactivates (`active` false) or reactivates a user; a deactivated user's sessions end at
    /// once. False when there is no such user.
    pub async fn set_panel_user_active(&self, name: &str, active: bool, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE panel_users SET deactivated_at = $1 WHERE name = $2")
            .bind((!active).then_some(now))
            .bind(name)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM panel_sessions WHERE user_name = $1").bind(name).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces a user's password hash and ends their sessions (whoever had the old password is
    /// signed out). False when there is no such user.
    pub async fn set_panel_user_password(&self, name: &str, password_hash: &str) -> Result<bool, StoreError> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query("UPDATE panel_users SET password_hash = $1 WHERE name = $2")
            .bind(password_hash)
            .bind(name)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM panel_sessions WHERE user_name = $1").bind(name).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives a user another role (their sessions stay; the next page they open uses the new
    /// role). False when there is no such user.
    pub async fn set_panel_user_role(&self, name: &str, role: &PanelRole) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE panel_users SET role = $1, resto_id = $2 WHERE name = $3")
            .bind(role.code())
            .bind(role.own_restaurant().map(str::to_string))
            .bind(name)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many operators can sign in.
    pub async fn active_operator_count(&self) -> Result<i64, StoreError> {
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM panel_users WHERE role = 'operator' AND deactivated_at IS NULL")
                .fetch_one(self.pool())
                .await?;
        column(&row, "n")
    }

    /// Whether anybody can sign in to the panel yet.
    pub async fn has_panel_users(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM panel_users").fetch_one(self.pool()).await?;
        Ok(column::<i64>(&row, "n")? > 0)
    }

    /// Records a new session (by the hash of its token) and drops expired ones.
    pub async fn insert_panel_session(
        &self,
        token_hash: &str,
        user_name: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM panel_sessions WHERE expires_at < $1").bind(now).execute(self.pool()).await?;
        sqlx::query(
            "INSERT INTO panel_sessions (token_hash, user_name, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash)
        .bind(user_name)
        .bind(now)
        .bind(expires_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The user of an unexpired session.
    pub async fn panel_session_user(&self, token_hash: &str, now: i64) -> Result<Option<PanelUser>, StoreError> {
        let row = sqlx::query(
            "SELECT u.name AS name, u.role AS role, u.resto_id AS resto_id FROM panel_sessions s \
             JOIN panel_users u ON u.name = s.user_name \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.deactivated_at IS NULL",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(user_from).transpose()
    }

    /// Ends a session.
    pub async fn delete_panel_session(&self, token_hash: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM panel_sessions WHERE token_hash = $1").bind(token_hash).execute(self.pool()).await?;
        Ok(())
    }
}
