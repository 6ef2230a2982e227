//! The bus between nodes (NATS core request-reply): a POS socket lives on one node, and any
//! node can ask it, take its callbacks, and see its connection.
//!
//! Why NATS core and not JetStream: every message here is a question whose asker is waiting
//! (a request for a restaurant's POS, a callback looking for the node whose caller waits for its
//! `rID`), or a notice that is only useful now (a newer socket for a restaurant). None of it
//! must outlive the asker, and NATS's "no responders" answers "nobody holds this restaurant" at
//! once, which is exactly the 503 the caller needs. PostgreSQL stays the shared truth (payments,
//! the `ORDERS_CACHE`, logs); nothing here is stored.
//!
//! Subjects:
//! - `rahunok.pos.<RESTO_ID>` — served only by the node holding that restaurant's socket: a
//!   request to send (and its callback), or a question about the connection.
//! - `rahunok.sockets` — every node: "a newer socket for R is on node N"; the others close
//!   theirs with `4409`.
//! - `rahunok.callbacks` — every node: a verified callback whose `rID` is not waiting on the node
//!   that received it; the node where it is waiting (or finished) answers, the others stay quiet.

use super::error::GatewayError;
use super::sessions::{ConnectionInfo, CLOSE_REPLACED};
use async_nats::{Client, RequestErrorKind};
use axum::body::Bytes;
use axum::http::StatusCode;
use futures_util::StreamExt;
use rahunok_protocol::FieldError;
use rahunok_protocol::{ErrorBody, Operation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::task::JoinHandle;

/// How long a callback waits for the node whose caller waits for its `rID`; past it, nobody
/// knows the `rID` (404).
const CALLBACK_RELAY_WAIT: Duration = Duration::from_millis(1500);
/// How long a question about a connection may take.
const INFO_WAIT: Duration = Duration::from_secs(2);
/// Extra time a forwarded request may take beyond the request deadline (the bus's own trip).
const FORWARD_MARGIN: Duration = Duration::from_secs(5);

const SOCKETS: &str = "rahunok.sockets";
const CALLBACKS: &str = "rahunok.callbacks";

fn pos_subject(resto_id: &str) -> String {
    format!("rahunok.pos.{resto_id}")
}

/// Why the bus could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The NATS server could not be reached.
    #[error("cannot connect to NATS at {url}: {reason}")]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A restaurant id that cannot be a NATS subject token.
    #[error("restaurant id `{0}` cannot be routed")]
    BadRestaurantId(String),
}

/// What a node asks the node holding a restaurant's socket.
#[derive(Serialize, Deserialize)]
enum PosQuestion {
    /// Send this frame; for a round trip, wait for the callback.
    Send { operation: String, rid: String, frame: String, round_trip: bool },
    /// The connection as the admin sees it.
    Connection,
    /// Close the socket with this code (an operator's `1001`).
    Close { code: u16 },
}

/// The answer to [`PosQuestion::Connection`].
#[derive(Serialize, Deserialize)]
struct ConnectionAnswer {
    info: Option<ConnectionInfo>,
}

/// "A newer socket for this restaurant is on that node."
#[derive(Serialize, Deserialize)]
struct SocketOpened {
    resto_id: String,
    node: String,
}

/// A verified callback looking for its waiting request.
#[derive(Serialize, Deserialize)]
struct RelayedCallback {
    resto_id: String,
    operation: String,
    rid: String,
    body: String,
}

/// What the node that knew the `rID` made of a relayed callback.
#[derive(Serialize, Deserialize)]
struct RelayVerdict {
    status: u16,
    error: Option<ErrorBody>,
}

/// How a request sent through another node ended (what that node answers over the bus).
#[derive(Debug, Serialize, Deserialize)]
pub enum Forwarded {
    /// The callback body.
    Answered(String),
    /// The callback was refused as unusable, with these field errors.
    Refused(Vec<FieldError>),
    /// No callback before the deadline.
    Timeout,
    /// The node no longer holds the socket.
    Offline,
    /// Sent (a message that expects no callback).
    Sent,
}

