//! The edge check on JSON from outside, against serde_json: for every text serde_json accepts,
//! `check` refuses it as too deep exactly when objects and arrays nest deeper than `MAX_DEPTH`,
//! and as holding NUL exactly when a string or key holds `\u0000`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rahunok_protocol::untrusted::{check, Unacceptable, MAX_DEPTH};
use serde_json::Value;

/// Nesting depth and whether any string or key holds NUL.
fn shape(value: &Value) -> (usize, bool) {
    match value {
        Value::String(s) => (0, s.contains('\0')),
        Value::Array(items) => {
            items.iter().map(shape).fold((1, false), |(d, n), (id, inul)| (d.max(id + 1), n || inul))
        }
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| {
                let (d, n) = shape(v);
                (d, n || k.contains('\0'))
            })
            .fold((1, false), |(d, n), (id, inul)| (d.max(id + 1), n || inul)),
        _ => (0, false),
    }
}

fuzz_target!(|data: &[u8]| {
    let verdict = check(data);
    // serde_json stops at 128 levels; past that there is nothing to compare with.
    let Ok(value) = serde_json::from_slice::<Value>(data) else { return };
    let (depth, nul) = shape(&value);
    match verdict {
        Ok(()) => assert!(depth <= MAX_DEPTH && !nul, "accepted depth {depth}, nul {nul}"),
        Err(Unacceptable::TooDeep) => assert!(depth > MAX_DEPTH, "refused as too deep at depth {depth}"),
        Err(Unacceptable::NulCharacter) => assert!(nul, "refused for NUL without one"),
    }
});
