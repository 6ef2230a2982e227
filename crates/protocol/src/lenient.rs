//! Liberal readers for loosely typed JSON from POS integrations already in production.
//!
//! Why this exists: the spec (section 4, "Be liberal in what you accept") lets a POS send
//! `"tableNumber": 12` or `"12"`, `null` lists, `""` for "unknown", enums in any letter case.
//! Every typed field of a callback goes through one of these readers, so the normalisation
//! rules live in one place. They keep the exact wire text of numbers (no floats).
//!
//! # Optional text fields
//!
//! Most optional fields of the protocol are text a POS may send as a string, a number,
//! `null`, `""` or not at all. They stay plain `Option<String>` (what the other crates read
//! and build) and are all declared with the one spelling [`text`] documents:
//!
//! ```text
//! #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
//! ```
//!
//! Why this and not something shorter: with `#[derive(Deserialize)]`, a field with its own
//! reader is an error when its key is absent unless it also says `default`; and only
//! `skip_serializing_if` can leave a key out of the output, because serde decides that before
//! it calls the field's writer. So the three parts stay; `with = "lenient::text"` is the one
//! name for "lenient optional text" and [`text`] says what it accepts. A field without
//! `skip_serializing_if` writes `null` when it is `None` (as `Dish::linked_to` always has).
//! A newtype field (e.g. `OptText`) could drop `default`, but it would change the
//! `Option<String>` fields that the server, the POS SDK, the simulator and the CLI read and
//! build; a `macro_rules!` wrapped around every struct would hide the derives.

use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// One JSON value, classified without losing the exact text of numbers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireScalar {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written on the wire (`129.20`).
    Number(String),
    /// A string, unescaped.
    Text(String),
    /// An object or an array.
    Composite,
}

impl fmt::Display for WireScalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lent = match self {
            WireScalar::Null => Scalar::Null,
            WireScalar::Bool(b) => Scalar::Bool(*b),
            WireScalar::Number(n) => Scalar::Number(Cow::Borrowed(n)),
            WireScalar::Text(t) => Scalar::Text(Cow::Borrowed(t)),
            WireScalar::Composite => Scalar::Composite,
        };
        lent.fmt(f)
    }
}

impl<'de> Deserialize<'de> for WireScalar {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<WireScalar, D::Error> {
        let raw = raw_text(deserializer)?;
        Ok(Scalar::of(&raw).map_err(de::Error::custom)?.into_owned())
    }
}

/// One JSON value classified like [`WireScalar`], borrowing its text where it can: what the
/// readers of this crate match on, so a scalar that is checked, parsed into money or copied
/// once costs no allocation of its own on the way.
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    /// A number's text is always lent (a `Cow` only so it matches alongside `Text`).
    Number(Cow<'a, str>),
    Text(Cow<'a, str>),
    Composite,
}

impl<'a> Scalar<'a> {
    /// Classifies `raw`, the exact JSON text of one value (no whitespace around it).
    pub(crate) fn of(raw: &'a str) -> Result<Scalar<'a>, serde_json::Error> {
        Ok(match raw.as_bytes().first() {
            // A string without escapes is its text between the quotes (no second parse).
            Some(b'"') if !raw.contains('\\') => Scalar::Text(Cow::Borrowed(&raw[1..raw.len() - 1])),
            Some(b'"') => Scalar::Text(Cow::Owned(serde_json::from_str(raw)?)),
            Some(b'{') | Some(b'[') => Scalar::Composite,
            _ if raw == "null" => Scalar::Null,
            _ if raw == "true" => Scalar::Bool(true),
            _ if raw == "false" => Scalar::Bool(false),
            _ => Scalar::Number(Cow::Borrowed(raw)),
        })
    }

    fn into_owned(self) -> WireScalar {
        match self {
            Scalar::Null => WireScalar::Null,
            Scalar::Bool(b) => WireScalar::Bool(b),
            Scalar::Number(n) => WireScalar::Number(n.into_owned()),
            Scalar::Text(t) => WireScalar::Text(t.into_owned()),
            Scalar::Composite => WireScalar::Composite,
        }
    }
}

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Null => f.write_str("null"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Number(n) => write!(f, "the number {n}"),
            Scalar::Text(t) => write!(f, "the string {t:?}"),
            Scalar::Composite => f.write_str("an object or array"),
        }
    }
}

