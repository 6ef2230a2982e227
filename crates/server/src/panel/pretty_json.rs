//! Pretty-printing JSON exactly as it travelled: the text is re-indented token by token, never
//! parsed into numbers, so `129.20` stays `129.20` and key order stays the POS's order.
//!
//! Bounded: a page shows at most [`SHOWN_BYTES`] of a stored body (the rest is downloaded), and
//! indentation stops growing after [`MAX_INDENT_LEVELS`], so a hostile body cannot make a page
//! grow with the square of its depth.

use serde_json::value::RawValue;

const INDENT: &str = "  ";
/// How much of one stored body a page shows.
pub const SHOWN_BYTES: usize = 32 * 1024;
/// Deeper levels are not indented further.
const MAX_INDENT_LEVELS: usize = 32;

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth.min(MAX_INDENT_LEVELS) {
        out.push_str(INDENT);
    }
}

/// What a page shows of a body: the start, pretty-printed, and the whole length when it was cut.
pub fn pretty_excerpt(text: &str) -> (String, Option<usize>) {
    if text.len() <= SHOWN_BYTES {
        return (pretty(text), None);
    }
    let mut cut = SHOWN_BYTES;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    (indent(&text[..cut], 2 * SHOWN_BYTES) + "\n…", Some(text.len()))
}

/// `text` indented two spaces per level; text that is not JSON comes back unchanged.
pub fn pretty(text: &str) -> String {
    if serde_json::from_str::<&RawValue>(text).is_err() {
        return text.to_string();
    }
    indent(text, usize::MAX)
}

/// Re-indents JSON tokens (also the start of a cut body), stopping after `limit` bytes of output.
fn indent(text: &str, limit: usize) -> String {
    let mut out = String::with_capacity(text.len().saturating_mul(2).min(limit));
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() >= limit {
            break;
        }
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                while chars.peek().is_some_and(|n| n.is_whitespace()) {
                    chars.next();
                }
                out.push(c);
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.extend(chars.next());
                } else {
                    depth += 1;
                    new_line(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                new_line(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                new_line(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{pretty, pretty_excerpt, SHOWN_BYTES};

    #[test]
    fn a_huge_deep_body_is_shown_cut_and_flat_beyond_the_indent_limit() {
        let body = format!("{{\"x\":{}1{}}}", "[".repeat(20_000), "]".repeat(20_000));
        let (shown, cut) = pretty_excerpt(&body);
        assert_eq!(cut, Some(body.len()));
        assert!(shown.len() < SHOWN_BYTES * 3, "{}", shown.len());
        let (small, none) = pretty_excerpt("{\"a\":1}");
        assert_eq!((small.as_str(), none), ("{\n  \"a\": 1\n}", None));
    }

    #[test]
    fn money_and_key_order_survive() {
        let text = r#"{"rID":"r 1","sum":129.20,"list":[1, {"a":"x,{y}:\"z\""}],"empty":{},"none":[]}"#;
        let expected = "{\n  \"rID\": \"r 1\",\n  \"sum\": 129.20,\n  \"list\": [\n    1,\n    {\n      \"a\": \"x,{y}:\\\"z\\\"\"\n    }\n  ],\n  \"empty\": {},\n  \"none\": []\n}";
        assert_eq!(pretty(text), expected);
    }

    #[test]
    fn text_that_is_not_json_is_left_alone() {
        assert_eq!(pretty("Resto abc ping"), "Resto abc ping");
    }
}