/// What this node does when another asks: the bus calls it and knows nothing else of this
/// node (the request path implements it, in `super::relay`).
pub trait LocalNode: Send + Sync {
    /// Sends a frame forwarded by another node over this node's socket (never forwarding again).
    fn send_here<'a>(
        &'a self,
        resto_id: &'a str,
        operation: Operation,
        rid: String,
        frame: String,
        round_trip: bool,
    ) -> Pin<Box<dyn Future<Output = Forwarded> + Send + 'a>>;
    /// The connection of `resto_id` when its socket is on this node.
    fn connection_info(&self, resto_id: &str) -> Option<ConnectionInfo>;
    /// Closes `resto_id`'s socket when it is on this node; whether it was.
    fn close_socket_here(&self, resto_id: &str, code: u16, reason: &'static str) -> bool;
    /// Steps 5–7 for a callback another node verified, when its `rID` waits (or finished) here.
    fn settle_relayed_callback(
        &self,
        resto_id: &str,
        operation: Operation,
        rid: String,
        body: &Bytes,
    ) -> Result<StatusCode, GatewayError>;
}

/// This node's end of the bus.
pub struct Cluster {
    client: Client,
    node: String,
    link: Weak<dyn LocalNode>,
    /// The task serving `rahunok.pos.<R>` for each restaurant whose socket is here.
    serving: Mutex<HashMap<String, (u64, JoinHandle<()>)>>,
}

