//! Reads a callback's head and its operation's fields in one pass over the body.
//!
//! Why this exists: the head ([`AnswerHead`]: `rID`, `state`, …) and the body (`orders`, …)
//! sit side by side in one JSON object. Read apart, the head's reading walked the whole body
//! only to skip it, and each reading checked the whole text as UTF-8 again — a third of the
//! cost of reading a `getBill` answer (BENCHMARKS.md). Here the body's reader is handed the
//! object with the head's keys taken out as they pass, and the head is read from those.
//!
//! This is only the fast way for answers that read cleanly: it answers `None` on anything
//! else (a syntax error, a wrong field, a repeated head key, bytes that are not UTF-8), and
//! [`Callback::parse`](crate::Callback::parse) then reads the head and body apart, which
//! reports the first problem with its path. So for every body both ways give the same
//! answer (the tests below check it on chosen bodies and on generated ones: any order of
//! keys, any of the values a POS sends).

use crate::answer_head::AnswerHead;
use crate::lenient::{RawTextSeed, StrSeed};
use serde::de::value::{BorrowedStrDeserializer, MapAccessDeserializer, StringDeserializer};
use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// The keys of [`AnswerHead`] on the wire. No answer body has a top-level field of these names.
const HEAD_KEYS: [&str; 5] = ["rID", "state", "substate", "errorCode", "errorMessage"];

/// The head and the body of `bytes` when both read cleanly in one pass; `None` otherwise.
pub(crate) fn read<A: DeserializeOwned>(bytes: &[u8]) -> Option<(AnswerHead, A)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut head = HeadFields::default();
    let body = deserializer.deserialize_map(BodyVisitor { head: &mut head, body: PhantomData }).ok()?;
    deserializer.end().ok()?;
    Some((head.read()?, body))
}

/// The head's key–value pairs as their exact JSON text, gathered while the body is read.
#[derive(Default)]
struct HeadFields<'de> {
    text: Vec<(&'static str, Cow<'de, str>)>,
}

impl HeadFields<'_> {
    /// The head, read by its own reader from a small object of its keys alone. `None` for a
    /// repeated key (the reading apart reports it).
    fn read(self) -> Option<AnswerHead> {
        let mut object = String::with_capacity(64);
        object.push('{');
        for (n, (key, value)) in self.text.iter().enumerate() {
            if self.text[..n].iter().any(|(seen, _)| seen == key) {
                return None;
            }
            if n > 0 {
                object.push(',');
            }
            object.push('"');
            object.push_str(key);
            object.push_str("\":");
            object.push_str(value);
        }
        object.push('}');
        serde_json::from_str(&object).ok()
    }
}

struct BodyVisitor<'h, 'de, A> {
    head: &'h mut HeadFields<'de>,
    body: PhantomData<A>,
}

impl<'de, A: DeserializeOwned> Visitor<'de> for BodyVisitor<'_, 'de, A> {
    type Value = A;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<A, M::Error> {
        A::deserialize(MapAccessDeserializer::new(HeadAside { map, head: self.head }))
    }
}

/// The object as the body's reader sees it: the head's keys are read aside as they pass.
struct HeadAside<'h, 'de, M> {
    map: M,
    head: &'h mut HeadFields<'de>,
}

