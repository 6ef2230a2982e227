//! `rahunok check-pos` as an integrator runs it: the binary starts its throwaway server and
//! prints credentials; a POS built here connects with them; the report comes back as JSON.
//!
//! Against the virtual POS every check passes. Against deliberately broken variants — built
//! here from the virtual POS, through the SDK (a wrapping `Handler`, a config without the
//! cookie) or as a hand-written client (raw socket, callbacks tampered with before posting) —
//! the report names the specific failure and the exit code is non-zero. Timings are shortened
//! with the checker's flags; no test asserts a duration.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use rahunok_pos_sdk::protocol::ops::*;
use rahunok_pos_sdk::protocol::signing;
use rahunok_pos_sdk::protocol::Operation;
use rahunok_pos_sdk::{answer_frame, Answer, CallbackSender, Handler, OrdersCachePublisher, PosConfig};
use rahunok_pos_sim::VirtualPos;
use serde_json::Value;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

const RAHUNOK: &str = env!("CARGO_BIN_EXE_rahunok");

/// The checker's flags for a fast run: a 2 s callback deadline, pings every 0.3 s, sockets
/// closed after 2 s of silence, reconnections at least 0.3 s apart, ORDERS_CACHE every 1 s.
const FAST: &[&str] = &[
    "--json",
    "--connect-timeout",
    "30",
    "--callback-timeout",
    "2",
    "--ping-interval",
    "0.3",
    "--silence-timeout",
    "2",
    "--keepalive-window",
    "2.5",
    "--reconnect-wait",
    "15",
    "--min-reconnect-gap",
    "0.3",
    "--cache-interval",
    "1",
    "--cache-window",
    "3",
];

/// What the checker printed for the POS under test.
#[derive(Clone)]
struct Credentials {
    server: String,
    socket: String,
    resto_id: String,
    secret: String,
}

/// A running `rahunok check-pos`.
struct Checker {
    child: Child,
    credentials: Credentials,
    stderr: tokio::task::JoinHandle<String>,
}

/// The end of a run: the exit status, the JSON report, and stderr (for failure messages).
struct Finished {
    success: bool,
    report: Value,
    stderr: String,
}

impl Finished {
    fn check(&self, id: &str) -> &Value {
        let checks = self.report["checks"].as_array().expect("a report with checks");
        checks.iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no check {id}"))
    }

    fn status(&self, id: &str) -> &str {
        self.check(id)["status"].as_str().unwrap()
    }

