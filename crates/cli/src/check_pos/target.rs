//! The server the POS is checked against, and the admin API the checker drives it through.
//!
//! Why this exists: the suite must run the same way against a throwaway in-process server
//! (a temp SQLite store, timings chosen by flags) and against a running server (`--server`),
//! so everything it does goes through the admin HTTP API, never through in-process shortcuts.

use anyhow::{bail, Context, Result};
use rahunok_protocol::Operation;
use rahunok_server::store::{RequestLogEntry, StoredWarning};

use rahunok_server::config::MasterKeySource;
/// A callback the gateway refused (`/callback-refusals`).
pub use rahunok_server::store::CallbackRefusal as Refusal;
use rahunok_server::{Config, Server, Storage};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::json;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// Timings of a throwaway server.
pub struct ThrowawaySettings {
    /// Where to listen.
    pub listen: SocketAddr,
    /// How long a request waits for its callback.
    pub callback_timeout: Duration,
    /// Server pings.
    pub ping_interval: Duration,
    /// Silence after which the server closes a socket.
    pub silence_timeout: Duration,
}

/// A server started by the checker, stopped when dropped.
pub struct ThrowawayServer {
    _data: tempfile::TempDir,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ThrowawayServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ThrowawayServer {
    /// Starts a server with a fresh store; its base URL and admin token.
    pub async fn start(settings: &ThrowawaySettings) -> Result<(ThrowawayServer, String, String)> {
        let data = tempfile::tempdir().context("a temporary directory for the throwaway server")?;
        let mut config = Config::new(Storage::Sqlite(data.path().join("store")));
        config.listen = settings.listen;
        config.callback_timeout = settings.callback_timeout;
        config.ping_interval = settings.ping_interval;
        config.silence_timeout = settings.silence_timeout;
        let token = rahunok_protocol::signing::generate_secret();
        config.admin_token = Some(token.clone());
        config.admin_token_file = None;
        config.master_key = MasterKeySource::File(data.path().join("master.key"));
        let server = Server::build(config).await.context("the throwaway server could not start")?;
        let base_url = format!("http://{}", server.local_addr());
        let task = tokio::spawn(async move {
            if let Err(error) = server.run(std::future::pending()).await {
                tracing::error!(%error, "the throwaway server stopped");
            }
        });
        Ok((ThrowawayServer { _data: data, task }, base_url, token))
    }
}

/// A restaurant's credentials, as issued.
pub struct Credentials {
    /// RESTO_ID.
    pub resto_id: String,
    /// SECRET_KEY.
    pub secret_key: String,
}

/// The restaurant's live connection, as the admin API shows it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Connection {
    /// Connected now.
    pub connected: bool,
    /// Since when (server clock, unix ms).
    pub since: i64,
    /// From the `system` cookie, or "unknown POS".
    pub pos_name: String,
    /// True when the POS sent no `system` cookie.
    pub pos_name_missing: bool,
    /// `Resto <RESTO_ID> ping` text frames received on this socket.
    pub text_pings: u64,
    /// Other non-JSON text frames on this socket.
    pub ignored_texts: u64,
    /// The latest of them.
    pub last_ignored_text: Option<String>,
}

/// The server's view of the `ORDERS_CACHE` pushes.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CacheView {
    /// Open orders as last pushed.
    pub orders: Vec<CachedOrder>,
    /// Last push (server clock, unix ms).
    pub pushed_at: Option<i64>,
}

/// One cached order.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CachedOrder {
    /// Bill id.
    pub bill_id: String,
}

/// How a request sent through the operations console ended.
#[derive(Debug, Clone)]
pub enum Asked {
    /// The POS's callback body, as it sent it.
    Answered {
        /// The body.
        body: String,
        /// Round trip seen by the checker.
        latency: Duration,
    },
    /// The POS answered, but the server refused the answer as unusable for the operation
    /// (502 `POS_ANSWER_INVALID`): the field errors, as the server listed them.
    Unusable(String),
    /// No accepted callback before the deadline.
    Timeout {
        /// How long the server waited.
        latency: Duration,
    },
    /// The POS was not connected.
    Offline,
    /// Anything else (the text says what).
    Error(String),
}

/// The admin API of the server under test.
pub struct AdminApi {
    base: String,
    token: String,
    http: reqwest::Client,
}

