//! Signed POSTs to the server: callbacks for requests and POS-initiated webhooks. The signature
//! is computed over the exact bytes that are sent; network failures are retried with the same
//! bytes until the request's deadline (a repeated identical callback is harmless: 200).

use rahunok_protocol::ops::User;
use rahunok_protocol::rid::iso8601_utc;
use rahunok_protocol::signing;
use rahunok_protocol::webhook::{ClosedOrder, OrdersClosed, UserAction, UserUpdate, Webhook};
use rahunok_protocol::Operation;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::time::Instant;

/// How long a webhook is retried when the server cannot be reached.
const WEBHOOK_RETRY_FOR: Duration = Duration::from_secs(10);

/// Why a signed POST did not get a 200.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// The server refused it (4xx); retrying the same body will not help.
    #[error("the server refused the callback with {status}: {body}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// The server's error body.
        body: String,
    },
    /// The deadline passed while the server was unreachable or failing.
    #[error("the server could not be reached before the deadline: {0}")]
    Unreachable(String),
}

/// Posts signed bodies to one server (or the nodes of one cluster) for one restaurant; cheap
/// to clone, and clones share which node is current.
///
/// ```
/// use rahunok_pos_sdk::CallbackSender;
/// use rahunok_pos_sdk::protocol::webhook::UserAction;
/// use rahunok_pos_sdk::protocol::ops::User;
///
/// # async fn example() -> Result<(), rahunok_pos_sdk::SendError> {
/// let sender = CallbackSender::new("https://pos.example.com", "RESTO_ID", "SECRET_KEY");
/// sender.send_orders_closed(&["b-32070".to_string()]).await?;
/// let waiter = User { id: "u-7".into(), name: "Оксана".into(), cell_phone: None, roles: vec!["waiter".into()] };
/// sender.send_user_update(UserAction::Created, waiter).await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct CallbackSender {
    http: reqwest::Client,
    base_urls: Arc<[String]>,
    /// Index into `base_urls` of the node tried first: the one holding the socket, or the
    /// last one that answered.
    preferred: Arc<AtomicUsize>,
    resto_id: String,
    secret: String,
}

impl CallbackSender {
    /// A sender for `base_url` (`http://host:port`) signing with `secret`.
    pub fn new(base_url: &str, resto_id: &str, secret: &str) -> CallbackSender {
        CallbackSender::with_servers(&[base_url.to_string()], resto_id, secret)
    }

    /// A sender for the nodes of one cluster: every POST goes to the current node first and
    /// moves on to the next when a node cannot be reached or answers 5xx (any node accepts
    /// any callback; the cluster relays it to the node whose caller waits).
    ///
    /// ```
    /// use rahunok_pos_sdk::CallbackSender;
    /// let nodes = ["http://10.0.0.1:8080".to_string(), "http://10.0.0.2:8080".to_string()];
    /// let sender = CallbackSender::with_servers(&nodes, "RESTO_ID", "SECRET_KEY");
    /// # drop(sender);
    /// ```
    ///
    /// # Panics
    /// When `base_urls` is empty.
    pub fn with_servers(base_urls: &[String], resto_id: &str, secret: &str) -> CallbackSender {
        assert!(!base_urls.is_empty(), "a callback sender needs at least one server address");
        CallbackSender {
            http: reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client"),
            base_urls: base_urls.iter().map(|url| url.trim_end_matches('/').to_string()).collect(),
            preferred: Arc::new(AtomicUsize::new(0)),
            resto_id: resto_id.to_string(),
            secret: secret.to_string(),
        }
    }

    /// The index of the node tried first.
    pub(crate) fn preferred_server(&self) -> usize {
        self.preferred.load(Ordering::Relaxed) % self.base_urls.len()
    }

    /// Makes `index` the node tried first (the client calls this when a socket opens there).
    pub(crate) fn prefer_server(&self, index: usize) {
        self.preferred.store(index % self.base_urls.len(), Ordering::Relaxed);
    }

    /// Posts `body` exactly as given to `/callback/<operation>`, signed over those bytes.
    /// [`crate::PosClient`] does this for every answer; call it yourself when you build
    /// bodies by hand (e.g. with [`crate::answer_frame`] in your own socket loop).
    ///
    /// Retries network failures and 5xx answers with the same bytes until `deadline`; a 4xx
    /// answer is final ([`SendError::Refused`]).
    pub async fn send_callback(&self, operation: Operation, body: Vec<u8>, deadline: Instant) -> Result<(), SendError> {
        self.post_until(&format!("/callback/{}", operation.name()), body, deadline).await
    }

    /// Posts a webhook (`ORDERS_CACHE`, `ORDERS_CLOSED`, `USER_UPDATE`), retrying for up to 10 s.
    pub async fn send_webhook(&self, webhook: &Webhook) -> Result<(), SendError> {
        let body = serde_json::to_vec(webhook).expect("webhooks serialise");
        self.post_until("/callback/webhook", body, Instant::now() + WEBHOOK_RETRY_FOR).await
    }

    /// `ORDERS_CLOSED`: these bills were closed on the POS just now.
    pub async fn send_orders_closed(&self, bill_ids: &[String]) -> Result<(), SendError> {
        let now = Some(now_iso8601());
        let closed_orders =
            bill_ids.iter().map(|bill_id| ClosedOrder { bill_id: bill_id.clone(), closed_at: now.clone() }).collect();
        self.send_webhook(&Webhook::OrdersClosed(OrdersClosed { event_time: now, closed_orders })).await
    }

    /// `USER_UPDATE`: a member of staff was created, updated or deleted on the POS.
    pub async fn send_user_update(&self, action: UserAction, user: User) -> Result<(), SendError> {
        self.send_webhook(&Webhook::UserUpdate(UserUpdate { event_time: Some(now_iso8601()), action, user })).await
    }

    async fn post_until(&self, path: &str, body: Vec<u8>, deadline: Instant) -> Result<(), SendError> {
        let signature = signing::sign(self.secret.as_bytes(), &body);
        let mut pause = Duration::from_millis(200);
        let mut server = self.preferred_server();
        loop {
            let url = format!("{}{}", self.base_urls[server], path);
            let attempt = self
                .http
                .post(&url)
                .header("Content-Type", "application/json")
                .header("restoId", &self.resto_id)
                .header("signature", &signature)
                .body(body.clone())
                .send()
                .await;
            let failure = match attempt {
                Ok(response) if response.status().is_success() => {
                    self.prefer_server(server);
                    return Ok(());
                }
                Ok(response) if response.status().is_client_error() => {
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap_or_default();
                    return Err(SendError::Refused { status, body });
                }
                Ok(response) => format!("server answered {}", response.status()),
                Err(error) => error.to_string(),
            };
            if self.base_urls.len() > 1 {
                // Another node at once: a dead or draining node says nothing about the others.
                server = (server + 1) % self.base_urls.len();
                if server != self.preferred_server() {
                    continue;
                }
            }
            if Instant::now() + pause >= deadline {
                return Err(SendError::Unreachable(failure));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }
}

/// Now as ISO-8601 UTC, for `eventTime`.
pub(crate) fn now_iso8601() -> String {
    let seconds = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or_default();
    iso8601_utc(seconds)
}
