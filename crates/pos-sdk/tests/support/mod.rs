//! Test helpers for the SDK's black-box tests: a real Rahunok server in its own runtime (so a
//! test can kill it outright and start another on the same port and store), its admin API, and
//! a scripted HTTP endpoint that records what the SDK posts.
#![allow(dead_code)] // each test file uses a different part

use rahunok_server::{Config, Server, Storage};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub const ADMIN_TOKEN: &str = "sdk-test-admin-token";

/// Server timings a test may shorten.
#[derive(Clone)]
pub struct Timings {
    pub ping_interval: Duration,
    pub silence_timeout: Duration,
    pub callback_timeout: Duration,
}

impl Default for Timings {
    fn default() -> Timings {
        Timings {
            ping_interval: Duration::from_secs(15),
            silence_timeout: Duration::from_secs(90),
            callback_timeout: Duration::from_secs(10),
        }
    }
}

/// A Rahunok server running in a runtime of its own: `kill` drops every task and socket at
/// once, as a crashed process would.
pub struct KillableServer {
    runtime: Option<tokio::runtime::Runtime>,
    pub address: SocketAddr,
    pub data: PathBuf,
}

impl KillableServer {
    /// Starts a server on `listen` (port 0: any) with its SQLite store in `data`.
    pub fn start(data: PathBuf, listen: SocketAddr, timings: Timings) -> KillableServer {
        let store = data.clone();
        let (runtime, address) = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            let mut config = Config::new(Storage::Sqlite(store));
            config.listen = listen;
            config.admin_token = Some(ADMIN_TOKEN.to_string());
            config.ping_interval = timings.ping_interval;
            config.silence_timeout = timings.silence_timeout;
            config.callback_timeout = timings.callback_timeout;
            let server = runtime.block_on(build_retrying(config));
            let address = server.local_addr();
            runtime.spawn(async move { server.run(std::future::pending()).await.expect("the server runs") });
            (runtime, address)
        })
        .join()
        .expect("the server thread");
        KillableServer { runtime: Some(runtime), address, data }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.address)
    }

    /// Stops the server at once: its tasks, listener and sockets are dropped.
    pub fn kill(mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl Drop for KillableServer {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The port of a killed server may take a moment to be free again.
async fn build_retrying(config: Config) -> Server {
    for _ in 0..50 {
        match Server::build(config.clone()).await {
            Ok(server) => return server,
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
    Server::build(config).await.expect("the server starts")
}

/// The admin API of a server.
pub struct Admin {
    base: String,
    http: reqwest::Client,
}

impl Admin {
    pub fn new(base: &str) -> Admin {
        Admin { base: base.to_string(), http: reqwest::Client::new() }
    }

    /// Creates a restaurant; its RESTO_ID and SECRET_KEY.
    pub async fn create_restaurant(&self, name: &str) -> (String, String) {
        let body = self.call(reqwest::Method::POST, "/api/admin/restaurants", json!({ "name": name })).await;
        (body["restoId"].as_str().unwrap().to_string(), body["secretKey"].as_str().unwrap().to_string())
    }

    /// Sends an operation through the operations console; the POS's callback body.
    pub async fn ask(&self, resto_id: &str, operation: &str, fields: Value) -> Value {
        self.call(reqwest::Method::POST, &format!("/api/admin/restaurants/{resto_id}/operations/{operation}"), fields)
            .await
    }

    /// The restaurant as the admin sees it (with `connection`).
    pub async fn restaurant(&self, resto_id: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/api/admin/restaurants/{resto_id}"), Value::Null).await
    }

    /// The `ORDERS_CACHE` view.
    pub async fn orders(&self, resto_id: &str) -> Value {
        self.call(reqwest::Method::GET, &format!("/api/admin/restaurants/{resto_id}/orders"), Value::Null).await
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}{}", self.base, path)).bearer_auth(ADMIN_TOKEN);
        if !body.is_null() {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the admin API answers");
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{path}: {status} {body}");
        body
    }

    /// Polls until the restaurant is connected; panics after `limit`.
    pub async fn wait_connected(&self, resto_id: &str, limit: Duration) {
        let started = std::time::Instant::now();
        while self.restaurant(resto_id).await["connection"]["connected"] != json!(true) {
            assert!(started.elapsed() < limit, "restaurant {resto_id} did not connect within {limit:?}");
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
}

/// What the scripted endpoint does with one request.
#[derive(Debug, Clone, Copy)]
pub enum Reply {
    /// Close the connection without answering (a network failure).
    Drop,
    /// Answer with this status.
    Status(u16),
}

/// A request as received.
#[derive(Debug, Clone)]
pub struct Received {
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

/// A plain HTTP endpoint answering from a script (then 200), recording every request.
pub struct ScriptedEndpoint {
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl ScriptedEndpoint {
    pub async fn start(script: Vec<Reply>) -> ScriptedEndpoint {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            let mut script = script.into_iter();
            while let Ok((stream, _)) = listener.accept().await {
                let reply = script.next().unwrap_or(Reply::Status(200));
                if let Some(request) = read_request(stream, reply).await {
                    log.lock().unwrap().push(request);
                }
            }
        });
        ScriptedEndpoint { base_url, received }
    }

    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

async fn read_request(mut stream: TcpStream, reply: Reply) -> Option<Received> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            return None;
        }
        data.extend_from_slice(&chunk[..read]);
        if let Some(at) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.lines();
    let path = lines.next()?.split_whitespace().nth(1)?.to_string();
    let headers: Vec<(String, String)> =
        lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_string(), v.trim().to_string())).collect();
    let length: usize =
        headers.iter().find(|(n, _)| n.eq_ignore_ascii_case("content-length")).and_then(|(_, v)| v.parse().ok())?;
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let read = stream.read(&mut chunk).await.ok()?;
        if read == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..read]);
    }
    if let Reply::Status(status) = reply {
        let answer = format!("HTTP/1.1 {status} Scripted\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
        let _ = stream.write_all(answer.as_bytes()).await;
    }
    Some(Received { path, headers, body })
}
