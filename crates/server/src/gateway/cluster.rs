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
//! - `_INBOX.rahunok.<random>.<n>` — this node's answers: request `n` waits for the first answer
//!   sealed for it.
//!
//! Only the cluster speaks here. The node presents NATS credentials ([`crate::nats_access`]),
//! and every message is sealed with a key derived from the master key (`super::bus_seal`):
//! a message that is not — forged, altered, moved to another subject, replayed, or an answer
//! meant for another request — is dropped unread and counted
//! (`rahunok_bus_messages_refused_total{reason}`). That is why answers are not taken with
//! async-nats's own request call, which hands over whatever arrives first on the reply subject:
//! here a request keeps waiting past a forged answer for the one sealed for it.
//!
//! What the seal cannot do: NATS's own "no responders" status is not sealed (the NATS server
//! writes it), so whoever holds the bus's NATS credentials could make a request fail as "POS
//! offline", never succeed falsely — as they could by flooding NATS. Give the nodes a NATS user
//! of their own (`docs/deploying.md`).

use super::bus_seal::{BusKey, MessageTag, Opened, Refusal, ReplayGuard, Role};
use super::error::GatewayError;
use super::sessions::{ConnectionInfo, CLOSE_REPLACED};
use crate::metrics::Metrics;
use crate::nats_access::{NatsAccess, NatsCredentials};
use crate::secrets::MasterKey;
use crate::store::now_ms;
use async_nats::{Client, ConnectErrorKind, ConnectOptions, Message, PublishErrorKind, StatusCode, Subject};
use axum::body::Bytes;
use axum::http::StatusCode as HttpStatus;
use futures_util::StreamExt;
use rahunok_protocol::FieldError;
use rahunok_protocol::{ErrorBody, Operation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// How long a callback waits for the node whose caller waits for its `rID`; past it, nobody
/// knows the `rID` (404).
const CALLBACK_RELAY_WAIT: Duration = Duration::from_millis(1500);
/// How long a question about a connection may take.
const INFO_WAIT: Duration = Duration::from_secs(2);
/// Extra time a forwarded request may take beyond the request deadline (the bus's own trip).
const FORWARD_MARGIN: Duration = Duration::from_secs(5);
/// At most one warning per this long about refused messages (each one is counted).
const REFUSAL_WARNING_EVERY_MS: i64 = 60_000;

const SOCKETS: &str = "rahunok.sockets";
const CALLBACKS: &str = "rahunok.callbacks";
const POS_PREFIX: &str = "rahunok.pos.";

fn pos_subject(resto_id: &str) -> String {
    format!("{POS_PREFIX}{resto_id}")
}

/// Whether a restaurant id can stand in a NATS subject (one token: no `.`, `*`, `>`, space).
fn can_be_subject(resto_id: &str) -> bool {
    !resto_id.is_empty() && !resto_id.contains(['.', '*', '>', ' '])
}

/// Why the bus could not be used. No variant carries a secret: URLs are the ones without
/// user information ([`NatsAccess::url`]), and a library's words are scrubbed.
#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    /// The NATS server could not be reached.
    #[error("cannot connect to NATS at {url}: {reason}")]
    Connect {
        /// The URL (without credentials).
        url: String,
        /// Why.
        reason: String,
    },
    /// The NATS server refused the credentials this node presented.
    #[error(
        "the NATS server at {url} refused this node ({presented}): give the credentials its authorization \
         block names (a user and password in --nats-url or --nats-user and --nats-password, --nats-token, \
         --nats-nkey-file or --nats-creds-file)"
    )]
    Refused {
        /// The URL (without credentials).
        url: String,
        /// What kind of credentials were presented (never the secret).
        presented: &'static str,
    },
    /// The credentials could not be read.
    #[error("the NATS credentials: {0}")]
    Credentials(String),
    /// A subject this node needs could not be subscribed to.
    #[error("cannot subscribe to {subject} on NATS: {reason} (may this node's NATS user subscribe to it?)")]
    Subscribe {
        /// The subject.
        subject: String,
        /// Why.
        reason: String,
    },
}

