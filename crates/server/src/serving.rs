//! Accepting connections, with the limits a server on the internet needs below HTTP: a cap on
//! open connections and a smaller one per client address (a clean 503 past either), a deadline
//! for a request's headers (which also closes idle keep-alive connections: hyper restarts it for
//! every next request), a deadline for every request body (`crate::body_deadline`: a body that
//! misses it is answered 408 and its connection closed), and `TCP_NODELAY`.
//!
//! Why not `axum::serve`: it sets no header-read timeout and no connection cap, so a thousand
//! sockets trickling one header byte a second are held forever, and idle sockets pile up until
//! the open-file limit. hyper has both knobs; this is the small accept loop that turns them on.
//! Neither bounds a body, and a body that never finishes held its connection for ever: every
//! body is read through a [`DeadlineBody`], and the connection's task closes the connection once
//! the 408 is out. The per-address cap keeps one client from taking every slot before any
//! deadline runs out.
//!
//! A connection's slots (the server's and its address's) are held by its socket, so a POS
//! WebSocket (upgraded from it) keeps them for as long as it is open; the body deadline is for
//! request bodies and never touches an upgraded socket.

use crate::body_deadline::{BodyRules, CutSignal, DeadlineBody, DeadlineMissed};
use crate::config::BodyDeadlines;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tower::Service;

/// The socket-level limits.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// Open connections at most (POS sockets included); more get 503 and are closed.
    pub max_connections: usize,
    /// Open connections one client address may hold (`crate::client_address::of_peer`); more
    /// get 503 and are closed. At `max_connections` or more, addresses are not counted.
    pub max_connections_per_address: usize,
    /// A request's headers must arrive within this; an idle keep-alive connection is closed
    /// after it too.
    pub header_read_timeout: Duration,
    /// How fast, and within how long, a request body must arrive.
    pub body_deadlines: BodyDeadlines,
}

/// After a body missed its deadline, how long its connection may take to send the 408 before it
/// is closed anyway.
const CUT_LINGER: Duration = Duration::from_secs(1);

/// What a connection over the cap is told before it is closed.
const OVER_CAP: &str = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n\
Connection: close\r\nContent-Length: 127\r\n\r\n\
{\"errCode\":\"TOO_MANY_CONNECTIONS\",\"errText\":\"the server holds all the connections it may\",\"errTitle\":\"Busy\",\"errType\":\"server\"}";

/// What a connection over its address's cap is told before it is closed.
const OVER_ADDRESS_CAP: &str = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n\
Connection: close\r\nContent-Length: 151\r\n\r\n\
{\"errCode\":\"TOO_MANY_CONNECTIONS_FROM_ADDRESS\",\"errText\":\"this address holds all the connections one address may\",\"errTitle\":\"Busy\",\"errType\":\"server\"}";

/// Serves `router` on `listener` until `stop` completes; then stops accepting and waits for the
/// connections' requests in flight to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let addresses = (limits.max_connections_per_address < limits.max_connections)
        .then(|| Arc::new(AddressCounts::new(limits.max_connections_per_address)));
    let rules = BodyRules::new(&limits.body_deadlines);
    // Every connection task holds a clone of `open` and watches `closing`; after the stop, the
    // loop drops its own sender and waits until every connection has finished.
    let (closing, _) = tokio::sync::watch::channel(false);
    let (open, mut all_closed) = tokio::sync::mpsc::channel::<()>(1);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder.timer(TokioTimer::new()).header_read_timeout(limits.header_read_timeout).keep_alive(true);
    let mut stop = std::pin::pin!(stop);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors or a reset before accept: keep serving.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            tokio::spawn(refuse(stream, OVER_CAP));
            continue;
        };
        let address_slot = match &addresses {
            Some(addresses) => match addresses.take(crate::client_address::of_peer(peer)) {
                Some(taken) => Some(taken),
                None => {
                    tokio::spawn(refuse(stream, OVER_ADDRESS_CAP));
                    continue;
                }
            },
            None => None,
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let signal = Arc::new(CutSignal::default());
        let cut = signal.clone();
        let service = hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
            let rule = rules.for_path(request.uri().path());
            let mut request = request.map(|body| DeadlineBody::new(body, rule, signal.clone()));
            request.extensions_mut().insert(ConnectInfo(peer));
            let answered = router.clone().call(request);
            let signal = signal.clone();
            async move {
                let response = answered.await?;
                Ok::<_, std::convert::Infallible>(match signal.missed() {
                    Some(missed) => too_slow(response, missed),
                    None => response,
                })
            }
        });
        let socket = Slotted { stream, _slot: slot, _address_slot: address_slot };
        let connection = builder.serve_connection(TokioIo::new(socket), service);
        let (open, mut closing) = (open.clone(), closing.subscribe());
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection.with_upgrades());
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = closing.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
                () = cut.cut_off() => {
                    // The 408 goes out (hyper closes after it: `Connection: close`); a client
                    // that does not take it is not waited for.
                    connection.as_mut().graceful_shutdown();
                    tokio::time::timeout(CUT_LINGER, connection).await.unwrap_or(Ok(()))
                }
            };
            if let Err(error) = ended {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
            drop(open);
        });
    }
    drop(listener);
    let _ = closing.send(true);
    drop(open);
    let _ = all_closed.recv().await;
    Ok(())
}

