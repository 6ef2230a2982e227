//! The chaos run of a cluster, deployed as `docs/deploying.md` says: three `rahunok serve`
//! nodes on one PostgreSQL, joined through a NATS server of their own that requires credentials,
//! behind nginx configured with the guide's block. The POS and the guests know only nginx's
//! address. Guests pay — whole bills, and split children with the rest of their bill — while a
//! random node is killed (SIGKILL) every 0.2–1.5 s and started again. A request that fails
//! (nginx's 502 while a node is gone, a reset) is repeated, as a guest presses the button again.
//! Afterwards every payment must be closed, every bill charged once at the acquirer and accepted
//! once by the POS, and every paid bill's `payBill` in the request log. A bill that received
//! `payBill` twice (the POS refused the second) is allowed only where the node that took the
//! payment over could not ask the POS first, which its timeline says; they must stay under
//! 0.1 % of bills.
//!
//! `RAHUNOK_CHAOS_ITERATIONS` sets the number of kills (default 100), `RAHUNOK_CHAOS_SEED` the
//! seed (printed, so a failing run can be repeated). The counts are printed as one line
//! starting `chaos:`; `RELIABILITY.md` records runs.

mod support;

use rahunok_pos_sdk::{PosClient, PosConfig};
use rahunok_pos_sim::VirtualPos;
use rahunok_server::payments::sandbox::paid_charges_for_bill;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use support::cluster::{
    admin_get, connection, guest_pays, payment_when_closed, redirect_path, Node, TestCluster, WatchedPos,
};
use support::nats::OwnNats;
use support::nginx::{config_for, start_nginx};
use support::{create_restaurant, free_port};

/// The nodes' NATS user (the NATS server of this run admits no one else).
const NODE_USER: &str = "rahunok-chaos";
const NODE_PASSWORD: &str = "chaos-bus-pass-5c1e";

/// What happened in one run (read through `Debug`: the printed `chaos:` line).
#[derive(Debug, Default)]
#[allow(dead_code)]
struct Counts {
    kills: u32,
    paid_by_guest: usize,
    guest_gave_up: usize,
    requests_repeated: u32,
    started_again_after_an_orphan: u32,
    closed: usize,
    split_children_paid: usize,
    double_charges: usize,
    double_pay_bills: usize,
    bills_sent_pay_bill_twice: usize,
    sent_twice_without_asking_first: usize,
    lost: usize,
    paid_without_pay_bill_row: usize,
    stuck: usize,
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// `iterations` times: kills a random node after 0.2–1.5 s and starts it again after up to
/// 0.5 s; the nodes, all running again.
async fn kill_nodes_at_random(cluster: &TestCluster, mut nodes: Vec<Node>, seed: u64, iterations: u32) -> Vec<Node> {
    let http = reqwest::Client::new();
    let mut rng = StdRng::seed_from_u64(seed);
    for _ in 0..iterations {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(200..1500))).await;
        let victim = rng.gen_range(0..nodes.len());
        nodes[victim].kill();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(0..500))).await;
        nodes[victim].start(cluster, &http).await;
    }
    nodes
}

/// What one guest stream did: the bills paid (with their payments), and the trouble it met.
#[derive(Default)]
struct GuestStream {
    paid: Vec<(String, String)>,
    split_children: usize,
    gave_up: usize,
    retries: u32,
    started_again: u32,
}

impl GuestStream {
    fn record(&mut self, bill_id: &str, paid: Result<support::cluster::GuestPaid, String>) {
        match paid {
            Ok(paid) => {
                self.retries += paid.retries;
                self.started_again += paid.started_again;
                self.paid.push((bill_id.to_string(), paid.payment_id));
            }
            Err(why) => {
                println!("chaos: the guest of {bill_id} gave up: {why}");
                self.gave_up += 1;
            }
        }
    }
}

