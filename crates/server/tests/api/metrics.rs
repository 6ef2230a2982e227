//! Prometheus metrics on their own listener: scraped before and after real traffic (a POS
//! connecting with loose answers, a getBill round trip, a paid and closed bill, a refused
//! callback, a forged acquirer notification), read with a text-format parser and checked with
//! `promtool check metrics`.

use crate::helpers::{spawn_app_with, AppOptions, Backend, TestApp};
use crate::on_both_stores;
use crate::payments::{guest_client, pay_at_sandbox, post_pay, submit_pay, wait_for_status};
use rahunok_pos_sim::VirtualPos;
use std::collections::HashMap;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

/// One scrape, parsed.
pub struct Scrape {
    text: String,
    samples: Vec<prometheus_parse::Sample>,
}

impl Scrape {
    /// The value of the sample `name` whose labels include `labels`; 0 when there is none yet
    /// (a labelled series appears with its first event).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let found =
            self.samples.iter().find(|s| s.metric == name && labels.iter().all(|(k, v)| s.labels.get(k) == Some(*v)));
        match found.map(|s| &s.value) {
            None => 0.0,
            Some(prometheus_parse::Value::Counter(v) | prometheus_parse::Value::Gauge(v))
            | Some(prometheus_parse::Value::Untyped(v)) => *v,
            Some(other) => panic!("{name} is not a single number: {other:?}"),
        }
    }
}

/// Scrapes in the classic Prometheus text format (what `promtool` and the parser read).
pub async fn scrape(app: &TestApp) -> Scrape {
    let base = app.metrics_base.as_ref().expect("the app serves metrics");
    let response = reqwest::get(format!("{base}/metrics")).await.expect("the metrics listener answers");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
    let text = response.text().await.unwrap();
    let lines = text.lines().map(|l| Ok(l.to_string()));
    let samples = prometheus_parse::Scrape::parse(lines).expect("the exposition parses").samples;
    Scrape { text, samples }
}

/// `promtool check metrics` (Debian's `prometheus` package) accepts the exposition.
fn promtool_accepts(text: &str) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool runs (apt-get install prometheus; .ci/run installs it)");
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    let said = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success() && said.trim().is_empty(), "promtool: {said}\n{text}");
}

