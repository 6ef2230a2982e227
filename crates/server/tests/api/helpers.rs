#![allow(dead_code)] // shared with the browser tests, which use only part of it
//! `spawn_app`: the real server on a random port with its own store (an SQLite file in a temp
//! dir, or a fresh PostgreSQL schema), plus clients that talk to it over real sockets: the admin
//! API, a raw POS WebSocket (the hand way, like Postman), and the virtual POS.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use rahunok_pos_sdk::PosConfig;
use rahunok_pos_sim::VirtualPos;
use rahunok_server::config::MasterKeySource;
use rahunok_server::state::AppState;
use rahunok_server::{Config, Server, Storage};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// Asks `check` every 50 ms until it gives a value, for at most 10 s; panics naming `what`
/// otherwise. For things that must happen, instead of a fixed sleep.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    for _ in 0..200 {
        if let Some(value) = check().await {
            return value;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} did not happen within 10 s");
}

/// Which store a test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn name(backend: Backend)` as two tests: `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_stores {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::helpers::Backend::Postgres).await
            }
        }
    )+};
}

/// Settings a test may change; the rest are the protocol's defaults.
#[derive(Clone)]
pub struct AppOptions {
    pub callback_timeout: Duration,
    pub ping_interval: Duration,
    pub silence_timeout: Duration,
    pub strict: bool,
    pub body_limit: usize,
    pub auth_failures_allowed: u32,
    pub payment_timings: rahunok_server::config::PaymentTimings,
    /// Where monobank is (an emulator's URL); the real API when `None`.
    pub monobank_api_url: Option<String>,
    /// Where LiqPay is (an emulator's URL); the real API when `None`.
    pub liqpay_api_url: Option<String>,
    pub max_connections: usize,
    pub header_read_timeout: Duration,
    pub public_url: Option<String>,
    /// Serve `/metrics` on a listener of its own (`TestApp::metrics_base`).
    pub metrics: bool,
    pub retention: rahunok_server::config::Retention,
    /// How long a guest page waits for the POS.
    pub guest_wait: Duration,
    /// The guest orders' keeper: how often, resending after, carts kept for.
    pub order_timings: rahunok_server::config::OrderTimings,
    /// The proxies whose `X-Forwarded-For` is believed (none by default).
    pub trusted_proxies: rahunok_server::client_address::TrustedProxies,
}

impl Default for AppOptions {
    fn default() -> AppOptions {
        AppOptions {
            callback_timeout: Duration::from_secs(10),
            ping_interval: Duration::from_secs(15),
            silence_timeout: Duration::from_secs(90),
            strict: false,
            body_limit: 16 * 1024 * 1024,
            auth_failures_allowed: 10,
            payment_timings: Default::default(),
            monobank_api_url: None,
            liqpay_api_url: None,
            max_connections: 10_000,
            header_read_timeout: Duration::from_secs(10),
            public_url: None,
            guest_wait: Duration::from_secs(8),
            order_timings: Default::default(),
            metrics: false,
            retention: Default::default(),
            trusted_proxies: Default::default(),
        }
    }
}

pub struct TestApp {
    pub base: String,
    pub ws_url: String,
    pub token: String,
    /// `http://<metrics address>` when the test asked for metrics.
    pub metrics_base: Option<String>,
    pub http: reqwest::Client,
    pub state: AppState,
    storage: Storage,
    options: AppOptions,
    data: Option<tempfile::TempDir>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, AppOptions::default()).await
}

pub async fn spawn_app_with(backend: Backend, options: AppOptions) -> TestApp {
    let (storage, data) = fresh_storage(backend).await;
    spawn_app_on(storage, data, options).await
}

/// An empty store of `backend`: an SQLite directory (kept while the guard lives) or a fresh
/// PostgreSQL schema.
pub async fn fresh_storage(backend: Backend) -> (Storage, Option<tempfile::TempDir>) {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("a temp dir");
            (Storage::Sqlite(dir.path().join("data")), Some(dir))
        }
        Backend::Postgres => (Storage::Postgres(postgres_schema_url().await), None),
    }
}

