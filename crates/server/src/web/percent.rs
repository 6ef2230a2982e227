//! Percent-encoding of the URL parts we write, and decoding of the ones we check, in one place.
//!
//! Why this exists: a table number in a guest's path, a user name in the panel's redirect and
//! the page to come back to after signing in were each escaped by hand, with the same byte
//! table written out again each time. The escaping rule is one set of bytes, [`COMPONENT`]
//! (and [`PATH`], the same but keeping `/`); the `percent-encoding` crate applies it.

use percent_encoding::{percent_decode, utf8_percent_encode, AsciiSet, PercentDecode, PercentEncode, NON_ALPHANUMERIC};

/// The bytes escaped in one path segment or query value: everything but RFC 3986's unreserved
/// characters `A–Z a–z 0–9 - _ . ~` (every non-ASCII byte is escaped too).
pub const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.').remove(b'~');

/// The bytes escaped in a whole path carried in a query value: [`COMPONENT`] less `/`.
pub const PATH: &AsciiSet = &COMPONENT.remove(b'/');

/// `text` as one path segment or query value (a `Display`; nothing is copied until printed).
///
/// ```
/// use rahunok_server::web::percent;
/// assert_eq!(percent::component("12 A/b@~é").to_string(), "12%20A%2Fb%40~%C3%A9");
/// ```
pub fn component(text: &str) -> PercentEncode<'_> {
    utf8_percent_encode(text, COMPONENT)
}

/// A path as a query value, its `/` kept readable.
///
/// ```
/// use rahunok_server::web::percent;
/// assert_eq!(percent::path("/panel/r/a b?x=1").to_string(), "/panel/r/a%20b%3Fx%3D1");
/// ```
pub fn path(text: &str) -> PercentEncode<'_> {
    utf8_percent_encode(text, PATH)
}

/// The bytes of `text` with every `%XX` decoded, one by one, and a broken escape (`%4`, `%zz`)
/// kept as it is. Nothing is allocated: every request's path passes here.
pub fn decoded_bytes(text: &[u8]) -> PercentDecode<'_> {
    percent_decode(text)
}

/// The value of `name` in a query string (`a=1&table=7%20a`), percent-decoded: the one reader of
/// the few query values the guest pages take (`?table=`, `?tip=`, `?lang=`).
///
/// ```
/// use rahunok_server::web::percent::query_value;
/// assert_eq!(query_value(Some("lang=en&table=7%20a"), "table").as_deref(), Some("7 a"));
/// assert_eq!(query_value(Some("tip=100"), "table"), None);
/// assert_eq!(query_value(None, "tip"), None);
/// ```
pub fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    let value = query?.split('&').find_map(|pair| pair.strip_prefix(name)?.strip_prefix('='))?;
    Some(decoded_bytes(value.as_bytes()).decode_utf8_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escaping as it was written by hand before this module, byte by byte.
    fn by_hand(text: &str, keep_slash: bool) -> String {
        text.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
                b'/' if keep_slash => "/".to_string(),
                other => format!("%{other:02X}"),
            })
            .collect()
    }

    #[test]
    fn every_byte_outside_the_unreserved_characters_is_escaped_in_upper_case_hex() {
        let every_char: String = (1u32..0x800).filter_map(char::from_u32).collect();
        assert_eq!(component(&every_char).to_string(), by_hand(&every_char, false));
        assert_eq!(path(&every_char).to_string(), by_hand(&every_char, true));
    }

    #[test]
    fn escapes_are_decoded_and_broken_ones_kept() {
        assert_eq!(decoded_bytes(b"/p/%00x%4").collect::<Vec<u8>>(), b"/p/\0x%4");
        assert_eq!(decoded_bytes(b"%zz%2f%2F%").collect::<Vec<u8>>(), b"%zz//%");
        let every_char: String = (1u32..0x800).filter_map(char::from_u32).collect();
        let escaped = component(&every_char).to_string();
        assert_eq!(decoded_bytes(escaped.as_bytes()).collect::<Vec<u8>>(), every_char.as_bytes());
    }
}