    /// The run failed, naming `id` as FAIL, with evidence and the quoted rule.
    fn assert_fails_with(&self, id: &str) {
        assert!(!self.success, "the exit code is non-zero when {id} fails; stderr: {}", self.stderr);
        assert_eq!(self.status(id), "FAIL", "{id} is reported by name: {:#}", self.report);
        let check = self.report["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
        assert!(check["rule"].as_str().is_some_and(|r| r.len() > 20), "the rule is quoted: {check}");
        assert!(check["note"].as_str().is_some_and(|n| !n.is_empty()), "{check}");
        assert!(self.stderr.contains(id), "the error line names {id}: {}", self.stderr);
    }
}

/// Starts the checker with [`FAST`] flags, those named in `extra` overridden by it.
async fn start_checker(extra: &[&str]) -> Checker {
    let mut fast = Vec::new();
    let mut flags = FAST.iter().peekable();
    while let Some(flag) = flags.next() {
        let value = flags.next_if(|next| !next.starts_with("--"));
        if !extra.contains(flag) {
            fast.push(*flag);
            fast.extend(value);
        }
    }
    let mut child = Command::new(RAHUNOK)
        .arg("check-pos")
        .args(fast)
        .args(extra)
        .env("RAHUNOK_LOG", "error")
        .env_remove("RAHUNOK_ADMIN_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("rahunok runs");
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = Vec::new();
    let value =
        |seen: &[String], key: &str| seen.iter().find_map(|l| l.strip_prefix(&format!("{key}="))).map(str::to_string);
    while value(&seen, "SECRET_KEY").is_none() {
        let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
        match line {
            Ok(Ok(Some(line))) => seen.push(line),
            _ => panic!("check-pos printed no credentials: {seen:?}"),
        }
    }
    let credentials = Credentials {
        server: value(&seen, "SERVER").unwrap(),
        socket: value(&seen, "SOCKET").unwrap(),
        resto_id: value(&seen, "RESTO_ID").unwrap(),
        secret: value(&seen, "SECRET_KEY").unwrap(),
    };
    let stderr = tokio::spawn(async move {
        let mut rest = seen.join("\n");
        while let Ok(Some(line)) = lines.next_line().await {
            rest.push('\n');
            rest.push_str(&line);
        }
        rest
    });
    Checker { child, credentials, stderr }
}

impl Checker {
    async fn finish(mut self) -> Finished {
        let mut stdout = String::new();
        let mut out = self.child.stdout.take().unwrap();
        let read = async { out.read_to_string(&mut stdout).await };
        let (status, _) =
            tokio::time::timeout(Duration::from_secs(180), async { tokio::join!(self.child.wait(), read) })
                .await
                .expect("check-pos finishes");
        let stderr = self.stderr.await.unwrap();
        let report =
            serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("a JSON report ({e}): {stdout}\n{stderr}"));
        Finished { success: status.unwrap().success(), report, stderr }
    }
}

fn sdk_config(credentials: &Credentials) -> PosConfig {
    let mut config = PosConfig::new(&credentials.server, &credentials.resto_id, &credentials.secret, "RahunokSim");
    config.reconnect_delay = Duration::from_millis(600);
    config.max_reconnect_delay = Duration::from_secs(2);
    config.text_ping_interval = TEXT_PING_EVERY;
    config
}

const TEXT_PING_EVERY: Duration = Duration::from_millis(300);

const CACHE_EVERY: Duration = Duration::from_millis(300);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_the_virtual_pos_every_check_passes() {
    let junit = tempfile::NamedTempFile::new().unwrap();
    let checker = start_checker(&["--junit", junit.path().to_str().unwrap()]).await;
    tokio::spawn(VirtualPos::kyiv_cafe().run(sdk_config(&checker.credentials), Some(CACHE_EVERY)));
    let finished = checker.finish().await;
    let checks = finished.report["checks"].as_array().unwrap();
    let not_passed: Vec<&Value> = checks.iter().filter(|c| c["status"] != "PASS").collect();
    assert!(not_passed.is_empty(), "every check passes: {not_passed:#?}\n{}", finished.stderr);
    assert!(finished.success && finished.report["passed"] == true);
    assert!(checks.len() >= 25, "the whole catalogue ran: {}", checks.len());
    assert!(checks.iter().any(|c| c["id"] == "get_bill.by_table" && c["latencyMs"].is_u64()), "latency reported");
    let xml = std::fs::read_to_string(junit.path()).unwrap();
    assert!(xml.contains("failures=\"0\"") && xml.contains("name=\"callback.signature\""), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_without_the_system_cookie_fails_connect_system_cookie() {
    let checker = start_checker(&[]).await;
    let mut config = sdk_config(&checker.credentials);
    config.pos_name = None;
    tokio::spawn(VirtualPos::kyiv_cafe().run(config, Some(CACHE_EVERY)));
    checker.finish().await.assert_fails_with("connect.system_cookie");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_answering_after_the_deadline_fails_callback_deadline() {
    let checker = start_checker(&[]).await;
    let pos = Altered { bills_after: Some(Duration::from_secs(3)), ..Altered::default() };
    tokio::spawn(pos.run(sdk_config(&checker.credentials)));
    checker.finish().await.assert_fails_with("callback.deadline");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_that_never_closes_a_paid_bill_fails_pay_bill_closes() {
    let checker = start_checker(&[]).await;
    let pos = Altered { keeps_paid_bills: true, ..Altered::default() };
    tokio::spawn(pos.run(sdk_config(&checker.credentials)));
    let finished = checker.finish().await;
    finished.assert_fails_with("pay_bill.closes");
    assert_eq!(finished.status("pay_bill.repeat_refused"), "FAIL", "nor refuses a second payment");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_signing_with_the_wrong_key_fails_callback_signature() {
    let checker = start_checker(&[]).await;
    tokio::spawn(hand_written_pos(checker.credentials.clone(), Tamper::WrongKey));
    let finished = checker.finish().await;
    finished.assert_fails_with("callback.signature");
    assert_eq!(finished.status("callback.signed_bytes"), "PASS", "told apart from re-serialising");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_re_serialising_the_body_after_signing_fails_callback_signed_bytes() {
    let checker = start_checker(&[]).await;
    tokio::spawn(hand_written_pos(checker.credentials.clone(), Tamper::ReserialisedAfterSigning));
    let finished = checker.finish().await;
    finished.assert_fails_with("callback.signed_bytes");
    assert_eq!(finished.status("callback.signature"), "PASS", "the key was right");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_failing_without_a_substate_is_read_as_a_failure_but_fails_the_table_not_found_check() {
    // A FAIL without a substate is usable now (a failure with an unspecified reason), so the
    // body is valid; but "no such table" was not said, which the TABLE_NOT_FOUND check needs.
    let checker = start_checker(&[]).await;
    tokio::spawn(hand_written_pos(checker.credentials.clone(), Tamper::FailWithoutSubstate));
    let finished = checker.finish().await;
    finished.assert_fails_with("get_bill.table_not_found");
    assert_eq!(finished.status("callback.valid_body"), "PASS", "the body was usable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_answering_the_order_operations_without_result_fails_both_by_name() {
    // The shape a public client library sends: `{"rID", "state": "SUCCESS"}` and nothing else.
    // An answer without the part the caller needs is unusable, not a success.
    let checker = start_checker(&[]).await;
    let pos = Altered { drops_order_results: true, ..Altered::default() };
    tokio::spawn(pos.run(sdk_config(&checker.credentials)));
    let finished = checker.finish().await;
    finished.assert_fails_with("op.checkProductsRestrictions");
    finished.assert_fails_with("op.createOrderOnTable");
    let check = finished.check("op.createOrderOnTable");
    assert!(check["note"].as_str().unwrap().contains("result"), "the missing field is named: {check}");
    assert_eq!(finished.status("callback.valid_body"), "FAIL", "the refused bodies are listed: {:#}", finished.report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_answering_table_zero_by_bill_id_passes_get_bill_by_bill_id_with_a_warning() {
    // What a typed client sends for an unset table: no table, not table 0 — and not in silence.
    let checker = start_checker(&[]).await;
    let pos = Altered { table_by_bill_id: Some("0"), ..Altered::default() };
    tokio::spawn(pos.run(sdk_config(&checker.credentials)));
    let finished = checker.finish().await;
    assert_eq!(finished.status("get_bill.by_bill_id"), "PASS", "{:#}", finished.report);
    let warnings = finished.report["warnings"].as_array().expect("warnings are listed");
    let zero = warnings.iter().find(|w| w["kind"] == "ZERO_TABLE_NUMBER");
    let zero = zero.unwrap_or_else(|| panic!("the zero is reported: {warnings:#?}"));
    assert!(zero["field"].as_str().unwrap().ends_with("tableNumber"), "the field is named: {zero}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_putting_a_bill_on_another_table_by_id_fails_get_bill_by_bill_id() {
    let checker = start_checker(&[]).await;
    let pos = Altered { table_by_bill_id: Some("\"99\""), ..Altered::default() };
    tokio::spawn(pos.run(sdk_config(&checker.credentials)));
    let finished = checker.finish().await;
    finished.assert_fails_with("get_bill.by_bill_id");
    let note = finished.check("get_bill.by_bill_id")["note"].as_str().unwrap().to_string();
    assert!(note.contains("table 99"), "the two tables are named: {note}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_pos_sim_with_quirks_the_run_passes_and_lists_each_loose_shape_as_a_warning() {
    let junit = tempfile::NamedTempFile::new().unwrap();
    let checker = start_checker(&["--junit", junit.path().to_str().unwrap()]).await;
    let credentials = checker.credentials.clone();
    let _pos = kill_on_drop(
        Command::new(RAHUNOK)
            .args(["pos-sim", "--quirks", "--server", &credentials.server])
            .args(["--resto", &credentials.resto_id, "--secret", &credentials.secret])
            .args(["--cache-interval", "0.3", "--text-ping-interval", "0.3", "--reconnect-delay", "0.6"])
            .env("RAHUNOK_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let finished = checker.finish().await;
    let blocking: Vec<&Value> = finished.report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "FAIL" || (c["status"] == "SKIP" && c["required"] == true))
        .collect();
    assert!(blocking.is_empty(), "loose shapes are not failures: {blocking:#?}\n{}", finished.stderr);
    assert!(finished.success && finished.report["passed"] == true, "exit 0: {}", finished.stderr);
    let warnings = finished.report["warnings"].as_array().expect("warnings are listed");
    let seen = |check: &str, kind: &str| warnings.iter().any(|w| w["check"] == check && w["kind"] == kind);
    for (check, kind) in [
        ("op.versionInfo", "DOTTED_VERSION_INFO"),
        ("op.versionInfo", "UNREADABLE_INFORMATIONAL"),
        ("op.stopList", "STOP_LIST_ID_QUANTITY"),
        ("get_bill.by_table", "TOP_LEVEL_TABLE_NUMBER"),
        ("get_bill.by_table", "ENUM_CASE"),
    ] {
        assert!(seen(check, kind), "{kind} is reported under {check}: {warnings:#?}");
    }
    assert_eq!(finished.report["summary"]["warnings"].as_u64(), Some(warnings.len() as u64));
    let xml = std::fs::read_to_string(junit.path()).unwrap();
    assert!(xml.contains("failures=\"0\""), "{xml}");
    assert!(xml.contains("<property name=\"warning.stopList.STOP_LIST_ID_QUANTITY\""), "{xml}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_that_never_sends_text_pings_fails_keepalive_text_ping() {
    let checker = start_checker(&[]).await;
    tokio::spawn(hand_written_pos(checker.credentials.clone(), Tamper::NoTextPings));
    let finished = checker.finish().await;
    finished.assert_fails_with("keepalive.text_ping");
    assert_eq!(finished.status("keepalive.pong"), "PASS", "WebSocket pongs kept it alive");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_that_does_not_come_back_after_1001_fails_keepalive_reconnect_after_1001() {
    let checker = start_checker(&["--reconnect-wait", "4"]).await;
    let credentials = checker.credentials.clone();
    tokio::spawn(hand_written_pos(credentials, Tamper::GivesUpAfter1001));
    let finished = checker.finish().await;
    finished.assert_fails_with("keepalive.reconnect_after_1001");
    assert_eq!(finished.status("keepalive.replaced_socket"), "PASS", "it does come back after 4409");
}

/// A child process killed when the test ends.
struct KilledOnDrop(Child);

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        let _ = self.0.start_kill();
    }
}

fn kill_on_drop(command: &mut Command) -> KilledOnDrop {
    KilledOnDrop(command.kill_on_drop(true).spawn().expect("rahunok runs"))
}

/// The virtual POS, altered: bills answered late, paid bills kept open, or the order operations
/// answered without their `result`.
struct Altered {
    pos: VirtualPos,
    bills_after: Option<Duration>,
    keeps_paid_bills: bool,
    drops_order_results: bool,
    /// `tableNumber` in every `getBill` by `billId` answer, as raw JSON (`0`, `"99"`).
    table_by_bill_id: Option<&'static str>,
}

impl Default for Altered {
    fn default() -> Altered {
        Altered {
            pos: VirtualPos::kyiv_cafe(),
            bills_after: None,
            keeps_paid_bills: false,
            drops_order_results: false,
            table_by_bill_id: None,
        }
    }
}

/// What `Altered` writes as the table of a bill found by id, for `reshape_callback` to replace
/// with `table_by_bill_id`'s raw JSON.
const TABLE_BY_BILL_ID: &str = "__table_by_bill_id__";

impl Altered {
    async fn run(self, config: PosConfig) {
        let client = rahunok_pos_sdk::PosClient::new(config);
        let pos = self.pos.clone();
        let publisher = OrdersCachePublisher::new(client.sender());
        tokio::spawn(publisher.run(CACHE_EVERY, move || pos.floor().open_orders().to_vec()));
        client.run(self).await;
    }
}

impl Handler for Altered {
    async fn get_bill(&self, request: GetBill) -> Answer<BillAnswer> {
        if let Some(delay) = self.bills_after {
            tokio::time::sleep(delay).await;
        }
        let by_bill_id = request.bill_id.is_some() && self.table_by_bill_id.is_some();
        let mut answer = self.pos.get_bill(request).await?;
        if by_bill_id {
            answer.table_number = Some(TABLE_BY_BILL_ID.into());
            answer.orders.iter_mut().for_each(|o| o.table_number = Some(TABLE_BY_BILL_ID.into()));
        }
        Ok(answer)
    }
    async fn pay_bill(&self, request: PayBill) -> Answer<PayBillAnswer> {
        if !self.keeps_paid_bills {
            return self.pos.pay_bill(request).await;
        }
        let order = self.pos.floor().open_order(&request.bill_id).cloned();
        Ok(PayBillAnswer {
            bill_id: Some(request.bill_id),
            order_number: order.and_then(|o| o.order_number),
            ..Default::default()
        })
    }
    async fn split_order(&self, request: SplitOrder) -> Answer<SplitAnswer> {
        self.pos.split_order(request).await
    }
    async fn tables_info(&self, request: TablesInfo) -> Answer<TablesInfoAnswer> {
        self.pos.tables_info(request).await
    }
    async fn hallplans_info(&self, request: HallplansInfo) -> Answer<HallplansInfoAnswer> {
        self.pos.hallplans_info(request).await
    }
    async fn users_info(&self, request: UsersInfo) -> Answer<UsersInfoAnswer> {
        self.pos.users_info(request).await
    }
    async fn categories_info(&self, request: CategoriesInfo) -> Answer<CategoriesInfoAnswer> {
        self.pos.categories_info(request).await
    }
    async fn menu_info(&self, request: MenuInfo) -> Answer<MenuInfoAnswer> {
        self.pos.menu_info(request).await
    }
    async fn stop_list(&self, request: StopList) -> Answer<StopListAnswer> {
        self.pos.stop_list(request).await
    }
    async fn check_work(&self, request: CheckWork) -> Answer<CheckWorkAnswer> {
        self.pos.check_work(request).await
    }
    async fn version_info(&self, request: VersionInfo) -> Answer<VersionInfoAnswer> {
        self.pos.version_info(request).await
    }
    async fn check_products_restrictions(&self, request: CheckProductsRestrictions) -> Answer<RestrictionsAnswer> {
        self.pos.check_products_restrictions(request).await
    }
    async fn create_order_on_table(&self, request: CreateOrderOnTable) -> Answer<CreateOrderAnswer> {
        self.pos.create_order_on_table(request).await
    }
    fn reshape_callback(&self, operation: Operation, body: Vec<u8>) -> Vec<u8> {
        if let Some(raw) = self.table_by_bill_id {
            let text = String::from_utf8(body).unwrap();
            return text.replace(&format!("\"{TABLE_BY_BILL_ID}\""), raw).into_bytes();
        }
        let order_operation = matches!(operation, Operation::CheckProductsRestrictions | Operation::CreateOrderOnTable);
        if !(self.drops_order_results && order_operation) {
            return body;
        }
        let mut json: Value = serde_json::from_slice(&body).unwrap();
        json.as_object_mut().unwrap().remove("result");
        serde_json::to_vec(&json).unwrap()
    }
}

/// How the hand-written POS spoils its callbacks.
#[derive(Clone, Copy)]
enum Tamper {
    /// Signs with a key that is not the restaurant's SECRET_KEY.
    WrongKey,
    /// Signs the compact body, then sends it pretty-printed.
    ReserialisedAfterSigning,
    /// Drops `substate` from every FAIL answer.
    FailWithoutSubstate,
    /// Answers correctly, but sends no `Resto <id> ping` text frames.
    NoTextPings,
    /// Answers correctly, but stops reconnecting once the server closed its socket with 1001.
    GivesUpAfter1001,
}

/// A POS written by hand, as in any language: a raw socket with Basic auth and the cookie,
/// `Resto <id> ping` every 0.3 s, answers computed by the virtual POS, callbacks posted with
/// reqwest after `tamper`. It reconnects (once per 0.6 s at most) when its socket is closed, and
/// its ORDERS_CACHE pushes are correct (they go through the SDK).
async fn hand_written_pos(credentials: Credentials, tamper: Tamper) {
    let pos = VirtualPos::kyiv_cafe();
    let sender = CallbackSender::new(&credentials.server, &credentials.resto_id, &credentials.secret);
    let cached = pos.clone();
    tokio::spawn(OrdersCachePublisher::new(sender).run(CACHE_EVERY, move || cached.floor().open_orders().to_vec()));
    let http = reqwest::Client::new();
    loop {
        let attempt = tokio::time::Instant::now();
        let mut request = credentials.socket.as_str().into_client_request().unwrap();
        let basic = STANDARD.encode(format!("{}:{}", credentials.resto_id, credentials.secret));
        request.headers_mut().insert("Authorization", HeaderValue::from_str(&format!("Basic {basic}")).unwrap());
        request.headers_mut().insert("Cookie", HeaderValue::from_static("system=HandWrittenPOS"));
        if let Ok((socket, _)) = tokio_tungstenite::connect_async(request).await {
            let (mut sink, mut stream) = socket.split();
            let ping = format!("Resto {} ping", credentials.resto_id);
            let pings = !matches!(tamper, Tamper::NoTextPings);
            let pinger = tokio::spawn(async move {
                while pings && sink.send(Message::Text(ping.clone().into())).await.is_ok() {
                    tokio::time::sleep(TEXT_PING_EVERY).await;
                }
            });
            let mut closed_with = None;
            while let Some(Ok(message)) = stream.next().await {
                match message {
                    Message::Text(frame) => {
                        let (pos, http, credentials) = (pos.clone(), http.clone(), credentials.clone());
                        tokio::spawn(async move {
                            answer_tampered(&pos, &http, &credentials, frame.as_bytes(), tamper).await
                        });
                    }
                    Message::Close(frame) => closed_with = frame.map(|f| u16::from(f.code)),
                    _ => {}
                }
            }
            pinger.abort();
            if matches!(tamper, Tamper::GivesUpAfter1001) && closed_with == Some(1001) {
                return;
            }
        }
        tokio::time::sleep_until(attempt + Duration::from_millis(600)).await;
    }
}

async fn answer_tampered(
    pos: &VirtualPos,
    http: &reqwest::Client,
    credentials: &Credentials,
    frame: &[u8],
    tamper: Tamper,
) {
    let Some(callback) = answer_frame(pos, frame).await else { return };
    let mut value: Value = serde_json::from_slice(&callback.body).unwrap();
    let compact = serde_json::to_vec(&value).unwrap();
    let (signed, sent, key) = match tamper {
        Tamper::WrongKey => (compact.clone(), compact, "not-the-secret-key".to_string()),
        Tamper::ReserialisedAfterSigning => {
            (compact, serde_json::to_vec_pretty(&value).unwrap(), credentials.secret.clone())
        }
        Tamper::GivesUpAfter1001 | Tamper::NoTextPings => (compact.clone(), compact, credentials.secret.clone()),
        Tamper::FailWithoutSubstate => {
            if value["state"] == "FAIL" {
                value.as_object_mut().unwrap().remove("substate");
            }
            let body = serde_json::to_vec(&value).unwrap();
            (body.clone(), body, credentials.secret.clone())
        }
    };
    let _ = http
        .post(format!("{}/callback/{}", credentials.server, callback.operation.name()))
        .header("Content-Type", "application/json")
        .header("restoId", &credentials.resto_id)
        .header("signature", signing::sign(key.as_bytes(), &signed))
        .body(sent)
        .send()
        .await;
}

/// A running `rahunok serve` for the `--server` mode.
struct ServeProcess(std::process::Child);

impl Drop for ServeProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn against_a_running_server_the_virtual_pos_passes_too() {
    let data = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let base = format!("http://127.0.0.1:{port}");
    let server = std::process::Command::new(RAHUNOK)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--callback-timeout", "2"])
        .args(["--ping-interval", "0.3", "--silence-timeout", "2"])
        .arg("--data")
        .arg(data.path())
        .env("RAHUNOK_ADMIN_TOKEN", "remote-token")
        .env("RAHUNOK_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let _server = ServeProcess(server);
    for _ in 0..200 {
        if reqwest::get(format!("{base}/healthz")).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let checker = start_checker(&["--server", &base, "--admin-token", "remote-token"]).await;
    assert_eq!(checker.credentials.server, base, "the credentials are for the running server");
    tokio::spawn(VirtualPos::kyiv_cafe().run(sdk_config(&checker.credentials), Some(CACHE_EVERY)));
    let finished = checker.finish().await;
    let not_passed: Vec<&Value> =
        finished.report["checks"].as_array().unwrap().iter().filter(|c| c["status"] == "FAIL").collect();
    assert!(not_passed.is_empty(), "no check fails: {not_passed:#?}\n{}", finished.stderr);
    assert!(finished.success);
}
