//! Secrets at rest: the server's master key, and values sealed with it before they reach the
//! store (POS signing keys, the sandbox acquirer's notification secret, acquirer tokens).
//!
//! Why this exists: a database dump — a backup, a read replica, a support copy — must not be
//! enough to act as the server. A restaurant's signing key *is* the HMAC key of its callbacks,
//! so it is stored only sealed (XChaCha20-Poly1305) with a key kept outside the database: a
//! 0600 file in the data directory, created on first start, or `RAHUNOK_MASTER_KEY` (base64 of
//! 32 bytes) so every node of a cluster shares one. Each sealed value is bound to where it is
//! stored (the associated data names the table, column and row), so a sealed value copied into
//! another row does not open there. A store holds a sealed check value; a key that cannot open
//! it is refused at start with a clear message instead of refusing every POS later.
//!
//! ```
//! use rahunok_server::secrets::MasterKey;
//! let key = MasterKey::generate();
//! let sealed = key.seal(b"the signing key", "restaurants.signing_key:abc");
//! assert!(sealed.starts_with("v1:"));
//! assert_eq!(key.open(&sealed, "restaurants.signing_key:abc").unwrap(), b"the signing key");
//! assert!(key.open(&sealed, "restaurants.signing_key:xyz").is_err(), "bound to its row");
//! assert!(MasterKey::generate().open(&sealed, "restaurants.signing_key:abc").is_err());
//! ```

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq;

/// The prefix of every sealed value (the format's version).
const SEALED_PREFIX: &str = "v1:";
/// XChaCha20's nonce length: long enough to draw at random for every value.
const NONCE_LEN: usize = 24;

/// Why a master key could not be loaded or a value could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    /// The key file could not be read or created.
    #[error("the master key file {path}: {source}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// The key text is not base64 of 32 bytes.
    #[error("the master key ({origin}) must be base64 of 32 bytes")]
    BadKey {
        /// Where it came from.
        origin: String,
    },
    /// A sealed value did not open: another master key sealed it, or it was altered or moved.
    #[error("a sealed value could not be opened ({0}): the store was sealed with another master key, or the value was altered")]
    WrongKey(String),
}

/// Where the master key comes from.
#[derive(Clone)]
pub enum MasterKeySource {
    /// A file holding the key in base64, created (mode 0600) when missing.
    File(PathBuf),
    /// The key itself in base64 (from `RAHUNOK_MASTER_KEY`).
    Base64(String),
}

impl fmt::Debug for MasterKeySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MasterKeySource::File(path) => write!(f, "File({})", path.display()),
            MasterKeySource::Base64(_) => f.write_str("Base64(<redacted>)"),
        }
    }
}

impl MasterKeySource {
    /// Loads the key (creating the file with a fresh key when it does not exist).
    pub fn load(&self) -> Result<MasterKey, SecretsError> {
        match self {
            MasterKeySource::Base64(text) => MasterKey::from_base64(text, "RAHUNOK_MASTER_KEY"),
            MasterKeySource::File(path) => MasterKey::load_or_create(path),
        }
    }
}

/// The server's master key (32 bytes). Its `Debug` never shows it.
#[derive(Clone)]
pub struct MasterKey([u8; 32]);

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

impl MasterKey {
    /// A fresh random key.
    pub fn generate() -> MasterKey {
        let mut key = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut key);
        MasterKey(key)
    }

    /// The key from its base64 text; `origin` names where it came from, for the error.
    pub fn from_base64(text: &str, origin: &str) -> Result<MasterKey, SecretsError> {
        let bad = || SecretsError::BadKey { origin: origin.to_string() };
        let bytes = STANDARD.decode(text.trim()).map_err(|_| bad())?;
        Ok(MasterKey(bytes.try_into().map_err(|_| bad())?))
    }

    /// The key as base64 text (what the key file and `RAHUNOK_MASTER_KEY` hold).
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Reads the key file, or creates it (mode 0600, a missing directory 0700) with a fresh key.
    pub fn load_or_create(path: &Path) -> Result<MasterKey, SecretsError> {
        let failed = |source| SecretsError::KeyFile { path: path.display().to_string(), source };
        match std::fs::read_to_string(path) {
            Ok(text) => MasterKey::from_base64(&text, &path.display().to_string()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    crate::data_files::create_private_dir(dir).map_err(failed)?;
                }
                let key = MasterKey::generate();
                crate::data_files::write_new_private(path, &key.to_base64()).map_err(failed)?;
                // Another process may have created it first: the file wins.
                let text = std::fs::read_to_string(path).map_err(failed)?;
                MasterKey::from_base64(&text, &path.display().to_string())
            }
            Err(error) => Err(failed(error)),
        }
    }

    /// Seals `plaintext` for the place named by `context` (e.g. `restaurants.signing_key:<id>`).
    pub fn seal(&self, plaintext: &[u8], context: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::thread_rng().fill_bytes(&mut nonce);
        let sealed = self
            .cipher()
            .encrypt(XNonce::from_slice(&nonce), Payload { msg: plaintext, aad: context.as_bytes() })
            .expect("sealing in memory does not fail");
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        format!("{SEALED_PREFIX}{}", STANDARD.encode(bytes))
    }

    /// Opens a value sealed for `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, SecretsError> {
        let wrong = || SecretsError::WrongKey(context.to_string());
        let bytes = sealed.strip_prefix(SEALED_PREFIX).and_then(|b| STANDARD.decode(b).ok()).ok_or_else(wrong)?;
        if bytes.len() < NONCE_LEN {
            return Err(wrong());
        }
        let (nonce, message) = bytes.split_at(NONCE_LEN);
        self.cipher()
            .decrypt(XNonce::from_slice(nonce), Payload { msg: message, aad: context.as_bytes() })
            .map_err(|_| wrong())
    }

    /// A key for one purpose, derived from this one: HMAC-SHA256(master key, `label`). A
    /// derived key reveals nothing of the master key, and keys of different labels are
    /// unrelated, so the bus can key its messages without the bus key ever opening the store.
    pub fn derive(&self, label: &str) -> DerivedKey {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(label.as_bytes());
        DerivedKey(mac.finalize().into_bytes().into())
    }

    /// True when `text` is in the sealed format (values written before sealing was introduced
    /// are not, and are sealed by the store's migration at start).
    pub fn is_sealed(text: &str) -> bool {
        text.starts_with(SEALED_PREFIX)
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }
}