impl AdminApi {
    /// A client for `base` with the admin `token`.
    pub fn new(base: &str, token: &str) -> AdminApi {
        AdminApi {
            base: base.trim_end_matches('/').to_string(),
            token: token.to_string(),
            http: reqwest::Client::new(),
        }
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// Creates the test restaurant.
    pub async fn create_restaurant(&self, name: &str) -> Result<Credentials> {
        let response = self.request(reqwest::Method::POST, "/api/admin/restaurants").json(&json!({ "name": name }));
        // Read loosely: some servers repeat `restoId` in this answer.
        let issued: serde_json::Value = read(response.send().await?).await.context("creating the test restaurant")?;
        let field = |name: &str| issued[name].as_str().map(String::from).context(format!("no `{name}` in {issued}"));
        Ok(Credentials { resto_id: field("restoId")?, secret_key: field("secretKey")? })
    }

    /// The restaurant's connection (`connected: false` when offline).
    pub async fn connection(&self, resto_id: &str) -> Result<Connection> {
        #[derive(Deserialize)]
        struct View {
            connection: Connection,
        }
        let path = format!("/api/admin/restaurants/{resto_id}");
        let view: View = read(self.request(reqwest::Method::GET, &path).send().await?).await?;
        Ok(view.connection)
    }

    /// Sends `operation` with `fields` (a JSON object) and waits up to `wait` for the answer.
    pub async fn ask(&self, resto_id: &str, operation: Operation, fields: &str, wait: Duration) -> Asked {
        let path = format!("/api/admin/restaurants/{resto_id}/operations/{}", operation.name());
        let started = Instant::now();
        let sent = self
            .request(reqwest::Method::POST, &path)
            .header("Content-Type", "application/json")
            .body(fields.to_string())
            .timeout(wait)
            .send()
            .await;
        let latency = started.elapsed();
        let response = match sent {
            Ok(response) => response,
            Err(error) if error.is_timeout() => return Asked::Timeout { latency },
            Err(error) => return Asked::Error(format!("the admin API did not answer: {error}")),
        };
        let status = response.status().as_u16();
        let body = response.text().await.unwrap_or_default();
        match status {
            200 => Asked::Answered { body, latency },
            502 if body.contains("\"POS_ANSWER_INVALID\"") => Asked::Unusable(unusable(&body)),
            504 => Asked::Timeout { latency },
            503 => Asked::Offline,
            _ => Asked::Error(format!("the server answered {status}: {body}")),
        }
    }

    /// Callbacks the gateway refused for this restaurant, newest first.
    pub async fn refusals(&self, resto_id: &str) -> Result<Vec<Refusal>> {
        let path = format!("/api/admin/restaurants/{resto_id}/callback-refusals");
        read(self.request(reqwest::Method::GET, &path).send().await?).await
    }

    /// The request log, newest first.
    pub async fn request_log(&self, resto_id: &str) -> Result<Vec<RequestLogEntry>> {
        let path = format!("/api/admin/restaurants/{resto_id}/requests?limit=1000");
        read(self.request(reqwest::Method::GET, &path).send().await?).await
    }

    /// The conformance warnings recorded for the restaurant (loose forms accepted).
    pub async fn warnings(&self, resto_id: &str) -> Result<Vec<StoredWarning>> {
        let path = format!("/api/admin/restaurants/{resto_id}/conformance-warnings");
        read(self.request(reqwest::Method::GET, &path).send().await?).await
    }

    /// Closes the POS's socket with `1001` (going away), as a server shutting down does.
    pub async fn disconnect(&self, resto_id: &str) -> Result<()> {
        let path = format!("/api/admin/restaurants/{resto_id}/connection");
        let _: serde_json::Value = read(self.request(reqwest::Method::DELETE, &path).send().await?).await?;
        Ok(())
    }

    /// The `ORDERS_CACHE` view.
    pub async fn orders_cache(&self, resto_id: &str) -> Result<CacheView> {
        let path = format!("/api/admin/restaurants/{resto_id}/orders");
        read(self.request(reqwest::Method::GET, &path).send().await?).await
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}{}", self.base, path)).bearer_auth(&self.token)
    }
}

/// The field errors of a `POS_ANSWER_INVALID` body, one line (the whole body if unreadable).
fn unusable(body: &str) -> String {
    let Ok(error) = serde_json::from_str::<rahunok_protocol::ErrorBody>(body) else { return body.to_string() };
    let fields: Vec<String> = error.field_errors.iter().map(ToString::to_string).collect();
    if fields.is_empty() {
        error.err_text
    } else {
        fields.join("; ")
    }
}

async fn read<T: DeserializeOwned>(response: reqwest::Response) -> Result<T> {
    let status = response.status();
    let url = response.url().path().to_string();
    let text = response.text().await?;
    if !status.is_success() {
        bail!("{url}: the server answered {status}: {text}");
    }
    serde_json::from_str(&text).with_context(|| format!("{url}: unexpected answer {text}"))
}
