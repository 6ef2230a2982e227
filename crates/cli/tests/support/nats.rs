//! A NATS server of a test's own, as `docs/deploying.md` runs it: an `authorization` block
//! naming who may connect. (The shared NATS at 127.0.0.1:4222 the other cluster tests use has
//! none.) Stopped when dropped.

use super::{eventually, free_port};
use std::io::Write;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running `nats-server` with its configuration in a temporary directory.
pub struct OwnNats {
    pub port: u16,
    process: Child,
    _dir: tempfile::TempDir,
}

impl Drop for OwnNats {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// The `nats-server` binary: on PATH, or where Debian's package puts it.
fn nats_server() -> String {
    let on_path = std::env::var("PATH")
        .unwrap_or_default()
        .split(':')
        .any(|d| std::path::Path::new(d).join("nats-server").is_file());
    if on_path {
        "nats-server".to_string()
    } else {
        "/usr/sbin/nats-server".to_string()
    }
}

impl OwnNats {
    /// Starts `nats-server` on a free loopback port with `authorization` (the block's body, in
    /// NATS's configuration syntax), and waits until it greets a client.
    pub async fn start(authorization: &str) -> OwnNats {
        let dir = tempfile::tempdir().unwrap();
        let conf = dir.path().join("nats-server.conf");
        let mut file = std::fs::File::create(&conf).unwrap();
        writeln!(file, "authorization {{\n{authorization}\n}}").unwrap();
        let port = free_port();
        let process = Command::new(nats_server())
            .args(["-c", &conf.display().to_string(), "-a", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("nats-server starts (apt-get install nats-server)");
        let nats = OwnNats { port, process, _dir: dir };
        eventually(Duration::from_secs(10), "nats-server greets a client", || async {
            greeting(port).await.filter(|g| g.starts_with("INFO ")).map(|_| ())
        })
        .await;
        nats
    }

    /// Its URL, without credentials.
    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// Its URL with `user:password@` in it.
    pub fn url_as(&self, user: &str, password: &str) -> String {
        format!("nats://{user}:{password}@127.0.0.1:{}", self.port)
    }
}

/// The first line a NATS server sends a new client, if it does.
async fn greeting(port: u16) -> Option<String> {
    use tokio::io::AsyncBufReadExt;
    let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let mut line = String::new();
    tokio::io::BufReader::new(stream).read_line(&mut line).await.ok()?;
    Some(line)
}

/// What a client speaking NATS's text protocol by hand, with no credentials, hears after it
/// sends `CONNECT {}`, subscribes to `subscribe`, publishes on `publish`, and pings: the server's
/// lines until it closes the connection (or 5 s pass).
pub async fn raw_client_without_credentials(port: u16, subscribe: &str, publish: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let said = format!(
        "CONNECT {{\"verbose\":false,\"pedantic\":false,\"headers\":true}}\r\nSUB {subscribe} 1\r\n\
         PUB {publish} 2\r\n{{}}\r\nPING\r\n"
    );
    stream.write_all(said.as_bytes()).await.unwrap();
    let mut heard = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut heard)).await;
    String::from_utf8_lossy(&heard).into_owned()
}
