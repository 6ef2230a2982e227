//! One CSV cell as we write it: quoted when it must be, and never a formula.
//!
//! Why this exists: an export is opened in a spreadsheet, and a spreadsheet runs a cell that
//! starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)` sends whoever clicks it
//! elsewhere; older programs ran commands). The text in our exports comes from the POS and from
//! people (a waiter's name), so a cell whose first *significant* character could start a formula
//! is written with a leading `'`, which spreadsheets take as "this is text". Significant, because
//! spreadsheets skip what comes before it: a TAB, CR or LF, a space, a no-break space, a
//! byte-order mark, any other Unicode white space or zero-width character; and they read the
//! full-width forms `＝ ＋ － ＠` (U+FF1D, U+FF0B, U+FF0D, U+FF20) as the ASCII ones. The rule
//! lives only here (see OWASP, "CSV Injection").

/// Characters a spreadsheet skips before it decides what a cell is.
fn is_skipped(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{feff}' | '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{2060}' | '\u{180e}')
}

/// Characters that start a formula, in their ASCII and full-width forms.
fn starts_a_formula(c: char) -> bool {
    matches!(c, '=' | '+' | '-' | '@' | '\u{ff1d}' | '\u{ff0b}' | '\u{ff0d}' | '\u{ff20}')
}

/// Whether a spreadsheet could read `text` as a formula.
pub fn could_be_formula(text: &str) -> bool {
    text.chars().find(|c| !is_skipped(*c)).is_some_and(starts_a_formula)
}

/// `text` as one CSV field: prefixed with `'` when it could be read as a formula, and quoted
/// (`"` doubled) when it holds a comma, a quote or a line break.
///
/// ```
/// use rahunok_server::web::csv;
/// assert_eq!(csv::field("Ірина"), "Ірина");
/// assert_eq!(csv::field("=1+1"), "'=1+1");
/// assert_eq!(csv::field("\t=1+1"), "'\t=1+1");
/// assert_eq!(csv::field("Smith, J."), "\"Smith, J.\"");
/// ```
pub fn field(text: &str) -> String {
    let text = if could_be_formula(text) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_leading_equals_plus_minus_or_at_is_defused() {
        assert_eq!(field("=HYPERLINK(\"http://x\")"), "\"'=HYPERLINK(\"\"http://x\"\")\"", "and quoted");
        assert_eq!(field("=1+1"), "'=1+1");
        assert_eq!(field("+380501234567"), "'+380501234567");
        assert_eq!(field("-2+3"), "'-2+3");
        assert_eq!(field("@SUM(A1)"), "'@SUM(A1)");
    }

    #[test]
    fn a_leading_tab_is_skipped_as_a_spreadsheet_skips_it() {
        assert_eq!(field("\t=1+1"), "'\t=1+1");
    }

    #[test]
    fn a_leading_carriage_return_or_line_feed_is_skipped() {
        assert_eq!(field("\r=1+1"), "\"'\r=1+1\"");
        assert_eq!(field("\n=1+1"), "\"'\n=1+1\"");
        assert_eq!(field("\r\n+1"), "\"'\r\n+1\"");
    }

    #[test]
    fn a_leading_space_is_skipped() {
        assert_eq!(field(" =1+1"), "' =1+1");
        assert_eq!(field("   @A1"), "'   @A1");
    }

    #[test]
    fn a_leading_no_break_space_is_skipped() {
        assert_eq!(field("\u{a0}=1+1"), "'\u{a0}=1+1");
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped() {
        assert_eq!(field("\u{feff}=1+1"), "'\u{feff}=1+1");
        assert_eq!(field("\u{feff}\u{feff} -1"), "'\u{feff}\u{feff} -1");
    }

    #[test]
    fn other_white_space_and_zero_width_characters_are_skipped() {
        for lead in ['\u{2003}', '\u{3000}', '\u{200b}', '\u{2060}', '\u{0b}', '\u{0c}', '\u{85}', '\u{2028}'] {
            let written = field(&format!("{lead}=1+1"));
            assert!(written.starts_with('\'') || written.starts_with("\"'"), "{lead:?}: {written:?}");
        }
    }

    #[test]
    fn the_full_width_forms_are_defused() {
        assert_eq!(field("\u{ff1d}1+1"), "'\u{ff1d}1+1", "＝");
        assert_eq!(field("\u{ff0b}1"), "'\u{ff0b}1", "＋");
        assert_eq!(field("\u{ff0d}1"), "'\u{ff0d}1", "－");
        assert_eq!(field("\u{ff20}A1"), "'\u{ff20}A1", "＠");
        assert_eq!(field(" \u{ff1d}1"), "' \u{ff1d}1", "after a space too");
    }

    #[test]
    fn ordinary_text_is_left_as_it_is() {
        for text in ["Ірина Бондаренко", "2025-03-01", "—", "", "   ", "a=b", "Олена-Марія", "total", "1-2"]
        {
            assert_eq!(field(text), text);
        }
    }

    #[test]
    fn fields_are_quoted_when_they_hold_a_comma_a_quote_or_a_line_break() {
        assert_eq!(field("Smith, J."), "\"Smith, J.\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
