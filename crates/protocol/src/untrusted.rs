//! Limits on JSON from outside (callbacks, webhooks, admin requests, acquirer notifications),
//! checked in one pass over the raw bytes before any parser builds anything from them.
//!
//! Why this exists: serde_json skips unknown fields without a depth limit, so a body can carry
//! 20 000 nested arrays in a field nobody reads, and whatever later prints that stored body
//! (the panel's request log) pays for the depth. And a string may hold `\u0000`, valid JSON that
//! no store keeps (PostgreSQL refuses NUL in text). Both are refused at the edge with a clear
//! error instead of a 500 or a runaway page later.
//!
//! ```
//! use rahunok_protocol::untrusted::{check, Unacceptable, MAX_DEPTH};
//! assert_eq!(check(br#"{"a":[1,{"b":"[[["}]}"#), Ok(()));
//! assert_eq!(check(br#"{"billId":"b-1\u0000"}"#), Err(Unacceptable::NulCharacter));
//! assert_eq!(check(br#"{"note":"\\u0000 is how JSON writes NUL"}"#), Ok(()));
//! let deep = format!("{{\"x\":{}{}}}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
//! assert_eq!(check(deep.as_bytes()), Err(Unacceptable::TooDeep));
//! ```

use std::fmt;

/// The deepest nesting of objects and arrays accepted (the protocol's deepest document, a menu
/// with modifiers, needs fewer than 10).
pub const MAX_DEPTH: usize = 64;

/// Why a JSON text is refused before parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unacceptable {
    /// Objects and arrays nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A string holds a NUL character (`\u0000`).
    NulCharacter,
}

impl fmt::Display for Unacceptable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unacceptable::TooDeep => write!(f, "objects and arrays are nested deeper than {MAX_DEPTH} levels"),
            Unacceptable::NulCharacter => {
                f.write_str("a string holds a NUL character (\\u0000), which cannot be stored")
            }
        }
    }
}

/// Checks nesting depth and NUL characters; the rest of the syntax is the parser's job.
pub fn check(json: &[u8]) -> Result<(), Unacceptable> {
    let mut depth = 0usize;
    let mut at = 0;
    while at < json.len() {
        match json[at] {
            b'"' => at = closing_quote(json, at + 1)?,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Unacceptable::TooDeep);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        at += 1;
    }
    Ok(())
}

/// Where the string whose text starts at `at` ends (its closing quote, or the end of `json`
/// when it is not closed), refusing a NUL in it, raw or escaped. Jumps from one quote or
/// backslash to the next (`memchr`): most of a body's bytes are the text of its strings.
fn closing_quote(json: &[u8], mut at: usize) -> Result<usize, Unacceptable> {
    while let Some(offset) = json.get(at..).and_then(|rest| memchr::memchr3(b'"', b'\\', 0, rest)) {
        at += offset;
        match json[at] {
            b'"' => return Ok(at),
            0 => return Err(Unacceptable::NulCharacter),
            _ if json.get(at + 1..at + 6) == Some(b"u0000".as_slice()) => return Err(Unacceptable::NulCharacter),
            _ => at += 2,
        }
    }
    Ok(json.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_limit_is_accepted_and_one_more_is_not() {
        let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
        assert_eq!(check(nested(MAX_DEPTH).as_bytes()), Ok(()));
        assert_eq!(check(nested(MAX_DEPTH + 1).as_bytes()), Err(Unacceptable::TooDeep));
        assert_eq!(check(nested(20_000).as_bytes()), Err(Unacceptable::TooDeep));
    }

    #[test]
    fn brackets_and_escapes_inside_strings_do_not_count() {
        assert_eq!(check(format!("[\"{}\"]", "[".repeat(1000)).as_bytes()), Ok(()));
        assert_eq!(check(br#"["\"[[[", "\\", "\u0041"]"#), Ok(()));
        assert_eq!(check(br#"["\\\u0000"]"#), Err(Unacceptable::NulCharacter));
    }

    #[test]
    fn unclosed_strings_trailing_backslashes_and_escaped_quotes_are_read_without_a_panic() {
        assert_eq!(check(br#"{"a":"[[["#), Ok(()));
        assert_eq!(check(br#"{"a":"\"#), Ok(()));
        assert_eq!(check(b"{\"a\":\"\\"), Ok(()));
        assert_eq!(check(br#"{"a":"\u000"#), Ok(()));
        assert_eq!(check(b"[\"a\0b\"]"), Err(Unacceptable::NulCharacter));
        assert_eq!(check(br#"{"a\"":"\\", "b":[[]]}"#), Ok(()));
    }
}
