//! Signed POSTs to the server: callbacks for requests and POS-initiated webhooks. The signature
//! is computed over the exact bytes that are sent; network failures are retried with the same
//! bytes until the request's deadline (a repeated identical callback is harmless: 200).

use rahunok_protocol::ops::User;
use rahunok_protocol::rid::iso8601_utc;
use rahunok_protocol::signing;
use rahunok_protocol::webhook::{ClosedOrder, OrdersClosed, UserAction, UserUpdate, Webhook};
use rahunok_protocol::Operation;
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

/// Posts signed bodies to one server for one restaurant; cheap to clone.
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
    base_url: String,
    resto_id: String,
    secret: String,
}

impl CallbackSender {
    /// A sender for `base_url` (`http://host:port`) signing with `secret`.
    pub fn new(base_url: &str, resto_id: &str, secret: &str) -> CallbackSender {
        CallbackSender {
            http: reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("an HTTP client"),
            base_url: base_url.trim_end_matches('/').to_string(),
            resto_id: resto_id.to_string(),
            secret: secret.to_string(),
        }
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
        let url = format!("{}{}", self.base_url, path);
        let mut pause = Duration::from_millis(200);
        loop {
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
                Ok(response) if response.status().is_success() => return Ok(()),
                Ok(response) if response.status().is_client_error() => {
                    let status = response.status().as_u16();
                    let body = response.text().await.unwrap_or_default();
                    return Err(SendError::Refused { status, body });
                }
                Ok(response) => format!("server answered {}", response.status()),
                Err(error) => error.to_string(),
            };
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
