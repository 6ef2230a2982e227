//! A test cluster: `rahunok serve` processes on one fresh PostgreSQL schema and the local NATS
//! (or a NATS of the test's own, with credentials), sharing one master key, each of which can be
//! killed (SIGKILL) and started again on its port, each with its metrics listener; and a guest
//! who pays a bill through whichever node answers, as a load balancer would send them.

use super::{free_port, postgres_schema_url, wait_ready, ServerProcess, TOKEN};
use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;

/// The NATS server the nodes join (RAHUNOK_TEST_NATS_URL, default the local one).
pub fn nats_url() -> String {
    std::env::var("RAHUNOK_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".to_string())
}

/// What every node of one cluster shares: the store, the master key, and the address guests
/// and POS systems reach it at (when a load balancer stands in front).
pub struct TestCluster {
    pub database: String,
    keys: tempfile::TempDir,
    public_url: Option<String>,
}

impl TestCluster {
    /// A cluster on a fresh schema, with no node running yet.
    pub async fn new() -> TestCluster {
        TestCluster { database: postgres_schema_url().await, keys: tempfile::tempdir().unwrap(), public_url: None }
    }

    /// A cluster whose nodes are reached at `public_url` (their links and QR codes name it).
    pub async fn behind(public_url: &str) -> TestCluster {
        TestCluster { public_url: Some(public_url.to_string()), ..TestCluster::new().await }
    }

    /// The master key file every node reads (created by the first node).
    pub fn master_key_file(&self) -> PathBuf {
        self.keys.path().join("master.key")
    }

    /// Starts node `name` on a free port with a 3 s callback deadline, joined through the
    /// shared NATS, and waits until it answers.
    pub async fn start(&self, name: &str, http: &reqwest::Client) -> Node {
        self.start_joining(name, http, &nats_url(), &[]).await
    }

    /// [`TestCluster::start`] joined through `nats_url` (credentials may be in it), with these
    /// environment variables (e.g. NATS credentials of another kind).
    pub async fn start_joining(
        &self,
        name: &str,
        http: &reqwest::Client,
        nats_url: &str,
        env: &[(&str, &str)],
    ) -> Node {
        let port = free_port();
        let mut node = Node {
            name: name.to_string(),
            port,
            base: format!("http://127.0.0.1:{port}"),
            metrics: format!("127.0.0.1:{}", free_port()),
            nats_url: nats_url.to_string(),
            env: env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            process: None,
        };
        node.start(self, http).await;
        node
    }

    fn args(&self, node: &Node) -> Vec<String> {
        let name = node.name.as_str();
        let data = self.keys.path().join(name);
        // Behind nginx, as the guide runs it: nginx's address is a trusted proxy.
        let public_url = self.public_url.iter().flat_map(|url| {
            ["--public-url".to_string(), url.clone(), "--trusted-proxies".to_string(), "127.0.0.1".to_string()]
        });
        [
            "--database-url",
            &self.database,
            "--nats-url",
            &node.nats_url,
            "--metrics-listen",
            &node.metrics,
            "--node-name",
            name,
            "--callback-timeout",
            "3",
            "--data",
            &data.display().to_string(),
            "--master-key-file",
            &self.master_key_file().display().to_string(),
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(public_url)
        .collect()
    }

    /// Starts one more node on the cluster's store with `flags` and `env` (the cluster's master
    /// key unless `flags` name another), which must refuse to start; what it said on stderr, at
    /// debug level (so a secret it must never print would show).
    pub async fn refused_node(&self, flags: &[&str], env: &[(&str, &str)]) -> String {
        let data = tempfile::tempdir().unwrap();
        let key = self.master_key_file();
        let own_key = (!flags.contains(&"--master-key-file")).then(|| ["--master-key-file".as_ref(), key.as_os_str()]);
        let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_rahunok"))
            .args(["serve", "--listen", &format!("127.0.0.1:{}", free_port()), "--database-url", &self.database])
            .arg("--data")
            .arg(data.path())
            .args(own_key.iter().flatten())
            .args(flags)
            .envs(env.iter().copied())
            .env("RAHUNOK_ADMIN_TOKEN", TOKEN)
            .env("RAHUNOK_LOG", "debug")
            .kill_on_drop(true)
            .output();
        let output = tokio::time::timeout(Duration::from_secs(60), output).await.expect("it exits").unwrap();
        assert!(!output.status.success(), "it must not start");
        String::from_utf8_lossy(&output.stderr).into_owned()
    }

    /// Opens the shared store from the test, as a node would (to count charges).
    pub async fn store(&self) -> rahunok_server::store::Store {
        let key = rahunok_server::config::MasterKeySource::File(self.master_key_file());
        let storage = rahunok_server::Storage::Postgres(self.database.clone());
        rahunok_server::startup::open_store(&storage, &key).await.unwrap()
    }
}

/// One node process; its port stays its own across restarts.
pub struct Node {
    pub name: String,
    pub port: u16,
    pub base: String,
    /// Where its Prometheus metrics are served (`host:port`).
    pub metrics: String,
    nats_url: String,
    env: Vec<(String, String)>,
    process: Option<ServerProcess>,
}

impl Node {
    /// Starts the process (again) and waits until it answers.
    pub async fn start(&mut self, cluster: &TestCluster, http: &reqwest::Client) {
        self.process = Some(ServerProcess::start_with_env(self.port, &cluster.args(self), &self.env));
        wait_ready(http, &self.base).await;
    }