/// The exact JSON text of the next value: lent by the parser when it reads from a string or
/// bytes, an owned copy when it cannot lend (`serde_json::from_value`, which the SDK's users
/// call).
///
/// This is what `Box<RawValue>` and `&RawValue` do, through the same door (serde_json's
/// raw-value newtype name, which both of its deserializers and `serde_path_to_error` pass
/// on), with both answers accepted: `Box<RawValue>` always copied, `&RawValue` cannot be
/// read from a `Value`. A boxed copy of every scalar was a tenth of the reading of a `getBill`
/// answer (BENCHMARKS.md). `raw_text_borrows_from_text_and_copies_from_a_value` checks that the
/// door is where it was whenever serde_json is updated.
pub(crate) fn raw_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Cow<'de, str>, D::Error> {
    /// serde_json's name for its raw-value newtype (`serde_json::raw::TOKEN`, not exported).
    const RAW_VALUE: &str = "$serde_json::private::RawValue";

    struct RawVisitor;
    impl<'de> Visitor<'de> for RawVisitor {
        type Value = Cow<'de, str>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Cow<'de, str>, A::Error> {
            // One entry: serde_json's raw-value key, then the text.
            map.next_key::<de::IgnoredAny>()?.ok_or_else(|| de::Error::custom("expected a raw JSON value"))?;
            map.next_value_seed(StrSeed)
        }
    }

    deserializer.deserialize_newtype_struct(RAW_VALUE, RawVisitor)
}

/// [`raw_text`] as a seed, for values read by hand from a map.
pub(crate) struct RawTextSeed;

impl<'de> de::DeserializeSeed<'de> for RawTextSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        raw_text(deserializer)
    }
}

/// A string as the parser gives it: lent when it can, copied when it cannot.
pub(crate) struct StrSeed;

impl<'de> de::DeserializeSeed<'de> for StrSeed {
    type Value = Cow<'de, str>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Cow<'de, str>, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Borrowed(text))
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Owned(text.to_owned()))
            }
            fn visit_string<E: de::Error>(self, text: String) -> Result<Cow<'de, str>, E> {
                Ok(Cow::Owned(text))
            }
        }
        deserializer.deserialize_str(StrVisitor)
    }
}

/// Writes `text` (already a valid JSON number) verbatim, so `129.20` keeps its two decimals.
pub fn serialize_number_text<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    let raw = RawValue::from_string(text.to_string()).map_err(serde::ser::Error::custom)?;
    raw.serialize(serializer)
}

/// An optional string that may arrive as a number; `null` and `""` are `None`.
///
/// Struct fields use it through [`text`] (`#[serde(default, with = "lenient::text", ...)]`).
pub fn opt_string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let raw = raw_text(deserializer)?;
    Ok(match Scalar::of(&raw).map_err(de::Error::custom)? {
        Scalar::Null => None,
        Scalar::Text(t) if t.is_empty() => None,
        Scalar::Text(t) | Scalar::Number(t) => Some(t.into_owned()),
        Scalar::Bool(b) => Some(b.to_string()),
        Scalar::Composite => return Err(de::Error::custom("expected a string, found an object or array")),
    })
}

