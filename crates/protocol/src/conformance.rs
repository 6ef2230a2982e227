//! Conformance warnings: every loose form the liberal readers accepted that a strict reading
//! of the spec would have refused (spec section 4, "Be liberal in what you accept").
//!
//! Why this exists: a restaurant whose POS sends `"tableNumber": 12` keeps working, but its
//! operator (and the POS developer) should learn that the answer was not conformant. The lenient
//! serde readers cannot see their own field path, so warnings are found after a successful
//! parse by walking the raw body ([`WireValue`]) and the typed answer written back canonically
//! side by side ([`compare`]), plus explicit checks for shapes the walk cannot see (dotted
//! `versionInfo`, `stopList` items as `{id, quantity}`, `FAIL` without a substate, a
//! `tableNumber` only at the top level, unreadable informational values).
//!
//! [`WireValue`] keeps numbers as their exact wire text, so no money ever passes through a
//! binary float.
//!
//! ```
//! use rahunok_protocol::{envelope::Callback, ops::BillAnswer, conformance::kind};
//! let body = br#"{"rID":"r1","state":"success","orders":[{"billId":"b-1","totalSum":120,"guests":null}]}"#;
//! let (bill, warnings) = Callback::<BillAnswer>::parse_with_warnings(body).unwrap();
//! assert_eq!(bill.body.orders[0].total_sum.kopiyky(), 12000);
//! let found: Vec<(&str, &str)> = warnings.iter().map(|w| (w.kind.as_str(), w.field.as_str())).collect();
//! assert_eq!(found, [
//!     (kind::ENUM_CASE, "state"),
//!     (kind::WHOLE_NUMBER_MONEY, "orders[0].totalSum"),
//!     (kind::NULL_LIST, "orders[0].guests"),
//! ]);
//! ```

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use std::fmt;

/// One normalisation a strict reader would have refused: a stable machine code ([`kind`]),
/// the path of the field (`orders[0].tableNumber`, empty for the whole body) and a sentence.
///
/// ```
/// use rahunok_protocol::ConformanceWarning;
/// let w = ConformanceWarning::new("NULL_LIST", "orders", "a list written as null read as empty");
/// assert_eq!(
///     serde_json::to_string(&w).unwrap(),
///     r#"{"kind":"NULL_LIST","field":"orders","message":"a list written as null read as empty"}"#
/// );
/// assert_eq!(w.to_string(), "NULL_LIST at orders: a list written as null read as empty");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConformanceWarning {
    /// A stable machine code, one of [`kind`].
    pub kind: String,
    /// The path of the field, as in field errors (`orders[0].totalSum`).
    pub field: String,
    /// What was accepted, for a POS developer.
    pub message: String,
}

impl ConformanceWarning {
    /// A warning from its kind, path and message.
    ///
    /// ```
    /// use rahunok_protocol::{conformance::kind, ConformanceWarning};
    /// let w = ConformanceWarning::new(kind::ENUM_CASE, "state", "`success` read as `SUCCESS`");
    /// assert_eq!(w.kind, "ENUM_CASE");
    /// ```
    pub fn new(kind: &str, field: impl Into<String>, message: impl Into<String>) -> ConformanceWarning {
        ConformanceWarning { kind: kind.to_string(), field: field.into(), message: message.into() }
    }
}

impl fmt::Display for ConformanceWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "{}: {}", self.kind, self.message)
        } else {
            write!(f, "{} at {}: {}", self.kind, self.field, self.message)
        }
    }
}

