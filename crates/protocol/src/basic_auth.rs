//! The POS's socket login: `Authorization: Basic base64(RESTO_ID:SECRET_KEY)` (spec section 2).
//!
//! Why this exists apart from the server: it reads bytes from anyone on the internet before any
//! secret is checked, so it lives here, without I/O, where it is unit-tested and fuzzed.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// Reads the restaurant id and secret from the value of an `Authorization` header.
///
/// The scheme is matched in any letter case, surrounding spaces are ignored, the credentials
/// must be standard padded base64 of UTF-8 text, and the id ends at the first `:` (the secret
/// may hold more). Anything else is `None`.
///
/// ```
/// use rahunok_protocol::basic_auth::credentials;
/// // base64("resto-1:s3cr:et")
/// let header = "Basic cmVzdG8tMTpzM2NyOmV0";
/// assert_eq!(credentials(header), Some(("resto-1".to_string(), "s3cr:et".to_string())));
/// assert_eq!(credentials("  basic cmVzdG8tMTpzM2NyOmV0 "), credentials(header));
/// assert_eq!(credentials("Bearer cmVzdG8tMTpzM2NyOmV0"), None);
/// assert_eq!(credentials("Basic bm8tY29sb24="), None); // "no-colon"
/// assert_eq!(credentials("Basic !!!"), None);
/// ```
pub fn credentials(value: &str) -> Option<(String, String)> {
    let (scheme, encoded) = value.trim().split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}
