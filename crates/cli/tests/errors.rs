//! How the `rahunok` binary fails and logs for operators: a failure is one line and exit code 1
//! even with `RUST_BACKTRACE` set (developer machines often have it), `-v` shows more, and
//! `--log-format json` writes one JSON object per log line.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

const RAHUNOK: &str = env!("CARGO_BIN_EXE_rahunok");

/// `rahunok user add` with a too-short password on stdin, with `extra` flags.
fn short_password(extra: &[&str]) -> std::process::Output {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(RAHUNOK)
        .args(["user", "add", "--data", data.path().to_str().unwrap(), "--role", "operator", "--password-stdin"])
        .args(extra)
        .arg("olena")
        .env("RUST_BACKTRACE", "1")
        .env("RUST_LIB_BACKTRACE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn a_failing_command_says_one_line_and_exits_1_even_with_rust_backtrace_set() {
    let output = short_password(&[]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, "error: the password must be at least 10 characters\n");
}

#[test]
fn a_failing_command_with_v_shows_the_backtrace_too() {
    let output = short_password(&["-v"]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.starts_with("error: the password must be at least 10 characters\n"), "{stderr}");
    assert!(stderr.contains("backtrace"), "{stderr}");
}

#[test]
fn a_busy_port_is_said_once_in_one_line() {
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = busy.local_addr().unwrap().to_string();
    let data = tempfile::tempdir().unwrap();
    let output = Command::new(RAHUNOK)
        .args(["serve", "--listen", &address, "--data", data.path().join("data").to_str().unwrap()])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(last.starts_with("error: the server could not start: cannot listen on "), "{stderr}");
    assert_eq!(last.matches("Address already in use").count(), 1, "the reason once: {stderr}");
}

#[test]
fn serve_with_log_format_json_writes_json_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    // A data directory the server makes itself (private): an existing one open to others would
    // be warned about first.
    let data = dir.path().join("data");
    let mut child = Command::new(RAHUNOK)
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json", "--data", data.to_str().unwrap()])
        .env("RAHUNOK_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let event: serde_json::Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line}"));
    assert_eq!(event["level"], "INFO", "{event}");
    assert_eq!(event["message"], "Rahunok is listening", "{event}");
    assert!(event["address"].as_str().unwrap().starts_with("127.0.0.1:"), "{event}");
}
