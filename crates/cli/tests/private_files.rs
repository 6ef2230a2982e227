//! What a real `rahunok serve` leaves on disk and in its log: a data directory it creates is
//! `0700`, the store (with its `-wal` and `-shm`), the master key and a backup are `0600`; a
//! data directory or store file that already exists looser than that is warned about at start
//! and left as the operator made it; and the admin token is printed once, at the start that
//! generated it, and never logged at any level.

#![cfg(unix)]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;
use support::{create_restaurant, free_port, wait_ready, ServerProcess, TOKEN};

const RAHUNOK: &str = env!("CARGO_BIN_EXE_rahunok");

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

fn beside(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_os_string();
    name.push(suffix);
    name.into()
}

/// Starts `rahunok serve` on `data` with `env`, its stdout and stderr written to files in `logs`
/// (the test's umask is the usual one: the server must not rely on it).
fn serve_logged(port: u16, data: &Path, logs: &Path, env: &[(&str, &str)]) -> ServerProcess {
    let stdout = std::fs::File::create(logs.join("stdout")).unwrap();
    let stderr = std::fs::File::create(logs.join("stderr")).unwrap();
    let child = Command::new(RAHUNOK)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .env_remove("RAHUNOK_ADMIN_TOKEN")
        .env_remove("RAHUNOK_MASTER_KEY")
        .env_remove("RAHUNOK_DATABASE_URL")
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .stdout(Stdio::from(stdout))
        .stderr(Stdio::from(stderr))
        .spawn()
        .expect("rahunok serve starts");
    ServerProcess(child, None)
}

/// Stops the server with SIGTERM and waits for it to exit, so its logs are complete.
async fn stop(mut server: ServerProcess) {
    server.signal("TERM");
    assert!(server.exit_status(Duration::from_secs(30)).await.success());
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_data_directory_is_0700_and_the_store_its_key_and_a_backup_are_0600() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new").join("data");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = ServerProcess::start(port, &["--data".to_string(), data.display().to_string()]);
    let http = reqwest::Client::new();
    wait_ready(&http, &base).await;
    create_restaurant(&http, &base, "Кав'ярня").await;

    let db = data.join("rahunok.db");
    assert_eq!(mode(&data), 0o700, "the data directory");
    assert_eq!(mode(&dir.path().join("new")), 0o700, "a parent it made for it");
    for file in [db.clone(), beside(&db, "-wal"), beside(&db, "-shm"), data.join("master.key")] {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }

    let copy = dir.path().join("copy.db");
    let backup = Command::new(RAHUNOK)
        .args(["backup", "--data"])
        .arg(&data)
        .arg("--to")
        .arg(&copy)
        .env_remove("RAHUNOK_DATABASE_URL")
        .output()
        .unwrap();
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    assert_eq!(mode(&copy), 0o600, "the backup holds everything the store does");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_data_directory_open_to_others_is_warned_about_once_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
    // An empty file is an empty SQLite store.
    let db = data.join("rahunok.db");
    std::fs::write(&db, "").unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    let port = free_port();
    let server = serve_logged(port, &data, dir.path(), &[("RAHUNOK_ADMIN_TOKEN", TOKEN), ("RAHUNOK_LOG", "warn")]);
    wait_ready(&reqwest::Client::new(), &format!("http://127.0.0.1:{port}")).await;
    stop(server).await;

    let log = read(dir.path().join("stderr"));
    let warned = |path: &Path| {
        let field = format!("path={} ", path.display());
        log.lines().filter(|l| l.contains("readable by other accounts") && l.contains(&field)).count()
    };
    assert_eq!(warned(&data), 1, "the directory, once: {log}");
    assert!(log.contains(&format!("chmod 700 {}", data.display())), "{log}");
    assert_eq!(warned(&db), 1, "the store file, once: {log}");
    assert!(log.contains(&format!("chmod 600 {}", db.display())), "{log}");
    assert_eq!(warned(&data.join("master.key")), 0, "the key it created is private: {log}");
    assert_eq!((mode(&data), mode(&db)), (0o755, 0o644), "an operator's modes are left as they are");
}

/// Every admin API call a test makes with `token`: reads, a write, and the OpenAPI document.
async fn use_the_admin_api(base: &str, token: &str) {
    let http = reqwest::Client::new();
    for path in ["/api/admin/restaurants", "/api/admin/openapi.json"] {
        let answer = http.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{path}");
    }
    let created = http
        .post(format!("{base}/api/admin/restaurants"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "name": "Кав'ярня" }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let refused = http.get(format!("{base}/api/admin/restaurants")).bearer_auth("not-the-token").send().await.unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_admin_token_is_printed_once_when_generated_and_never_logged_at_any_level() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    for level in ["trace", "debug"] {
        let logs = dir.path().join(level);
        std::fs::create_dir(&logs).unwrap();
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let server = serve_logged(port, &data, &logs, &[("RAHUNOK_LOG", level), ("RUST_LOG", level)]);
        wait_ready(&reqwest::Client::new(), &base).await;
        let token = read(data.join("admin-token")).trim().to_string();
        use_the_admin_api(&base, &token).await;
        stop(server).await;

        let (stdout, stderr) = (read(logs.join("stdout")), read(logs.join("stderr")));
        assert!(stderr.lines().count() > 5, "the {level} log was written: {stderr}");
        assert_eq!(stderr.matches(&token).count(), 0, "the token is in the {level} log");
        let printed: Vec<&str> = stdout.lines().filter(|l| l.contains(&token)).collect();
        match level {
            // The first start generated it: printed once, on its own line, as the README says.
            "trace" => assert!(printed.len() == 1 && printed[0].starts_with("Admin API token (shown once"), "{stdout}"),
            _ => assert!(printed.is_empty(), "a later start does not print it again: {stdout}"),
        }
    }

    // A token given in the environment is never printed nor logged.
    let logs = dir.path().join("configured");
    std::fs::create_dir(&logs).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let configured = "configured-admin-token-5f2c9a";
    let env = [("RAHUNOK_LOG", "trace"), ("RUST_LOG", "trace"), ("RAHUNOK_ADMIN_TOKEN", configured)];
    let server = serve_logged(port, &data, &logs, &env);
    wait_ready(&reqwest::Client::new(), &base).await;
    use_the_admin_api(&base, configured).await;
    stop(server).await;
    let (stdout, stderr) = (read(logs.join("stdout")), read(logs.join("stderr")));
    assert_eq!(stdout.matches(configured).count() + stderr.matches(configured).count(), 0, "{stdout}\n{stderr}");
}
