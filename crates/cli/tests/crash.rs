//! Crash safety of payments: the server process is killed (SIGKILL) after the acquirer
//! confirmed a payment and before the POS answered `payBill`. After a restart on the same store
//! the payment reaches `closed`, the guest was charged once, and the POS saw the bill paid once.

use rahunok_pos_sdk::{Answer, Handler, PosClient, PosConfig};
use rahunok_pos_sim::VirtualPos;
use rahunok_protocol::ops::{BillAnswer, GetBill, PayBill, PayBillAnswer};
use rahunok_server::payments::sandbox::paid_charges_for_bill;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, Notify};

mod support;

use support::cluster::{form_field, payment_when_closed};
use support::{create_restaurant, free_port, wait_ready, ServerProcess};

/// The virtual POS, except that it holds the first `payBill` until released.
struct HoldingPos {
    inner: VirtualPos,
    hold_next_payment: AtomicBool,
    payment_seen: mpsc::UnboundedSender<()>,
    release: Arc<Notify>,
}

impl Handler for HoldingPos {
    async fn get_bill(&self, request: GetBill) -> Answer<BillAnswer> {
        self.inner.get_bill(request).await
    }

    async fn pay_bill(&self, request: PayBill) -> Answer<PayBillAnswer> {
        if self.hold_next_payment.swap(false, Ordering::SeqCst) {
            let _ = self.payment_seen.send(());
            self.release.notified().await;
        }
        self.inner.pay_bill(request).await
    }
}

fn start_server(port: u16, data: &std::path::Path) -> ServerProcess {
    ServerProcess::start(port, &["--data".to_string(), data.display().to_string()])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payment_interrupted_by_a_crash_closes_after_restart_and_is_charged_once() {
    let data = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let mut server = start_server(port, data.path());
    wait_ready(&http, &base).await;

    let (resto_id, secret) = create_restaurant(&http, &base, "Crash café").await;

    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let release = Arc::new(Notify::new());
    let cafe = VirtualPos::kyiv_cafe();
    let pos = HoldingPos {
        inner: cafe.clone(),
        hold_next_payment: AtomicBool::new(true),
        payment_seen: seen_tx,
        release: release.clone(),
    };
    let mut config = PosConfig::new(&base, &resto_id, &secret, "CrashPOS");
    config.reconnect_delay = Duration::from_millis(300);
    config.callback_deadline = Duration::from_secs(2);
    tokio::spawn(PosClient::new(config).run(pos));

    // The guest opens the bill, pays with a card; the acquirer confirms.
    let mut page = String::new();
    for _ in 0..100 {
        page = http.get(format!("{base}/b/{resto_id}/b-32070")).send().await.unwrap().text().await.unwrap();
        if page.contains("idempotency_key") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let form = [
        ("idempotency_key", form_field(&page, "idempotency_key")),
        ("expected_total", form_field(&page, "expected_total")),
        ("tip", "5".to_string()),
        ("tip_custom", String::new()),
    ];
    let to_checkout = http.post(format!("{base}/b/{resto_id}/b-32070/pay")).form(&form).send().await.unwrap();
    let checkout = to_checkout.headers()["location"].to_str().unwrap().to_string();
    let card = [("card", "4242424242424242"), ("expiry", "12/30"), ("cvc", "123")];
    let back = http.post(&checkout).form(&card).send().await.unwrap();
    let payment_id = back.headers()["location"].to_str().unwrap().rsplit('/').next().unwrap().to_string();

    // The closer sent payBill; the POS holds it. Kill the server now.
    tokio::time::timeout(Duration::from_secs(30), seen.recv()).await.expect("payBill reached the POS");
    server.kill();
    release.notify_one();
    for _ in 0..100 {
        if cafe.floor().paid("b-32070").is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(cafe.floor().paid("b-32070").is_some(), "the POS closed the bill, but its answer found no server");

    // Restart on the same store: the payment is resumed.
    let _restarted = start_server(port, data.path());
    wait_ready(&http, &base).await;
    let detail = payment_when_closed(&http, &base, &resto_id, &payment_id, Duration::from_secs(30)).await;
    assert_eq!(detail["status"], "closed", "{detail}");
    assert_eq!(cafe.floor().paid("b-32070").unwrap().times_paid, 1, "the POS saw the bill paid once");
    let key = rahunok_server::config::MasterKeySource::File(data.path().join("master.key"));
    let storage = rahunok_server::Storage::Sqlite(data.path().to_path_buf());
    let store = rahunok_server::startup::open_store(&storage, &key).await.unwrap();
    assert_eq!(paid_charges_for_bill(&store, &resto_id, "b-32070").await.unwrap(), 1, "the guest was charged once");
    let notes: Vec<String> = detail["transitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["note"].as_str().unwrap_or_default().to_string())
        .collect();
    // The POS was asked first (`getBill` by `billId`) and reported the bill `PAYED`: no second
    // `payBill` went out.
    assert!(notes.last().unwrap().contains("closed without a second payBill"), "{notes:?}");
    assert_eq!(cafe.floor().pay_bills_received("b-32070"), 1, "one payBill reached the POS");
}
