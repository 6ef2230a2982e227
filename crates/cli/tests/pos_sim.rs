//! `rahunok pos-sim` as an integrator runs it: a separate process connecting to a running
//! `rahunok serve`, answering from a fixture file, and pushing ORDERS_CACHE.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const RAHUNOK: &str = env!("CARGO_BIN_EXE_rahunok");
const TOKEN: &str = "pos-sim-test-token";

/// A process started by the test, killed when dropped; what it logged is kept in `log`.
struct Running {
    child: Child,
    log: PathBuf,
}

impl Running {
    /// What the process has logged so far (for a failure message).
    fn logged(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        format!("--- {} ---\n{text}", self.log.display())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn spawn(args: &[&str], log: &Path) -> Running {
    let child = Command::new(RAHUNOK)
        .args(args)
        .env("RAHUNOK_ADMIN_TOKEN", TOKEN)
        .env("RAHUNOK_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).expect("the log file opens"))
        .spawn()
        .expect("rahunok runs");
    Running { child, log: log.to_path_buf() }
}

/// The JSON answer of `url`, or what came instead.
async fn get(http: &reqwest::Client, url: &str) -> Result<serde_json::Value, String> {
    let response = http.get(url).bearer_auth(TOKEN).send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let text = response.text().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{status}: {text}"));
    }
    serde_json::from_str(&text).map_err(|e| format!("{e}: {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pos_sim_serves_a_fixture_file_and_pushes_the_orders_cache() {
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("store");
    let added = Command::new(RAHUNOK)
        .args(["restaurant", "add", "--json", "--data"])
        .arg(&dir)
        .arg("Fixture café")
        .output()
        .unwrap();
    let credentials: serde_json::Value = serde_json::from_slice(&added.stdout).unwrap();
    let (resto_id, secret) = (credentials["restoId"].as_str().unwrap(), credentials["secretKey"].as_str().unwrap());

    // A fixture of our own: the bundled café with one table renamed.
    let mut fixture: serde_json::Value = serde_json::from_str(rahunok_pos_sim::fixture::KYIV_CAFE).unwrap();
    fixture["tables"][0]["name"] = "Стіл з фікстури".into();
    let fixture_path = data.path().join("fixture.json");
    std::fs::write(&fixture_path, serde_json::to_vec(&fixture).unwrap()).unwrap();

    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let server = spawn(
        &["serve", "--listen", &format!("127.0.0.1:{port}"), "--data", dir.to_str().unwrap()],
        &data.path().join("serve.log"),
    );
    let http = reqwest::Client::new();
    // Start the POS once the server listens: a POS reconnects at most once per 15 s.
    for _ in 0..200 {
        if http.get(format!("{base}/healthz")).send().await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pos = spawn(
        &[
            "pos-sim",
            "--server",
            &base,
            "--resto",
            resto_id,
            "--secret",
            secret,
            "--fixture",
            fixture_path.to_str().unwrap(),
            "--cache-interval",
            "0.5",
            // On a loaded machine the server may still be starting: try again after 1 s, not 15.
            "--reconnect-delay",
            "1",
        ],
        &data.path().join("pos-sim.log"),
    );

    let tables_url = format!("{base}/api/admin/restaurants/{resto_id}/tables?refresh=true");
    let mut tables = Err("not asked yet".to_string());
    for _ in 0..200 {
        tables = get(&http, &tables_url).await;
        if tables.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tables = tables.unwrap_or_else(|last| {
        panic!("the POS never answered tablesInfo; last answer {last}\n{}\n{}", server.logged(), pos.logged())
    });
    assert_eq!(tables["tables"][0]["name"], "Стіл з фікстури", "answers come from the fixture file");

    let orders_url = format!("{base}/api/admin/restaurants/{resto_id}/orders");
    for _ in 0..100 {
        if let Ok(cache) = get(&http, &orders_url).await {
            if cache["fresh"] == true && cache["orders"].as_array().is_some_and(|o| o.len() == 3) {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the virtual POS never pushed its 3 open orders in ORDERS_CACHE\n{}\n{}", server.logged(), pos.logged());
}

#[test]
fn pos_sim_with_a_broken_fixture_says_what_is_wrong() {
    let data = tempfile::tempdir().unwrap();
    let fixture = data.path().join("broken.json");
    std::fs::write(&fixture, r#"{"restaurant": {"name": "x"}, "tables": "none"}"#).unwrap();
    let out = Command::new(RAHUNOK)
        .args(["pos-sim", "--server", "http://127.0.0.1:9", "--resto", "r", "--secret", "s", "--fixture"])
        .arg(&fixture)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("fixture") && stderr.contains("tables"), "{stderr}");
}
