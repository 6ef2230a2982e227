//! Three nodes behind nginx, configured with the very `nginx` block of `docs/deploying.md` (its
//! upstream addresses and `listen` line swapped for this machine's, its `ssl_` lines left out):
//! the POS and the guests know only nginx's address. A node holding the POS socket is killed;
//! the POS comes back through nginx to a live node and the guests go on paying, each payment
//! closed once.
//!
//! One node behind the same nginx, started with `--trusted-proxies` as the guide says, counts
//! wrong POS secrets per client nginx forwards, not for everyone behind nginx.
//!
//! Needs nginx (Debian's `nginx-light`; `.ci/run` installs it when missing).

mod support;

use rahunok_pos_sdk::{PosClient, PosConfig};
use rahunok_pos_sim::VirtualPos;
use rahunok_server::payments::sandbox::paid_charges_for_bill;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use support::cluster::{connection, guest_pays, payment_when_closed, TestCluster, WatchedPos};
use support::{create_restaurant, free_port, ServerProcess};

/// nginx in the foreground with its files in a temporary directory; stopped when dropped.
struct Nginx(Child);

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The `nginx` block of the deployment guide.
fn documented_config() -> String {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/deploying.md")).unwrap();
    let start = guide.find("```nginx\n").expect("docs/deploying.md has an nginx block") + "```nginx\n".len();
    guide[start..][..guide[start..].find("```").unwrap()].to_string()
}

/// The guide's config for this machine: the nodes as the upstream, plain HTTP on `port`.
fn config_for(nodes: &[u16], port: u16, dir: &Path) -> String {
    let mut servers = nodes.iter();
    let mut server_block = String::new();
    for line in documented_config().lines() {
        let line = if line.trim_start().starts_with("server 10.0.0.") {
            let node = servers.next().expect("as many nodes as the guide's upstream lists");
            let rest = line.trim_start().trim_start_matches("server ").split_once(' ').unwrap().1;
            format!("    server 127.0.0.1:{node} {rest}")
        } else if line.trim() == "listen 443 ssl;" {
            format!("    listen 127.0.0.1:{port};")
        } else if line.trim_start().starts_with("ssl_") {
            // No TLS here: the certificate lines go with the `ssl` listener.
            continue;
        } else {
            line.to_string()
        };
        server_block.push_str(&line);
        server_block.push('\n');
    }
    assert!(servers.next().is_none(), "the guide's upstream lists every node");
    let dir = dir.display();
    format!(
        "pid {dir}/nginx.pid;\nerror_log {dir}/error.log warn;\nevents {{}}\nhttp {{\n\
         access_log off;\nclient_body_temp_path {dir}/body;\nproxy_temp_path {dir}/proxy;\n\
         {server_block}}}\n"
    )
}

