//! Callback signatures: `base64(HMAC-SHA256(key = SECRET_KEY, message = raw body bytes))`.
//!
//! Why this exists: both sides must compute the signature over the exact bytes sent (never a
//! re-serialised body) and compare it in constant time.
//!
//! Secrets we issue are longer than SHA-256's 64-byte block, so by the HMAC definition
//! (RFC 2104) the effective key is `SHA-256(SECRET_KEY)`. That digest — a [`SigningKey`] — is all
//! the server stores: it verifies signatures and Basic credentials without keeping the secret.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// The SHA-256 block size: secrets longer than this are hashed by HMAC itself.
const BLOCK_SIZE: usize = 64;

/// Signs `body` with the restaurant's `SECRET_KEY`, exactly like the Postman pre-request script
/// of the Expirenza documentation (`CryptoJS.HmacSHA256(body, key)` in base64).
///
/// ```
/// let sig = rahunok_protocol::signing::sign(b"SECRET_KEY", br#"{"rID":"1"}"#);
/// assert!(rahunok_protocol::signing::verify(b"SECRET_KEY", br#"{"rID":"1"}"#, &sig));
/// ```
pub fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Checks `signature` (base64) against `body` in constant time.
pub fn verify(secret: &[u8], body: &[u8], signature: &str) -> bool {
    let Ok(expected) = STANDARD.decode(signature.trim()) else {
        return false;
    };
    let mut mac = HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(body);
    mac.verify_slice(&expected).is_ok()
}

/// A freshly issued `SECRET_KEY`: 64 random bytes, base64url (86 characters).
///
/// ```
/// let secret = rahunok_protocol::signing::generate_secret();
/// assert_eq!(secret.len(), 86);
/// ```
pub fn generate_secret() -> String {
    let mut bytes = [0u8; 64];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Why a secret cannot be turned into a stored [`SigningKey`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a SECRET_KEY must be longer than {BLOCK_SIZE} bytes (it is {0})")]
pub struct SecretTooShort(pub usize);

/// The HMAC-effective key of a long secret: `SHA-256(SECRET_KEY)`. It verifies callback
/// signatures and Basic credentials; it cannot be turned back into the secret.
///
/// ```
/// use rahunok_protocol::signing::{generate_secret, sign, SigningKey};
/// let secret = generate_secret();
/// let key = SigningKey::derive(&secret).unwrap();
/// let body = br#"{"rID":"x","tables":[]}"#;
/// assert!(key.verify(body, &sign(secret.as_bytes(), body)));
/// assert!(key.matches_secret(&secret));
/// assert!(!key.matches_secret("wrong"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SigningKey([u8; 32]);

impl SigningKey {
    /// Derives the key from a secret longer than 64 bytes.
    pub fn derive(secret: &str) -> Result<SigningKey, SecretTooShort> {
        if secret.len() <= BLOCK_SIZE {
            return Err(SecretTooShort(secret.len()));
        }
        Ok(SigningKey(Sha256::digest(secret.as_bytes()).into()))
    }

    /// Rebuilds a key from its stored 32 bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> SigningKey {
        SigningKey(bytes)
    }

    /// The 32 bytes to store.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Checks a callback signature over the raw body, in constant time.
    pub fn verify(&self, body: &[u8], signature: &str) -> bool {
        verify(&self.0, body, signature)
    }

    /// Signs a body (what a POS holding the secret would send).
    pub fn sign(&self, body: &[u8]) -> String {
        sign(&self.0, body)
    }

    /// Checks a presented secret (Basic auth) in constant time.
    pub fn matches_secret(&self, secret: &str) -> bool {
        let presented: [u8; 32] = Sha256::digest(secret.as_bytes()).into();
        // HMAC verification is a constant-time comparison of two MACs; using the stored key as
        // the message keeps this free of early-exit comparisons.
        let mut mac = HmacSha256::new_from_slice(&presented).expect("any key length");
        mac.update(b"rahunok-secret-check");
        let mut expected = HmacSha256::new_from_slice(&self.0).expect("any key length");
        expected.update(b"rahunok-secret-check");
        mac.verify_slice(&expected.finalize().into_bytes()).is_ok()
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(..)")
    }
}

/// Checks a signature over a body that arrives in pieces (a streamed HTTP body).
///
/// ```
/// use rahunok_protocol::signing::{generate_secret, sign, SigningKey};
/// let secret = generate_secret();
/// let key = SigningKey::derive(&secret).unwrap();
/// let mut check = key.streaming_verifier();
/// check.update(b"{\"rID\":");
/// check.update(b"\"1\"}");
/// assert!(check.verify(&sign(secret.as_bytes(), b"{\"rID\":\"1\"}")));
/// ```
#[derive(Clone)]
pub struct StreamingVerifier(HmacSha256);

impl SigningKey {
    /// A verifier to feed body pieces into.
    pub fn streaming_verifier(&self) -> StreamingVerifier {
        StreamingVerifier(HmacSha256::new_from_slice(&self.0).expect("any key length"))
    }
}

impl StreamingVerifier {
    /// Feeds the next piece of the body.
    pub fn update(&mut self, piece: &[u8]) {
        self.0.update(piece);
    }

    /// Compares, in constant time, with a base64 signature.
    pub fn verify(self, signature: &str) -> bool {
        match STANDARD.decode(signature.trim()) {
            Ok(expected) => self.0.verify_slice(&expected).is_ok(),
            Err(_) => false,
        }
    }
}
