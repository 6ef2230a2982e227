//! The live POS sockets of this node, one per restaurant.
//!
//! Why this exists: a request for a restaurant must find its socket; a newer authenticated
//! socket replaces the older one (`docs/pos-protocol.md` section 2: close code 4409); the admin sees who is connected.

use crate::store::now_ms;
use rahunok_protocol::ops::ImplementedFeature;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::mpsc;

/// Close code sent to a socket replaced by a newer one.
pub const CLOSE_REPLACED: u16 = 4409;
/// Close code sent to a socket that stayed silent too long.
pub const CLOSE_SILENT: u16 = 4408;
/// Close code sent to every socket when the server shuts down (WebSocket "going away").
pub const CLOSE_GOING_AWAY: u16 = 1001;

/// What the session task should do next.
#[derive(Debug)]
pub enum Outgoing {
    /// Send a text frame.
    Frame(String),
    /// Close the socket with a code and reason.
    Close(u16, &'static str),
}

/// What the admin sees about a live connection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionInfo {
    /// Connected.
    pub connected: bool,
    /// Since when, unix ms.
    pub since: i64,
    /// The POS product from the `system` cookie, or "unknown POS".
    pub pos_name: String,
    /// True when the POS sent no `system` cookie.
    pub pos_name_missing: bool,
    /// From `versionInfo`.
    pub plugin_version: Option<i64>,
    /// From `versionInfo`, as the POS wrote it (`v0.6.0`).
    pub plugin_version_text: Option<String>,
    /// From `versionInfo`.
    pub implemented_features: Vec<ImplementedFeature>,
    /// Last frame or pong, unix ms.
    pub last_seen: i64,
    /// `Resto <RESTO_ID> ping` text frames received on this socket.
    pub text_pings: u64,
    /// When the last of them arrived, unix ms.
    pub last_text_ping_at: Option<i64>,
    /// Other non-JSON text frames (ignored; a `ping` naming another restaurant counts here).
    pub ignored_texts: u64,
    /// The latest of them, cut at 80 characters.
    pub last_ignored_text: Option<String>,
    /// Operator-visible warnings.
    pub warnings: Vec<String>,
    /// The node holding the socket, when the server is one of several.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
}

/// A live session's handle.
#[derive(Clone)]
pub struct SessionHandle {
    /// Unique per socket.
    pub connection_id: u64,
    /// Frames to send.
    pub outbox: mpsc::Sender<Outgoing>,
    info: Arc<Mutex<ConnectionInfo>>,
    last_seen: Arc<AtomicI64>,
}

impl SessionHandle {
    /// Marks the connection alive now.
    pub fn touch(&self) {
        self.last_seen.store(now_ms(), Ordering::Relaxed);
    }

    /// Milliseconds since the last sign of life.
    pub fn last_seen(&self) -> i64 {
        self.last_seen.load(Ordering::Relaxed)
    }

    /// A copy of what the admin sees.
    pub fn info(&self) -> ConnectionInfo {
        let mut info = self.info.lock().unwrap_or_else(|p| p.into_inner()).clone();
        info.last_seen = self.last_seen();
        info
    }

    /// Updates the info (e.g. after `versionInfo`).
    pub fn update_info(&self, change: impl FnOnce(&mut ConnectionInfo)) {
        change(&mut self.info.lock().unwrap_or_else(|p| p.into_inner()));
    }
}

/// Registry of live sessions on this node.
#[derive(Default)]
pub struct RestaurantSessions {
    sessions: Mutex<HashMap<String, SessionHandle>>,
    next_id: AtomicU64,
}

impl RestaurantSessions {
    /// Registers a new socket for `resto_id`; returns its handle, its outbox receiver, and the
    /// handle it replaced (which the caller closes with [`CLOSE_REPLACED`]).
    pub fn register(
        &self,
        resto_id: &str,
        pos_name: Option<String>,
    ) -> (SessionHandle, mpsc::Receiver<Outgoing>, Option<SessionHandle>) {
        let (outbox, receiver) = mpsc::channel(256);
        let now = now_ms();
        let mut warnings = Vec::new();
        if pos_name.is_none() {
            warnings.push("POS sends no `system` cookie: its product name is unknown".to_string());
        }
        let info = ConnectionInfo {
            connected: true,
            since: now,
            pos_name: pos_name.clone().unwrap_or_else(|| "unknown POS".to_string()),
            pos_name_missing: pos_name.is_none(),
            plugin_version: None,
            plugin_version_text: None,
            implemented_features: Vec::new(),
            last_seen: now,
            text_pings: 0,
            last_text_ping_at: None,
            ignored_texts: 0,
            last_ignored_text: None,
            warnings,
            node: None,
        };
        let handle = SessionHandle {
            connection_id: self.next_id.fetch_add(1, Ordering::Relaxed),
            outbox,
            info: Arc::new(Mutex::new(info)),
            last_seen: Arc::new(AtomicI64::new(now)),
        };
        let replaced = self.lock().insert(resto_id.to_string(), handle.clone());
        (handle, receiver, replaced)
    }

    /// Removes the session if it is still the registered one.
    pub fn unregister(&self, resto_id: &str, connection_id: u64) {
        let mut sessions = self.lock();
        if sessions.get(resto_id).is_some_and(|h| h.connection_id == connection_id) {
            sessions.remove(resto_id);
        }
    }

    /// The live session of a restaurant.
    pub fn get(&self, resto_id: &str) -> Option<SessionHandle> {
        self.lock().get(resto_id).cloned()
    }

    /// Asks the restaurant's live socket to close with `code`; false when it has none.
    pub fn close(&self, resto_id: &str, code: u16, reason: &'static str) -> bool {
        self.get(resto_id).is_some_and(|session| session.outbox.try_send(Outgoing::Close(code, reason)).is_ok())
    }

    /// Asks every live socket to close with `code`.
    pub fn close_all(&self, code: u16, reason: &'static str) {
        for session in self.lock().values() {
            let _ = session.outbox.try_send(Outgoing::Close(code, reason));
        }
    }

    /// The connected restaurants.
    pub fn resto_ids(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// How many restaurants are connected.
    pub fn count(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, SessionHandle>> {
        self.sessions.lock().unwrap_or_else(|p| p.into_inner())
    }
}
