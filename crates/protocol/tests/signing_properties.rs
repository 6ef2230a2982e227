//! Callback signatures (spec section 4): `base64(HMAC-SHA256(key = SECRET_KEY, message = the
//! exact raw body bytes))`, checked in constant time, never over a re-serialised body.

use proptest::prelude::*;
use rahunok_protocol::signing::{generate_secret, sign, verify, SecretTooShort, SigningKey};

/// The tablesInfo callback body of the seed documentation ("Підключення за допомогою Postman").
const SEED_TABLES_BODY: &str = r#"{"rID": "2022-11-18 13:20:58.329551967#IRuFbD3", "tables": [{"id": "xxx", "name": "у камина", "number": 12, "hallplanId": "Зала 1"}]}"#;

/// A secret longer than the 64-byte HMAC block, as we issue them.
fn long_secret() -> String {
    format!("{}-rahunok-test-secret", "K".repeat(65))
}

#[test]
fn signature_matches_the_expirenza_postman_script_for_the_seed_body() {
    // python3: base64.b64encode(hmac.new(b"SECRET_KEY", body, hashlib.sha256).digest())
    // = CryptoJS.HmacSHA256(body, "SECRET_KEY").toString(CryptoJS.enc.Base64)
    let expected = "2/sXEgvfY4SNnjmQrXi/1FS1qsnyj4Iyw81bHWe7Mj8=";
    assert_eq!(sign(b"SECRET_KEY", SEED_TABLES_BODY.as_bytes()), expected);
    assert!(verify(b"SECRET_KEY", SEED_TABLES_BODY.as_bytes(), expected));
}

#[test]
fn signature_of_rfc4231_test_case_2_is_the_published_digest() {
    // RFC 4231, 4.3: key "Jefe", data "what do ya want for nothing?",
    // HMAC-SHA-256 = 5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843.
    assert_eq!(sign(b"Jefe", b"what do ya want for nothing?"), "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

#[test]
fn signature_with_a_long_secret_matches_python_hmac() {
    // python3: hmac.new(b"K"*65 + b"-rahunok-test-secret", body, hashlib.sha256)
    let expected = "EJzeQIJBbRrqLS3YtUU+qNXHizEQXnjnkGegYwjNr9c=";
    let secret = long_secret();
    assert_eq!(sign(secret.as_bytes(), SEED_TABLES_BODY.as_bytes()), expected);
    let key = SigningKey::derive(&secret).unwrap();
    assert!(key.verify(SEED_TABLES_BODY.as_bytes(), expected));
    assert_eq!(key.sign(SEED_TABLES_BODY.as_bytes()), expected);
}

#[test]
fn signature_of_an_empty_body_is_still_a_valid_hmac() {
    // python3: hmac.new(b"SECRET_KEY", b"", hashlib.sha256)
    assert_eq!(sign(b"SECRET_KEY", b""), "B/z2tFapT0NEnL++LcluGA9CaCYFZB5lnv+7aUD62mM=");
}

#[test]
fn reserialised_seed_body_fails_verification() {
    let signature = sign(b"SECRET_KEY", SEED_TABLES_BODY.as_bytes());
    let value: serde_json::Value = serde_json::from_str(SEED_TABLES_BODY).unwrap();
    let compact = serde_json::to_vec(&value).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    assert_ne!(compact, SEED_TABLES_BODY.as_bytes(), "the test needs a different byte sequence");
    assert!(!verify(b"SECRET_KEY", &compact, &signature));
    assert!(!verify(b"SECRET_KEY", &pretty, &signature));
}

#[test]
fn same_json_with_another_key_order_fails_verification() {
    let body = br#"{"rID":"r1","tables":[]}"#;
    let reordered = br#"{"tables":[],"rID":"r1"}"#;
    let signature = sign(b"SECRET_KEY", body);
    assert!(verify(b"SECRET_KEY", body, &signature));
    assert!(!verify(b"SECRET_KEY", reordered, &signature));
}

#[test]
fn malformed_or_truncated_signatures_fail_verification() {
    let body = SEED_TABLES_BODY.as_bytes();
    let good = sign(b"SECRET_KEY", body);
    assert!(verify(b"SECRET_KEY", body, &format!(" {good}\n")), "surrounding whitespace is tolerated");
    for bad in [
        String::new(),
        "not base64!".to_string(),
        good[..good.len() - 4].to_string(),
        good.trim_end_matches('=').to_string() + "A=",
        format!("{good}{good}"),
        hex_of(&good),
    ] {
        assert!(!verify(b"SECRET_KEY", body, &bad), "{bad:?} must not verify");
    }
}

/// The signature as lowercase hex instead of base64 (a common client mistake).
fn hex_of(base64_signature: &str) -> String {
    use std::fmt::Write;
    let bytes = decode_base64(base64_signature);
    bytes.iter().fold(String::new(), |mut s, b| {
        write!(s, "{b:02x}").unwrap();
        s
    })
}

/// A tiny standard-alphabet base64 decoder, so the test does not trust the code under test.
fn decode_base64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|&c| c != b'=') {
        let value = ALPHABET.iter().position(|&a| a == c).expect("base64 character") as u32;
        bits = (bits << 6) | value;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
            bits &= (1 << count) - 1;
        }
    }
    out
}

