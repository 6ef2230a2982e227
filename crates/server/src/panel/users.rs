//! Panel users: creating them (the `rahunok user add` command and tests use this), and checking
//! a password at sign-in. Passwords are hashed with argon2id; hashing runs off the async
//! threads because it is deliberately slow.

use crate::store::{now_ms, PanelRole, PanelUser, Store, StoreError};
use crate::web::Lang;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::RngCore;
use std::sync::OnceLock;

/// The shortest password accepted: the password policy, once. [`check_password`] enforces it
/// and [`password_rule`] states it, for the panel's forms and messages and the CLI's prompt.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// The longest sign-in name.
pub const MAX_NAME_CHARS: usize = 64;

/// Why a user could not be created.
#[derive(Debug, thiserror::Error)]
pub enum UserError {
    /// The name is empty, too long or has characters other than letters, digits, `.`, `_`, `-`, `@`.
    #[error("a user name is 1 to {MAX_NAME_CHARS} letters, digits, `.`, `_`, `-` or `@`")]
    BadName,
    /// The password is too short.
    #[error("the password must be {}", password_rule(Lang::En))]
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

/// Refuses a new password the policy does not allow ([`MIN_PASSWORD_CHARS`]).
pub fn check_password(password: &str) -> Result<(), UserError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(UserError::ShortPassword);
    }
    Ok(())
}

/// The password policy in words: `щонайменше 10 символів`, `at least 10 characters`.
pub fn password_rule(lang: Lang) -> String {
    match lang {
        Lang::Uk => format!("щонайменше {MIN_PASSWORD_CHARS} символів"),
        Lang::En => format!("at least {MIN_PASSWORD_CHARS} characters"),
    }
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

/// [`hash_password`] on a blocking thread, away from the async ones (it is deliberately slow).
pub async fn hash_password_off_thread(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password)).await.expect("hashing does not panic")
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
    check_password(password)?;
    if let Some(resto_id) = role.own_restaurant() {
        if store.restaurant(resto_id).await?.is_none() {
            return Err(UserError::UnknownRestaurant(resto_id.to_string()));
        }
    }
    let hash = hash_password_off_thread(password.to_string()).await;
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
    fn a_password_is_accepted_from_the_minimum_count_of_characters_on() {
        // Characters, not bytes: a Cyrillic letter is two bytes in UTF-8.
        let short = "п".repeat(MIN_PASSWORD_CHARS - 1);
        assert!(matches!(check_password(&short), Err(UserError::ShortPassword)));
        assert!(check_password(&"п".repeat(MIN_PASSWORD_CHARS)).is_ok());
    }

    #[test]
    fn every_text_of_the_password_policy_states_its_minimum() {
        assert_eq!(password_rule(Lang::Uk), format!("щонайменше {MIN_PASSWORD_CHARS} символів"));
        assert_eq!(password_rule(Lang::En), format!("at least {MIN_PASSWORD_CHARS} characters"));
        assert_eq!(
            UserError::ShortPassword.to_string(),
            format!("the password must be at least {MIN_PASSWORD_CHARS} characters")
        );
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
