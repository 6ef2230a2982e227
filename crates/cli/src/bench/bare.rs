//! The bare server `rahunok bench --baseline` measures ours against: the same shape as the real
//! path (an HTTP request in → a WebSocket frame to the POS → the POS's signed HTTP callback in,
//! its HMAC checked → the callback body out as the answer) built from the same crates (axum,
//! tokio, the protocol's signing), with nothing else: no authentication, no validation, no
//! store, no request log. `TCP_NODELAY` is on, as on ours.
//!
//! Why it exists: a figure like "10 000 round trips/s" means little on a shared 2-core machine;
//! the same load against this server in the same run says how much of the cost is ours.
//! It runs as its own process (`rahunok bench-bare-server`, hidden), so its CPU time can be read
//! from `/proc` exactly like the real server's.

use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use rahunok_protocol::signing::SigningKey;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The environment variable carrying the POS's secret to the bare server.
pub const SECRET_ENV: &str = "RAHUNOK_BARE_SECRET";

/// How long a request waits for its callback before answering 504.
const DEADLINE: Duration = Duration::from_secs(10);

/// The one POS socket and the requests waiting for callbacks.
struct Bare {
    key: SigningKey,
    pos: Mutex<Option<mpsc::Sender<String>>>,
    waiting: Mutex<HashMap<u64, oneshot::Sender<Bytes>>>,
    next_rid: AtomicU64,
}

/// Serves on `listen` until killed; the POS's secret comes from [`SECRET_ENV`].
pub async fn serve(listen: SocketAddr) -> Result<()> {
    let secret = std::env::var(SECRET_ENV).with_context(|| format!("{SECRET_ENV} is not set"))?;
    let key = SigningKey::derive(&secret).context("the bare server's secret is too short")?;
    let bare = Arc::new(Bare { key, pos: Mutex::new(None), waiting: Mutex::default(), next_rid: AtomicU64::new(1) });
    let app = Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/admin/health", get(health))
        .route("/restaurantEntryPoint", get(socket))
        .route("/api/admin/restaurants/{resto_id}/operations/{operation}", post(ask))
        .route("/callback/{operation}", post(callback))
        .with_state(bare);
    let listener = tokio::net::TcpListener::bind(listen).await?.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app).await?;
    Ok(())
}

/// `{"connectedRestaurants": 0 or 1}`, as the bench reads it from ours.
async fn health(State(bare): State<Arc<Bare>>) -> axum::Json<serde_json::Value> {
    let connected = bare.pos.lock().expect("not poisoned").as_ref().is_some_and(|pos| !pos.is_closed());
    axum::Json(serde_json::json!({ "connectedRestaurants": u8::from(connected) }))
}

async fn socket(State(bare): State<Arc<Bare>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |socket| pump(bare, socket))
}

/// Frames from the outbox to the POS; whatever the POS sends is read and dropped.
async fn pump(bare: Arc<Bare>, socket: WebSocket) {
    let (outbox, mut frames) = mpsc::channel::<String>(1024);
    *bare.pos.lock().expect("not poisoned") = Some(outbox);
    let (mut sink, mut stream) = socket.split();
    loop {
        tokio::select! {
            frame = frames.recv() => match frame {
                Some(text) => if sink.send(Message::Text(text.into())).await.is_err() { break },
                None => break,
            },
            incoming = stream.next() => if !matches!(incoming, Some(Ok(_))) { break },
        }
    }
}

/// An operation with the body's fields: a frame to the POS, then the callback body as the answer.
async fn ask(State(bare): State<Arc<Bare>>, Path((_, operation)): Path<(String, String)>, body: Bytes) -> Response {
    let Some(outbox) = bare.pos.lock().expect("not poisoned").clone() else {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    };
    let rid = bare.next_rid.fetch_add(1, Ordering::Relaxed);
    let fields = std::str::from_utf8(&body).unwrap_or("{}").trim();
    let rest = fields.strip_prefix('{').unwrap_or("}").trim_start();
    let separator = if rest.starts_with('}') { "" } else { "," };
    let frame = format!(r#"{{"rID":"{rid}","operation":"{operation}"{separator}{rest}"#);
    let (answer, answered) = oneshot::channel();
    bare.waiting.lock().expect("not poisoned").insert(rid, answer);
    if outbox.send(frame).await.is_err() {
        bare.waiting.lock().expect("not poisoned").remove(&rid);
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    match tokio::time::timeout(DEADLINE, answered).await {
        Ok(Ok(body)) => ([(axum::http::header::CONTENT_TYPE, "application/json")], body).into_response(),
        _ => {
            bare.waiting.lock().expect("not poisoned").remove(&rid);
            StatusCode::GATEWAY_TIMEOUT.into_response()
        }
    }
}

#[derive(serde::Deserialize)]
struct RidOnly {
    #[serde(rename = "rID")]
    rid: String,
}

/// A callback: signature checked, `rID` read (the body parsed once), the waiting request answered.
async fn callback(
    State(bare): State<Arc<Bare>>,
    Path(operation): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let signature = headers.get("signature").and_then(|v| v.to_str().ok()).unwrap_or("");
    if !bare.key.verify(&body, signature) {
        return StatusCode::UNAUTHORIZED;
    }
    if operation == "webhook" {
        return StatusCode::OK;
    }
    let Some(rid) = serde_json::from_slice::<RidOnly>(&body).ok().and_then(|r| r.rid.parse::<u64>().ok()) else {
        return StatusCode::BAD_REQUEST;
    };
    match bare.waiting.lock().expect("not poisoned").remove(&rid) {
        Some(waiter) => {
            let _ = waiter.send(body);
            StatusCode::OK
        }
        None => StatusCode::NOT_FOUND,
    }
}
