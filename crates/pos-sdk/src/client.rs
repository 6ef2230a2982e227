//! The connection: one WebSocket to `/restaurantEntryPoint`, kept alive and re-established.
//!
//! Why this exists: the protocol's link rules (Basic auth and the `system` cookie, answering
//! pings, the `Resto <id> ping` text, declaring the link dead after 90 s of silence, and never
//! reconnecting faster than once per 15 s) are the same for every POS and easy to get subtly
//! wrong; [`PosClient`] keeps them in one place and reports every state change.

use crate::callbacks::CallbackSender;
use crate::dispatch::answer_frame;
use crate::handler::Handler;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{broadcast, watch};
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// How to reach the server and how to behave on the link.
///
/// ```
/// use rahunok_pos_sdk::PosConfig;
/// use std::time::Duration;
///
/// // Production Expirenza or a Rahunok server: only the host differs; https means wss + TLS.
/// let mut config = PosConfig::new("https://pos.example.com", "RESTO_ID", "SECRET_KEY", "MyPOS");
/// assert_eq!(config.socket_url(), "wss://pos.example.com/restaurantEntryPoint");
/// assert_eq!(config.reconnect_delay, Duration::from_secs(15));
/// config.pos_name = None; // send no `system` cookie (production refuses such sockets)
///
/// // A cluster of Rahunok nodes without a load balancer in front: list the others too.
/// let config = PosConfig::new("https://a.example.com", "RESTO_ID", "SECRET_KEY", "MyPOS")
///     .with_fallbacks(&["https://b.example.com", "https://c.example.com/"]);
/// assert_eq!(config.server_urls(), ["https://a.example.com", "https://b.example.com", "https://c.example.com"]);
/// ```
#[derive(Debug, Clone)]
pub struct PosConfig {
    /// `http://host:port` or `https://host` (the socket uses ws/wss on the same host).
    pub server_url: String,
    /// Other nodes of the same server, tried in turn when the current one cannot be reached
    /// (a Rahunok cluster without a load balancer in front). Empty for one server or one
    /// load-balanced address.
    pub fallback_server_urls: Vec<String>,
    /// The restaurant's public id.
    pub resto_id: String,
    /// The restaurant's secret.
    pub secret_key: String,
    /// The POS product name, sent as `Cookie: system=<name>`; `None` sends no cookie.
    pub pos_name: Option<String>,
    /// How often to send `Resto <id> ping` (protocol: ~15 s).
    pub text_ping_interval: Duration,
    /// The link is dead after this long without any frame from the server (protocol: 90 s).
    pub dead_after: Duration,
    /// Never reconnect sooner than this after the previous attempt (protocol: 15 s).
    pub reconnect_delay: Duration,
    /// After failed attempts the pause doubles up to this (never below `reconnect_delay`).
    pub max_reconnect_delay: Duration,
    /// How long the server waits for a callback (protocol: 80 s); callbacks are retried until then.
    pub callback_deadline: Duration,
}

impl PosConfig {
    /// A configuration with the protocol's timings.
    pub fn new(server_url: &str, resto_id: &str, secret_key: &str, pos_name: &str) -> PosConfig {
        PosConfig {
            server_url: server_url.trim_end_matches('/').to_string(),
            fallback_server_urls: Vec::new(),
            resto_id: resto_id.to_string(),
            secret_key: secret_key.to_string(),
            pos_name: Some(pos_name.to_string()),
            text_ping_interval: Duration::from_secs(15),
            dead_after: Duration::from_secs(90),
            reconnect_delay: Duration::from_secs(15),
            max_reconnect_delay: Duration::from_secs(120),
            callback_deadline: Duration::from_secs(80),
        }
    }

    /// The same configuration with `urls` as [`PosConfig::fallback_server_urls`].
    pub fn with_fallbacks(mut self, urls: &[&str]) -> PosConfig {
        self.fallback_server_urls = urls.iter().map(|url| url.trim_end_matches('/').to_string()).collect();
        self
    }

    /// Every server address, [`PosConfig::server_url`] first, then the fallbacks.
    pub fn server_urls(&self) -> Vec<String> {
        std::iter::once(&self.server_url).chain(&self.fallback_server_urls).cloned().collect()
    }

    /// The socket address: `ws://` for `http://`, `wss://` (TLS) for `https://`.
    pub fn socket_url(&self) -> String {
        socket_url_of(&self.server_url)
    }

