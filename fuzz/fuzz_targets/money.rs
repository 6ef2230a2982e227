//! Money, quantities and exact decimals: never a panic, and parse → display → parse is the
//! identity for everything accepted. Also the JSON readers (number and string forms).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rahunok_protocol::decimal::Decimal;
use rahunok_protocol::{Money, Quantity};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(money) = Money::parse(text) {
        assert!(money.kopiyky() >= 0);
        let shown = money.to_string();
        assert_eq!(Money::parse(&shown), Ok(money), "money round trip through {shown:?}");
        let json = serde_json::to_string(&money).unwrap();
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), money, "money JSON round trip {json}");
    }
    if let Ok(quantity) = Quantity::parse(text) {
        let shown = quantity.to_string();
        assert_eq!(Quantity::parse(&shown), Ok(quantity), "quantity round trip through {shown:?}");
        let json = serde_json::to_string(&quantity).unwrap();
        assert_eq!(serde_json::from_str::<Quantity>(&json).unwrap(), quantity, "quantity JSON round trip {json}");
    }
    if let Ok(decimal) = Decimal::parse(text) {
        let shown = decimal.to_string();
        assert_eq!(Decimal::parse(&shown), Ok(decimal), "decimal round trip through {shown:?}");
    }
    // The same text as a JSON value (number, string, anything) through the lenient readers.
    let _ = serde_json::from_slice::<Money>(data);
    let _ = serde_json::from_slice::<Quantity>(data);
});