/// Optional text read leniently: the `#[serde(with = "lenient::text")]` module for
/// `Option<String>` fields.
///
/// Reading is exactly [`opt_string`]: absent (with `default`), `null` and `""` are `None`;
/// a string is kept as written (also `" "`); a number is its wire text (`1.50` stays
/// `"1.50"`); `true`/`false` are their text; an object or array is a field error. Writing is
/// plain `Option<String>`: the string, or `null` for `None` unless the field also has
/// `skip_serializing_if = "Option::is_none"` (the [`lenient`](crate::lenient) docs say why the
/// three parts stay on each field).
///
/// ```
/// use rahunok_protocol::lenient;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Debug, PartialEq, Serialize, Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// struct Line {
///     /// Left out of the output when `None`.
///     #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
///     waiter_id: Option<String>,
///     /// Written as `null` when `None`.
///     #[serde(default, with = "lenient::text")]
///     linked_to: Option<String>,
/// }
///
/// let line: Line = serde_json::from_str(r#"{"waiterId": 12, "linkedTo": ""}"#).unwrap();
/// assert_eq!(line, Line { waiter_id: Some("12".into()), linked_to: None });
/// assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"waiterId":"12","linkedTo":null}"#);
///
/// let line: Line = serde_json::from_str(r#"{"waiterId": null}"#).unwrap();
/// assert_eq!(serde_json::to_string(&line).unwrap(), r#"{"linkedTo":null}"#);
///
/// assert!(serde_json::from_str::<Line>(r#"{"waiterId": {"id": 1}}"#).is_err());
/// ```
pub mod text {
    use serde::{Deserializer, Serialize, Serializer};

    /// Reads the field with [`opt_string`](super::opt_string).
    ///
    /// ```
    /// use rahunok_protocol::lenient;
    /// let read = |json: &str| lenient::text::deserialize(&mut serde_json::Deserializer::from_str(json)).unwrap();
    /// assert_eq!(read("32070"), Some("32070".to_string()));
    /// assert_eq!(read(r#""""#), None);
    /// ```
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        super::opt_string(deserializer)
    }

    /// Writes the field as plain `Option<String>`: the string, or `null`.
    ///
    /// ```
    /// let mut out = Vec::new();
    /// rahunok_protocol::lenient::text::serialize(&Some("12".to_string()), &mut serde_json::Serializer::new(&mut out))
    ///     .unwrap();
    /// assert_eq!(out, br#""12""#);
    /// ```
    pub fn serialize<S: Serializer>(value: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
        value.serialize(serializer)
    }
}

/// A table number as the POS writes it: read like [`text`], and `0`, `"0"`, `""` and `null` all
/// mean "no table" (spec section 4). Typed POS clients write `0` for an unset integer; taken as a
/// real table, it put payments and receipts on "table 0". The conformance walk warns
/// (`ZERO_TABLE_NUMBER`) when a zero was read so.
///
/// ```
/// use rahunok_protocol::lenient;
/// let read = |json: &str| lenient::table::deserialize(&mut serde_json::Deserializer::from_str(json)).unwrap();
/// assert_eq!(read("12"), Some("12".to_string()));
/// assert_eq!(read(r#""12""#), Some("12".to_string()));
/// assert_eq!(read("0"), None);
/// assert_eq!(read(r#""0""#), None);
/// assert_eq!(read(r#""""#), None);
/// assert_eq!(read("null"), None);
/// assert_eq!(read(r#""10""#), Some("10".to_string()));
/// ```
pub mod table {
    use serde::{Deserializer, Serializer};

    /// Reads the field with [`opt_string`](super::opt_string); zero is no table.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
        Ok(super::opt_string(deserializer)?.filter(|table| !is_zero(table)))
    }

    /// Writes the field as [`text`](super::text) does.
    pub fn serialize<S: Serializer>(value: &Option<String>, serializer: S) -> Result<S::Ok, S::Error> {
        super::text::serialize(value, serializer)
    }

    /// Whether a table number as written on the wire is the zero that means "no table".
    ///
    /// ```
    /// assert!(rahunok_protocol::lenient::table::is_zero(" 0"));
    /// assert!(!rahunok_protocol::lenient::table::is_zero("10"));
    /// ```
    pub fn is_zero(table: &str) -> bool {
        table.trim() == "0"
    }
}