/// What a node asks the node holding a restaurant's socket (`S`: borrowed to send, owned when
/// read).
#[derive(Serialize, Deserialize)]
enum PosQuestion<S> {
    /// Send this frame; for a round trip, wait for the callback.
    Send { operation: S, rid: S, frame: S, round_trip: bool },
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
struct SocketOpened<S> {
    resto_id: S,
    node: S,
}

/// A verified callback looking for its waiting request.
#[derive(Serialize, Deserialize)]
struct RelayedCallback<S> {
    resto_id: S,
    operation: S,
    rid: S,
    body: S,
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
    ) -> Result<HttpStatus, GatewayError>;
}

/// Why a request over the bus got no answer.
#[derive(Debug, thiserror::Error)]
enum AskError {
    /// Nobody listens on the subject (NATS said so at once).
    #[error("no node listens")]
    NoResponders,
    /// No answer sealed for the request in time.
    #[error("no answer in time")]
    Timeout,
    /// Larger than the NATS server takes.
    #[error("larger than the NATS server takes")]
    TooLarge,
    /// The bus failed (closed, or NATS refused the publish).
    #[error("the bus failed: {0}")]
    Failed(String),
}

/// What arrives for a request waiting on this node's inbox.
enum Answer {
    /// An answer sealed for it, opened.
    Sealed(Bytes),
    /// NATS's "no responders".
    NoResponders,
}

/// A request waiting for its answer.
struct Waiting {
    /// The request's tag: only an answer sealed for it is taken.
    request: MessageTag,
    answer: oneshot::Sender<Answer>,
}

/// This node's requests waiting for answers on its inbox (`<prefix><n>`).
struct Inbox {
    prefix: String,
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, Waiting, foldhash::fast::RandomState>>,
}

impl Inbox {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Waiting, foldhash::fast::RandomState>> {
        self.waiting.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Forgets a waiting request however its asker stops (answer, timeout, or dropped).
struct Forget<'a> {
    inbox: &'a Inbox,
    token: u64,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        self.inbox.lock().remove(&self.token);
    }
}

/// This node's end of the bus.
pub struct Cluster {
    client: Client,
    node: String,
    link: Weak<dyn LocalNode>,
    /// The task serving `rahunok.pos.<R>` for each restaurant whose socket is here.
    serving: Mutex<HashMap<String, (u64, JoinHandle<()>)>>,
    key: BusKey,
    replays: ReplayGuard,
    inbox: Inbox,
    metrics: Arc<Metrics>,
    /// When refused messages were last warned about (ms since the epoch).
    last_refusal_warning: AtomicI64,
}

/// Connects to NATS as `access` says, naming the connection after the node.
async fn connect(access: &NatsAccess, node: &str) -> Result<Client, ClusterError> {
    let mut options = ConnectOptions::new().name(format!("rahunok {node}"));
    options = match &access.credentials {
        NatsCredentials::None => options,
        NatsCredentials::UserPassword { user, password } => options.user_and_password(user.clone(), password.clone()),
        NatsCredentials::Token(token) => options.token(token.clone()),
        NatsCredentials::NkeySeedFile(path) => {
            let seed = std::fs::read_to_string(path).map_err(|error| {
                ClusterError::Credentials(format!("cannot read the nkey seed file {}: {error}", path.display()))
            })?;
            options.nkey(seed.trim().to_string())
        }
        NatsCredentials::CredsFile(path) => options.credentials_file(path).await.map_err(|error| {
            ClusterError::Credentials(format!(
                "the credentials file {}: {}",
                path.display(),
                access.scrub(&error.to_string())
            ))
        })?,
    };
    let tls = &access.tls;
    if tls.required || tls.ca_file.is_some() || tls.client_certificate.is_some() {
        options = options.require_tls(true);
    }
    if let Some(ca) = &tls.ca_file {
        options = options.add_root_certificates(ca.clone());
    }
    if let Some((certificate, key)) = &tls.client_certificate {
        options = options.add_client_certificate(certificate.clone(), key.clone());
    }
    options.connect(access.url.as_str()).await.map_err(|error| match error.kind() {
        ConnectErrorKind::AuthorizationViolation | ConnectErrorKind::Authentication => {
            ClusterError::Refused { url: access.url.clone(), presented: access.credentials.kind() }
        }
        _ => ClusterError::Connect { url: access.url.clone(), reason: access.scrub(&error.to_string()) },
    })
}

