//! Accepting connections, with the limits a server on the internet needs below HTTP: a cap on
//! open connections (a clean 503 past it), a deadline for a request's headers (which also closes
//! idle keep-alive connections: hyper restarts it for every next request), and `TCP_NODELAY`.
//!
//! Why not `axum::serve`: it sets no header-read timeout and no connection cap, so a thousand
//! sockets trickling one header byte a second are held forever, and idle sockets pile up until
//! the open-file limit. hyper has both knobs; this is the small accept loop that turns them on.
//! A connection's slot is held by its socket, so a POS WebSocket (upgraded from it) keeps its
//! slot for as long as it is open.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
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
    /// A request's headers must arrive within this; an idle keep-alive connection is closed
    /// after it too.
    pub header_read_timeout: Duration,
}

/// What a connection over the cap is told before it is closed.
const OVER_CAP: &str = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n\
Connection: close\r\nContent-Length: 130\r\n\r\n\
{\"errCode\":\"TOO_MANY_CONNECTIONS\",\"errText\":\"the server holds all the connections it may\",\"errTitle\":\"Busy\",\"errType\":\"server\"}";

/// Serves `router` on `listener` until `stop` completes; then stops accepting and waits for the
/// connections' requests in flight to finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    stop: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
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
            tokio::spawn(refuse_over_cap(stream));
            continue;
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            router.clone().call(request)
        });
        let connection = builder.serve_connection(TokioIo::new(Slotted { stream, _slot: slot }), service);
        let (open, mut closing) = (open.clone(), closing.subscribe());
        tokio::spawn(async move {
            let mut connection = std::pin::pin!(connection.with_upgrades());
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = closing.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
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

async fn refuse_over_cap(mut stream: TcpStream) {
    let answer = async {
        stream.write_all(OVER_CAP.as_bytes()).await?;
        stream.shutdown().await
    };
    let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
}

/// A socket holding its connection slot until it is dropped (also after a WebSocket upgrade).
struct Slotted {
    stream: TcpStream,
    _slot: OwnedSemaphorePermit,
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
    #[test]
    fn the_over_cap_answer_declares_its_length_right() {
        let (head, body) = super::OVER_CAP.split_once("\r\n\r\n").unwrap();
        assert!(head.contains(&format!("Content-Length: {}", body.len())), "{} bytes", body.len());
        serde_json::from_str::<serde_json::Value>(body).unwrap();
    }
}
