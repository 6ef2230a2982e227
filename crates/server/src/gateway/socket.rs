//! `GET /restaurantEntryPoint`: the POS's one persistent WebSocket.
//!
//! Authentication happens before the upgrade (Basic `RESTO_ID:SECRET_KEY`, the `system`
//! cookie, strict mode, failure limits). An accepted socket replaces any older one of the same
//! restaurant (4409), receives `setSettings` and a `versionInfo` request, is pinged every
//! `ping_interval`, and is closed after `silence_timeout` without any frame. Text pings
//! (`Resto <id> ping`) count as life; any other text is logged and ignored.

use super::error::GatewayError;
use super::sessions::{Outgoing, SessionHandle, CLOSE_REPLACED, CLOSE_SILENT};
use super::GatewayState;
use crate::client_address::ClientAddress;
use crate::store::now_ms;
use crate::web::cookies;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use futures_util::{SinkExt, StreamExt};
use rahunok_protocol::ops::VersionInfo;
use std::net::IpAddr;
use std::time::Duration;
use tokio::sync::mpsc;

/// The upgrade handler.
pub async fn restaurant_entry_point(
    State(state): State<GatewayState>,
    ClientAddress(address): ClientAddress,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    let (resto_id, pos_name) = match authenticate(&state, address, &headers).await {
        Ok(found) => found,
        Err(error) => return error.into_response(),
    };
    let upgrade = match upgrade {
        Ok(upgrade) => upgrade,
        Err(_) => return GatewayError::NotAWebSocket.into_response(),
    };
    if pos_name.is_none() {
        tracing::warn!(resto_id, "POS connected without a `system` cookie; recorded as unknown POS");
    }
    // The POS sends only small text frames (pings); small buffers keep thousands of idle
    // sockets cheap (see BENCHMARKS.md: tungstenite fills its whole read buffer before each
    // read, so all of it is resident), a larger frame grows the buffer as it needs, and a
    // message cap keeps a confused POS from eating memory.
    upgrade
        .read_buffer_size(512)
        .write_buffer_size(512)
        .max_message_size(64 * 1024)
        .on_upgrade(move |socket| run_session(state, resto_id, pos_name, socket))
}

/// Checks the POS's credentials; failures are counted under the client's address as every
/// per-address limit counts it (`crate::client_address`: behind a trusted proxy, the address it
/// forwards).
async fn authenticate(
    state: &GatewayState,
    address: IpAddr,
    headers: &HeaderMap,
) -> Result<(String, Option<String>), GatewayError> {
    let Some((resto_id, secret)) = basic_credentials(headers) else {
        return Err(refusal(state, address, None, GatewayError::MissingBasicAuth));
    };
    let credentials = state.store.credentials(&resto_id).await?;
    if !credentials.as_ref().is_some_and(|c| c.accepts_secret(&secret)) {
        tracing::warn!(resto_id, %address, "POS authentication failed");
        let known = credentials.is_some().then_some(resto_id.as_str());
        return Err(refusal(state, address, known, GatewayError::BadBasicAuth));
    }
    let pos_name = system_cookie(headers);
    if pos_name.is_none() && state.config.strict_pos_name {
        return Err(GatewayError::MissingPosName);
    }
    Ok((resto_id, pos_name))
}

/// The answer to wrong credentials: `error`, or 429 once the address or restaurant has failed
/// too often (the right credentials never get here).
fn refusal(state: &GatewayState, address: IpAddr, known_restaurant: Option<&str>, error: GatewayError) -> GatewayError {
    if state.auth_limiter.failure_allowed(address, known_restaurant) {
        error
    } else {
        GatewayError::TooManyFailedLogins
    }
}

/// `Authorization: Basic base64(RESTO_ID:SECRET_KEY)`, read by
/// [`rahunok_protocol::basic_auth::credentials`].
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    rahunok_protocol::basic_auth::credentials(headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?)
}

/// `Cookie: system=<POS name>`, quotes around the name dropped.
fn system_cookie(headers: &HeaderMap) -> Option<String> {
    let name = cookies::value(headers, "system")?.trim_matches('"');
    (!name.is_empty()).then(|| name.to_string())
}

async fn run_session(state: GatewayState, resto_id: String, pos_name: Option<String>, socket: WebSocket) {
    let (session, outbox, replaced) = state.link.sessions.register(&resto_id, pos_name);
    if let Some(old) = replaced {
        let _ = old.outbox.try_send(Outgoing::Close(CLOSE_REPLACED, "replaced by a newer connection"));
    }
    tracing::info!(resto_id, connection = session.connection_id, "POS connected");
    // The task lives as long as the socket: the start (store read, the other nodes told) is
    // boxed so its large state is freed once done instead of sized into the task for good
    // (BENCHMARKS.md, idle sockets).
    Box::pin(start_session(&state, &resto_id, &session)).await;
    pump(&state, &resto_id, &session, socket, outbox).await;
    state.link.sessions.unregister(&resto_id, session.connection_id);
    if let Some(cluster) = state.link.cluster() {
        cluster.socket_closed(&resto_id, session.connection_id);
    }
    tracing::info!(resto_id, connection = session.connection_id, "POS disconnected");
}

