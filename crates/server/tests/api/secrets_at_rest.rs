//! Secrets at rest: a dump of the store alone can neither present the admin token nor verify or
//! forge a POS callback signature; a server given another master key refuses to start; a store
//! written before sealing is sealed in place on start.

use crate::helpers::{fresh_storage, Backend, TEST_MASTER_KEY};
use crate::on_both_stores;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use rahunok_protocol::signing::{self, SigningKey};
use rahunok_server::config::MasterKeySource;
use rahunok_server::store::{RestaurantName, Store};
use rahunok_server::{Config, Server, Storage};
use sqlx::Row;

/// Builds a server on `storage` that generates its admin token (kept in `token_dir`).
async fn build(storage: &Storage, token_dir: &std::path::Path, key: &str) -> Result<Server, String> {
    let mut config = Config::new(storage.clone());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.admin_token = None;
    config.admin_token_file = Some(token_dir.join("admin-token"));
    config.master_key = MasterKeySource::Base64(key.into());
    Server::build(config).await.map_err(|e| format!("{e:#}"))
}

/// `secret` is nowhere in the store in clear (nor base64-encoded) and nowhere in the captured
/// `logged` text, which must mention `logged_word` (so the logs were indeed captured).
pub async fn assert_kept_secret(store: &Store, backend: Backend, secret: &str, logged: &str, logged_word: &str) {
    let values = dump(store, backend).await;
    assert!(values.iter().any(|v| v.starts_with("v1:")), "the dump saw the sealed values");
    for value in &values {
        assert!(!value.contains(secret), "the secret is not in the database in clear: {value}");
        let decoded = STANDARD.decode(value.trim().trim_start_matches("v1:")).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&decoded).contains(secret), "nor in base64");
    }
    assert!(logged.contains(logged_word), "the logs were captured");
    assert!(!logged.contains(secret), "the secret is never logged");
}

/// Every value of every table, as text.
pub async fn dump(store: &Store, backend: Backend) -> Vec<String> {
    let tables_sql = match backend {
        Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table'",
        Backend::Postgres => "SELECT CAST(table_name AS TEXT) AS name FROM information_schema.tables WHERE table_schema = current_schema()",
    };
    let tables = sqlx::query(tables_sql).fetch_all(store.pool()).await.unwrap();
    let mut values = Vec::new();
    for table in tables {
        let name: String = table.get("name");
        let rows = sqlx::query(&format!("SELECT * FROM {name}")).fetch_all(store.pool()).await.unwrap();
        for row in rows {
            for i in 0..row.len() {
                if let Ok(Some(text)) = row.try_get::<Option<String>, _>(i) {
                    values.push(text);
                } else if let Ok(Some(number)) = row.try_get::<Option<i64>, _>(i) {
                    values.push(number.to_string());
                }
            }
        }
    }
    values
}

/// Keys someone holding `value` could try: its bytes, and its base64 or hex decoding; each as
/// an HMAC key and (32 bytes) as a derived signing key.
fn forges(value: &str, body: &[u8], genuine: &str) -> bool {
    let mut candidates = vec![value.as_bytes().to_vec()];
    let trimmed = value.trim().trim_start_matches("v1:");
    candidates.extend(STANDARD.decode(trimmed).ok());
    if trimmed.len().is_multiple_of(2) && trimmed.chars().all(|c| c.is_ascii_hexdigit()) {
        candidates
            .push((0..trimmed.len()).step_by(2).map(|i| u8::from_str_radix(&trimmed[i..i + 2], 16).unwrap()).collect());
    }
    candidates.iter().any(|key| {
        let as_hmac = signing::sign(key, body) == genuine;
        let as_derived = <[u8; 32]>::try_from(key.as_slice())
            .map(|bytes| SigningKey::from_bytes(bytes).verify(body, genuine))
            .unwrap_or(false);
        as_hmac || as_derived
    })
}