/// A guest who takes one position of `bill_id` into a bill of their own (the split form, sent
/// again until it answers with the child's page); the child's id, or `None` when the split
/// never went through (the guest then pays the bill as it stands).
async fn split_off_one_position(
    http: &reqwest::Client,
    front: &str,
    resto_id: &str,
    bill_id: &str,
    position: &str,
) -> Option<String> {
    let form = [("pos", position), ("confirm", "yes")];
    for _ in 0..20 {
        let sent = http.post(format!("{front}/b/{resto_id}/{bill_id}/split")).form(&form).send().await;
        let Ok(sent) = sent else { continue };
        if sent.status().is_redirection() {
            let path = redirect_path(Ok(sent))?;
            let child = path.trim_start_matches(&format!("/b/{resto_id}/")).split(['?', '/']).next()?.to_string();
            return Some(child);
        }
        let status = sent.status().as_u16();
        let page = sent.text().await.unwrap_or_default();
        let said = page.split("<p").nth(1).unwrap_or_default().chars().take(200).collect::<String>();
        println!("chaos: the split of {bill_id} answered {status} ({said}); the guest looks at the bill again");
        // Refused (a node died mid-split, or the POS already split it): does the bill still
        // have the position? If not, a split went through whose answer was lost.
        let page = http.get(format!("{front}/b/{resto_id}/{bill_id}/split")).send().await.ok()?.text().await.ok()?;
        if page.contains("idempotency_key") || !page.contains(position) {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    None
}

/// A guest stream: pays new bills one after another until `stop`; every third bill is split
/// first (one position to a child bill, paid, then the rest).
async fn guests_pay_until(
    stream: usize,
    pos: WatchedPos,
    template: rahunok_protocol::order::Order,
    (resto_id, front): (String, String),
    stop: Arc<AtomicBool>,
) -> GuestStream {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let position = template
        .lines()
        .find(|d| d.linked_to.is_none() && !d.hidden && d.position_id.is_some())
        .and_then(|d| d.position_id.clone())
        .expect("the bill has a position to split off");
    let mut done = GuestStream::default();
    for guest in 0.. {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let bill_id = format!("b-chaos-{stream}-{guest}");
        let mut order = template.clone();
        order.bill_id = bill_id.clone();
        order.root_bill_id = Some(bill_id.clone());
        pos.cafe.floor().open(order);
        if guest % 3 == 2 {
            if let Some(child) = split_off_one_position(&http, &front, &resto_id, &bill_id, &position).await {
                let paid = guest_pays(&http, &resto_id, &child, 200, || front.clone()).await;
                done.split_children += usize::from(paid.is_ok());
                done.record(&child, paid);
            }
        }
        let paid = guest_pays(&http, &resto_id, &bill_id, 200, || front.clone()).await;
        done.record(&bill_id, paid);
    }
    done
}

/// How many `payBill` rows the request log holds per bill.
async fn pay_bill_rows(store: &rahunok_server::store::Store) -> HashMap<String, u32> {
    use sqlx::Row;
    let rows = sqlx::query("SELECT request_body FROM request_log WHERE operation = 'payBill'")
        .fetch_all(store.pool())
        .await
        .unwrap();
    let mut logged = HashMap::new();
    for row in rows {
        let frame: serde_json::Value = serde_json::from_str(&row.get::<String, _>("request_body")).unwrap();
        *logged.entry(frame["billId"].as_str().unwrap_or_default().to_string()).or_default() += 1;
    }
    logged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guests_pay_through_random_nodes_while_nodes_die_and_no_payment_is_lost_or_doubled() {
    let iterations = setting("RAHUNOK_CHAOS_ITERATIONS", 100) as u32;
    let seed = setting("RAHUNOK_CHAOS_SEED", rand::thread_rng().gen());
    println!("chaos: seed {seed}, {iterations} kills (RAHUNOK_CHAOS_SEED={seed} repeats them)");
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let nats =
        OwnNats::start(&format!("  users = [ {{ user: \"{NODE_USER}\", password: \"{NODE_PASSWORD}\" }} ]")).await;
    let nginx_port = free_port();
    let front = format!("http://127.0.0.1:{nginx_port}");
    let cluster = TestCluster::behind(&front).await;
    let mut nodes = Vec::new();
    for name in ["node-a", "node-b", "node-c"] {
        nodes.push(cluster.start_joining(name, &http, &nats.url_as(NODE_USER, NODE_PASSWORD), &[]).await);
    }
    let bases: Vec<String> = nodes.iter().map(|n| n.base.clone()).collect();
    let nginx_dir = tempfile::tempdir().unwrap();
    let ports: Vec<u16> = nodes.iter().map(|n| n.port).collect();
    let _nginx = start_nginx(&config_for(&ports, nginx_port, nginx_dir.path()), nginx_dir.path());
    support::wait_ready(&http, &front).await;
    let (resto_id, secret) = create_restaurant(&http, &front, "Хаос-кафе").await;

    let pos = WatchedPos::new(VirtualPos::kyiv_cafe());
    let mut config = PosConfig::new(&front, &resto_id, &secret, "ChaosPOS");
    config.reconnect_delay = Duration::from_millis(300);
    config.callback_deadline = Duration::from_secs(10);
    tokio::spawn(PosClient::new(config).run(pos.clone()));
    for _ in 0..200 {
        if connection(&http, &bases[1], &resto_id).await["connected"] == true {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let template = pos.cafe.floor().open_order("b-32071").cloned().expect("the fixture's bill on table 7");

    let stop = Arc::new(AtomicBool::new(false));
    let streams: Vec<_> = (0..3)
        .map(|stream| {
            let target = (resto_id.clone(), front.clone());
            tokio::spawn(guests_pay_until(stream, pos.clone(), template.clone(), target, stop.clone()))
        })
        .collect();
    let _nodes = kill_nodes_at_random(&cluster, nodes, seed ^ 0x5eed, iterations).await;
    stop.store(true, Ordering::SeqCst);
    let mut counts = Counts { kills: iterations, ..Counts::default() };
    let mut paid = Vec::new();
    for stream in streams {
        let stream = stream.await.expect("a guest stream");
        counts.guest_gave_up += stream.gave_up;
        counts.requests_repeated += stream.retries;
        counts.started_again_after_an_orphan += stream.started_again;
        counts.split_children_paid += stream.split_children;
        paid.extend(stream.paid);
    }
    counts.paid_by_guest = paid.len();
    let mut rng = StdRng::seed_from_u64(seed);

    // Every node is up again: each payment must close, once.
    let store = cluster.store().await;
    for (bill_id, payment_id) in &paid {
        let base = &bases[rng.gen_range(0..bases.len())];
        let view = payment_when_closed(&http, base, &resto_id, payment_id, Duration::from_secs(120)).await;
        if view["status"] == "closed" {
            counts.closed += 1;
        } else {
            println!("chaos: payment {payment_id} for {bill_id} did not close: {view}");
            counts.lost += 1;
        }
        let charges = paid_charges_for_bill(&store, &resto_id, bill_id).await.unwrap();
        if charges > 1 {
            counts.double_charges += 1;
        }
        if pos.accepted(bill_id) > 1 {
            counts.double_pay_bills += 1;
        }
        if pos.cafe.floor().pay_bills_received(bill_id) > 1 {
            counts.bills_sent_pay_bill_twice += 1;
            let (_, timeline) = store.payment(&resto_id, payment_id).await.unwrap().expect("the payment");
            let asked_first = !timeline
                .iter()
                .filter_map(|t| t.note.as_deref())
                .any(|note| note.contains("without knowing whether the first closed the bill"));
            if asked_first {
                println!("chaos: {bill_id} got payBill twice although its POS could be asked: {timeline:?}");
                counts.sent_twice_without_asking_first += 1;
            }
        }
        if charges == 0 || pos.accepted(bill_id) == 0 {
            println!("chaos: {bill_id}: {charges} charges, {} payBills accepted", pos.accepted(bill_id));
            counts.lost += 1;
        }
    }
    // Nothing may stay unfinished: an orphan (its node died before the acquirer answered) is
    // expired by the closer at 20 s of age, so after 90 s every payment must be done. An
    // expired payment is one a guest waited out (see `started_again_after_an_orphan`); its bill
    // was paid by the guest's next payment and counted above.
    let unfinished = ["created", "paid", "closing_on_pos", "paid_not_closed"];
    let mut still_unfinished: Vec<serde_json::Value> = Vec::new();
    for _ in 0..450 {
        still_unfinished.clear();
        for status in unfinished {
            let path = format!("/restaurants/{resto_id}/payments?status={status}&limit=1000");
            let listed = admin_get(&http, &bases[0], &path).await.expect("the payment list");
            still_unfinished.extend(listed.as_array().unwrap().iter().cloned());
        }
        if still_unfinished.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for payment in &still_unfinished {
        println!("chaos: stuck {payment}");
    }
    counts.stuck = still_unfinished.len();
    let logged = pay_bill_rows(&store).await;
    for (bill_id, payment_id) in &paid {
        if logged.get(bill_id).copied().unwrap_or_default() == 0 {
            println!("chaos: {bill_id} (payment {payment_id}) was paid with no payBill row in the request log");
            counts.paid_without_pay_bill_row += 1;
        }
    }
    println!("chaos: {counts:?}");

    assert_eq!(counts.guest_gave_up, 0, "every guest could pay: {counts:?}");
    assert_eq!(counts.closed, counts.paid_by_guest, "{counts:?}");
    assert!(counts.paid_by_guest >= iterations as usize, "guests paid all along: {counts:?}");
    assert_eq!((counts.double_charges, counts.double_pay_bills), (0, 0), "{counts:?}");
    assert_eq!((counts.lost, counts.stuck, counts.paid_without_pay_bill_row), (0, 0, 0), "{counts:?}");
    assert_eq!(
        counts.sent_twice_without_asking_first, 0,
        "a second payBill only where the POS could not be asked: {counts:?}"
    );
    assert!(
        counts.bills_sent_pay_bill_twice * 1000 < counts.paid_by_guest.max(1000),
        "bills sent payBill twice stay under 0.1 %: {counts:?}"
    );
}