impl Cluster {
    /// Connects to NATS as `node` with the bus key of `master_key`, and starts listening for the
    /// cluster-wide subjects and this node's answers. Refused messages are counted in `metrics`.
    pub async fn join(
        access: &NatsAccess,
        node: &str,
        master_key: &MasterKey,
        metrics: Arc<Metrics>,
        link: Weak<dyn LocalNode>,
    ) -> Result<Arc<Cluster>, ClusterError> {
        let client = connect(access, node).await?;
        let inbox = Inbox {
            prefix: format!("_INBOX.rahunok.{:016x}.", rand::random::<u64>()),
            next: AtomicU64::new(0),
            waiting: Mutex::default(),
        };
        let cluster = Arc::new(Cluster {
            client,
            node: node.to_string(),
            link,
            serving: Mutex::new(HashMap::new()),
            key: BusKey::derive(master_key),
            replays: ReplayGuard::default(),
            inbox,
            metrics,
            last_refusal_warning: AtomicI64::new(i64::MIN),
        });
        cluster
            .listen(
                format!("{}*", cluster.inbox.prefix),
                |cluster, message| async move { cluster.answer_arrived(message) },
            )
            .await?;
        cluster.listen(SOCKETS.to_string(), |cluster, message| async move { cluster.socket_notice(message) }).await?;
        cluster
            .listen(
                CALLBACKS.to_string(),
                |cluster, message| async move { cluster.answer_relayed_callback(message).await },
            )
            .await?;
        Ok(cluster)
    }

    /// This node's name.
    pub fn node(&self) -> &str {
        &self.node
    }

