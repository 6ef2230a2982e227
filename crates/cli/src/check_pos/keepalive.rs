//! The keep-alive checks: the POS's first socket survives the run (so it answers the server's
//! pings), it comes back after being replaced by a newer socket, and it does not come back
//! sooner than 15 s after its previous attempt.
//!
//! Why this exists: these rules are about time and about the socket, not about any request;
//! the checker observes them from outside, through the connection the admin API reports
//! (`since`, the `system` name), and by opening a socket of its own with the test credentials
//! to replace the POS's (close code 4409), twice in a row.

use super::checks;
use super::checks::CheckResult;
use super::target::{AdminApi, Connection, Credentials};
use anyhow::{Context, Result};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::StreamExt;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

/// The `system` name of the checker's own socket.
pub const CHECKER_POS_NAME: &str = "rahunok-check-pos";

/// How often the connection is polled while waiting.
const POLL: Duration = Duration::from_millis(50);

/// Request ids the server sent to the checker's own sockets (not the POS's to answer).
pub type CheckerRids = Arc<Mutex<HashSet<String>>>;

/// Watches and disturbs the POS's link.
pub struct LinkWatch<'a> {
    /// The admin API.
    pub api: &'a AdminApi,
    /// The test restaurant.
    pub credentials: &'a Credentials,
    /// `ws://…/restaurantEntryPoint`.
    pub socket_url: String,
    /// How long the POS may take to come back.
    pub reconnect_wait: Duration,
    /// The least time between two reconnections (spec: 15 s).
    pub min_reconnect_gap: Duration,
    /// Frames sent to the checker's sockets.
    pub checker_rids: CheckerRids,
}