/// The stable codes of [`ConformanceWarning::kind`].
///
/// ```
/// assert_eq!(rahunok_protocol::conformance::kind::NULL_LIST, "NULL_LIST");
/// ```
pub mod kind {
    /// A string where the protocol documents a number (`"orderNumber": "17"`).
    pub const NUMBER_AS_STRING: &str = "NUMBER_AS_STRING";
    /// A number where the protocol documents a string (`"tableNumber": 12`).
    pub const STRING_AS_NUMBER: &str = "STRING_AS_NUMBER";
    /// A boolean written as text or a number (`"true"`, `1`).
    pub const LOOSE_BOOL: &str = "LOOSE_BOOL";
    /// A list written as `null`, read as empty.
    pub const NULL_LIST: &str = "NULL_LIST";
    /// An object written as `null`, read as its default (`"discounts": null`).
    pub const NULL_OBJECT: &str = "NULL_OBJECT";
    /// A value written as `null` where a plain value is documented, read as its default.
    pub const NULL_AS_DEFAULT: &str = "NULL_AS_DEFAULT";
    /// A list written as a single object, read as a list of one.
    pub const OBJECT_AS_LIST: &str = "OBJECT_AS_LIST";
    /// A list of strings written as one comma-separated string.
    pub const TEXT_AS_LIST: &str = "TEXT_AS_LIST";
    /// An enum value not in canonical upper case (`"New"`).
    pub const ENUM_CASE: &str = "ENUM_CASE";
    /// `""` read as "absent".
    pub const EMPTY_STRING_AS_ABSENT: &str = "EMPTY_STRING_AS_ABSENT";
    /// Money written as a whole number (`120` for `120.00`).
    pub const WHOLE_NUMBER_MONEY: &str = "WHOLE_NUMBER_MONEY";
    /// `versionInfo` in the older dotted form (`plugin.version`, `partner.id`, `systemInfo`).
    pub const DOTTED_VERSION_INFO: &str = "DOTTED_VERSION_INFO";
    /// An informational value that could not be read, stored as null (`"plugin.version": "v0.6.0"`).
    pub const UNREADABLE_INFORMATIONAL: &str = "UNREADABLE_INFORMATIONAL";
    /// A `stopList` item written as `{id, quantity}`.
    pub const STOP_LIST_ID_QUANTITY: &str = "STOP_LIST_ID_QUANTITY";
    /// A `FAIL` answer without a `substate`: a failure with an unspecified reason.
    pub const FAIL_WITHOUT_SUBSTATE: &str = "FAIL_WITHOUT_SUBSTATE";
    /// An order without its own `tableNumber` took the answer's top-level one.
    pub const TOP_LEVEL_TABLE_NUMBER: &str = "TOP_LEVEL_TABLE_NUMBER";
    /// A `tableNumber` of `0` (or `"0"`), read as "no table".
    pub const ZERO_TABLE_NUMBER: &str = "ZERO_TABLE_NUMBER";
}

/// A JSON value that keeps numbers as their exact wire text (`129.20`, never a float) and
/// object keys in their order. Parse raw bodies with [`WireValue::parse`]; it serialises back
/// with the same numbers.
///
/// ```
/// use rahunok_protocol::conformance::WireValue;
/// let mut body = WireValue::parse(br#"{"totalSum": 129.20, "orders": []}"#).unwrap();
/// assert_eq!(body.get("totalSum"), Some(&WireValue::Number("129.20".into())));
/// body.insert("orders", WireValue::Null);
/// assert_eq!(serde_json::to_string(&body).unwrap(), r#"{"totalSum":129.20,"orders":null}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string, unescaped.
    Text(String),
    /// An array.
    Array(Vec<WireValue>),
    /// An object, keys in wire order.
    Object(Vec<(String, WireValue)>),
}

impl WireValue {
    /// Parses JSON bytes.
    ///
    /// ```
    /// use rahunok_protocol::conformance::WireValue;
    /// assert_eq!(WireValue::parse(b"[1.50, null]").unwrap(),
    ///     WireValue::Array(vec![WireValue::Number("1.50".into()), WireValue::Null]));
    /// assert!(WireValue::parse(b"{").is_err());
    /// ```
    pub fn parse(bytes: &[u8]) -> Result<WireValue, serde_json::Error> {
        serde_json::from_slice(bytes)
    }

