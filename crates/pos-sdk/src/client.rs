//! The connection: one WebSocket to `/restaurantEntryPoint`, kept alive and re-established.

use crate::callbacks::CallbackSender;
use crate::handler::{Answer, Failure, Handler};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use rahunok_protocol::envelope::{parse_tracked, substate, AnswerHead, Callback, FrameHead, PosRequest};
use rahunok_protocol::Operation;
use rand::Rng;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// How to reach the server and how to behave on the link.
#[derive(Debug, Clone)]
pub struct PosConfig {
    /// `http://host:port` or `https://host` (the socket uses ws/wss on the same host).
    pub server_url: String,
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
    /// How long the server waits for a callback (protocol: 80 s); callbacks are retried until then.
    pub callback_deadline: Duration,
}

impl PosConfig {
    /// A configuration with the protocol's timings.
    pub fn new(server_url: &str, resto_id: &str, secret_key: &str, pos_name: &str) -> PosConfig {
        PosConfig {
            server_url: server_url.trim_end_matches('/').to_string(),
            resto_id: resto_id.to_string(),
            secret_key: secret_key.to_string(),
            pos_name: Some(pos_name.to_string()),
            text_ping_interval: Duration::from_secs(15),
            dead_after: Duration::from_secs(90),
            reconnect_delay: Duration::from_secs(15),
            callback_deadline: Duration::from_secs(80),
        }
    }

    fn socket_url(&self) -> String {
        let base = if let Some(rest) = self.server_url.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = self.server_url.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            self.server_url.clone()
        };
        format!("{base}/restaurantEntryPoint")
    }
}

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

/// A POS's connection to the server (see the crate docs).
pub struct PosClient {
    config: PosConfig,
    state: watch::Sender<ConnectionState>,
    sender: CallbackSender,
}

impl PosClient {
    /// A client for `config`; nothing happens until [`PosClient::run`].
    pub fn new(config: PosConfig) -> PosClient {
        let sender = CallbackSender::new(&config.server_url, &config.resto_id, &config.secret_key);
        PosClient { config, state: watch::channel(ConnectionState::Connecting).0, sender }
    }

    /// Watches connection state changes.
    pub fn state(&self) -> watch::Receiver<ConnectionState> {
        self.state.subscribe()
    }

    /// The signed sender, for webhooks.
    pub fn sender(&self) -> CallbackSender {
        self.sender.clone()
    }

    /// Connects and serves `handler` forever, reconnecting when the link drops.
    pub async fn run<H: Handler>(self, handler: H) {
        let handler = Arc::new(handler);
        loop {
            let attempt_started = Instant::now();
            self.state.send_replace(ConnectionState::Connecting);
            let reason = match self.serve_once(&handler).await {
                Ok(reason) | Err(reason) => reason,
            };
            tracing::info!(resto_id = self.config.resto_id, reason, "POS link down; reconnecting");
            self.state.send_replace(ConnectionState::Disconnected(reason));
            let jitter = self.config.reconnect_delay.mul_f64(rand::thread_rng().gen_range(0.0..0.25));
            tokio::time::sleep_until(attempt_started + self.config.reconnect_delay + jitter).await;
        }
    }

    async fn serve_once<H: Handler>(&self, handler: &Arc<H>) -> Result<String, String> {
        let mut request = self.config.socket_url().into_client_request().map_err(|e| e.to_string())?;
        let basic = STANDARD.encode(format!("{}:{}", self.config.resto_id, self.config.secret_key));
        let headers = request.headers_mut();
        headers.insert("Authorization", HeaderValue::from_str(&format!("Basic {basic}")).map_err(|e| e.to_string())?);
        if let Some(name) = &self.config.pos_name {
            headers.insert("Cookie", HeaderValue::from_str(&format!("system={name}")).map_err(|e| e.to_string())?);
        }
        let (socket, _) = tokio_tungstenite::connect_async(request).await.map_err(|e| e.to_string())?;
        self.state.send_replace(ConnectionState::Connected);
        let (mut sink, mut stream) = socket.split();
        let mut pings = tokio::time::interval(self.config.text_ping_interval);
        let mut last_heard = Instant::now();
        let text_ping = format!("Resto {} ping", self.config.resto_id);
        loop {
            tokio::select! {
                incoming = stream.next() => match incoming {
                    Some(Ok(Message::Text(text))) => {
                        last_heard = Instant::now();
                        self.on_frame(handler, text.as_str());
                    }
                    Some(Ok(Message::Close(frame))) => {
                        return Ok(frame.map(|f| format!("closed by server: {} {}", u16::from(f.code), f.reason)).unwrap_or_else(|| "closed by server".into()));
                    }
                    Some(Ok(_)) => last_heard = Instant::now(),
                    Some(Err(error)) => return Err(error.to_string()),
                    None => return Err("connection lost".into()),
                },
                _ = pings.tick() => {
                    if let Err(error) = sink.send(Message::Text(text_ping.clone().into())).await {
                        return Err(error.to_string());
                    }
                }
                _ = tokio::time::sleep_until(last_heard + self.config.dead_after) => {
                    return Err(format!("no frame from the server for {:?}", self.config.dead_after));
                }
            }
        }
    }

