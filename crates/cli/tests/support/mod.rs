//! What the tests that run `rahunok serve` as a real process share: start it on a port and a
//! store, wait until it answers, signal or kill it, and create a restaurant through the admin
//! API like an operator would.

#![allow(dead_code)] // each test file uses its own part

pub mod cluster;
pub mod nats;
pub mod nginx;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The admin token every test server runs with.
pub const TOKEN: &str = "process-test-token";

/// A running `rahunok serve`; killed when dropped. The second field is the temporary `--data`
/// given to a server started without one (a PostgreSQL node still keeps its master key and
/// admin token file there: never in the working directory, never in the repository).
pub struct ServerProcess(pub Child, pub Option<tempfile::TempDir>);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl ServerProcess {
    /// Starts `rahunok serve` on `port` with the store flags (`--data DIR` or
    /// `--database-url URL`) and any other flags in `args`.
    pub fn start(port: u16, args: &[String]) -> ServerProcess {
        ServerProcess::start_with_env(port, args, &[])
    }

    /// [`ServerProcess::start`] with these environment variables too.
    pub fn start_with_env(port: u16, args: &[String], env: &[(String, String)]) -> ServerProcess {
        let own_data = (!args.iter().any(|a| a == "--data")).then(|| tempfile::tempdir().expect("a temporary dir"));
        // A directory the server makes itself, private: a temporary directory is open to others.
        let data_flags =
            own_data.iter().flat_map(|d| ["--data".to_string(), d.path().join("data").display().to_string()]);
        let child = Command::new(env!("CARGO_BIN_EXE_rahunok"))
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .args(data_flags)
            .env("RAHUNOK_ADMIN_TOKEN", TOKEN)
            .env("RAHUNOK_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .spawn()
            .expect("rahunok serve starts");
        ServerProcess(child, own_data)
    }

    /// Sends a signal by name (`TERM`, `INT`).
    pub fn signal(&self, name: &str) {
        let sent = Command::new("kill").args(["-s", name, &self.0.id().to_string()]).status().expect("kill runs");
        assert!(sent.success());
    }

    /// Kills the process at once (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        self.0.kill().unwrap();
        self.0.wait().unwrap();
    }

    /// Waits for the process to exit, at most `limit`.
    pub async fn exit_status(&mut self, limit: Duration) -> std::process::ExitStatus {
        let deadline = tokio::time::Instant::now() + limit;
        loop {
            if let Some(status) = self.0.try_wait().expect("the process can be waited for") {
                return status;
            }
            assert!(tokio::time::Instant::now() < deadline, "the server did not exit within {limit:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Polls `check` every 50 ms until it gives `Some` (its value), for at most `limit`; panics
/// saying what never happened. For anything that must happen: never a fixed sleep.
pub async fn eventually<T, F, Fut>(limit: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A port free right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until `/healthz` answers.
pub async fn wait_ready(http: &reqwest::Client, base: &str) {
    for _ in 0..400 {
        if http.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status().is_success()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

/// Creates a restaurant in the SQLite store in `data` with `rahunok restaurant add`, as an
/// operator on the server's machine does (no connection to the server); its
/// `(RESTO_ID, SECRET_KEY)`.
pub fn add_restaurant_offline(data: &std::path::Path, name: &str) -> (String, String) {
    let added = Command::new(env!("CARGO_BIN_EXE_rahunok"))
        .args(["restaurant", "add", "--json", "--data", &data.display().to_string(), name])
        .output()
        .expect("rahunok restaurant add runs");
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    let created: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    (created["restoId"].as_str().unwrap().to_string(), created["secretKey"].as_str().unwrap().to_string())
}

/// Creates a restaurant through the admin API; its `(RESTO_ID, SECRET_KEY)`.
pub async fn create_restaurant(http: &reqwest::Client, base: &str, name: &str) -> (String, String) {
    let created: serde_json::Value = http
        .post(format!("{base}/api/admin/restaurants"))
        .bearer_auth(TOKEN)
        .json(&serde_json::json!({ "name": name }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (created["restoId"].as_str().unwrap().to_string(), created["secretKey"].as_str().unwrap().to_string())
}

/// A fresh schema in the test PostgreSQL (RAHUNOK_TEST_POSTGRES_URL, default the local `test`
/// database), so a test's store starts empty. (The API tests sweep old `rahunok_t…` schemas.)
pub async fn postgres_schema_url() -> String {
    use sqlx::Connection;
    let base = std::env::var("RAHUNOK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&base).await.unwrap_or_else(|e| {
        panic!("PostgreSQL tests need a server at {base} ({e}); start PostgreSQL or set RAHUNOK_TEST_POSTGRES_URL")
    });
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    let schema = format!("rahunok_t{}_cli{}", now.as_secs(), now.subsec_nanos());
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.expect("create schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-c%20search_path%3D{schema}")
}