/// Tells the other nodes, then greets the POS.
async fn start_session(state: &GatewayState, resto_id: &str, session: &SessionHandle) {
    if let Some(cluster) = state.link.cluster() {
        cluster.socket_opened(resto_id, session.connection_id).await;
    }
    greet(state, resto_id, session).await;
}

/// `setSettings` right away, then `versionInfo` (answered by callback, in the background).
async fn greet(state: &GatewayState, resto_id: &str, session: &SessionHandle) {
    match state.store.restaurant(resto_id).await {
        Ok(Some(restaurant)) => {
            if let Err(error) = state.link.send_message(resto_id, &restaurant.settings).await {
                tracing::warn!(resto_id, %error, "could not send setSettings");
            }
        }
        Ok(None) => {}
        Err(error) => tracing::error!(resto_id, %error, "could not read settings for setSettings"),
    }
    let link = state.link.clone();
    let resto_id = resto_id.to_string();
    let session = session.clone();
    tokio::spawn(async move {
        match link.request(&resto_id, &VersionInfo::default()).await {
            Ok(answer) => session.update_info(|info| {
                info.plugin_version = answer.body.plugin_version;
                info.plugin_version_text = answer.body.plugin_version_text;
                info.implemented_features = answer.body.implemented_features;
            }),
            Err(error) => tracing::warn!(resto_id, %error, "versionInfo was not answered"),
        }
    });
}

async fn pump(
    state: &GatewayState,
    resto_id: &str,
    session: &SessionHandle,
    socket: WebSocket,
    mut outbox: mpsc::Receiver<Outgoing>,
) {
    let (mut sink, mut stream) = socket.split();
    let mut pings = tokio::time::interval(state.config.ping_interval);
    pings.tick().await;
    let silence = state.config.silence_timeout;
    // One timer for the socket's life, moved on when it fires early (a frame came since):
    // a fresh timer per frame cost more than the frame (BENCHMARKS.md).
    let silence_ends = tokio::time::sleep(silence);
    tokio::pin!(silence_ends);
    loop {
        tokio::select! {
            next = outbox.recv() => match next {
                Some(Outgoing::Frame(text)) => {
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        break;
                    }
                }
                Some(Outgoing::Close(code, reason)) => {
                    let _ = sink.send(Message::Close(Some(CloseFrame { code, reason: reason.into() }))).await;
                    break;
                }
                None => break,
            },
            incoming = stream.next() => match incoming {
                Some(Ok(message)) => {
                    session.touch();
                    if !on_message(session, resto_id, message) {
                        break;
                    }
                }
                Some(Err(_)) | None => break,
            },
            _ = pings.tick() => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    break;
                }
            }
            () = &mut silence_ends => {
                let silent_for = Duration::from_millis((now_ms() - session.last_seen()).max(0) as u64);
                if silent_for >= silence {
                    let reason = "no frame or pong within the silence timeout";
                    let _ = sink.send(Message::Close(Some(CloseFrame { code: CLOSE_SILENT, reason: reason.into() }))).await;
                    break;
                }
                silence_ends.as_mut().reset(tokio::time::Instant::now() + (silence - silent_for));
            }
        }
    }
    // A Close frame from the POS has its answer queued by the WebSocket library (RFC 6455
    // §5.5.1: the same code back); closing the sink writes it, so the POS sees a clean close
    // instead of 1006. After our own Close this only flushes; a dead peer costs at most a second.
    let _ = tokio::time::timeout(CLOSE_FLUSH, sink.close()).await;
}

/// How long the socket waits to write its last Close frame before dropping the connection.
const CLOSE_FLUSH: Duration = Duration::from_secs(1);

/// Handles one incoming frame; false when the POS closed the socket.
fn on_message(session: &SessionHandle, resto_id: &str, message: Message) -> bool {
    match message {
        Message::Text(text) => {
            on_text(session, resto_id, text.as_str().trim());
            true
        }
        Message::Close(_) => false,
        Message::Binary(_) | Message::Ping(_) | Message::Pong(_) => true,
    }
}

/// A text frame: the POS's `Resto <RESTO_ID> ping` is counted (the connection page and
/// `check-pos` show it); JSON is a misplaced answer; anything else is ignored and kept as the
/// latest ignored text. None of them ends the session.
fn on_text(session: &SessionHandle, resto_id: &str, text: &str) {
    let pinged_id = text.strip_prefix("Resto ").and_then(|rest| rest.strip_suffix(" ping"));
    if pinged_id == Some(resto_id) {
        session.update_info(|info| {
            info.text_pings += 1;
            info.last_text_ping_at = Some(now_ms());
        });
        return;
    }
    if text.starts_with('{') {
        tracing::info!(
            connection = session.connection_id,
            "POS sent JSON on the socket; answers belong in HTTP callbacks"
        );
        return;
    }
    let preview: String = text.chars().take(80).collect();
    tracing::warn!(connection = session.connection_id, preview, "ignored a non-JSON text frame");
    session.update_info(|info| {
        info.ignored_texts += 1;
        info.last_ignored_text = Some(preview);
    });
}