/// A required string that may arrive as a number (`"number": 12`).
pub fn string<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    opt_string(deserializer)?.ok_or_else(|| de::Error::custom("must not be null or empty"))
}

/// A string where `null` means "" (names, free text).
pub fn string_or_empty<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(opt_string(deserializer)?.unwrap_or_default())
}

/// An optional whole number that may arrive as a string (`"orderNumber": "32070"`).
pub fn opt_int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    let raw = raw_text(deserializer)?;
    match Scalar::of(&raw).map_err(de::Error::custom)? {
        Scalar::Null => Ok(None),
        Scalar::Text(t) if t.trim().is_empty() => Ok(None),
        Scalar::Number(t) | Scalar::Text(t) => parse_int(&t).map(Some).map_err(de::Error::custom),
        other => Err(de::Error::custom(format!("expected a whole number, found {other}"))),
    }
}

/// A required whole number that may arrive as a string.
pub fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
    opt_int(deserializer)?.ok_or_else(|| de::Error::custom("must be a whole number, not null"))
}

fn parse_int(text: &str) -> Result<i64, String> {
    let decimal = crate::decimal::Decimal::parse(text).map_err(|e| e.to_string())?;
    decimal.rescale(0).ok_or_else(|| format!("`{text}` is not a whole number"))
}

/// A boolean that may arrive as `"true"`, `1` or `null` (false).
pub fn bool<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let raw = raw_text(deserializer)?;
    match Scalar::of(&raw).map_err(de::Error::custom)? {
        Scalar::Null => Ok(false),
        Scalar::Bool(b) => Ok(b),
        Scalar::Number(t) | Scalar::Text(t) => match t.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" | "" => Ok(false),
            _ => Err(de::Error::custom(format!("expected true or false, found {t:?}"))),
        },
        Scalar::Composite => Err(de::Error::custom("expected true or false, found an object or array")),
    }
}

/// A list where `null` means empty and a single object means a list of one.
pub fn list<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct ListVisitor<T>(PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for ListVisitor<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list, a single object, or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
            while let Some(item) = seq.next_element()? {
                items.push(item);
            }
            Ok(items)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<T>, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|item| vec![item])
        }
    }
    deserializer.deserialize_any(ListVisitor(PhantomData))
}

/// An object where `null` and `""` mean its default (`"discounts": null`).
pub fn object_or_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned + Default,
{
    struct ObjectVisitor<T>(PhantomData<T>);
    impl<'de, T: DeserializeOwned + Default> Visitor<'de> for ObjectVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object, null, or an empty string")
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Ok(T::default())
        }
        fn visit_none<E: de::Error>(self) -> Result<T, E> {
            Ok(T::default())
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
            if text.trim().is_empty() {
                Ok(T::default())
            } else {
                Err(E::invalid_type(de::Unexpected::Str(text), &self))
            }
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_any(ObjectVisitor(PhantomData))
}

/// A required object: `null` and `""` are the error "is required" (liberal reading never
/// invents data; `"result": null` is no result). Combine it with no `default`, so an absent
/// key is "is required" too.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct Answer {
///     #[serde(deserialize_with = "rahunok_protocol::lenient::required_object")]
///     result: std::collections::BTreeMap<String, bool>,
/// }
/// assert!(serde_json::from_str::<Answer>(r#"{"result": {"ok": true}}"#).is_ok());
/// for body in [r#"{"result": null}"#, r#"{"result": ""}"#, r#"{}"#] {
///     assert!(serde_json::from_str::<Answer>(body).is_err(), "{body}");
/// }
/// ```
pub fn required_object<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    struct RequiredVisitor<T>(PhantomData<T>);
    impl<'de, T: DeserializeOwned> Visitor<'de> for RequiredVisitor<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_unit<E: de::Error>(self) -> Result<T, E> {
            Err(E::custom("is required"))
        }
        fn visit_none<E: de::Error>(self) -> Result<T, E> {
            Err(E::custom("is required"))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
            if text.trim().is_empty() {
                Err(E::custom("is required"))
            } else {
                Err(E::invalid_type(de::Unexpected::Str(text), &self))
            }
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            T::deserialize(de::value::MapAccessDeserializer::new(map))
        }
    }
    deserializer.deserialize_any(RequiredVisitor(PhantomData))
}