impl TestApp {
    /// Stops this server (after writing out what it still queues, as a shutdown does) and
    /// starts a new one on the same store.
    pub async fn restart(mut self) -> TestApp {
        self.state.link.flush_journal().await;
        self.server.abort();
        let (storage, data, options) = (self.storage.clone(), self.data.take(), self.options.clone());
        spawn_app_on(storage, data, options).await
    }
}

/// The master key of every test server (a restart must open what the previous start sealed).
pub const TEST_MASTER_KEY: &str = "dGVzdC1tYXN0ZXIta2V5LW9mLXJhaHVub2stdGVzdHM=";

/// Starts a test server on `storage` (kept alive by `data`, for SQLite).
pub async fn spawn_app_on(storage: Storage, data: Option<tempfile::TempDir>, options: AppOptions) -> TestApp {
    let mut config = Config::new(storage.clone());
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.callback_timeout = options.callback_timeout;
    config.ping_interval = options.ping_interval;
    config.silence_timeout = options.silence_timeout;
    config.strict_pos_name = options.strict;
    config.callback_body_limit = options.body_limit;
    config.auth_failures_allowed = options.auth_failures_allowed;
    config.payment_timings = options.payment_timings.clone();
    if let Some(url) = &options.monobank_api_url {
        config.acquirer_api_urls.insert("monobank".into(), url.clone());
    }
    if let Some(url) = &options.liqpay_api_url {
        config.acquirer_api_urls.insert("liqpay".into(), url.clone());
    }
    config.max_connections = options.max_connections;
    config.header_read_timeout = options.header_read_timeout;
    config.public_url = options.public_url.clone();
    config.retention = options.retention.clone();
    config.guest_wait = options.guest_wait;
    config.order_timings = options.order_timings.clone();
    config.trusted_proxies = options.trusted_proxies.clone();
    config.metrics_listen = options.metrics.then(|| "127.0.0.1:0".parse().unwrap());
    let token = rahunok_protocol::signing::generate_secret();
    config.admin_token = Some(token.clone());
    config.admin_token_file = None;
    config.master_key = MasterKeySource::Base64(TEST_MASTER_KEY.into());
    let server = Server::build(config).await.expect("the server starts");
    let address = server.local_addr();
    let metrics_base = server.metrics_addr().map(|a| format!("http://{a}"));
    let state = server.state().clone();
    let handle = tokio::spawn(async move {
        server.run(std::future::pending()).await.expect("the server runs");
    });
    TestApp {
        base: format!("http://{address}"),
        ws_url: format!("ws://{address}/restaurantEntryPoint"),
        token,
        metrics_base,
        http: reqwest::Client::new(),
        state,
        storage,
        options,
        data,
        server: handle,
    }
}

/// A fresh schema in the test PostgreSQL (RAHUNOK_TEST_POSTGRES_URL, default the local
/// `test` database). Schemas from runs older than an hour are dropped first.
async fn postgres_schema_url() -> String {
    use sqlx::Connection;
    let base = std::env::var("RAHUNOK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&base).await.unwrap_or_else(|e| {
        panic!("PostgreSQL tests need a server at {base} ({e}); start PostgreSQL or set RAHUNOK_TEST_POSTGRES_URL")
    });
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    sweep_old_schemas(&mut conn, now).await;
    let schema = format!("rahunok_t{}_{}", now, rand_suffix());
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.expect("create schema");
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}options=-c%20search_path%3D{schema}")
}