    /// A counter or gauge sample from its `/metrics` (`name{labels}` as written there); 0 when
    /// it is not there.
    pub async fn metric(&self, http: &reqwest::Client, sample: &str) -> f64 {
        let text = match http.get(format!("http://{}/metrics", self.metrics)).send().await {
            Ok(response) => response.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        text.lines()
            .find_map(|line| line.strip_prefix(sample).and_then(|rest| rest.strip_prefix(' ')))
            .and_then(|value| value.trim().parse().ok())
            .unwrap_or(0.0)
    }

    /// SIGKILL: no shutdown, no goodbye to its sockets or the bus.
    pub fn kill(&mut self) {
        if let Some(mut process) = self.process.take() {
            process.kill();
        }
    }
}

/// Asks `path` of the admin API on `base`.
pub async fn admin_get(http: &reqwest::Client, base: &str, path: &str) -> Option<Value> {
    let response = http.get(format!("{base}/api/admin{path}")).bearer_auth(TOKEN).send().await.ok()?;
    response.json().await.ok()
}

/// The restaurant's connection as `base` sees it (`node` names the holder).
pub async fn connection(http: &reqwest::Client, base: &str, resto_id: &str) -> Value {
    admin_get(http, base, &format!("/restaurants/{resto_id}"))
        .await
        .map(|v| v["connection"].clone())
        .unwrap_or_default()
}

/// What a guest's payment needed: the payment, how many requests had to be repeated on
/// another node (the first found no node or an error), and how many times the guest had to
/// start again because a node died between recording the payment and opening its checkout.
pub struct GuestPaid {
    pub payment_id: String,
    pub retries: u32,
    pub started_again: u32,
}

/// A guest paying `bill_id` in full (tip 5 %) with the sandbox's good card. Each request goes to
/// the node `pick` names; a request that fails (connection refused or reset, a 5xx, a page
/// without the expected step) is repeated on the next pick, as a load balancer retries.
/// Repeats are safe: the pay form carries its idempotency key and the card form settles a
/// charge at most once. When the pay form lands on the payment's own page instead of a
/// checkout (its node died before the acquirer answered: an orphan), the guest waits on that
/// page until it expires, as the page tells them, and opens the bill again. An error saying
/// where the guest gave up when `attempts` requests failed.
pub async fn guest_pays(
    http: &reqwest::Client,
    resto_id: &str,
    bill_id: &str,
    attempts: u32,
    pick: impl FnMut() -> String,
) -> Result<GuestPaid, String> {
    guest_pays_from_page(http, resto_id, bill_id, attempts, pick, None).await
}

/// The bill page with its pay form, as a guest's browser holds it before they pay; `None`
/// when `attempts` requests gave no such page.
pub async fn open_bill_page(
    http: &reqwest::Client,
    resto_id: &str,
    bill_id: &str,
    attempts: u32,
    mut pick: impl FnMut() -> String,
) -> Option<String> {
    for _ in 0..=attempts {
        match get_text(http, &format!("{}/b/{resto_id}/{bill_id}", pick())).await {
            Some(page) if page.contains("idempotency_key") => return Some(page),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
    None
}

/// [`guest_pays`] for a guest who already has the bill page open (`opened`, from
/// [`open_bill_page`]): their first step is the pay form.
pub async fn guest_pays_from_page(
    http: &reqwest::Client,
    resto_id: &str,
    bill_id: &str,
    attempts: u32,
    mut pick: impl FnMut() -> String,
    mut opened: Option<String>,
) -> Result<GuestPaid, String> {
    let mut retries = 0;
    let mut started_again = 0;
    let next_try = |retries: &mut u32| {
        *retries += 1;
        *retries <= attempts
    };
    let checkout = 'bill: loop {
        let page = loop {
            let page = match opened.take() {
                Some(page) => Some(page),
                None => get_text(http, &format!("{}/b/{resto_id}/{bill_id}", pick())).await,
            };
            match page {
                Some(page) if page.contains("idempotency_key") => break page,
                _ if next_try(&mut retries) => tokio::time::sleep(Duration::from_millis(200)).await,
                other => return Err(format!("the bill page, after {retries} tries: {other:?}")),
            }
        };
        let form = [
            ("idempotency_key", form_field(&page, "idempotency_key")),
            ("expected_total", form_field(&page, "expected_total")),
            ("tip", "5".to_string()),
            ("tip_custom", String::new()),
        ];
        loop {
            let sent = http.post(format!("{}/b/{resto_id}/{bill_id}/pay", pick())).form(&form).send().await;
            match redirect_path(sent) {
                Some(path) if path.starts_with("/sandbox/checkout/") => break 'bill path,
                Some(path) if path.starts_with("/p/") => {
                    let payment_id = payment_id_in(&path);
                    wait_until_finished(http, &mut pick, resto_id, &payment_id)
                        .await
                        .ok_or_else(|| format!("the orphan payment {payment_id} never expired"))?;
                    started_again += 1;
                    continue 'bill;
                }
                _ if next_try(&mut retries) => tokio::time::sleep(Duration::from_millis(200)).await,
                other => return Err(format!("the pay form, after {retries} tries: {other:?}")),
            }
        }
    };
    let card = [("card", "4242424242424242"), ("expiry", "12/30"), ("cvc", "123")];
    let receipt = loop {
        let sent = http.post(format!("{}{checkout}", pick())).form(&card).send().await;
        match redirect_path(sent) {
            Some(path) if path.starts_with("/p/") => break path,
            _ if next_try(&mut retries) => tokio::time::sleep(Duration::from_millis(200)).await,
            other => return Err(format!("the card form, after {retries} tries: {other:?}")),
        }
    };
    Ok(GuestPaid { payment_id: payment_id_in(&receipt), retries, started_again })
}

fn payment_id_in(receipt_path: &str) -> String {
    receipt_path.trim_start_matches("/p/").split(['?', '/']).next().unwrap_or_default().to_string()
}

/// Waits (at most 120 s) until a payment that never reached a checkout is expired by the
/// server; `None` when it never was.
async fn wait_until_finished(
    http: &reqwest::Client,
    pick: &mut impl FnMut() -> String,
    resto_id: &str,
    payment_id: &str,
) -> Option<()> {
    for _ in 0..600 {
        let path = format!("/restaurants/{resto_id}/payments/{payment_id}");
        if let Some(view) = admin_get(http, &pick(), &path).await {
            if matches!(view["status"].as_str(), Some("expired" | "failed")) {
                return Some(());
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

async fn get_text(http: &reqwest::Client, url: &str) -> Option<String> {
    http.get(url).send().await.ok()?.text().await.ok()
}

/// The path (and query) of a redirect's `Location`, whichever node's address it names.
pub fn redirect_path(sent: reqwest::Result<reqwest::Response>) -> Option<String> {
    let response = sent.ok()?;
    if !response.status().is_redirection() {
        return None;
    }
    let location = response.headers().get("location")?.to_str().ok()?;
    let path = match location.find("://") {
        Some(scheme) => &location[scheme + 3..][location[scheme + 3..].find('/')?..],
        None => location,
    };
    Some(path.to_string())
}

/// The value of a hidden form field in a page.
pub fn form_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker).expect("the pay form") + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

/// Waits until the payment reaches `closed` (or `limit` passes); its last view.
pub async fn payment_when_closed(
    http: &reqwest::Client,
    base: &str,
    resto_id: &str,
    payment_id: &str,
    limit: Duration,
) -> Value {
    let deadline = tokio::time::Instant::now() + limit;
    let mut view = Value::Null;
    while tokio::time::Instant::now() < deadline {
        if let Some(seen) = admin_get(http, base, &format!("/restaurants/{resto_id}/payments/{payment_id}")).await {
            view = seen;
            if view["status"] == "closed" {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    view
}

/// The virtual POS, counting the `payBill`s it accepted per bill (a second accepted one would
/// be a double payment) and, when asked, holding the next `payBill` (or `getBill`) until
/// released. Clones share everything.
#[derive(Clone)]
pub struct WatchedPos {
    pub cafe: rahunok_pos_sim::VirtualPos,
    accepted: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, u32>>>,
    hold_next: std::sync::Arc<std::sync::atomic::AtomicBool>,
    hold_next_bill: std::sync::Arc<std::sync::atomic::AtomicBool>,
    held: std::sync::Arc<tokio::sync::Notify>,
    release: std::sync::Arc<tokio::sync::Notify>,
}

impl WatchedPos {
    pub fn new(cafe: rahunok_pos_sim::VirtualPos) -> WatchedPos {
        WatchedPos {
            cafe,
            accepted: Default::default(),
            hold_next: Default::default(),
            hold_next_bill: Default::default(),
            held: Default::default(),
            release: Default::default(),
        }
    }

    /// The next `payBill` waits in the POS until [`WatchedPos::release`].
    pub fn hold_next_payment(&self) {
        self.hold_next.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The next `getBill` waits in the POS until [`WatchedPos::release`].
    pub fn hold_next_bill(&self) {
        self.hold_next_bill.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Waits until a held `payBill` (or `getBill`) arrived.
    pub async fn payment_held(&self) {
        self.held.notified().await
    }

    /// Waits until a held `getBill` arrived.
    pub async fn bill_held(&self) {
        self.held.notified().await
    }

    /// Lets the held `payBill` (or `getBill`) go on.
    pub fn release(&self) {
        self.release.notify_one();
    }

    /// How many `payBill`s for `bill_id` the POS accepted.
    pub fn accepted(&self, bill_id: &str) -> u32 {
        self.accepted.lock().unwrap().get(bill_id).copied().unwrap_or_default()
    }
}

impl rahunok_pos_sdk::Handler for WatchedPos {
    async fn get_bill(
        &self,
        request: rahunok_protocol::ops::GetBill,
    ) -> rahunok_pos_sdk::Answer<rahunok_protocol::ops::BillAnswer> {
        if self.hold_next_bill.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.held.notify_one();
            self.release.notified().await;
        }
        self.cafe.get_bill(request).await
    }

    async fn split_order(
        &self,
        request: rahunok_protocol::ops::SplitOrder,
    ) -> rahunok_pos_sdk::Answer<rahunok_protocol::ops::SplitAnswer> {
        self.cafe.split_order(request).await
    }

    async fn pay_bill(
        &self,
        request: rahunok_protocol::ops::PayBill,
    ) -> rahunok_pos_sdk::Answer<rahunok_protocol::ops::PayBillAnswer> {
        if self.hold_next.swap(false, std::sync::atomic::Ordering::SeqCst) {
            self.held.notify_one();
            self.release.notified().await;
        }
        let bill_id = request.bill_id.clone();
        let answer = self.cafe.pay_bill(request).await;
        if answer.is_ok() {
            *self.accepted.lock().unwrap().entry(bill_id).or_default() += 1;
        }
        answer
    }
}