#[test]
fn signature_is_base64_of_a_32_byte_digest() {
    let signature = sign(b"SECRET_KEY", SEED_TABLES_BODY.as_bytes());
    assert_eq!(signature.len(), 44);
    assert!(signature.ends_with('='));
    assert_eq!(decode_base64(&signature).len(), 32);
}

#[test]
fn signing_key_derive_refuses_secrets_of_64_bytes_or_less() {
    for len in [0usize, 1, 32, 63, 64] {
        let secret = "s".repeat(len);
        assert_eq!(SigningKey::derive(&secret), Err(SecretTooShort(len)), "{len} bytes");
    }
    assert!(SigningKey::derive(&"s".repeat(65)).is_ok(), "65 bytes is long enough");
    // Length is counted in bytes: 33 two-byte letters are 66 bytes.
    assert!(SigningKey::derive(&"ї".repeat(33)).is_ok());
    assert_eq!(SigningKey::derive(&"ї".repeat(32)), Err(SecretTooShort(64)));
}

#[test]
fn generated_secrets_are_long_enough_to_derive_and_distinct() {
    let a = generate_secret();
    let b = generate_secret();
    assert_ne!(a, b);
    assert!(a.len() > 64);
    assert!(a.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_'), "{a} is base64url");
    let key = SigningKey::derive(&a).unwrap();
    let body = br#"{"rID":"x","tables":[]}"#;
    assert!(key.verify(body, &sign(a.as_bytes(), body)));
    assert!(!key.verify(body, &sign(b.as_bytes(), body)));
}

#[test]
fn signing_key_survives_storage_as_32_bytes() {
    let secret = long_secret();
    let key = SigningKey::derive(&secret).unwrap();
    let restored = SigningKey::from_bytes(key.to_bytes());
    assert_eq!(restored, key);
    let body = SEED_TABLES_BODY.as_bytes();
    assert!(restored.verify(body, &sign(secret.as_bytes(), body)));
    assert!(restored.matches_secret(&secret));
}

#[test]
fn signing_key_debug_does_not_leak_the_key() {
    let key = SigningKey::derive(&long_secret()).unwrap();
    assert_eq!(format!("{key:?}"), "SigningKey(..)");
}

fn long_secret_strategy() -> impl Strategy<Value = String> {
    // Printable ASCII and Ukrainian letters; at least 65 characters, so more than 64 bytes.
    "[ -~іїєґА-Яа-я]{65,160}"
}

proptest! {
    #[test]
    fn sign_then_verify_succeeds_for_any_body_and_key(
        key in proptest::collection::vec(any::<u8>(), 0..200),
        body in proptest::collection::vec(any::<u8>(), 0..2000),
    ) {
        let signature = sign(&key, &body);
        prop_assert!(verify(&key, &body, &signature));
    }

    #[test]
    fn tampered_body_fails_verification(
        key in proptest::collection::vec(any::<u8>(), 1..100),
        body in proptest::collection::vec(any::<u8>(), 1..2000),
        position in any::<proptest::sample::Index>(),
        flip in 1u8..=255,
    ) {
        let signature = sign(&key, &body);
        let mut tampered = body.clone();
        let at = position.index(tampered.len());
        tampered[at] ^= flip;
        prop_assert!(!verify(&key, &tampered, &signature));
    }

    #[test]
    fn appended_or_dropped_bytes_fail_verification(
        key in proptest::collection::vec(any::<u8>(), 1..100),
        body in proptest::collection::vec(any::<u8>(), 1..500),
        extra in any::<u8>(),
    ) {
        let signature = sign(&key, &body);
        let mut longer = body.clone();
        longer.push(extra);
        prop_assert!(!verify(&key, &longer, &signature));
        prop_assert!(!verify(&key, &body[..body.len() - 1], &signature));
    }

    #[test]
    fn signature_made_with_a_different_key_fails_verification(
        key in proptest::collection::vec(any::<u8>(), 1..100),
        other in proptest::collection::vec(any::<u8>(), 1..100),
        body in proptest::collection::vec(any::<u8>(), 0..500),
    ) {
        // HMAC pads short keys with zeros, so `k` and `k\0` are the same key: compare padded.
        let trimmed = |k: &[u8]| k.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
        prop_assume!(key[..trimmed(&key)] != other[..trimmed(&other)]);
        prop_assert!(!verify(&other, &body, &sign(&key, &body)));
    }

    #[test]
    fn reserialised_json_body_fails_verification(
        rid in "[A-Za-z0-9#:. -]{1,40}",
        number in 0i64..10_000,
        name in "\\PC{0,20}",
    ) {
        let body = serde_json::to_vec(&serde_json::json!({"rID": rid, "tables": [{"id": "t", "name": name, "number": number}]})).unwrap();
        let signature = sign(b"SECRET_KEY", &body);
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let pretty = serde_json::to_vec_pretty(&value).unwrap();
        prop_assert!(verify(b"SECRET_KEY", &body, &signature));
        prop_assert!(!verify(b"SECRET_KEY", &pretty, &signature));
    }

    #[test]
    fn derived_key_verifies_what_the_pos_signs_with_the_secret(
        secret in long_secret_strategy(),
        body in proptest::collection::vec(any::<u8>(), 0..1000),
    ) {
        let key = SigningKey::derive(&secret).unwrap();
        let signature = sign(secret.as_bytes(), &body);
        prop_assert!(key.verify(&body, &signature));
        prop_assert_eq!(key.sign(&body), signature.clone());
        // The derived key is HMAC's own effective key for a long secret.
        prop_assert_eq!(sign(&key.to_bytes(), &body), signature);
    }

    #[test]
    fn derived_key_refuses_signatures_made_with_another_secret(
        secret in long_secret_strategy(),
        other in long_secret_strategy(),
        body in proptest::collection::vec(any::<u8>(), 0..500),
    ) {
        prop_assume!(secret != other);
        let key = SigningKey::derive(&secret).unwrap();
        prop_assert!(!key.verify(&body, &sign(other.as_bytes(), &body)));
    }

    #[test]
    fn matches_secret_only_for_the_right_secret(
        secret in long_secret_strategy(),
        other in "\\PC{0,160}",
    ) {
        let key = SigningKey::derive(&secret).unwrap();
        prop_assert!(key.matches_secret(&secret));
        prop_assume!(other != secret);
        prop_assert!(!key.matches_secret(&other));
    }

    #[test]
    fn matches_secret_refuses_a_secret_differing_in_one_character(
        secret in "[A-Za-z0-9_-]{86}",
        position in 0usize..86,
    ) {
        let key = SigningKey::derive(&secret).unwrap();
        let mut bytes = secret.clone().into_bytes();
        bytes[position] = if bytes[position] == b'A' { b'B' } else { b'A' };
        let changed = String::from_utf8(bytes).unwrap();
        prop_assert!(!key.matches_secret(&changed));
        // Presenting the stored digest itself instead of the secret must not work either.
        let digest_as_text: String = key.to_bytes().iter().map(|b| format!("{b:02x}")).collect();
        prop_assert!(!key.matches_secret(&digest_as_text));
    }
}