impl<'de, M: MapAccess<'de>> MapAccess<'de> for HeadAside<'_, 'de, M> {
    type Error = M::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, M::Error> {
        while let Some(key) = self.map.next_key_seed(StrSeed)? {
            match HEAD_KEYS.iter().find(|head_key| **head_key == key) {
                Some(head_key) => {
                    let value = self.map.next_value_seed(RawTextSeed)?;
                    self.head.text.push((head_key, value));
                }
                None => {
                    return match key {
                        Cow::Borrowed(key) => seed.deserialize(BorrowedStrDeserializer::new(key)).map(Some),
                        Cow::Owned(key) => {
                            let key: StringDeserializer<M::Error> = key.into_deserializer();
                            seed.deserialize(key).map(Some)
                        }
                    };
                }
            }
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, M::Error> {
        self.map.next_value_seed(seed)
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use crate::envelope::Callback;
    use crate::ops::{BillAnswer, TablesInfoAnswer};
    use proptest::prelude::*;

    /// When one pass reads `body` as `A`, the two readings apart read the same head and body
    /// without an error. Whether one pass reads it is what it returns.
    fn both<A: crate::AnswerBody + PartialEq + std::fmt::Debug>(body: &str) -> bool {
        let Some((head, answer)) = super::read::<A>(body.as_bytes()) else { return false };
        let apart = Callback::<A>::read_apart(body.as_bytes());
        let (apart_head, apart_answer, errors) = apart.unwrap_or_else(|e| panic!("only one pass read {body}: {e:?}"));
        assert!(errors.is_empty(), "only one pass read {body}: {errors:?}");
        assert_eq!(head, apart_head, "{body}");
        assert_eq!(answer, apart_answer, "{body}");
        true
    }

    const ORDER: &str = r#"{"billId":"b1","state":"NEW","totalSum":"129.20","guests":[{"name":"Гість","dishes":[{"name":"Борщ","count":1,"sum":129.20}]}]}"#;

    #[test]
    fn one_pass_reads_what_the_two_readings_read() {
        let bodies = [
            format!(r#"{{"rID":"r1","state":"SUCCESS","tableNumber":12,"orders":[{ORDER}]}}"#),
            format!(r#"{{"orders":[{ORDER}],"state":"fail","substate":"ORDER_LOCKED","rID":7}}"#),
            format!(r#" {{ "r\u0049D" : "r1" , "orders" : [ {ORDER} ] , "errorMessage" : null }} "#),
            format!(r#"{{"rID":"r1","orders":[{ORDER}],"rID":"r2"}}"#),
            format!(r#"{{"rID":"r1","orders":[{ORDER}],"orders":[]}}"#),
            r#"{"rID":"r1","state":"FAIL","orders":"not a list"}"#.to_string(),
            r#"{"rID":"r1","state":"SUCCESS","orders":"not a list"}"#.to_string(),
            format!(r#"{{"rID":"r1","state":"MAYBE","orders":[{ORDER}]}}"#),
            format!(r#"{{"rID":"","orders":[{ORDER}]}}"#),
            format!(r#"{{"state":"SUCCESS","orders":[{ORDER}]}}"#),
            format!(r#"{{"rID":"r1","orders":[{ORDER}]}} trailing"#),
            format!(r#"{{"rID":"r1","orders":[{ORDER}]"#),
            r#"{"rID":"r1","errorCode":{"nested":true}}"#.to_string(),
            r#"{"rID":"r1","orders":null,"tableNumber":"12","unknown":{"state":"FAIL","rID":"x"}}"#.to_string(),
            r#"["rID","r1"]"#.to_string(),
        ];
        let read_in_one_pass: Vec<bool> = bodies.iter().map(|body| both::<BillAnswer>(body)).collect();
        assert_eq!(
            read_in_one_pass,
            [true, true, true, false, false, false, false, false, false, false, false, false, false, true, false],
            "clean answers in one pass; repeated keys, wrong fields and broken JSON left to the reading apart"
        );
        for body in &bodies {
            both::<TablesInfoAnswer>(body);
        }
    }

    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("null".to_string()),
            Just("\"\"".to_string()),
            Just("\"FAIL\"".to_string()),
            Just("\"success\"".to_string()),
            Just("12".to_string()),
            Just("\"r\\\"1\"".to_string()),
            Just("[]".to_string()),
            Just("{}".to_string()),
            Just(format!("[{ORDER}]")),
            Just(ORDER.to_string()),
        ]
    }

    proptest! {
        #[test]
        fn any_order_and_any_values_read_the_same_both_ways(
            fields in proptest::collection::vec(
                (prop_oneof![Just("rID"), Just("state"), Just("substate"), Just("errorCode"), Just("orders"), Just("tableNumber"), Just("tables"), Just("other")], value()),
                0..7,
            )
        ) {
            let body = format!(
                "{{{}}}",
                fields.iter().map(|(key, value)| format!("\"{key}\":{value}")).collect::<Vec<_>>().join(",")
            );
            both::<BillAnswer>(&body);
            both::<TablesInfoAnswer>(&body);
        }
    }
}