async fn refuse(mut stream: TcpStream, answer: &'static str) {
    let answer = async {
        stream.write_all(answer.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}

/// The answer to a request whose body missed its deadline: 408 with the protocol's error body,
/// and the connection closed after it (the rest of the body is not read). A handler that said
/// so itself (408) is answered as it said; whatever else it made of the failed read is replaced.
fn too_slow(answered: Response, missed: DeadlineMissed) -> Response {
    let mut response = if answered.status() == StatusCode::REQUEST_TIMEOUT {
        answered
    } else {
        crate::http_error::answer(
            StatusCode::REQUEST_TIMEOUT,
            "BODY_TOO_SLOW",
            "Too slow",
            "request",
            missed.to_string(),
        )
    };
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Open connections per client address, for the per-address cap.
struct AddressCounts {
    cap: usize,
    open: Mutex<HashMap<IpAddr, usize>>,
}

impl AddressCounts {
    fn new(cap: usize) -> AddressCounts {
        AddressCounts { cap: cap.max(1), open: Mutex::new(HashMap::new()) }
    }

    /// One more connection from `address`, unless it holds its cap already.
    fn take(self: &Arc<Self>, address: IpAddr) -> Option<AddressSlot> {
        let mut open = self.open.lock().unwrap_or_else(|p| p.into_inner());
        let count = open.entry(address).or_insert(0);
        if *count >= self.cap {
            return None;
        }
        *count += 1;
        Some(AddressSlot { counts: self.clone(), address })
    }

    #[cfg(test)]
    fn held_by(&self, address: IpAddr) -> usize {
        self.open.lock().unwrap().get(&address).copied().unwrap_or(0)
    }
}

/// One connection counted against its address; given back when dropped (an address with none
/// left is forgotten).
struct AddressSlot {
    counts: Arc<AddressCounts>,
    address: IpAddr,
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut open = self.counts.open.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(count) = open.get_mut(&self.address) {
            *count -= 1;
            if *count == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// A socket holding its connection slots until it is dropped (also after a WebSocket upgrade).
struct Slotted {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
    _address_slot: Option<AddressSlot>,
}

impl AsyncRead for Slotted {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for Slotted {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_over_cap_answers_declare_their_length_right() {
        for answer in [OVER_CAP, OVER_ADDRESS_CAP] {
            let (head, body) = answer.split_once("\r\n\r\n").unwrap();
            assert!(head.contains(&format!("Content-Length: {}", body.len())), "{} bytes", body.len());
            serde_json::from_str::<serde_json::Value>(body).unwrap();
        }
    }

    #[test]
    fn an_address_holds_at_most_its_cap_and_is_forgotten_when_it_holds_none() {
        let counts = Arc::new(AddressCounts::new(2));
        let (one, other): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let first = counts.take(one).unwrap();
        let second = counts.take(one).unwrap();
        assert!(counts.take(one).is_none(), "the cap is 2");
        let elsewhere = counts.take(other).expect("another address is counted on its own");
        drop(first);
        let again = counts.take(one).expect("a slot given back is free again");
        drop((second, again, elsewhere));
        assert_eq!((counts.held_by(one), counts.held_by(other)), (0, 0));
        assert!(counts.open.lock().unwrap().is_empty(), "no address is remembered for nothing");
    }

    /// A server with a small cap and short body deadlines: `/echo` reads its body (400 when it
    /// cannot), `/healthz` answers, `/ws` echoes WebSocket messages.
    async fn small_server(max_connections: usize, max_connections_per_address: usize) -> std::net::SocketAddr {
        use axum::extract::ws::WebSocketUpgrade;
        use axum::routing::{get, post};
        let router = Router::new()
            .route(
                "/echo",
                post(|body: axum::body::Body| async move {
                    match axum::body::to_bytes(body, usize::MAX).await {
                        Ok(bytes) => (StatusCode::OK, bytes.len().to_string()),
                        Err(_) => (StatusCode::BAD_REQUEST, "unreadable".to_string()),
                    }
                }),
            )
            .route("/healthz", get(|| async { "ok" }))
            .route(
                "/ws",
                get(|upgrade: WebSocketUpgrade| async move {
                    upgrade.on_upgrade(|mut socket| async move {
                        while let Some(Ok(message)) = socket.recv().await {
                            if socket.send(message).await.is_err() {
                                break;
                            }
                        }
                    })
                }),
            );
        let limits = ConnectionLimits {
            max_connections,
            max_connections_per_address,
            header_read_timeout: Duration::from_secs(10),
            body_deadlines: BodyDeadlines {
                grace: Duration::from_millis(200),
                min_bytes_per_second: 16 * 1024,
                callback_body_within: Duration::from_secs(5),
                other_body_within: Duration::from_secs(2),
            },
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(serve(listener, router, limits, std::future::pending()));
        address
    }

    /// A connection from `from` that has sent `request`.
    async fn sent(server: std::net::SocketAddr, from: [u8; 4], request: &[u8]) -> TcpStream {
        let socket = tokio::net::TcpSocket::new_v4().unwrap();
        socket.bind((std::net::Ipv4Addr::from(from), 0).into()).unwrap();
        let mut stream = socket.connect(server).await.unwrap();
        stream.write_all(request).await.unwrap();
        stream
    }

    /// What the server sent until it closed the connection; `None` when it kept it past `limit`.
    async fn answer(stream: &mut TcpStream, limit: Duration) -> Option<String> {
        use tokio::io::AsyncReadExt;
        let mut seen = Vec::new();
        let read = tokio::time::timeout(limit, stream.read_to_end(&mut seen)).await;
        read.ok().map(|_| String::from_utf8_lossy(&seen).into_owned())
    }

    const STALLED: &[u8] = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\nname=a";
    const HEALTH: &[u8] = b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";

    #[tokio::test]
    async fn stalled_bodies_are_answered_408_and_their_slots_come_back() {
        let server = small_server(4, 4).await;
        let started = tokio::time::Instant::now();
        let mut stalled = Vec::new();
        for _ in 0..4 {
            stalled.push(sent(server, [127, 0, 0, 1], STALLED).await);
        }
        let mut over = sent(server, [127, 0, 0, 1], HEALTH).await;
        let refused = answer(&mut over, Duration::from_secs(2)).await.expect("refused at once");
        assert!(refused.starts_with("HTTP/1.1 503") && refused.contains("TOO_MANY_CONNECTIONS"), "{refused}");
        for stream in &mut stalled {
            let cut = answer(stream, Duration::from_secs(3)).await.expect("cut and closed");
            assert!(cut.starts_with("HTTP/1.1 408"), "{cut}");
            assert!(cut.contains("BODY_TOO_SLOW") && cut.to_ascii_lowercase().contains("connection: close"), "{cut}");
        }
        assert!(started.elapsed() < Duration::from_secs(2), "grace and one stretch: {:?}", started.elapsed());
        let mut health = sent(server, [127, 0, 0, 1], HEALTH).await;
        let answered = answer(&mut health, Duration::from_secs(2)).await.expect("answered");
        assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    }

    #[tokio::test]
    async fn one_address_cannot_hold_every_slot() {
        let server = small_server(8, 2).await;
        let mut held = Vec::new();
        for _ in 0..2 {
            held.push(sent(server, [127, 0, 0, 1], STALLED).await);
        }
        let mut third = sent(server, [127, 0, 0, 1], HEALTH).await;
        let refused = answer(&mut third, Duration::from_secs(2)).await.expect("refused at once");
        assert!(refused.starts_with("HTTP/1.1 503"), "{refused}");
        assert!(refused.contains("TOO_MANY_CONNECTIONS_FROM_ADDRESS"), "{refused}");
        let mut elsewhere = sent(server, [127, 0, 0, 2], HEALTH).await;
        let answered = answer(&mut elsewhere, Duration::from_secs(2)).await.expect("answered");
        assert!(answered.starts_with("HTTP/1.1 200"), "another address is served: {answered}");
    }

    #[tokio::test]
    async fn a_body_that_keeps_coming_is_read_and_an_upgraded_socket_outlives_every_deadline() {
        use futures_util::{SinkExt, StreamExt};
        use tokio_tungstenite::tungstenite::Message;
        let server = small_server(4, 4).await;
        let head = b"POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 81920\r\n\r\n";
        let mut steady = sent(server, [127, 0, 0, 1], head).await;
        for _ in 0..20 {
            // 4 KiB every 50 ms: 80 KiB/s, five times the rate asked, for a second (5 stretches).
            tokio::time::sleep(Duration::from_millis(50)).await;
            steady.write_all(&[b'x'; 4096]).await.unwrap();
        }
        let read = answer(&mut steady, Duration::from_secs(5)).await.expect("answered and closed");
        assert!(read.starts_with("HTTP/1.1 200") && read.ends_with("81920"), "{read}");

        let (mut socket, _) = tokio_tungstenite::connect_async(format!("ws://{server}/ws")).await.unwrap();
        tokio::time::sleep(Duration::from_secs(3)).await;
        socket.send(Message::text("still here")).await.unwrap();
        let echoed = socket.next().await.unwrap().unwrap();
        assert_eq!(echoed, Message::text("still here"), "past the body bound of 2 s");
    }
}
