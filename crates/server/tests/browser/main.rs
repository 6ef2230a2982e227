//! Browser tests: the real server on a random port, the virtual POS, and headless Chromium
//! driving the real pages. Screenshots land in `target/screenshots/`.

#[path = "../api/helpers.rs"]
mod helpers;
#[path = "../api/liqpay_emulator.rs"]
mod liqpay_emulator;
#[path = "../api/monobank_emulator.rs"]
mod monobank_emulator;
mod webdriver;

mod accessibility;
mod guest;
mod journey;
mod liqpay;
mod monobank;
mod ordering;
mod panel;
mod smoke;
