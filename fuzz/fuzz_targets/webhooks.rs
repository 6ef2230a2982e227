//! POS-initiated webhooks (`ORDERS_CACHE`, `ORDERS_CLOSED`, user updates, ...).
#![no_main]

use libfuzzer_sys::fuzz_target;
use rahunok_protocol::webhook::Webhook;

fuzz_target!(|data: &[u8]| {
    if let Ok(webhook) = Webhook::parse(data) {
        let _ = webhook.kind();
    }
});