    /// A socket for `resto_id` opened here: serve its subject, and tell the other nodes to close
    /// theirs.
    pub async fn socket_opened(self: &Arc<Self>, resto_id: &str, connection_id: u64) {
        if !can_be_subject(resto_id) {
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
        let cluster = Arc::downgrade(self);
        let task = tokio::spawn(async move {
            let mut subscriber = subscriber;
            while let Some(message) = subscriber.next().await {
                let Some(cluster) = cluster.upgrade() else { return };
                tokio::spawn(async move { cluster.answer_pos_question(message).await });
            }
        });
        let replaced = self.lock().insert(resto_id.to_string(), (connection_id, task));
        if let Some((_, old)) = replaced {
            old.abort();
        }
        let notice = SocketOpened { resto_id, node: self.node.as_str() };
        let (payload, _) = self.seal(SOCKETS, Role::Ask { reply: None }, &notice, 64 + resto_id.len());
        if let Err(error) = self.client.publish(SOCKETS, payload).await {
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
    ///
    /// Once the question is on the bus, whether the frame reached the POS is known only from
    /// that node's answer: when none comes in time (an overloaded node, a node that died
    /// mid-request) or it cannot be read, the request ends as [`Forwarded::Timeout`] — fate
    /// unknown — never as `Offline`, which a caller may take as "not sent" and repeat
    /// (a second `payBill`, issue 28).
    pub(super) async fn forward(
        &self,
        resto_id: &str,
        operation: Operation,
        rid: &str,
        frame: &str,
        round_trip: bool,
        deadline: Duration,
    ) -> Option<Forwarded> {
        if !can_be_subject(resto_id) {
            return None;
        }
        let question = PosQuestion::Send { operation: operation.name(), rid, frame, round_trip };
        let size = frame.len() + rid.len() + 96;
        let answer = match self.ask(&pos_subject(resto_id), &question, size, deadline + FORWARD_MARGIN).await {
            Ok(answer) => answer,
            Err(AskError::NoResponders) => return None,
            // Never published: nothing left this node.
            Err(AskError::TooLarge) => return Some(Forwarded::Offline),
            Err(error) => {
                tracing::warn!(resto_id, %error, rid, "the node holding the restaurant did not answer; whether the POS got the frame is not known");
                return Some(Forwarded::Timeout);
            }
        };
        match serde_json::from_slice::<Forwarded>(&answer) {
            Ok(forwarded) => Some(forwarded),
            Err(error) => {
                tracing::error!(resto_id, %error, "an unreadable answer from another node (do all nodes run one release?)");
                Some(Forwarded::Timeout)
            }
        }
    }

    /// The connection of `resto_id` on whichever node holds it, with the node's name.
    pub async fn connection_elsewhere(&self, resto_id: &str) -> Option<ConnectionInfo> {
        let answer = self.ask_pos(resto_id, &PosQuestion::<&str>::Connection, 16, INFO_WAIT).await?;
        serde_json::from_slice::<ConnectionAnswer>(&answer).ok()?.info
    }

    /// Asks the node holding `resto_id`'s socket to close it with `code`; false when none does.
    pub async fn close_elsewhere(&self, resto_id: &str, code: u16) -> bool {
        let answer = self.ask_pos(resto_id, &PosQuestion::<&str>::Close { code }, 32, INFO_WAIT).await;
        answer.is_some_and(|a| serde_json::from_slice::<bool>(&a).unwrap_or(false))
    }

    /// Offers a verified callback whose `rID` is not known here to the other nodes (steps 5–7
    /// of section 4 run where the request waits).
    pub(super) async fn settle_elsewhere(
        &self,
        resto_id: &str,
        operation: Operation,
        rid: String,
        body: &Bytes,
    ) -> Result<HttpStatus, GatewayError> {
        let Ok(text) = std::str::from_utf8(body) else { return Err(GatewayError::UnknownRid(rid)) };
        let relayed = RelayedCallback { resto_id, operation: operation.name(), rid: rid.as_str(), body: text };
        let size = text.len() + text.len() / 8 + resto_id.len() + rid.len() + 96;
        let answer = match self.ask(CALLBACKS, &relayed, size, CALLBACK_RELAY_WAIT).await {
            Ok(answer) => answer,
            Err(AskError::TooLarge) => return Err(GatewayError::TooLargeToRelay),
            Err(_) => return Err(GatewayError::UnknownRid(rid)),
        };
        let verdict: RelayVerdict =
            serde_json::from_slice(&answer).map_err(|_| GatewayError::UnknownRid(rid.clone()))?;
        match verdict.error {
            None => Ok(HttpStatus::OK),
            Some(body) => Err(GatewayError::Relayed { status: verdict.status, body }),
        }
    }

    /// Asks the node holding `resto_id`'s socket; `None` when none does or it did not answer.
    async fn ask_pos(
        &self,
        resto_id: &str,
        question: &PosQuestion<&str>,
        size: usize,
        wait: Duration,
    ) -> Option<Bytes> {
        if !can_be_subject(resto_id) {
            return None;
        }
        match self.ask(&pos_subject(resto_id), question, size, wait).await {
            Ok(answer) => Some(answer),
            Err(AskError::NoResponders) => None,
            Err(error) => {
                tracing::warn!(resto_id, %error, "the node holding the restaurant did not answer");
                None
            }
        }
    }

    /// Publishes a sealed request on `subject` and waits (at most `wait`) for the first answer
    /// sealed for it; answers that are not are refused and counted, and the wait goes on.
    async fn ask<Q: Serialize>(
        &self,
        subject: &str,
        question: &Q,
        size: usize,
        wait: Duration,
    ) -> Result<Bytes, AskError> {
        let token = self.inbox.next.fetch_add(1, Ordering::Relaxed);
        let reply = format!("{}{token}", self.inbox.prefix);
        let (payload, request) = self.seal(subject, Role::Ask { reply: Some(&reply) }, question, size);
        let (sender, receiver) = oneshot::channel();
        self.inbox.lock().insert(token, Waiting { request, answer: sender });
        let _forget = Forget { inbox: &self.inbox, token };
        if let Err(error) = self.client.publish_with_reply(subject.to_string(), reply, payload).await {
            return Err(match error.kind() {
                PublishErrorKind::MaxPayloadExceeded => AskError::TooLarge,
                _ => AskError::Failed(error.to_string()),
            });
        }
        match tokio::time::timeout(wait, receiver).await {
            Ok(Ok(Answer::Sealed(body))) => Ok(body),
            Ok(Ok(Answer::NoResponders)) => Err(AskError::NoResponders),
            Ok(Err(_)) => Err(AskError::Failed("the inbox closed".into())),
            Err(_) => Err(AskError::Timeout),
        }
    }

    /// Seals `value` as JSON for `subject` in `role` (about `size` bytes).
    fn seal<T: Serialize>(&self, subject: &str, role: Role<'_>, value: &T, size: usize) -> (Bytes, MessageTag) {
        self.key.seal(subject, role, now_ms(), size, |buffer| {
            serde_json::to_writer(buffer, value).expect("bus messages serialise")
        })
    }

    /// Seals `value` as the answer to the request `to` and publishes it on `reply`.
    async fn answer<T: Serialize>(&self, reply: Subject, to: MessageTag, value: &T, size: usize) {
        let (payload, _) = self.seal(reply.as_str(), Role::Answer { to }, value, size);
        if let Err(error) = self.client.publish(reply, payload).await {
            tracing::warn!(%error, "could not answer another node");
        }
    }

    /// Opens a request or notice (not seen before); `None`, counted, when it is refused.
    fn open_ask(&self, subject: &str, reply: Option<&str>, payload: Bytes) -> Option<Opened> {
        let now = now_ms();
        let opened = self.key.open(subject, Role::Ask { reply }, payload, now);
        match opened {
            Ok(opened) if self.replays.first_time(&opened, now) => return Some(opened),
            Ok(_) => self.refused(Refusal::Replayed, subject),
            Err(refusal) => self.refused(refusal, subject),
        }
        None
    }

    /// Counts a refused message, and warns about it at most once a minute (a flood of forgeries
    /// must not flood the log).
    fn refused(&self, refusal: Refusal, subject: &str) {
        self.metrics.bus_message_refused(refusal.reason());
        let now = now_ms();
        let last = self.last_refusal_warning.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= REFUSAL_WARNING_EVERY_MS
            && self.last_refusal_warning.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            let hint = match refusal {
                Refusal::Stale => "do the nodes' clocks agree?",
                Refusal::Malformed => "a client that is not a node of this release publishes on the bus",
                Refusal::BadMac => "a client without this cluster's master key publishes on the bus",
                Refusal::Replayed => "a recorded message was published again",
            };
            tracing::warn!(
                reason = refusal.reason(),
                subject,
                hint,
                "refused a message on the bus (counted in rahunok_bus_messages_refused_total; at most one warning a minute)"
            );
        }
    }

    async fn answer_pos_question(&self, message: Message) {
        let Message { subject, reply, payload, .. } = message;
        let Some(opened) = self.open_ask(subject.as_str(), reply.as_deref(), payload) else { return };
        let (Some(reply), Some(link)) = (reply, self.link.upgrade()) else { return };
        let resto_id = subject.as_str().strip_prefix(POS_PREFIX).unwrap_or_default();
        let question = match serde_json::from_slice::<PosQuestion<String>>(&opened.body) {
            Ok(question) => question,
            Err(error) => {
                tracing::error!(%error, "a sealed question this node cannot read (do all nodes run one release?)");
                return;
            }
        };
        match question {
            PosQuestion::Send { operation, rid, frame, round_trip } => {
                let Some(operation) = Operation::from_name(&operation) else { return };
                let forwarded = link.send_here(resto_id, operation, rid, frame, round_trip).await;
                let size = match &forwarded {
                    Forwarded::Answered(body) => body.len() + body.len() / 8 + 32,
                    _ => 256,
                };
                self.answer(reply, opened.tag, &forwarded, size).await;
            }
            PosQuestion::Connection => {
                let info = link.connection_info(resto_id).map(|mut info| {
                    info.node = Some(self.node.clone());
                    info
                });
                self.answer(reply, opened.tag, &ConnectionAnswer { info }, 512).await;
            }
            PosQuestion::Close { code } => {
                let closed = link.close_socket_here(resto_id, code, "closed by an operator; connect again");
                self.answer(reply, opened.tag, &closed, 8).await;
            }
        }
    }

    async fn subscribe(&self, subject: String) -> Result<async_nats::Subscriber, ClusterError> {
        self.client
            .subscribe(subject.clone())
            .await
            .map_err(|error| ClusterError::Subscribe { subject, reason: error.to_string() })
    }

    /// Subscribes to `subject` and hands each message to `handle`, on a task of its own, for as
    /// long as the cluster lives.
    async fn listen<F, Fut>(self: &Arc<Self>, subject: String, handle: F) -> Result<(), ClusterError>
    where
        F: Fn(Arc<Cluster>, Message) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let mut subscriber = self.subscribe(subject).await?;
        let cluster = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(message) = subscriber.next().await {
                let Some(cluster) = cluster.upgrade() else { return };
                handle(cluster, message).await;
            }
        });
        Ok(())
    }

    /// Hands an answer to the request waiting for it, when it is sealed for that request (or
    /// is NATS's "no responders"); a late answer (its asker stopped waiting) is dropped.
    fn answer_arrived(&self, message: Message) {
        let Message { subject, payload, status, .. } = message;
        let token = subject.as_str().strip_prefix(self.inbox.prefix.as_str()).and_then(|t| t.parse::<u64>().ok());
        let Some(token) = token else { return self.refused(Refusal::Malformed, subject.as_str()) };
        let Some(request) = self.inbox.lock().get(&token).map(|w| w.request) else { return };
        let answer = if status == Some(StatusCode::NO_RESPONDERS) {
            Answer::NoResponders
        } else {
            match self.key.open(subject.as_str(), Role::Answer { to: request }, payload, now_ms()) {
                Ok(opened) => Answer::Sealed(opened.body),
                Err(refusal) => return self.refused(refusal, subject.as_str()),
            }
        };
        if let Some(waiting) = self.inbox.lock().remove(&token) {
            let _ = waiting.answer.send(answer);
        }
    }

    /// "A newer socket for R is on node N": when N is another node, close R's socket here.
    fn socket_notice(&self, message: Message) {
        let Message { subject, reply, payload, .. } = message;
        let Some(opened) = self.open_ask(subject.as_str(), reply.as_deref(), payload) else { return };
        let Ok(notice) = serde_json::from_slice::<SocketOpened<String>>(&opened.body) else { return };
        if notice.node != self.node {
            if let Some(link) = self.link.upgrade() {
                link.close_socket_here(&notice.resto_id, CLOSE_REPLACED, "replaced by a newer connection");
            }
        }
    }

    async fn answer_relayed_callback(&self, message: Message) {
        let Message { subject, reply, payload, .. } = message;
        let Some(opened) = self.open_ask(subject.as_str(), reply.as_deref(), payload) else { return };
        let (Some(reply), Some(link)) = (reply, self.link.upgrade()) else { return };
        let Ok(relayed) = serde_json::from_slice::<RelayedCallback<String>>(&opened.body) else { return };
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
        self.answer(reply, opened.tag, &verdict, 256).await;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u64, JoinHandle<()>)>> {
        self.serving.lock().unwrap_or_else(|p| p.into_inner())
    }
}