async fn sweep_old_schemas(conn: &mut sqlx::AnyConnection, now: u64) {
    use sqlx::Row;
    let rows = sqlx::query("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'rahunok_t%'")
        .fetch_all(&mut *conn)
        .await
        .unwrap_or_default();
    for row in rows {
        let name: String = row.get("nspname");
        let stamp: Option<u64> =
            name.strip_prefix("rahunok_t").and_then(|r| r.split('_').next()).and_then(|s| s.parse().ok());
        if stamp.is_some_and(|s| s + 3600 < now) {
            let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS {name} CASCADE")).execute(&mut *conn).await;
        }
    }
}

fn rand_suffix() -> String {
    use rand::distributions::{Alphanumeric, DistString};
    Alphanumeric.sample_string(&mut rand::thread_rng(), 8).to_ascii_lowercase()
}

pub struct Restaurant {
    pub resto_id: String,
    pub secret: String,
}

impl TestApp {
    /// Stores a request-log entry `r-big` whose answer is `bytes` long (as a POS sending a huge
    /// body would leave); returns the answer.
    pub async fn log_a_huge_answer(&self, resto_id: &str, bytes: usize) -> String {
        let huge = format!(r#"{{"rID":"r-big","state":"SUCCESS","tables":[],"x":"{}"}}"#, "z".repeat(bytes));
        let entry = rahunok_server::store::RequestLogEntry {
            rid: "r-big".into(),
            resto_id: resto_id.to_string(),
            operation: "tablesInfo".into(),
            // Now, not 1970: the retention pruner would take a row older than 7 days away.
            sent_at: rahunok_server::store::now_ms() - 1,
            finished_at: Some(rahunok_server::store::now_ms()),
            latency_ms: Some(1),
            outcome: rahunok_server::store::RequestOutcome::Answered,
            request_body: r#"{"rID":"r-big","operation":"tablesInfo"}"#.into(),
            response_body: Some(huge.clone()),
            detail: None,
            request_body_cut: None,
            response_body_cut: None,
        };
        self.state.store.insert_request_log(&[entry]).await.unwrap();
        huge
    }

    pub fn admin(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{}", self.base, path)).bearer_auth(&self.token)
    }

    /// `PUT /api/admin/restaurants/{resto_id}/acquirer` with `body`: the status and the JSON answer.
    pub async fn put_acquirer(&self, resto_id: &str, body: Value) -> (u16, Value) {
        let path = format!("/api/admin/restaurants/{resto_id}/acquirer");
        let response = self.admin(reqwest::Method::PUT, &path).json(&body).send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn get_json(&self, path: &str) -> (u16, Value) {
        let response = self.admin(reqwest::Method::GET, path).send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    pub async fn create_restaurant(&self, name: &str) -> Restaurant {
        let response = self
            .admin(reqwest::Method::POST, "/api/admin/restaurants")
            .json(&json!({ "name": name }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 201);
        let body: Value = response.json().await.unwrap();
        Restaurant {
            resto_id: body["restoId"].as_str().unwrap().to_string(),
            secret: body["secretKey"].as_str().unwrap().to_string(),
        }
    }

    /// Starts the virtual POS for `restaurant` and waits until it is connected.
    pub async fn start_virtual_pos(&self, restaurant: &Restaurant) -> VirtualPos {
        let pos = VirtualPos::kyiv_cafe();
        let mut config = PosConfig::new(&self.base, &restaurant.resto_id, &restaurant.secret, "RahunokSim");
        config.reconnect_delay = Duration::from_millis(200);
        tokio::spawn(pos.clone().run(config, None));
        self.wait_connected(&restaurant.resto_id, true).await;
        pos
    }

    /// Polls the restaurant's connection until it is (or is not) connected; 10 s at most.
    pub async fn wait_connected(&self, resto_id: &str, connected: bool) {
        for _ in 0..200 {
            let (_, body) = self.get_json(&format!("/api/admin/restaurants/{resto_id}")).await;
            if body["connection"]["connected"] == json!(connected) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("restaurant {resto_id} did not become connected={connected}");
    }

    pub async fn pending_requests(&self) -> u64 {
        let (_, health) = self.get_json("/api/admin/health").await;
        health["pendingRequests"].as_u64().unwrap()
    }

    /// POSTs a signed body to `/callback/<path>`.
    pub async fn post_callback(&self, path: &str, resto_id: &str, secret: &str, body: &[u8]) -> (u16, Value) {
        let signature = rahunok_protocol::signing::sign(secret.as_bytes(), body);
        self.post_raw_callback(path, Some(resto_id), Some(&signature), body.to_vec()).await
    }

    pub async fn post_raw_callback(
        &self,
        path: &str,
        resto_id: Option<&str>,
        signature: Option<&str>,
        body: Vec<u8>,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(format!("{}/callback/{}", self.base, path))
            .header("Content-Type", "application/json")
            .body(body);
        if let Some(id) = resto_id {
            request = request.header("restoId", id);
        }
        if let Some(sig) = signature {
            request = request.header("signature", sig);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }
}

/// A POS client the hand way: a raw WebSocket with a Basic header, reading frames as JSON.
pub struct RawPos {
    pub socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

/// Why a raw connection was refused: status and error body.
#[derive(Debug)]
pub struct Refused {
    pub status: u16,
    pub body: Value,
}

pub fn basic(resto_id: &str, secret: &str) -> String {
    format!("Basic {}", STANDARD.encode(format!("{resto_id}:{secret}")))
}

impl RawPos {
    pub async fn connect(app: &TestApp, authorization: Option<&str>, cookie: Option<&str>) -> Result<RawPos, Refused> {
        let mut request = app.ws_url.as_str().into_client_request().unwrap();
        if let Some(value) = authorization {
            request.headers_mut().insert("Authorization", HeaderValue::from_str(value).unwrap());
        }
        if let Some(value) = cookie {
            request.headers_mut().insert("Cookie", HeaderValue::from_str(value).unwrap());
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((socket, _)) => Ok(RawPos { socket }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                let status = response.status().as_u16();
                let body = response
                    .body()
                    .as_ref()
                    .map(|b| serde_json::from_slice(b).unwrap_or(Value::Null))
                    .unwrap_or(Value::Null);
                Err(Refused { status, body })
            }
            Err(other) => panic!("unexpected connect error: {other}"),
        }
    }

    pub async fn connect_as(app: &TestApp, restaurant: &Restaurant) -> RawPos {
        RawPos::connect(app, Some(&basic(&restaurant.resto_id, &restaurant.secret)), Some("system=HandPOS"))
            .await
            .expect("the socket is accepted")
    }

    /// The next JSON frame (pings are answered by the library and skipped); 10 s at most.
    pub async fn next_frame(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(Duration::from_secs(10), self.socket.next())
                .await
                .expect("a frame within 10 s")
                .expect("the socket is open")
                .expect("a readable frame");
            if let Message::Text(text) = message {
                return serde_json::from_str(text.as_str()).expect("frames are JSON");
            }
        }
    }

    /// The next frame with this operation, skipping others (setSettings, versionInfo...).
    pub async fn next_request(&mut self, operation: &str) -> Value {
        loop {
            let frame = self.next_frame().await;
            if frame["operation"] == operation {
                return frame;
            }
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.socket.send(Message::Text(text.to_string().into())).await.expect("send");
    }

    /// Sends a Close frame with `code` and `reason`, as a POS closing cleanly does.
    pub async fn send_close(&mut self, code: u16, reason: &str) {
        use tokio_tungstenite::tungstenite::protocol::CloseFrame;
        let frame = CloseFrame { code: code.into(), reason: reason.to_string().into() };
        self.socket.send(Message::Close(Some(frame))).await.expect("send the Close frame");
    }

    /// Reads until the server closes the socket; returns the close code.
    pub async fn closed_with(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(Duration::from_secs(10), self.socket.next()).await.expect("closed within 10 s") {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return None,
            }
        }
    }
}
