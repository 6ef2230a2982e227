//! The `Authorization` header of the POS socket login, read before any secret is checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rahunok_protocol::basic_auth::credentials;

fuzz_target!(|data: &[u8]| {
    let Ok(value) = std::str::from_utf8(data) else { return };
    if let Some((id, secret)) = credentials(value) {
        assert!(!id.contains(':'), "the id ends at the first colon");
        // What was read is what a client would have sent.
        use base64::Engine;
        let again = format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}")));
        assert_eq!(credentials(&again), Some((id, secret)));
    }
});