async fn a_store_dump_holds_neither_the_admin_token_nor_a_signing_key(backend: Backend) {
    let (storage, _data) = fresh_storage(backend).await;
    let token_dir = tempfile::tempdir().unwrap();
    let server = build(&storage, token_dir.path(), TEST_MASTER_KEY).await.unwrap();
    let admin_token = server.generated_admin_token.clone().expect("generated on the first start");
    let store = server.state().store.clone();
    let (restaurant, first_secret) = store.create_restaurant(&RestaurantName::parse("Dumped").unwrap()).await.unwrap();
    let (second_secret, _) = store.rotate_secret(&restaurant.resto_id, 60_000).await.unwrap().unwrap();
    let body = br#"{"rID":"r-1","state":"SUCCESS","tables":[]}"#;
    let genuine: Vec<String> =
        [&first_secret, &second_secret].iter().map(|s| signing::sign(s.as_bytes(), body)).collect();

    let values = dump(&store, backend).await;
    assert!(values.len() > 5, "the dump saw the tables: {values:?}");
    for value in &values {
        assert!(!value.contains(&admin_token), "the admin token is in the store: {value}");
        assert!(!value.contains(&first_secret) && !value.contains(&second_secret), "a secret is stored: {value}");
        for signature in &genuine {
            assert!(!forges(value, body, signature), "a stored value signs callbacks: {value}");
        }
    }
    // The server itself still verifies both keys (the old one in its grace period).
    let credentials = store.credentials(&restaurant.resto_id).await.unwrap().unwrap();
    assert!(credentials.current.verify(body, &genuine[1]));
    assert!(credentials.previous.as_ref().unwrap().verify(body, &genuine[0]));
    // The token's plaintext is only in the 0600 file, for `rahunok admin-token`.
    let file = token_dir.path().join("admin-token");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), admin_token);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
    }
}

async fn a_server_with_another_master_key_refuses_to_start_with_a_clear_message(backend: Backend) {
    let (storage, _data) = fresh_storage(backend).await;
    let token_dir = tempfile::tempdir().unwrap();
    drop(build(&storage, token_dir.path(), TEST_MASTER_KEY).await.unwrap());
    let other_key = rahunok_server::secrets::MasterKey::generate().to_base64();
    let error = build(&storage, token_dir.path(), &other_key).await.err().expect("refused");
    assert!(error.contains("another master key") && error.contains("RAHUNOK_MASTER_KEY"), "{error}");
}

async fn a_store_from_before_sealing_is_sealed_in_place_and_keeps_working(backend: Backend) {
    let (storage, _data) = fresh_storage(backend).await;
    let token_dir = tempfile::tempdir().unwrap();
    let server = build(&storage, token_dir.path(), TEST_MASTER_KEY).await.unwrap();
    let store = server.state().store.clone();
    let (restaurant, secret) = store.create_restaurant(&RestaurantName::parse("Old").unwrap()).await.unwrap();
    // What an older version wrote: the signing key in base64, the admin token in clear.
    let clear_key = STANDARD.encode(SigningKey::derive(&secret).unwrap().to_bytes());
    sqlx::query("UPDATE restaurants SET signing_key = $1 WHERE resto_id = $2")
        .bind(&clear_key)
        .bind(&restaurant.resto_id)
        .execute(store.pool())
        .await
        .unwrap();
    sqlx::query("DELETE FROM server_settings WHERE name = 'admin_token_sha256'").execute(store.pool()).await.unwrap();
    sqlx::query("INSERT INTO server_settings (name, value) VALUES ('admin_token', 'old-clear-admin-token')")
        .execute(store.pool())
        .await
        .unwrap();
    drop(server);

    let restarted = build(&storage, token_dir.path(), TEST_MASTER_KEY).await.unwrap();
    let store = restarted.state().store.clone();
    let values = dump(&store, backend).await;
    assert!(!values.iter().any(|v| v.contains(&clear_key) || v.contains("old-clear-admin-token")), "{values:?}");
    assert!(restarted.state().admin_token.matches("old-clear-admin-token"), "the old token still works");
    let file = std::fs::read_to_string(token_dir.path().join("admin-token")).unwrap();
    assert_eq!(file.trim(), "old-clear-admin-token", "and `rahunok admin-token` shows it");
    let body = b"{}";
    let credentials = store.credentials(&restaurant.resto_id).await.unwrap().unwrap();
    assert!(credentials.current.verify(body, &signing::sign(secret.as_bytes(), body)));
}

on_both_stores!(
    a_store_dump_holds_neither_the_admin_token_nor_a_signing_key,
    a_server_with_another_master_key_refuses_to_start_with_a_clear_message,
    a_store_from_before_sealing_is_sealed_in_place_and_keeps_working,
);