    /// The value of `key` in an object (`None` for other values or a missing key).
    ///
    /// ```
    /// use rahunok_protocol::conformance::WireValue;
    /// let v = WireValue::parse(br#"{"a": true}"#).unwrap();
    /// assert_eq!(v.get("a"), Some(&WireValue::Bool(true)));
    /// assert_eq!(v.get("b"), None);
    /// ```
    pub fn get(&self, key: &str) -> Option<&WireValue> {
        match self {
            WireValue::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The value of `key` in an object, to change it.
    ///
    /// ```
    /// use rahunok_protocol::conformance::WireValue;
    /// let mut v = WireValue::parse(br#"{"a": 1}"#).unwrap();
    /// *v.get_mut("a").unwrap() = WireValue::Text("1".into());
    /// assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":"1"}"#);
    /// ```
    pub fn get_mut(&mut self, key: &str) -> Option<&mut WireValue> {
        match self {
            WireValue::Object(entries) => entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Sets `key` in an object (replacing its value in place, or appending it); no effect on
    /// other values.
    ///
    /// ```
    /// use rahunok_protocol::conformance::WireValue;
    /// let mut v = WireValue::parse(br#"{"a": 1}"#).unwrap();
    /// v.insert("b", WireValue::Null);
    /// v.insert("a", WireValue::Bool(false));
    /// assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"a":false,"b":null}"#);
    /// ```
    pub fn insert(&mut self, key: &str, value: WireValue) {
        if let WireValue::Object(entries) = self {
            match entries.iter_mut().find(|(k, _)| k == key) {
                Some(entry) => entry.1 = value,
                None => entries.push((key.to_string(), value)),
            }
        }
    }

    /// Removes `key` from an object and returns its value.
    ///
    /// ```
    /// use rahunok_protocol::conformance::WireValue;
    /// let mut v = WireValue::parse(br#"{"a": 1, "b": 2}"#).unwrap();
    /// assert_eq!(v.remove("a"), Some(WireValue::Number("1".into())));
    /// assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"b":2}"#);
    /// ```
    pub fn remove(&mut self, key: &str) -> Option<WireValue> {
        match self {
            WireValue::Object(entries) => {
                let at = entries.iter().position(|(k, _)| k == key)?;
                Some(entries.remove(at).1)
            }
            _ => None,
        }
    }

    /// True for `null` and `""`, the two spellings of "no value".
    ///
    /// ```
    /// use rahunok_protocol::conformance::WireValue;
    /// assert!(WireValue::Null.is_blank() && WireValue::Text(String::new()).is_blank());
    /// assert!(!WireValue::Text("12".into()).is_blank());
    /// ```
    pub fn is_blank(&self) -> bool {
        matches!(self, WireValue::Null) || matches!(self, WireValue::Text(t) if t.is_empty())
    }

    /// Blank, or the zero that means "no table" in a table number (`0`, `"0"`).
    ///
    /// ```
    /// use rahunok_protocol::conformance::WireValue;
    /// assert!(WireValue::Number("0".into()).is_no_table() && WireValue::Text("0".into()).is_no_table());
    /// assert!(WireValue::Null.is_no_table() && !WireValue::Number("12".into()).is_no_table());
    /// ```
    pub fn is_no_table(&self) -> bool {
        self.is_blank()
            || matches!(self, WireValue::Number(t) | WireValue::Text(t) if crate::lenient::table::is_zero(t))
    }

    fn type_name(&self) -> &'static str {
        match self {
            WireValue::Null => "null",
            WireValue::Bool(_) => "a boolean",
            WireValue::Number(_) => "a number",
            WireValue::Text(_) => "a string",
            WireValue::Array(_) => "a list",
            WireValue::Object(_) => "an object",
        }
    }

    /// Null, false, "", zero, [] or an object of only such values: what a default looks like.
    fn is_default_like(&self) -> bool {
        match self {
            WireValue::Null => true,
            WireValue::Bool(b) => !b,
            WireValue::Number(n) => n.trim_start_matches('-').chars().all(|c| c == '0' || c == '.'),
            WireValue::Text(t) => t.is_empty(),
            WireValue::Array(items) => items.is_empty(),
            WireValue::Object(entries) => entries.iter().all(|(_, v)| v.is_default_like()),
        }
    }
}

impl<'de> Deserialize<'de> for WireValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WireValue, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        let text = raw.get().trim();
        match text.as_bytes().first() {
            Some(b'{') | Some(b'[') => {
                let mut inner = serde_json::Deserializer::from_str(text);
                inner.deserialize_any(CompositeVisitor).map_err(de::Error::custom)
            }
            Some(b'"') => serde_json::from_str(text).map(WireValue::Text).map_err(de::Error::custom),
            _ if text == "null" => Ok(WireValue::Null),
            _ if text == "true" => Ok(WireValue::Bool(true)),
            _ if text == "false" => Ok(WireValue::Bool(false)),
            _ => Ok(WireValue::Number(text.to_string())),
        }
    }
}

/// Reads one level of an object or array; each member is read again as a [`WireValue`] from
/// its raw text, so numbers never pass through a float.
struct CompositeVisitor;

impl<'de> Visitor<'de> for CompositeVisitor {
    type Value = WireValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or an array")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<WireValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<WireValue>()? {
            items.push(item);
        }
        Ok(WireValue::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireValue, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, WireValue>()? {
            entries.push((key, value));
        }
        Ok(WireValue::Object(entries))
    }
}

impl Serialize for WireValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            WireValue::Null => serializer.serialize_unit(),
            WireValue::Bool(b) => serializer.serialize_bool(*b),
            WireValue::Number(text) => crate::lenient::serialize_number_text(text, serializer),
            WireValue::Text(text) => serializer.serialize_str(text),
            WireValue::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            WireValue::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// Walks a raw body and its canonical form (the typed answer written back) together and
