//! Signed POSTs to the server: callbacks for requests and POS-initiated webhooks. The signature
//! is computed over the exact bytes that are sent; network failures are retried with the same
//! bytes until the request's deadline (a repeated identical callback is harmless: 200).

use rahunok_protocol::signing;
use rahunok_protocol::webhook::Webhook;
use rahunok_protocol::Operation;
use std::time::Duration;
use tokio::time::Instant;

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

    /// Posts a callback body for `operation`, retrying network failures until `deadline`.
    pub async fn send_callback(&self, operation: Operation, body: Vec<u8>, deadline: Instant) -> Result<(), SendError> {
        self.post_until(&format!("/callback/{}", operation.name()), body, deadline).await
    }

    /// Posts a webhook (`ORDERS_CACHE`, `ORDERS_CLOSED`, `USER_UPDATE`), retrying for up to 10 s.
    pub async fn send_webhook(&self, webhook: &Webhook) -> Result<(), SendError> {
        let body = serde_json::to_vec(webhook).expect("webhooks serialise");
        self.post_until("/callback/webhook", body, Instant::now() + Duration::from_secs(10)).await
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
