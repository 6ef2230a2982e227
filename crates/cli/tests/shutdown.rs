//! Graceful shutdown of `rahunok serve` as an operator's SIGTERM meets it: every POS socket is
//! told the server is going away (close code 1001) at once, so the POS reconnects elsewhere,
//! and the request log queued just before the signal is in the store after a restart — on
//! SQLite and on PostgreSQL.

mod support;

use base64::Engine;
use futures_util::StreamExt;
use std::time::Duration;
use support::{create_restaurant, free_port, postgres_schema_url, wait_ready, ServerProcess, TOKEN};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

/// Operations queued right before the signal; every one must survive it.
const QUEUED_BEFORE_SIGNAL: usize = 40;

/// A POS socket opened by hand, as a third-party integration would.
async fn connect_pos(
    port: u16,
    resto_id: &str,
    secret: &str,
) -> tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>> {
    let mut request = format!("ws://127.0.0.1:{port}/restaurantEntryPoint").into_client_request().unwrap();
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{resto_id}:{secret}"));
    request.headers_mut().insert("Authorization", format!("Basic {basic}").parse().unwrap());
    request.headers_mut().insert("Cookie", "system=HandPOS".parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("the POS connects");
    // The server registers the socket, then sends setSettings: once it arrives, requests find it.
    let first = tokio::time::timeout(Duration::from_secs(10), socket.next()).await.expect("setSettings arrives");
    assert!(matches!(first, Some(Ok(Message::Text(_)))), "{first:?}");
    socket
}

async fn sigterm_closes_pos_sockets_with_1001_and_keeps_the_request_log(store: Vec<String>) {
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let mut server = ServerProcess::start(port, &store);
    wait_ready(&http, &base).await;
    let (resto_id, secret) = create_restaurant(&http, &base, "Shutdown café").await;
    let mut pos = connect_pos(port, &resto_id, &secret).await;

    // Messages to the POS are logged in the background; the last ones go out right before the signal.
    let operations = (0..QUEUED_BEFORE_SIGNAL).map(|n| {
        http.post(format!("{base}/api/admin/restaurants/{resto_id}/operations/showMessage"))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({"message": format!("before the signal #{n}"), "warning": false}))
            .send()
    });
    for answer in futures_util::future::join_all(operations).await {
        assert_eq!(answer.unwrap().status(), 202);
    }
    server.signal("TERM");
    let signalled = tokio::time::Instant::now();

    let close = tokio::time::timeout(Duration::from_secs(2), async {
        while let Some(frame) = pos.next().await {
            if let Ok(Message::Close(close)) = frame {
                return close;
            }
        }
        None
    })
    .await
    .expect("the POS socket is closed within 2 s of SIGTERM")
    .expect("with a close frame");
    assert_eq!(close.code, CloseCode::Away, "1001 going away: {close:?}");
    assert!(signalled.elapsed() < Duration::from_secs(2));
    let status = server.exit_status(Duration::from_secs(15)).await;
    assert!(status.success(), "a graceful stop exits 0, got {status}");

    let mut restarted = ServerProcess::start(port, &store);
    wait_ready(&http, &base).await;
    let log: Vec<serde_json::Value> = http
        .get(format!("{base}/api/admin/restaurants/{resto_id}/requests?operation=showMessage&limit=1000"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for n in 0..QUEUED_BEFORE_SIGNAL {
        let text = format!("before the signal #{n}\"");
        assert!(
            log.iter().any(|entry| entry["requestBody"].as_str().is_some_and(|body| body.contains(&text))),
            "message #{n} is in the request log after the restart ({} entries)",
            log.len()
        );
    }
    restarted.signal("TERM");
    assert!(restarted.exit_status(Duration::from_secs(15)).await.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_pos_sockets_with_1001_and_keeps_the_request_log_on_sqlite() {
    let data = tempfile::tempdir().unwrap();
    let store = vec!["--data".to_string(), data.path().display().to_string()];
    sigterm_closes_pos_sockets_with_1001_and_keeps_the_request_log(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_pos_sockets_with_1001_and_keeps_the_request_log_on_postgres() {
    let url = postgres_schema_url().await;
    // The master key lives in --data: the restart must find the same one (a fresh temporary
    // directory would bring a new key, which the store refuses).
    let keys = tempfile::tempdir().unwrap();
    let store = vec!["--database-url".to_string(), url, "--data".to_string(), keys.path().display().to_string()];
    sigterm_closes_pos_sockets_with_1001_and_keeps_the_request_log(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_exits_at_once_while_requests_are_in_flight() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::new();
    let store = vec!["--data".to_string(), data.path().display().to_string(), "--shutdown-grace".into(), "60".into()];
    let mut server = ServerProcess::start(port, &store);
    wait_ready(&http, &base).await;
    let (resto_id, secret) = create_restaurant(&http, &base, "Slow café").await;
    let _pos = connect_pos(port, &resto_id, &secret).await;
    // A getBill the hand-made POS never answers holds an HTTP request open for the whole grace.
    let waiting = tokio::spawn(
        http.post(format!("{base}/api/admin/restaurants/{resto_id}/operations/getBill"))
            .bearer_auth(TOKEN)
            .json(&serde_json::json!({"tableNumber": "3"}))
            .send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.signal("INT");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(server.0.try_wait().unwrap().is_none(), "the first signal waits for the request in flight");
    server.signal("INT");
    let status = server.exit_status(Duration::from_secs(5)).await;
    assert!(!status.success(), "the second signal exits at once, not gracefully: {status}");
    waiting.abort();
}
