//! The `rahunok` binary as a newcomer and an operator use it: the README's run command with
//! `--demo` on a fresh data directory, and the restaurant commands.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const RAHUNOK: &str = env!("CARGO_BIN_EXE_rahunok");

fn rahunok(args: &[&str]) -> std::process::Output {
    Command::new(RAHUNOK).args(args).env_remove("RAHUNOK_ADMIN_TOKEN").output().expect("rahunok runs")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Reads stdout lines until one contains `needle` (30 s at most).
fn wait_for_line(lines: &mpsc::Receiver<String>, seen: &mut Vec<String>, needle: &str) -> String {
    loop {
        let line = lines.recv_timeout(Duration::from_secs(30)).unwrap_or_else(|_| panic!("no `{needle}` in {seen:?}"));
        seen.push(line.clone());
        if line.contains(needle) {
            return line;
        }
    }
}

#[test]
fn serve_demo_on_a_fresh_data_dir_serves_the_demo_tables_right_away() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let child = Command::new(RAHUNOK)
        .args(["serve", "--demo", "--listen", &format!("127.0.0.1:{port}")])
        .arg("--data")
        .arg(data.path().join("fresh"))
        .env_remove("RAHUNOK_ADMIN_TOKEN")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Running(child);
    let stdout = server.0.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = send.send(line);
        }
    });
    let mut seen = Vec::new();
    let first_token = wait_for_line(&lines, &mut seen, "shown once");
    let resto_line = wait_for_line(&lines, &mut seen, "RESTO_ID=");
    let curl = wait_for_line(&lines, &mut seen, "tables?refresh=true");
    let token = first_token.rsplit(' ').next().unwrap().to_string();
    let resto_id = resto_line.split("RESTO_ID=").nth(1).unwrap().split_whitespace().next().unwrap().to_string();
    assert!(curl.contains(&token) && curl.contains(&resto_id), "the printed curl line is ready to paste: {curl}");

    // Fetch the tables the way the printed curl line does, over plain HTTP.
    let path = format!("/api/admin/restaurants/{resto_id}/tables?refresh=true");
    let mut answer = String::new();
    for _ in 0..100 {
        answer = http_get(port, &path, &token);
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert_eq!(answer.matches("\"hallPlanId\"").count(), 12, "the 12 tables of the demo café: {answer}");
    drop(server);

    // The token is stored and shown again.
    let shown = rahunok(&["admin-token", "--data", data.path().join("fresh").to_str().unwrap()]);
    assert_eq!(String::from_utf8(shown.stdout).unwrap().trim(), token);
}

/// A minimal HTTP/1.1 GET, so this test needs no HTTP client crate.
fn http_get(port: u16, path: &str, token: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return String::new() };
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer
}

#[test]
fn restaurant_add_prints_credentials_and_list_shows_the_restaurant() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().to_str().unwrap();
    let added = rahunok(&["restaurant", "add", "--data", dir, "Кафе «Липа»"]);
    assert!(added.status.success());
    let out = String::from_utf8(added.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("RESTO_ID=") && lines[1].starts_with("SECRET_KEY="), "{out}");
    let resto_id = lines[0].trim_start_matches("RESTO_ID=");
    assert!(lines[1].len() > "SECRET_KEY=".len() + 64);

    let json = rahunok(&["restaurant", "add", "--data", dir, "--json", "Друге"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(json["secretKey"].as_str().unwrap().len() > 64);

    let listed = String::from_utf8(rahunok(&["restaurant", "list", "--data", dir]).stdout).unwrap();
    assert!(listed.contains(resto_id) && listed.contains("Кафе «Липа»"), "{listed}");

    let rotated = rahunok(&["restaurant", "rotate-secret", "--data", dir, resto_id]);
    assert!(rotated.status.success());
    let empty = rahunok(&["restaurant", "add", "--data", dir, "   "]);
    assert!(!empty.status.success(), "a blank name is refused");
    assert!(String::from_utf8(empty.stderr).unwrap().contains("1 to 200 characters"));

    let unknown = rahunok(&["restaurant", "rotate-secret", "--data", dir, "nope"]);
    assert!(!unknown.status.success());
    assert!(String::from_utf8(unknown.stderr).unwrap().contains("restaurant list"), "the error names the fix");
}

#[test]
fn admin_token_before_the_first_start_says_what_to_do() {
    let data = tempfile::tempdir().unwrap();
    let out = rahunok(&["admin-token", "--data", data.path().to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(String::from_utf8(out.stderr).unwrap().contains("rahunok serve"));
}