async fn metrics_move_with_a_get_bill_round_trip_a_payment_and_refusals(backend: Backend) {
    let app = spawn_app_with(backend, AppOptions { metrics: true, ..AppOptions::default() }).await;
    let before = scrape(&app).await;
    promtool_accepts(&before.text);
    assert_eq!(before.value("rahunok_pos_sockets", &[]), 0.0);

    // A POS that answers in loose forms (a dotted versionInfo: a conformance warning).
    let restaurant = app.create_restaurant("Метрики").await;
    let pos = VirtualPos::kyiv_cafe().with_quirks(true);
    let mut config = rahunok_pos_sdk::PosConfig::new(&app.base, &restaurant.resto_id, &restaurant.secret, "QuirkyPOS");
    config.reconnect_delay = Duration::from_millis(200);
    tokio::spawn(pos.clone().run(config, None));
    app.wait_connected(&restaurant.resto_id, true).await;

    let get_bill = format!("/api/admin/restaurants/{}/operations/getBill", restaurant.resto_id);
    let answered = app.admin(reqwest::Method::POST, &get_bill).json(&serde_json::json!({"tableNumber": "3"}));
    assert_eq!(answered.send().await.unwrap().status(), 200);

    let guest = guest_client();
    let (key, expected) = submit_pay(&app, &guest, &restaurant.resto_id, "b-32070").await;
    let (_, checkout, _) = post_pay(&app, &guest, &restaurant.resto_id, "b-32070", &key, &expected).await;
    let back = pay_at_sandbox(&guest, &checkout, "4242424242424242").await;
    let payment_id = back.rsplit('/').next().unwrap().to_string();
    wait_for_status(&app, &restaurant.resto_id, &payment_id, "closed").await;

    // A callback with a wrong signature, and an acquirer notification nobody signed.
    let (status, _) = app.post_callback("getBill", &restaurant.resto_id, "not-the-secret", br#"{"rID":"x"}"#).await;
    assert_eq!(status, 401);
    let forged = app
        .http
        .post(format!("{}/payments/notify/sandbox", app.base))
        .header("x-sandbox-signature", "AAAA")
        .body(format!(r#"{{"reference":"{payment_id}","status":"paid"}}"#))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);

    let after = scrape(&app).await;
    promtool_accepts(&after.text);
    let moved = |name: &str, labels: &[(&str, &str)]| after.value(name, labels) - before.value(name, labels);
    assert_eq!(after.value("rahunok_pos_sockets", &[]), 1.0, "{}", after.text);
    let answered_get_bills =
        moved("rahunok_pos_operations_total", &[("operation", "getBill"), ("outcome", "answered")]);
    assert!(answered_get_bills >= 2.0, "the admin's and the guest's getBill: {}", after.text);
    assert!(moved("rahunok_pos_operation_duration_seconds_count", &[("operation", "getBill")]) >= 2.0);
    assert_eq!(moved("rahunok_pos_operations_total", &[("operation", "payBill"), ("outcome", "answered")]), 1.0);
    assert_eq!(after.value("rahunok_payments", &[("state", "closed")]), 1.0, "{}", after.text);
    assert_eq!(after.value("rahunok_closer_backlog", &[]), 0.0);
    assert!(moved("rahunok_conformance_warnings_total", &[("kind", "DOTTED_VERSION_INFO")]) >= 1.0, "{}", after.text);
    assert_eq!(moved("rahunok_callback_refusals_total", &[("reason", "BAD_SIGNATURE")]), 1.0, "{}", after.text);
    let bad_notifications = [("acquirer", "sandbox"), ("call", "notification"), ("error", "bad_signature")];
    assert_eq!(moved("rahunok_acquirer_errors_total", &bad_notifications), 1.0, "{}", after.text);

    // Nothing secret in any series: no restaurant id, no secret.
    assert!(!after.text.contains(&restaurant.resto_id) && !after.text.contains(&restaurant.secret));
    let labels: HashMap<&str, ()> =
        after.samples.iter().flat_map(|s| s.labels.keys().map(|k| (k.as_str(), ()))).collect();
    for label in labels.keys() {
        assert!(["operation", "outcome", "reason", "kind", "state", "acquirer", "call", "error", "le"].contains(label));
    }
}

async fn metrics_are_served_only_on_their_own_listener_and_in_openmetrics_to_prometheus(backend: Backend) {
    let app = spawn_app_with(backend, AppOptions { metrics: true, ..AppOptions::default() }).await;
    let base = app.metrics_base.as_ref().unwrap();
    let as_prometheus_asks = app
        .http
        .get(format!("{base}/metrics"))
        .header("Accept", "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5")
        .send()
        .await
        .unwrap();
    let content_type = as_prometheus_asks.headers()["content-type"].to_str().unwrap().to_string();
    assert!(content_type.starts_with("application/openmetrics-text; version=1.0.0"), "{content_type}");
    let text = as_prometheus_asks.text().await.unwrap();
    assert!(text.ends_with("# EOF\n") && text.contains("# TYPE rahunok_journal_dropped counter"), "{text}");

    let public = app.http.get(format!("{}/metrics", app.base)).send().await.unwrap();
    assert_eq!(public.status(), 404, "not on the public listener");
    let elsewhere = reqwest::get(format!("{base}/api/admin/health")).await.unwrap();
    assert_eq!(elsewhere.status(), 404, "the metrics listener serves nothing else");
}

on_both_stores!(
    metrics_move_with_a_get_bill_round_trip_a_payment_and_refusals,
    metrics_are_served_only_on_their_own_listener_and_in_openmetrics_to_prometheus,
);
