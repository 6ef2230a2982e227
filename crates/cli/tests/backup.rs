//! `rahunok backup` against a running `rahunok serve` process under a write load, and
//! `rahunok restore` of the copy: the copy opens, passes SQLite's integrity check, and holds
//! every restaurant whose creation was answered before the backup began.

mod support;

use sqlx::{Connection, Row};
use std::collections::HashSet;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::{create_restaurant, free_port, wait_ready, ServerProcess};

const RAHUNOK: &str = env!("CARGO_BIN_EXE_rahunok");

fn rahunok(args: &[&str]) -> Output {
    Command::new(RAHUNOK).args(args).env_remove("RAHUNOK_DATABASE_URL").output().expect("rahunok runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Creates restaurants one after another until `stop`; each id is pushed once its 201 came back.
async fn write_load(base: String, created: Arc<Mutex<Vec<String>>>, stop: Arc<std::sync::atomic::AtomicBool>) {
    let http = reqwest::Client::new();
    let mut n = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        let (resto_id, _) = create_restaurant(&http, &base, &format!("Load {n}")).await;
        created.lock().unwrap().push(resto_id);
        n += 1;
    }
}

async fn restaurants_in(file: &std::path::Path) -> HashSet<String> {
    let url = format!("sqlite://{}?mode=ro", file.display());
    let mut connection = sqlx::SqliteConnection::connect(&url).await.expect("the copy opens");
    let integrity: String = sqlx::query("PRAGMA integrity_check").fetch_one(&mut connection).await.unwrap().get(0);
    assert_eq!(integrity, "ok");
    let rows = sqlx::query("SELECT resto_id FROM restaurants").fetch_all(&mut connection).await.unwrap();
    rows.iter().map(|r| r.get::<String, _>(0)).collect()
}

async fn wait_for(created: &Mutex<Vec<String>>, count: usize) {
    for _ in 0..600 {
        if created.lock().unwrap().len() >= count {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the write load made fewer than {count} restaurants");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_during_a_write_load_holds_every_row_committed_before_it_and_restores() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data_arg = data.display().to_string();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let _server = ServerProcess::start(port, &["--data".to_string(), data_arg.clone()]);
    wait_ready(&reqwest::Client::new(), &base).await;

    let created = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = tokio::spawn(write_load(base.clone(), created.clone(), stop.clone()));
    wait_for(&created, 20).await;
    let committed_before: Vec<String> = created.lock().unwrap().clone();
    let copy = dir.path().join("copy.db");
    let copy_arg = copy.display().to_string();
    let backup = tokio::task::spawn_blocking({
        let (data_arg, copy_arg) = (data_arg.clone(), copy_arg.clone());
        move || rahunok(&["backup", "--data", &data_arg, "--to", &copy_arg])
    })
    .await
    .unwrap();
    let during = created.lock().unwrap().len();
    wait_for(&created, during + 5).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    load.await.unwrap();
    assert!(backup.status.success(), "{}", text(&backup.stderr));
    assert!(text(&backup.stdout).contains("Backed up"), "{}", text(&backup.stdout));

    let in_copy = restaurants_in(&copy).await;
    for resto_id in &committed_before {
        assert!(in_copy.contains(resto_id), "{resto_id} was committed before the backup began");
    }
    assert!(in_copy.len() < created.lock().unwrap().len(), "the load went on after the copy was taken");

    let again = rahunok(&["backup", "--data", &data_arg, "--to", &copy_arg]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));

    // Restored into a new data directory, the store serves what the copy holds.
    let restored = dir.path().join("restored");
    let restored_arg = restored.display().to_string();
    let put_back = rahunok(&["restore", "--from", &copy_arg, "--data", &restored_arg]);
    assert!(put_back.status.success(), "{}", text(&put_back.stderr));
    let key = data.join("master.key").display().to_string();
    let listed = rahunok(&["restaurant", "list", "--data", &restored_arg, "--master-key-file", &key]);
    assert!(listed.status.success(), "{}", text(&listed.stderr));
    let listed = text(&listed.stdout);
    assert!(committed_before.iter().all(|id| listed.contains(id.as_str())), "{listed}");

    let over = rahunok(&["restore", "--from", &copy_arg, "--data", &restored_arg]);
    assert!(!over.status.success(), "an existing store is replaced only with --force");
    assert!(text(&over.stderr).contains("add --force"), "{}", text(&over.stderr));
}

#[test]
fn backup_of_a_postgresql_store_points_to_pg_dump() {
    let output = rahunok(&["backup", "--database-url", "postgres://nowhere/db", "--to", "/tmp/never.db"]);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("pg_dump"), "{}", text(&output.stderr));
}