    fn on_frame<H: Handler>(&self, handler: &Arc<H>, text: &str) {
        let received = Instant::now();
        let head: FrameHead = match parse_tracked(text.as_bytes()) {
            Ok(head) => head,
            Err(errors) => {
                tracing::warn!(?errors, "ignored a frame that is not a request");
                return;
            }
        };
        let Some(operation) = Operation::from_name(&head.operation) else {
            tracing::warn!(operation = head.operation, "ignored a frame with an unknown operation");
            return;
        };
        let handler = handler.clone();
        let sender = self.sender.clone();
        let deadline = received + self.config.callback_deadline;
        let frame = text.as_bytes().to_vec();
        tokio::spawn(async move {
            if let Some(body) = dispatch(&*handler, operation, &head.rid, &frame).await {
                if let Err(error) = sender.send_callback(operation, body, deadline).await {
                    tracing::warn!(operation = operation.name(), rid = head.rid, %error, "callback not delivered");
                }
            }
        });
    }
}

/// Runs the handler for one frame; the callback body, or `None` for messages without one.
async fn dispatch<H: Handler>(handler: &H, operation: Operation, rid: &str, frame: &[u8]) -> Option<Vec<u8>> {
    Some(match operation {
        Operation::GetBill => respond(rid, frame, |r| handler.get_bill(r)).await,
        Operation::PayBill => respond(rid, frame, |r| handler.pay_bill(r)).await,
        Operation::SplitOrder => respond(rid, frame, |r| handler.split_order(r)).await,
        Operation::TablesInfo => respond(rid, frame, |r| handler.tables_info(r)).await,
        Operation::HallplansInfo => respond(rid, frame, |r| handler.hallplans_info(r)).await,
        Operation::UsersInfo => respond(rid, frame, |r| handler.users_info(r)).await,
        Operation::CategoriesInfo => respond(rid, frame, |r| handler.categories_info(r)).await,
        Operation::MenuInfo => respond(rid, frame, |r| handler.menu_info(r)).await,
        Operation::StopList => respond(rid, frame, |r| handler.stop_list(r)).await,
        Operation::CheckWork => respond(rid, frame, |r| handler.check_work(r)).await,
        Operation::VersionInfo => respond(rid, frame, |r| handler.version_info(r)).await,
        Operation::CheckProductsRestrictions => respond(rid, frame, |r| handler.check_products_restrictions(r)).await,
        Operation::CreateOrderOnTable => respond(rid, frame, |r| handler.create_order_on_table(r)).await,
        Operation::SetSettings => {
            if let Ok(settings) = parse_tracked(frame) {
                handler.set_settings(settings).await;
            }
            return None;
        }
        Operation::ShowMessage => {
            if let Ok(message) = parse_tracked(frame) {
                handler.show_message(message).await;
            }
            return None;
        }
    })
}

async fn respond<R, F, Fut>(rid: &str, frame: &[u8], handle: F) -> Vec<u8>
where
    R: PosRequest,
    F: FnOnce(R) -> Fut,
    Fut: Future<Output = Answer<R::Answer>>,
{
    let answer = match parse_tracked::<R>(frame) {
        Ok(request) => handle(request).await,
        Err(errors) => {
            Err(Failure::new(substate::POS_ERROR, format!("the POS could not read the request: {errors:?}")))
        }
    };
    let (head, body) = match answer {
        Ok(body) => (AnswerHead::success(rid), body),
        Err(failure) => (AnswerHead::fail(rid, &failure.substate, failure.message), Default::default()),
    };
    serde_json::to_vec(&Callback::new(head, body)).expect("answers serialise")
}
