//! Panel users: creating them (the `rahunok user add` command and tests use this), and checking
//! a password at sign-in. Passwords are hashed with argon2id; hashing runs off the async
//! threads because it is deliberately slow.

use crate::store::{now_ms, PanelRole, PanelUser, Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use std::sync::OnceLock;

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest sign-in name.
const MAX_NAME_CHARS: usize = 64;

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// The name is empty, too long or has characters other than letters, digits, `.`, `_`, `-`, `@`.
    #[error("a user name is 1 to {MAX_NAME_CHARS} letters, digits, `.`, `_`, `-` or `@`")]
    BadName,
    /// The password is too short.
    #[error("the password must be at least {MIN_PASSWORD_CHARS} characters")]
    ShortPassword,
    /// The name is taken.
    #[error("a panel user named `{0}` already exists")]
    NameTaken(String),
    /// A restaurant admin for a restaurant that does not exist.
    #[error("no restaurant with RESTO_ID `{0}` (see `rahunok restaurant list`)")]
    UnknownRestaurant(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The stored form of a sign-in name: trimmed and lower case, so `Olena` and `olena` are one user.
pub fn normalize_name(name: &str) -> String {
    name.trim().to_lowercase()
}

fn valid_name(name: &str) -> bool {
    let count = name.chars().count();
    (1..=MAX_NAME_CHARS).contains(&count)
        && name.chars().all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// An argon2id hash of `password` in PHC string form.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes make a valid salt");
    Argon2::default().hash_password(password.as_bytes(), &salt).expect("argon2 accepts any password").to_string()
}

/// Whether `password` matches the stored hash.
pub fn password_matches(password: &str, stored_hash: &str) -> bool {
    match PasswordHash::new(stored_hash) {
        Ok(hash) => Argon2::default().verify_password(password.as_bytes(), &hash).is_ok(),
        Err(_) => false,
    }
}

/// Spends as long as checking a real password, so a sign-in with an unknown name takes as long
/// as one with a known name.
pub fn check_against_nobody(password: &str) {
    static NOBODY: OnceLock<String> = OnceLock::new();
    let hash = NOBODY.get_or_init(|| hash_password("nobody has this password"));
    let _ = password_matches(password, hash);
}

/// Creates a panel user.
pub async fn create_user(store: &Store, name: &str, password: &str, role: PanelRole) -> Result<PanelUser, UserError> {
    let name = normalize_name(name);
    if !valid_name(&name) {
        return Err(UserError::BadName);
    }
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::ShortPassword);
    }
    if let Some(resto_id) = role.own_restaurant() {
        if store.restaurant(resto_id).await?.is_none() {
            return Err(UserError::UnknownRestaurant(resto_id.to_string()));
        }
    }
    let password = password.to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&password)).await.expect("hashing does not panic");
    let user = PanelUser { name: name.clone(), role };
    if !store.insert_panel_user(&user, &hash, now_ms()).await? {
        return Err(UserError::NameTaken(name));
    }
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_matches_only_its_own_hash() {
        let hash = hash_password("correct horse battery");
        assert!(hash.starts_with("$argon2id$"));
        assert!(password_matches("correct horse battery", &hash));
        assert!(!password_matches("correct horse battery!", &hash));
        assert!(!password_matches("correct horse battery", "not a hash"));
    }

    #[test]
    fn names_are_case_insensitive_and_plain() {
        assert_eq!(normalize_name("  Olena "), "olena");
        assert!(valid_name("olena.k@cafe"));
        assert!(valid_name("олена"));
        assert!(!valid_name("olena k"));
        assert!(!valid_name(""));
    }
}