fn start_nginx(config: &str, dir: &Path) -> Nginx {
    let file = dir.join("nginx.conf");
    std::fs::write(&file, config).unwrap();
    let nginx =
        ["/usr/sbin/nginx", "/usr/bin/nginx"].into_iter().find(|p| Path::new(p).exists()).unwrap_or_else(|| {
            panic!("this test needs nginx: apt-get install nginx-light (.ci/run does)");
        });
    let child = Command::new(nginx)
        .args(["-p", &dir.display().to_string(), "-c", &file.display().to_string(), "-g", "daemon off;"])
        .stdout(Stdio::null())
        .spawn()
        .expect("nginx starts");
    Nginx(child)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_nodes_behind_the_documented_nginx_serve_the_pos_and_guests_through_it_alone() {
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let nginx_port = free_port();
    let front = format!("http://127.0.0.1:{nginx_port}");
    let cluster = TestCluster::behind(&front).await;
    let mut nodes = Vec::new();
    for name in ["node-a", "node-b", "node-c"] {
        nodes.push(cluster.start(name, &http).await);
    }
    let dir = tempfile::tempdir().unwrap();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    let _nginx = start_nginx(&config_for(&ports, nginx_port, dir.path()), dir.path());
    support::wait_ready(&http, &front).await;

    // Everything below talks to nginx only.
    let (resto_id, secret) = create_restaurant(&http, &front, "Кав'ярня за nginx").await;
    let pos = WatchedPos::new(VirtualPos::kyiv_cafe());
    let mut config = PosConfig::new(&front, &resto_id, &secret, "BehindNginxPOS");
    config.reconnect_delay = Duration::from_millis(300);
    config.callback_deadline = Duration::from_secs(10);
    tokio::spawn(PosClient::new(config).run(pos.clone()));
    let holder = holder_node(&http, &front, &resto_id, None).await;

    let first =
        guest_pays(&http, &resto_id, "b-32070", 20, || front.clone()).await.expect("a guest paid through nginx");
    let closed = payment_when_closed(&http, &front, &resto_id, &first.payment_id, Duration::from_secs(60)).await;
    assert_eq!(closed["status"], "closed", "{closed}");

    // The node holding the socket dies: the POS reconnects through nginx to another node.
    nodes.iter_mut().find(|n| n.name == holder).expect("the holder is one of ours").kill();
    let new_holder = holder_node(&http, &front, &resto_id, Some(&holder)).await;
    assert_ne!(new_holder, holder);
    println!("socket moved from {holder} to {new_holder}; first payment {}", first.payment_id);

    let second = guest_pays(&http, &resto_id, "b-32071", 20, || front.clone()).await.expect("the next guest paid");
    let closed = payment_when_closed(&http, &front, &resto_id, &second.payment_id, Duration::from_secs(60)).await;
    assert_eq!(closed["status"], "closed", "{closed}");
    let store = cluster.store().await;
    for bill in ["b-32070", "b-32071"] {
        assert_eq!(pos.accepted(bill), 1, "{bill}: one payBill accepted");
        assert_eq!(paid_charges_for_bill(&store, &resto_id, bill).await.unwrap(), 1, "{bill}: one charge");
    }
    let receipt = http.get(format!("{front}/p/{}", second.payment_id)).send().await.unwrap();
    assert_eq!(receipt.status(), 200, "the receipt is served through nginx");
}

/// A wrong POS login through nginx from a client at `address` (any 127.x.y.z on Linux), with
/// the `X-Forwarded-For` the client writes itself, if any: its status.
async fn wrong_login_from(front: &str, address: [u8; 4], forged: Option<&str>) -> u16 {
    let http = reqwest::Client::builder().local_address(std::net::IpAddr::from(address)).build().unwrap();
    let request = http.get(format!("{front}/restaurantEntryPoint")).basic_auth("no-such-restaurant", Some("wrong"));
    let request = match forged {
        Some(forwarded) => request.header("X-Forwarded-For", forwarded),
        None => request,
    };
    request.send().await.unwrap().status().as_u16()
}

/// Found 5 of issue 28, as deployed: a node behind the documented nginx, told to trust it,
/// slows down the client guessing POS secrets and nobody else behind nginx.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn behind_the_documented_nginx_wrong_pos_secrets_are_limited_per_client_not_for_everyone() {
    let port = free_port();
    let _node = ServerProcess::start(port, &["--trusted-proxies".to_string(), "127.0.0.1".to_string()]);
    let nginx_port = free_port();
    let front = format!("http://127.0.0.1:{nginx_port}");
    let dir = tempfile::tempdir().unwrap();
    let _nginx = start_nginx(&config_for(&[port, port, port], nginx_port, dir.path()), dir.path());
    support::wait_ready(&reqwest::Client::new(), &front).await;

    let (guesser, other) = ([127, 0, 0, 2], [127, 0, 0, 3]);
    for attempt in 1..=10 {
        assert_eq!(wrong_login_from(&front, guesser, None).await, 401, "attempt {attempt}");
    }
    assert_eq!(wrong_login_from(&front, guesser, None).await, 429, "the guessing client is slowed down");
    assert_eq!(
        wrong_login_from(&front, guesser, Some("127.0.0.9")).await,
        429,
        "writing X-Forwarded-For itself does not make it someone else"
    );
    assert_eq!(wrong_login_from(&front, other, None).await, 401, "another client behind nginx is not");
}

/// The node holding the restaurant's socket (other than `not`), as seen through nginx.
async fn holder_node(http: &reqwest::Client, front: &str, resto_id: &str, not: Option<&str>) -> String {
    for _ in 0..400 {
        let node = connection(http, front, resto_id).await["node"].as_str().map(String::from);
        if let Some(node) = node.filter(|n| Some(n.as_str()) != not) {
            return node;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the POS never connected through nginx (other than to {not:?})");
}