    /// The pause before the next attempt after `failures` attempts in a row that did not
    /// connect: `reconnect_delay`, doubling per failure, capped at `max_reconnect_delay`.
    /// Jitter is added on top by the client, so the result is a floor.
    ///
    /// ```
    /// use rahunok_pos_sdk::PosConfig;
    /// use std::time::Duration;
    /// let config = PosConfig::new("http://localhost", "id", "secret", "pos");
    /// assert_eq!(config.backoff(0), Duration::from_secs(15));
    /// assert_eq!(config.backoff(1), Duration::from_secs(30));
    /// assert_eq!(config.backoff(10), Duration::from_secs(120));
    /// ```
    pub fn backoff(&self, failures: u32) -> Duration {
        let doubled = self.reconnect_delay.saturating_mul(2u32.saturating_pow(failures.min(20)));
        doubled.min(self.max_reconnect_delay).max(self.reconnect_delay)
    }

    fn socket_request(&self, server_url: &str) -> Result<Request, String> {
        let mut request = socket_url_of(server_url).into_client_request().map_err(|e| e.to_string())?;
        let basic = STANDARD.encode(format!("{}:{}", self.resto_id, self.secret_key));
        let headers = request.headers_mut();
        let authorization = HeaderValue::from_str(&format!("Basic {basic}")).map_err(|e| e.to_string())?;
        headers.insert("Authorization", authorization);
        if let Some(name) = &self.pos_name {
            headers.insert("Cookie", HeaderValue::from_str(&format!("system={name}")).map_err(|e| e.to_string())?);
        }
        Ok(request)
    }
}

/// The socket address of one server address.
fn socket_url_of(server_url: &str) -> String {
    let base = if let Some(rest) = server_url.strip_prefix("https://") {
        format!("wss://{rest}")
    } else if let Some(rest) = server_url.strip_prefix("http://") {
        format!("ws://{rest}")
    } else {
        server_url.to_string()
    };
    format!("{base}/restaurantEntryPoint")
}

/// How long one server address may take to open the socket before the next one is tried.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The state of the link, as the caller sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionState {
    /// Trying to connect.
    Connecting,
    /// The socket is open.
    Connected,
    /// The socket closed or could not open; a reconnect follows after the delay.
    Disconnected(String),
}

/// One change of [`ConnectionState`], with when it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateChange {
    /// The new state.
    pub state: ConnectionState,
    /// When the client entered it (for `Connecting`: when the attempt started).
    pub at: Instant,
}

/// A POS's connection to the server (see the crate docs).
///
/// ```
/// use rahunok_pos_sdk::{ConnectionState, PosClient, PosConfig};
/// let client = PosClient::new(PosConfig::new("http://127.0.0.1:8080", "RESTO_ID", "SECRET_KEY", "MyPOS"));
/// assert_eq!(*client.state().borrow(), ConnectionState::Connecting);
/// let _every_change = client.state_changes(); // subscribe before `run`
/// ```
pub struct PosClient {
    config: PosConfig,
    state: watch::Sender<ConnectionState>,
    changes: broadcast::Sender<StateChange>,
    sender: CallbackSender,
}

/// How many state changes a slow [`PosClient::state_changes`] reader may fall behind.
const STATE_CHANGES_KEPT: usize = 256;

impl PosClient {
    /// A client for `config`; nothing happens until [`PosClient::run`].
    pub fn new(config: PosConfig) -> PosClient {
        let sender = CallbackSender::with_servers(&config.server_urls(), &config.resto_id, &config.secret_key);
        PosClient {
            config,
            state: watch::channel(ConnectionState::Connecting).0,
            changes: broadcast::channel(STATE_CHANGES_KEPT).0,
            sender,
        }
    }

