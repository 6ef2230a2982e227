//! Pretty-printing JSON exactly as it travelled: the text is re-indented token by token, never
//! parsed into numbers, so `129.20` stays `129.20` and key order stays the POS's order.

use serde_json::value::RawValue;

const INDENT: &str = "  ";

fn new_line(out: &mut String, depth: usize) {
    out.push('\n');
    for _ in 0..depth {
        out.push_str(INDENT);
    }
}

/// `text` indented two spaces per level; text that is not JSON comes back unchanged.
pub fn pretty(text: &str) -> String {
    if serde_json::from_str::<&RawValue>(text).is_err() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
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
    use super::pretty;

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
