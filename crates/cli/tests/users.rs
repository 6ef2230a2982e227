//! `rahunok user add|list` and the first-start hint, as an operator meets them.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

const RAHUNOK: &str = env!("CARGO_BIN_EXE_rahunok");

/// Runs `rahunok` with `stdin` as its input.
fn rahunok_with_input(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(RAHUNOK)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("rahunok runs");
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn user_add_reads_the_password_from_stdin_and_user_list_shows_the_user() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let added = rahunok_with_input(
        &["user", "add", "--data", dir, "--role", "operator", "--password-stdin", "Olena"],
        "correct horse battery\n",
    );
    assert!(added.status.success(), "{}", text(&added.stderr));
    assert!(text(&added.stdout).contains("Created panel user `olena` (operator)"));
    let listed = rahunok_with_input(&["user", "list", "--data", dir], "");
    assert_eq!(text(&listed.stdout), "olena\toperator\t*\n");

    let again = rahunok_with_input(
        &["user", "add", "--data", dir, "--role", "operator", "--password-stdin", "olena"],
        "another long password\n",
    );
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));
}

#[test]
fn a_short_password_or_a_restaurant_admin_without_a_restaurant_is_refused() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let short = rahunok_with_input(
        &["user", "add", "--data", dir, "--role", "operator", "--password-stdin", "olena"],
        "short\n",
    );
    assert!(!short.status.success());
    assert!(text(&short.stderr).contains("at least 10 characters"), "{}", text(&short.stderr));
    let no_restaurant = rahunok_with_input(
        &["user", "add", "--data", dir, "--role", "restaurant-admin", "--password-stdin", "marta"],
        "correct horse battery\n",
    );
    assert!(text(&no_restaurant.stderr).contains("needs --restaurant"), "{}", text(&no_restaurant.stderr));
    let unknown = rahunok_with_input(
        &[
            "user",
            "add",
            "--data",
            dir,
            "--role",
            "restaurant-admin",
            "--restaurant",
            "nope",
            "--password-stdin",
            "marta",
        ],
        "correct horse battery\n",
    );
    assert!(text(&unknown.stderr).contains("no restaurant with RESTO_ID `nope`"), "{}", text(&unknown.stderr));
}

#[test]
fn serve_tells_how_to_create_the_first_operator() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("fresh");
    let mut server = Command::new(RAHUNOK)
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(&dir)
        .env_remove("RAHUNOK_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = server.stdout.take().unwrap();
    let (send, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let mut seen = Vec::new();
    let hint = loop {
        match lines.recv_timeout(std::time::Duration::from_secs(30)) {
            Ok(line) if line.contains("rahunok user add") => break line,
            Ok(line) => seen.push(line),
            Err(_) => break String::new(),
        }
    };
    let _ = server.kill();
    let _ = server.wait();
    assert!(seen.iter().any(|l| l.contains("/panel") && l.contains("nobody can sign in yet")), "{seen:?}");
    assert_eq!(hint.trim(), format!("rahunok user add --data {} --role operator NAME", dir.display()));
}