/// reports where the raw JSON type or form differs: a number for a string and the reverse,
/// `null` for a list, an object or a value, a single object for a list, a comma-separated
/// string for a list, an enum in the wrong case, `""` for "absent", a whole number for money,
/// a loose boolean. Keys only in the raw body (unknown extra fields) and keys only in the
/// canonical form (defaults) are not warnings, except a raw `""` for a field left out (read
/// as absent). An extra field the server does not know that is written as `""` is reported
/// too: the walk cannot tell it from a known optional field.
///
/// ```
/// use rahunok_protocol::conformance::{compare, kind, WireValue};
/// let raw = WireValue::parse(br#"{"tableNumber": 12, "orders": null, "extra": 1}"#).unwrap();
/// let canonical = WireValue::parse(br#"{"tableNumber": "12", "orders": []}"#).unwrap();
/// let kinds: Vec<_> = compare(&raw, &canonical).into_iter().map(|w| (w.kind, w.field)).collect();
/// assert_eq!(kinds, [
///     (kind::STRING_AS_NUMBER.to_string(), "tableNumber".to_string()),
///     (kind::NULL_LIST.to_string(), "orders".to_string()),
/// ]);
/// ```
pub fn compare(raw: &WireValue, canonical: &WireValue) -> Vec<ConformanceWarning> {
    let mut warnings = Vec::new();
    walk(raw, canonical, "", &mut warnings);
    warnings
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn walk(raw: &WireValue, canonical: &WireValue, path: &str, out: &mut Vec<ConformanceWarning>) {
    use WireValue::*;
    macro_rules! warn {
        ($kind:expr, $message:expr) => {
            out.push(ConformanceWarning::new($kind, path, $message))
        };
    }
    match (raw, canonical) {
        (Object(raw_entries), Object(_)) => {
            for (key, raw_value) in raw_entries {
                let field = join(path, key);
                match canonical.get(key) {
                    Some(canonical_value) => walk(raw_value, canonical_value, &field, out),
                    None if key == "tableNumber" && !raw_value.is_blank() && raw_value.is_no_table() => out.push(
                        ConformanceWarning::new(kind::ZERO_TABLE_NUMBER, field, "table number 0 read as no table"),
                    ),
                    None if matches!(raw_value, Text(t) if t.is_empty()) => {
                        out.push(ConformanceWarning::new(kind::EMPTY_STRING_AS_ABSENT, field, "\"\" read as absent"))
                    }
                    None => {}
                }
            }
        }
        (Array(raw_items), Array(canonical_items)) => {
            for (index, (r, c)) in raw_items.iter().zip(canonical_items).enumerate() {
                walk(r, c, &format!("{path}[{index}]"), out);
            }
        }
        (Object(_), Array(items)) if items.len() == 1 => {
            warn!(kind::OBJECT_AS_LIST, "a single object read as a list of one");
            walk(raw, &items[0], &format!("{path}[0]"), out);
        }
        (Text(t), Array(_)) if !t.is_empty() => {
            warn!(kind::TEXT_AS_LIST, "a comma-separated string read as a list")
        }
        (Text(t), _) if t.is_empty() && !matches!(canonical, Text(_)) => {
            warn!(kind::EMPTY_STRING_AS_ABSENT, format!("\"\" read as {}", canonical_text(canonical)))
        }
        (Null, Array(items)) if items.is_empty() => warn!(kind::NULL_LIST, "a list written as null read as empty"),
        (Null, Object(_)) if canonical.is_default_like() => {
            warn!(kind::NULL_OBJECT, "an object written as null read as empty")
        }
        (Null, Bool(_) | Number(_) | Text(_)) if canonical.is_default_like() => {
            warn!(kind::NULL_AS_DEFAULT, format!("null read as {}", canonical_text(canonical)))
        }
        (Number(n), Text(_)) => warn!(kind::STRING_AS_NUMBER, format!("the number {n} read as a string")),
        (Text(t), Number(_)) => warn!(kind::NUMBER_AS_STRING, format!("the string {t:?} read as a number")),
        (Text(_) | Number(_), Bool(b)) => warn!(kind::LOOSE_BOOL, format!("{} read as {b}", raw.type_name())),
        (Text(r), Text(c)) if r != c && r.trim().eq_ignore_ascii_case(c) => {
            warn!(kind::ENUM_CASE, format!("{r:?} read as {c:?}"))
        }
        (Number(r), Number(c)) if !r.contains(['.', 'e', 'E']) && c.contains('.') => {
            warn!(kind::WHOLE_NUMBER_MONEY, format!("the whole number {r} read as {c}"))
        }
        _ => {}
    }
}

fn canonical_text(value: &WireValue) -> String {
    match value {
        WireValue::Null => "absent".into(),
        WireValue::Bool(b) => b.to_string(),
        WireValue::Number(n) => n.clone(),
        WireValue::Text(t) => format!("{t:?}"),
        WireValue::Array(_) => "an empty list".into(),
        WireValue::Object(_) => "an empty object".into(),
    }
}

/// Drops repeated (kind, field) pairs, keeping the first of each.
pub(crate) fn dedup(warnings: Vec<ConformanceWarning>) -> Vec<ConformanceWarning> {
    let mut seen = std::collections::HashSet::new();
    warnings.into_iter().filter(|w| seen.insert((w.kind.clone(), w.field.clone()))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(raw: &str, canonical: &str) -> Vec<(String, String)> {
        let raw = WireValue::parse(raw.as_bytes()).unwrap();
        let canonical = WireValue::parse(canonical.as_bytes()).unwrap();
        compare(&raw, &canonical).into_iter().map(|w| (w.kind, w.field)).collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter().map(|(k, f)| (k.to_string(), f.to_string())).collect()
    }

    #[test]
    fn identical_bodies_have_no_warnings() {
        let body = r#"{"a": "x", "b": [1, 2.50], "c": {"d": true, "e": null}}"#;
        assert!(kinds(body, body).is_empty());
    }

    #[test]
    fn numbers_and_strings_swapped_are_reported_both_ways() {
        assert_eq!(
            kinds(r#"{"t": 12, "n": "17"}"#, r#"{"t": "12", "n": 17}"#),
            pairs(&[(kind::STRING_AS_NUMBER, "t"), (kind::NUMBER_AS_STRING, "n")])
        );
    }

    #[test]
    fn null_lists_objects_and_values_are_reported() {
        assert_eq!(
            kinds(
                r#"{"l": null, "o": null, "b": null, "s": null, "full": null}"#,
                r#"{"l": [], "o": {"list": []}, "b": false, "s": "", "full": {"os": "win"}}"#
            ),
            pairs(&[
                (kind::NULL_LIST, "l"),
                (kind::NULL_OBJECT, "o"),
                (kind::NULL_AS_DEFAULT, "b"),
                (kind::NULL_AS_DEFAULT, "s")
            ])
        );
    }

    #[test]
    fn enum_case_whole_money_and_loose_bools_are_reported_with_nested_paths() {
        assert_eq!(
            kinds(
                r#"{"orders": [{"state": "New", "totalSum": 120, "split": "true"}, {"state": "BILL", "totalSum": 1.5}]}"#,
                r#"{"orders": [{"state": "NEW", "totalSum": 120.00, "split": true}, {"state": "BILL", "totalSum": 1.50}]}"#
            ),
            pairs(&[
                (kind::ENUM_CASE, "orders[0].state"),
                (kind::WHOLE_NUMBER_MONEY, "orders[0].totalSum"),
                (kind::LOOSE_BOOL, "orders[0].split"),
            ])
        );
    }

    #[test]
    fn a_zero_table_number_is_reported_as_no_table_wherever_it_is() {
        let raw = r#"{"tableNumber": 0, "orders": [{"billId": "b", "tableNumber": "0"}]}"#;
        let canonical = r#"{"orders": [{"billId": "b"}]}"#;
        assert_eq!(
            kinds(raw, canonical),
            pairs(&[(kind::ZERO_TABLE_NUMBER, "tableNumber"), (kind::ZERO_TABLE_NUMBER, "orders[0].tableNumber")])
        );
    }

    #[test]
    fn empty_strings_read_as_absent_are_reported_and_unknown_keys_are_not() {
        assert_eq!(
            kinds(r#"{"created": "", "linkedTo": "", "vip": true, "note": null}"#, r#"{"linkedTo": null}"#),
            pairs(&[(kind::EMPTY_STRING_AS_ABSENT, "created"), (kind::EMPTY_STRING_AS_ABSENT, "linkedTo")])
        );
    }

    #[test]
    fn single_objects_and_comma_strings_read_as_lists_are_reported() {
        assert_eq!(
            kinds(
                r#"{"g": {"n": 1}, "roles": "waiter, manager"}"#,
                r#"{"g": [{"n": "1"}], "roles": ["waiter", "manager"]}"#
            ),
            pairs(&[(kind::OBJECT_AS_LIST, "g"), (kind::STRING_AS_NUMBER, "g[0].n"), (kind::TEXT_AS_LIST, "roles")])
        );
    }

    #[test]
    fn wire_values_keep_number_text_and_escapes() {
        let v = WireValue::parse(br#"{"s": "a\"b", "n": 1e2, "m": 129.20}"#).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"s":"a\"b","n":1e2,"m":129.20}"#);
    }
}