/// A key derived from the master key for one purpose ([`MasterKey::derive`]). Its `Debug`
/// never shows it.
#[derive(Clone)]
pub struct DerivedKey([u8; 32]);

impl fmt::Debug for DerivedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DerivedKey(<redacted>)")
    }
}

impl DerivedKey {
    /// The key's bytes (for the cipher or MAC that uses it).
    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

/// The admin API token, held only as its SHA-256: what the server needs to check a bearer
/// token, and nothing a dump could present.
///
/// ```
/// use rahunok_server::secrets::AdminToken;
/// let token = AdminToken::new("s3cret-token");
/// assert!(token.matches("s3cret-token"));
/// assert!(!token.matches("s3cret-tokem"));
/// assert!(!token.hex().contains("s3cret"));
/// assert!(AdminToken::from_hex(&token.hex()).unwrap().matches("s3cret-token"));
/// ```
#[derive(Clone)]
pub struct AdminToken([u8; 32]);

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminToken(<sha256>)")
    }
}

impl AdminToken {
    /// The check for `token`.
    pub fn new(token: &str) -> AdminToken {
        AdminToken(Sha256::digest(token.as_bytes()).into())
    }

    /// The stored form: the hash in hex.
    pub fn hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The check from its stored form.
    pub fn from_hex(text: &str) -> Option<AdminToken> {
        let text = text.trim();
        if text.len() != 64 || !text.is_ascii() {
            return None;
        }
        let mut hash = [0u8; 32];
        for (i, byte) in hash.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
        }
        Some(AdminToken(hash))
    }

    /// True when `presented` is the token (compared in constant time).
    pub fn matches(&self, presented: &str) -> bool {
        let hash: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        bool::from(hash.ct_eq(&self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_private_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested").join("master.key");
        let first = MasterKey::load_or_create(&path).unwrap();
        let again = MasterKey::load_or_create(&path).unwrap();
        assert_eq!(first.0, again.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn altered_or_foreign_values_do_not_open() {
        let key = MasterKey::generate();
        let sealed = key.seal(b"secret", "ctx");
        let mut altered = sealed.clone().into_bytes();
        let last = altered.len() - 3;
        altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
        assert!(key.open(&String::from_utf8(altered).unwrap(), "ctx").is_err());
        assert!(key.open("v1:", "ctx").is_err());
        assert!(key.open("plain", "ctx").is_err());
        assert_ne!(key.seal(b"secret", "ctx"), sealed, "a fresh nonce every time");
    }

    #[test]
    fn derived_keys_depend_on_the_label_and_the_master_key() {
        let key = MasterKey::generate();
        assert_eq!(key.derive("rahunok bus v1").bytes(), key.derive("rahunok bus v1").bytes());
        assert_ne!(key.derive("rahunok bus v1").bytes(), key.derive("rahunok bus v2").bytes());
        assert_ne!(key.derive("rahunok bus v1").bytes(), MasterKey::generate().derive("rahunok bus v1").bytes());
        assert_ne!(key.derive("rahunok bus v1").bytes(), &key.0, "never the master key itself");
        assert_eq!(format!("{:?}", key.derive("x")), "DerivedKey(<redacted>)");
    }

    #[test]
    fn a_bad_key_text_is_refused_with_its_origin() {
        let error = MasterKey::from_base64("short", "RAHUNOK_MASTER_KEY").unwrap_err();
        assert!(error.to_string().contains("RAHUNOK_MASTER_KEY"), "{error}");
        assert!(!format!("{:?}", MasterKey::generate()).contains('='), "Debug never shows the key");
    }
}