/// A list of strings that may also arrive as one comma-separated string (`"waiter, manager"`).
pub fn string_list<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct StringListVisitor;
    impl<'de> Visitor<'de> for StringListVisitor {
        type Value = Vec<String>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of strings or a comma-separated string")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<String>, E> {
            Ok(Vec::new())
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<String>, E> {
            Ok(text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect())
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<String>, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<serde_json::Value>()? {
                match item {
                    serde_json::Value::String(s) => items.push(s),
                    serde_json::Value::Null => {}
                    other => items.push(other.to_string()),
                }
            }
            Ok(items)
        }
    }
    deserializer.deserialize_any(StringListVisitor)
}

/// Declares a protocol enum that reads its wire names in any letter case and writes them
/// in canonical upper case. A value outside the list is a field error.
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $wire:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// The canonical wire name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Reads a wire name in any letter case.
            pub fn from_wire(text: &str) -> Option<$name> {
                $(if text.trim().eq_ignore_ascii_case($wire) { return Some($name::$variant); })+
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let text = $crate::lenient::string(d)?;
                $name::from_wire(&text).ok_or_else(|| {
                    let allowed: &[&str] = &[$($wire),+];
                    serde::de::Error::custom(format!("`{text}` is not one of {}", allowed.join(", ")))
                })
            }
        }
    };
}
pub(crate) use wire_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Line {
        #[serde(deserialize_with = "opt_string")]
        name: Option<String>,
        #[serde(deserialize_with = "opt_int")]
        number: Option<i64>,
        #[serde(deserialize_with = "bool")]
        hidden: bool,
        sum: crate::Money,
    }

    /// Lent by a parser of text, copied from a `Value`: the same text either way.
    #[test]
    fn raw_text_borrows_from_text_and_copies_from_a_value() {
        let raw = raw_text(&mut serde_json::Deserializer::from_str(" 129.20 ")).unwrap();
        assert!(matches!(raw, Cow::Borrowed("129.20")), "lent by a text parser: {raw:?}");
        let raw = raw_text(&mut serde_json::Deserializer::from_slice(br#""a\"b""#)).unwrap();
        assert!(matches!(raw, Cow::Borrowed(r#""a\"b""#)), "lent by a bytes parser: {raw:?}");

        let value: serde_json::Value = serde_json::from_str(r#"{"v": "12"}"#).unwrap();
        let raw = raw_text(&value["v"]).unwrap();
        assert!(matches!(raw, Cow::Owned(ref t) if t == "\"12\""), "copied from a Value: {raw:?}");
    }

    #[test]
    fn the_readers_give_the_same_answers_from_text_bytes_and_a_value() {
        let json = r#"{"name": "Борщ \"київський\"", "number": "32070", "hidden": "Yes", "sum": 129.20}"#;
        let from_text: Line = serde_json::from_str(json).unwrap();
        let from_bytes: Line = serde_json::from_slice(json.as_bytes()).unwrap();
        let from_value: Line = serde_json::from_value(serde_json::from_str(json).unwrap()).unwrap();
        for line in [from_text, from_bytes, from_value] {
            assert_eq!(line.name.as_deref(), Some("Борщ \"київський\""));
            assert_eq!(line.number, Some(32070));
            assert!(line.hidden);
            assert_eq!(line.sum.to_string(), "129.20");
        }
        let wrong = r#"{"name": [1], "number": null, "hidden": false, "sum": 1}"#;
        let error = serde_json::from_str::<Line>(wrong).err().unwrap().to_string();
        assert!(error.starts_with("expected a string, found an object or array"), "{error}");
    }
}