    /// The current state, updated on every change (intermediate states may be skipped by a
    /// slow reader; use [`PosClient::state_changes`] to see each one).
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.subscribe()
    }

    /// Every state change from now on, with its time.
    pub fn state_changes(&self) -> broadcast::Receiver<StateChange> {
        self.changes.subscribe()
    }

    /// The signed sender, for webhooks (see [`crate::OrdersCachePublisher`]).
    pub fn sender(&self) -> CallbackSender {
        self.sender.clone()
    }

    /// The configuration in force.
    pub fn config(&self) -> &PosConfig {
        &self.config
    }

    /// Connects and serves `handler` forever, reconnecting when the link drops: never sooner
    /// than [`PosConfig::backoff`] after the previous attempt, plus up to a quarter of
    /// `reconnect_delay` of random jitter so restarted servers are not hit by every POS at once.
    ///
    /// With [`PosConfig::fallback_server_urls`], one attempt tries the address that served
    /// last, then the others in turn (each gets 10 s to open the socket), so a dead node costs
    /// one refused connection; callbacks follow the socket to the node that holds it and move
    /// on to the next address when a node cannot be reached.
    pub async fn run<H: Handler>(self, handler: H) {
        let handler = Arc::new(handler);
        let mut failures = 0u32;
        loop {
            let attempt_started = self.enter(ConnectionState::Connecting);
            let (reason, connected) = self.serve_once(&handler).await;
            failures = if connected { 0 } else { failures.saturating_add(1) };
            tracing::info!(resto_id = self.config.resto_id, reason, "POS link down; reconnecting");
            self.enter(ConnectionState::Disconnected(reason));
            let floor = attempt_started + self.config.backoff(failures.saturating_sub(1));
            let jitter = self.config.reconnect_delay.mul_f64(rand::thread_rng().gen_range(0.0..0.25));
            tokio::time::sleep_until(floor.max(Instant::now()) + jitter).await;
        }
    }

    fn enter(&self, state: ConnectionState) -> Instant {
        let at = Instant::now();
        self.state.send_replace(state.clone());
        let _ = self.changes.send(StateChange { state, at });
        at
    }

    /// One connection, from the attempt to its end: why it ended, and whether it had opened.
    async fn serve_once<H: Handler>(&self, handler: &Arc<H>) -> (String, bool) {
        let servers = self.config.server_urls();
        let first = self.sender.preferred_server();
        let mut reasons = Vec::new();
        for index in (0..servers.len()).map(|offset| (first + offset) % servers.len()) {
            match self.open_socket(&servers[index]).await {
                Ok(socket) => {
                    self.sender.prefer_server(index);
                    self.enter(ConnectionState::Connected);
                    return (self.pump(handler, socket).await, true);
                }
                Err(reason) if servers.len() == 1 => return (reason, false),
                Err(reason) => reasons.push(format!("{}: {reason}", servers[index])),
            }
        }
        (reasons.join("; "), false)
    }

    async fn open_socket(
        &self,
        server_url: &str,
    ) -> Result<tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>, String>
    {
        let request = self.config.socket_request(server_url)?;
        match tokio::time::timeout(CONNECT_TIMEOUT, tokio_tungstenite::connect_async(request)).await {
            Ok(Ok((socket, _))) => Ok(socket),
            Ok(Err(error)) => Err(error.to_string()),
            Err(_) => Err(format!("no socket within {CONNECT_TIMEOUT:?}")),
        }
    }

    async fn pump<H: Handler, S>(&self, handler: &Arc<H>, socket: tokio_tungstenite::WebSocketStream<S>) -> String
    where
        S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
    {
        let (mut sink, mut stream) = socket.split();
        let mut pings = tokio::time::interval(self.config.text_ping_interval);
        let mut last_heard = Instant::now();
        let text_ping = format!("Resto {} ping", self.config.resto_id);
        loop {
            tokio::select! {
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        last_heard = Instant::now();
                        self.on_frame(handler, text.as_bytes().to_vec());
                    }
                    Some(Ok(Message::Close(frame))) => return closed_by_server(frame),
                    // Pings are answered by the WebSocket library as it reads; any frame is life.
                    Some(Ok(_)) => last_heard = Instant::now(),
                    Some(Err(error)) => return error.to_string(),
                    None => return "connection lost".into(),
                },
                _ = pings.tick() => {
                    if let Err(error) = sink.send(Message::Text(text_ping.clone().into())).await {
                        return error.to_string();
                    }
                }
                _ = tokio::time::sleep_until(last_heard + self.config.dead_after) => {
                    return format!("no frame from the server for {:?}: the link is dead", self.config.dead_after);
                }
            }
        }
    }

    /// Answers a frame in the background, so a slow handler never holds up the socket.
    fn on_frame<H: Handler>(&self, handler: &Arc<H>, frame: Vec<u8>) {
        let handler = handler.clone();
        let sender = self.sender.clone();
        let deadline = Instant::now() + self.config.callback_deadline;
        tokio::spawn(async move {
            let Some(callback) = answer_frame(&*handler, &frame).await else { return };
            if let Err(error) = sender.send_callback(callback.operation, callback.body, deadline).await {
                tracing::warn!(operation = callback.operation.name(), rid = callback.rid, %error, "callback not delivered");
            }
        });
    }
}

fn closed_by_server(frame: Option<tokio_tungstenite::tungstenite::protocol::CloseFrame>) -> String {
    match frame {
        Some(frame) => format!("closed by server: {} {}", u16::from(frame.code), frame.reason),
        None => "closed by server".into(),
    }
}
