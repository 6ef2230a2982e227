//! `https://` servers (production Expirenza) are reached over TLS (rustls) by both the socket
//! (`wss://`) and the callbacks. There is no TLS server here, so the test listens on a plain
//! TCP port and checks that what arrives first is a TLS handshake record, not plain HTTP.

use rahunok_pos_sdk::protocol::Operation;
use rahunok_pos_sdk::{CallbackSender, ConnectionState, Handler, PosClient, PosConfig};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// A TCP port that reports the first byte of each connection, then hangs up.
async fn first_byte_listener() -> (u16, mpsc::UnboundedReceiver<u8>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (report, first_bytes) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut byte = [0u8; 1];
            if stream.read_exact(&mut byte).await.is_ok() {
                let _ = report.send(byte[0]);
            }
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    (port, first_bytes)
}

/// The first byte of a TLS record carrying a handshake message (the ClientHello).
const TLS_HANDSHAKE: u8 = 0x16;

struct Idle;
impl Handler for Idle {}

#[tokio::test]
async fn the_socket_to_an_https_server_starts_a_tls_handshake() {
    let (port, mut first_bytes) = first_byte_listener().await;
    let config = PosConfig::new(&format!("https://127.0.0.1:{port}"), "id", "secret", "TlsPOS");
    assert!(config.socket_url().starts_with("wss://"));
    let client = PosClient::new(config);
    let mut state = client.state();
    tokio::spawn(client.run(Idle));
    let first = tokio::time::timeout(Duration::from_secs(10), first_bytes.recv()).await.unwrap().unwrap();
    assert_eq!(first, TLS_HANDSHAKE);
    let reason = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            state.changed().await.unwrap();
            if let ConnectionState::Disconnected(reason) = state.borrow().clone() {
                return reason;
            }
        }
    })
    .await
    .unwrap();
    assert!(!reason.contains("not compiled"), "TLS support is built in: {reason}");
}

#[tokio::test]
async fn callbacks_to_an_https_server_start_a_tls_handshake() {
    let (port, mut first_bytes) = first_byte_listener().await;
    let sender = CallbackSender::new(&format!("https://127.0.0.1:{port}"), "id", "secret");
    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
    let outcome = sender.send_callback(Operation::CheckWork, b"{}".to_vec(), deadline).await;
    assert!(outcome.is_err(), "no TLS server here");
    let first = tokio::time::timeout(Duration::from_secs(10), first_bytes.recv()).await.unwrap().unwrap();
    assert_eq!(first, TLS_HANDSHAKE);
}
