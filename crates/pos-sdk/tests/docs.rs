//! The integrators' documentation — the SDK and the protocol crate it re-exports — builds without
//! a single rustdoc warning (broken links, bad code blocks). The doc examples themselves run as
//! doc tests; this checks the rendering.

use std::path::Path;
use std::process::Command;

#[test]
fn the_sdk_and_protocol_documentation_builds_without_warnings() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    // A target directory of its own, so this never waits on the build running the tests.
    let target = crate_dir.join("../../target/sdk-doc-check");
    let output = Command::new(cargo)
        .args(["doc", "-p", "rahunok-pos-sdk", "-p", "rahunok-protocol", "--no-deps"])
        .env("RUSTDOCFLAGS", "-D warnings")
        .env("CARGO_TARGET_DIR", target)
        .current_dir(crate_dir)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "cargo doc failed:\n{stderr}");
    assert!(!stderr.contains("warning"), "cargo doc warned:\n{stderr}");
}
