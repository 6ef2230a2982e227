//! Browser tests: the real server on a random port, the virtual POS, and headless Chromium
//! driving the real pages. Screenshots land in `target/screenshots/`.

#[path = "../api/helpers.rs"]
mod helpers;
mod webdriver;

mod guest;
mod panel;
mod smoke;