impl LinkWatch<'_> {
    /// Polls until the POS (not the checker) holds a socket opened after `after` (server ms).
    pub async fn wait_for_pos(&self, after: i64, limit: Duration) -> Option<Connection> {
        let started = Instant::now();
        while started.elapsed() < limit {
            if let Ok(connection) = self.api.connection(&self.credentials.resto_id).await {
                if connection.connected && connection.since > after && connection.pos_name != CHECKER_POS_NAME {
                    return Some(connection);
                }
            }
            tokio::time::sleep(POLL).await;
        }
        None
    }

    /// `keepalive.pong`: after `window`, the first socket is still the one connected.
    pub async fn first_socket_survives(
        &self,
        first: &Connection,
        connected_at: Instant,
        window: Duration,
    ) -> CheckResult {
        let check = checks::PONG;
        if let Some(left) = window.checked_sub(connected_at.elapsed()) {
            tokio::time::sleep(left).await;
        }
        let held = connected_at.elapsed().as_secs_f64();
        match self.api.connection(&self.credentials.resto_id).await {
            Ok(now) if now.connected && now.since == first.since => {
                check.pass(format!("one socket stayed open for {held:.1} s while the server pinged it"))
            }
            Ok(now) if now.connected => check.fail(format!(
                "the first socket (opened at {}) was closed during the run; the POS connected again at {}",
                first.since, now.since
            )),
            Ok(_) => check.fail(format!("the POS's socket was closed within {held:.1} s and it is not connected now")),
            Err(error) => check.fail(format!("could not read the connection: {error:#}")),
        }
    }

    /// `keepalive.text_ping`: the POS's current socket carried `Resto <RESTO_ID> ping` frames.
    pub async fn text_pings(&self, watched_for: Duration) -> CheckResult {
        let check = checks::TEXT_PING;
        let expected = format!("Resto {} ping", self.credentials.resto_id);
        let seconds = watched_for.as_secs_f64();
        match self.api.connection(&self.credentials.resto_id).await {
            Ok(now) if now.text_pings > 0 => {
                check.pass(format!("{} `{expected}` frame(s) on the socket within {seconds:.1} s", now.text_pings))
            }
            Ok(now) if now.ignored_texts > 0 => check
                .fail(format!("{} text frame(s) in {seconds:.1} s, none of them `{expected}`", now.ignored_texts))
                .evidence(
                    "(the POS's own keep-alive text)",
                    format!("the latest: {:?}", now.last_ignored_text.unwrap_or_default()),
                ),
            Ok(now) if now.connected => check
                .fail(format!("no `{expected}` text frame in {seconds:.1} s (the spec: every ~15 s)"))
                .evidence("(the POS's own keep-alive text)", "no text frame"),
            Ok(_) => check.skip("the POS is not connected now"),
            Err(error) => check.fail(format!("could not read the connection: {error:#}")),
        }
    }

    /// `keepalive.reconnect_after_1001`: the server closes the POS's socket with `1001`, as it
    /// does when it shuts down; the POS must connect again.
    pub async fn going_away(&self, current: &Connection) -> CheckResult {
        let check = checks::GOING_AWAY;
        if let Err(error) = self.api.disconnect(&self.credentials.resto_id).await {
            return check.skip(format!("the server could not close the socket with 1001: {error:#}"));
        }
        let closed_at = Instant::now();
        match self.wait_for_pos(current.since, self.reconnect_wait).await {
            Some(_) => check.pass(format!(
                "connected again {:.1} s after the server closed its socket with 1001",
                closed_at.elapsed().as_secs_f64()
            )),
            None => check
                .fail(format!(
                    "after its socket was closed with 1001 (going away) the POS did not connect again within {} s",
                    self.reconnect_wait.as_secs()
                ))
                .evidence("a close frame 1001 \"closed by an operator; connect again\"", "no new socket"),
        }
    }

    /// `keepalive.replaced_socket` and `keepalive.reconnect_pacing`.
    pub async fn replace_twice(&self, current: &Connection) -> (CheckResult, CheckResult, Option<Connection>) {
        let (replaced, pacing) = (checks::REPLACED_SOCKET, checks::RECONNECT_PACING);
        let not_back = |why: String| (replaced.fail(why), pacing.skip("needs the POS to come back once"), None);
        if let Err(error) = self.open_own_socket().await {
            return not_back(format!("the checker could not open its own socket: {error:#}"));
        }
        let replaced_at = Instant::now();
        let Some(back) = self.wait_for_pos(current.since, self.reconnect_wait).await else {
            return not_back(format!(
                "after its socket was replaced (4409) the POS did not connect again within {} s",
                self.reconnect_wait.as_secs()
            ));
        };
        let came_back = replaced_at.elapsed().as_secs_f64();
        let replaced = replaced.pass(format!("connected again {came_back:.1} s after its socket was replaced"));
        if let Err(error) = self.open_own_socket().await {
            return (
                replaced,
                pacing.skip(format!("the checker could not open its own socket: {error:#}")),
                Some(back),
            );
        }
        let Some(again) = self.wait_for_pos(back.since, self.reconnect_wait).await else {
            let why = format!(
                "after a second replacement the POS did not connect again within {} s",
                self.reconnect_wait.as_secs()
            );
            return (replaced, pacing.fail(why), None);
        };
        (replaced, self.judge_pacing(back.since, again.since), Some(again))
    }

    fn judge_pacing(&self, first_ms: i64, second_ms: i64) -> CheckResult {
        let gap = Duration::from_millis((second_ms - first_ms).max(0) as u64);
        let tolerance = (self.min_reconnect_gap / 10).min(Duration::from_millis(250));
        let note = format!(
            "replaced right after reconnecting, it came back {:.2} s after its previous connection (at most once per {:.1} s)",
            gap.as_secs_f64(),
            self.min_reconnect_gap.as_secs_f64()
        );
        if gap + tolerance >= self.min_reconnect_gap {
            checks::RECONNECT_PACING.pass(note)
        } else {
            checks::RECONNECT_PACING.fail(note).evidence(
                "a socket with the test credentials, replacing the POS's (4409) right after it reconnected",
                format!("a new POS socket {} ms later", gap.as_millis()),
            )
        }
    }

    /// Opens a socket with the test credentials (replacing the POS's) and reads it in the
    /// background, noting the request ids sent to it, until the POS replaces it back.
    async fn open_own_socket(&self) -> Result<()> {
        let mut request = self.socket_url.as_str().into_client_request().context("the socket URL")?;
        let Credentials { resto_id, secret_key } = self.credentials;
        let basic = STANDARD.encode(format!("{resto_id}:{secret_key}"));
        request.headers_mut().insert("Authorization", HeaderValue::from_str(&format!("Basic {basic}"))?);
        request.headers_mut().insert("Cookie", HeaderValue::from_str(&format!("system={CHECKER_POS_NAME}"))?);
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.context("the checker's socket")?;
        let rids = self.checker_rids.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if let Message::Text(text) = message {
                    if let Some(rid) = serde_json::from_str::<serde_json::Value>(text.as_str())
                        .ok()
                        .and_then(|v| v["rID"].as_str().map(String::from))
                    {
                        rids.lock().unwrap_or_else(|p| p.into_inner()).insert(rid);
                    }
                }
            }
        });
        Ok(())
    }
}