impl Cluster {
    /// Connects to NATS as `node` and starts listening for the cluster-wide subjects.
    pub async fn join(url: &str, node: &str, link: Weak<dyn LocalNode>) -> Result<Arc<Cluster>, ClusterError> {
        let client = async_nats::ConnectOptions::new()
            .name(format!("rahunok {node}"))
            .connect(url)
            .await
            .map_err(|e| ClusterError::Connect { url: url.to_string(), reason: e.to_string() })?;
        let cluster = Arc::new(Cluster { client, node: node.to_string(), link, serving: Mutex::new(HashMap::new()) });
        let sockets = cluster.client.subscribe(SOCKETS).await.map_err(|e| cluster.connect_error(e))?;
        cluster.serve(sockets, |cluster, message| async move { cluster.close_replaced_socket(&message) });
        let callbacks = cluster.client.subscribe(CALLBACKS).await.map_err(|e| cluster.connect_error(e))?;
        cluster.serve(callbacks, |cluster, message| async move { cluster.answer_relayed_callback(message).await });
        Ok(cluster)
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// A socket for `resto_id` opened here: serve its subject, and tell the other nodes to close
    /// theirs.
    pub async fn socket_opened(self: &Arc<Self>, resto_id: &str, connection_id: u64) {
        if resto_id.contains(['.', '*', '>', ' ']) {
            tracing::warn!(resto_id, "a restaurant id that cannot be a NATS subject is served on this node only");
            return;
        }
        let subscriber = match self.client.subscribe(pos_subject(resto_id)).await {
            Ok(subscriber) => subscriber,
            Err(error) => {
                tracing::error!(resto_id, %error, "cannot serve the restaurant on the bus");
                return;
            }
        };
        // Each question on a task of its own: a slow POS answer does not hold up the next.
        let task = self.serve(subscriber, |cluster, message| async move {
            tokio::spawn(async move { cluster.answer_pos_question(message).await });
        });
        let replaced = self.lock().insert(resto_id.to_string(), (connection_id, task));
        if let Some((_, old)) = replaced {
            old.abort();
        }
        let notice = SocketOpened { resto_id: resto_id.to_string(), node: self.node.clone() };
        let payload = serde_json::to_vec(&notice).expect("notices serialise");
        if let Err(error) = self.client.publish(SOCKETS, payload.into()).await {
            tracing::warn!(resto_id, %error, "could not tell the other nodes about a new socket");
        }
        let _ = self.client.flush().await;
    }

    /// The socket `connection_id` of `resto_id` closed here.
    pub fn socket_closed(&self, resto_id: &str, connection_id: u64) {
        let mut serving = self.lock();
        if serving.get(resto_id).is_some_and(|(id, _)| *id == connection_id) {
            if let Some((_, task)) = serving.remove(resto_id) {
                task.abort();
            }
        }
    }

    /// Sends a frame through the node holding `resto_id`'s socket; `None` when no node does.
    pub(super) async fn forward(
        &self,
        resto_id: &str,
        operation: Operation,
        rid: &str,
        frame: &str,
        round_trip: bool,
        deadline: Duration,
    ) -> Option<Forwarded> {
        let question = PosQuestion::Send {
            operation: operation.name().to_string(),
            rid: rid.to_string(),
            frame: frame.to_string(),
            round_trip,
        };
        let answer = self.ask(resto_id, &question, deadline + FORWARD_MARGIN).await?;
        match serde_json::from_slice::<Forwarded>(&answer) {
            Ok(forwarded) => Some(forwarded),
            Err(error) => {
                tracing::error!(resto_id, %error, "an unreadable answer from another node");
                Some(Forwarded::Offline)
            }
        }
    }

    /// The connection of `resto_id` on whichever node holds it, with the node's name.
    pub async fn connection_elsewhere(&self, resto_id: &str) -> Option<ConnectionInfo> {
        let answer = self.ask(resto_id, &PosQuestion::Connection, INFO_WAIT).await?;
        serde_json::from_slice::<ConnectionAnswer>(&answer).ok()?.info
    }

    /// Asks the node holding `resto_id`'s socket to close it with `code`; false when none does.
    pub async fn close_elsewhere(&self, resto_id: &str, code: u16) -> bool {
        let answer = self.ask(resto_id, &PosQuestion::Close { code }, INFO_WAIT).await;
        answer.is_some_and(|a| a.as_ref() == b"true")
    }

    /// Offers a verified callback whose `rID` is not known here to the other nodes (steps 5–7
    /// of section 4 run where the request waits).
    pub(super) async fn settle_elsewhere(
        &self,
        resto_id: &str,
        operation: Operation,
        rid: String,
        body: &Bytes,
    ) -> Result<StatusCode, GatewayError> {
        let Ok(text) = std::str::from_utf8(body) else { return Err(GatewayError::UnknownRid(rid)) };
        let relayed = RelayedCallback {
            resto_id: resto_id.to_string(),
            operation: operation.name().to_string(),
            rid: rid.clone(),
            body: text.to_string(),
        };
        let payload = serde_json::to_vec(&relayed).expect("callbacks serialise");
        let request = async_nats::Request::new().payload(payload.into()).timeout(Some(CALLBACK_RELAY_WAIT));
        let answer = match self.client.send_request(CALLBACKS, request).await {
            Ok(answer) => answer,
            Err(error) if error.kind() == RequestErrorKind::MaxPayloadExceeded => {
                return Err(GatewayError::TooLargeToRelay);
            }
            Err(_) => return Err(GatewayError::UnknownRid(rid)),
        };
        let verdict: RelayVerdict =
            serde_json::from_slice(&answer.payload).map_err(|_| GatewayError::UnknownRid(rid.clone()))?;
        match verdict.error {
            None => Ok(StatusCode::OK),
            Some(body) => Err(GatewayError::Relayed { status: verdict.status, body }),
        }
    }

    async fn ask(&self, resto_id: &str, question: &PosQuestion, wait: Duration) -> Option<Bytes> {
        if resto_id.contains(['.', '*', '>', ' ']) || resto_id.is_empty() {
            return None;
        }
        let payload = serde_json::to_vec(question).expect("questions serialise");
        let request = async_nats::Request::new().payload(payload.into()).timeout(Some(wait));
        match self.client.send_request(pos_subject(resto_id), request).await {
            Ok(answer) => Some(answer.payload),
            Err(error) if error.kind() == RequestErrorKind::NoResponders => None,
            Err(error) => {
                tracing::warn!(resto_id, %error, "the node holding the restaurant did not answer");
                None
            }
        }
    }

    async fn answer_pos_question(&self, message: async_nats::Message) {
        let (Some(reply), Some(link)) = (message.reply.clone(), self.link.upgrade()) else { return };
        let resto_id = message.subject.as_str().trim_start_matches("rahunok.pos.").to_string();
        let answer = match serde_json::from_slice::<PosQuestion>(&message.payload) {
            Ok(PosQuestion::Send { operation, rid, frame, round_trip }) => {
                let Some(operation) = Operation::from_name(&operation) else { return };
                let forwarded = link.send_here(&resto_id, operation, rid, frame, round_trip).await;
                serde_json::to_vec(&forwarded).expect("answers serialise")
            }
            Ok(PosQuestion::Connection) => {
                let info = link.connection_info(&resto_id).map(|mut info| {
                    info.node = Some(self.node.clone());
                    info
                });
                serde_json::to_vec(&ConnectionAnswer { info }).expect("answers serialise")
            }
            Ok(PosQuestion::Close { code }) => {
                let closed = link.close_socket_here(&resto_id, code, "closed by an operator; connect again");
                closed.to_string().into_bytes()
            }
            Err(error) => {
                tracing::warn!(%error, "an unreadable question from another node");
                return;
            }
        };
        let _ = self.client.publish(reply, answer.into()).await;
    }

    /// Hands each message of `subscriber` to `handle`, on a task of its own, for as long as the
    /// cluster lives.
    fn serve<F, Fut>(self: &Arc<Self>, mut subscriber: async_nats::Subscriber, handle: F) -> JoinHandle<()>
    where
        F: Fn(Arc<Cluster>, async_nats::Message) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let cluster = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(message) = subscriber.next().await {
                let Some(cluster) = cluster.upgrade() else { return };
                handle(cluster, message).await;
            }
        })
    }

    /// Another node opened a socket for a restaurant: one of ours for it is replaced.
    fn close_replaced_socket(&self, message: &async_nats::Message) {
        let Ok(notice) = serde_json::from_slice::<SocketOpened>(&message.payload) else { return };
        if notice.node != self.node {
            if let Some(link) = self.link.upgrade() {
                link.close_socket_here(&notice.resto_id, CLOSE_REPLACED, "replaced by a newer connection");
            }
        }
    }

    async fn answer_relayed_callback(&self, message: async_nats::Message) {
        let (Some(reply), Some(link)) = (message.reply.clone(), self.link.upgrade()) else { return };
        let Ok(relayed) = serde_json::from_slice::<RelayedCallback>(&message.payload) else { return };
        let Some(operation) = Operation::from_name(&relayed.operation) else { return };
        let body = Bytes::from(relayed.body.into_bytes());
        let verdict = match link.settle_relayed_callback(&relayed.resto_id, operation, relayed.rid, &body) {
            Err(GatewayError::UnknownRid(_)) => return,
            Ok(status) => RelayVerdict { status: status.as_u16(), error: None },
            Err(error) => {
                let (status, body) = error.status_and_body();
                RelayVerdict { status: status.as_u16(), error: Some(body) }
            }
        };
        let payload = serde_json::to_vec(&verdict).expect("verdicts serialise");
        let _ = self.client.publish(reply, payload.into()).await;
    }

    fn connect_error(&self, error: impl std::fmt::Display) -> ClusterError {
        ClusterError::Connect { url: "(subscribe)".into(), reason: error.to_string() }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, JoinHandle<()>)>> {
        self.serving.lock().unwrap_or_else(|p| p.into_inner())
    }
}
