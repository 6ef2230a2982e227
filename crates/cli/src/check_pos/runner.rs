//! The scripted suite, in order: wait for the POS, the connection checks, the information
//! operations, the bill flow, the order operations, `ORDERS_CACHE`, keep-alive and text pings,
//! replacing the socket, closing it with `1001`, and last the callback audit (which reads what
//! the server refused during all that) and the conformance warnings (what it accepted loosely).
//!
//! Why this order: each phase uses what the earlier ones learnt (tables, menu, declared
//! features), the keep-alive window overlaps the request phases instead of adding to them, and
//! replacing the socket comes last because it disturbs the link.

use super::callback_audit::CallbackAudit;
use super::checks::CheckResult;
use super::checks::{self, Check};
use super::keepalive::{CheckerRids, LinkWatch};
use super::operations::Probe;
use super::orders_cache::CacheWatch;
use super::target::{AdminApi, Connection, Credentials};
use rahunok_protocol::ops::feature;
use rahunok_server::store::StoredWarning;
use std::time::{Duration, Instant};

/// How long the request log writer may take to store the last entries.
const LOG_SETTLE: Duration = Duration::from_millis(500);

/// The suite's timings and choices.
pub struct Settings {
    /// How long to wait for the POS to connect.
    pub connect_timeout: Duration,
    /// The server's callback deadline.
    pub deadline: Duration,
    /// How long the first socket must stay open.
    pub keepalive_window: Duration,
    /// How long the POS may take to come back after its socket is replaced.
    pub reconnect_wait: Duration,
    /// The least time between two reconnections.
    pub min_reconnect_gap: Duration,
    /// The expected `ORDERS_CACHE` cadence.
    pub cache_interval: Duration,
    /// How long to watch `ORDERS_CACHE` pushes.
    pub cache_window: Duration,
    /// The table with an open bill, when the integrator names one.
    pub table: Option<String>,
}

/// The results of a run, every check of the catalogue included.
pub struct Outcome {
    /// In report order.
    pub checks: Vec<CheckResult>,
    /// The POS's `system` name, once it connected.
    pub pos_name: Option<String>,
    /// The loose forms the server accepted from the POS during the run.
    pub warnings: Vec<StoredWarning>,
}

/// Runs the suite against the POS of `credentials`.
pub async fn run_suite(api: &AdminApi, credentials: &Credentials, socket_url: &str, settings: &Settings) -> Outcome {
    let checker_rids = CheckerRids::default();
    let link = LinkWatch {
        api,
        credentials,
        socket_url: socket_url.to_string(),
        reconnect_wait: settings.reconnect_wait,
        min_reconnect_gap: settings.min_reconnect_gap,
        checker_rids: checker_rids.clone(),
    };
    let Some(first) = link.wait_for_pos(0, settings.connect_timeout).await else {
        let never = checks::BASIC_AUTH
            .fail(format!("no authenticated socket within {} s", settings.connect_timeout.as_secs()))
            .evidence(
                "the RESTO_ID and SECRET_KEY printed above",
                "no socket (wrong credentials get 401 BAD_CREDENTIALS)",
            );
        return Outcome { checks: completed(vec![never]), pos_name: None, warnings: Vec::new() };
    };
    eprintln!("The POS connected as {:?}; running the suite.", first.pos_name);
    let connected_at = Instant::now();
    let mut results = vec![checks::BASIC_AUTH.pass("the socket was accepted with these credentials"), cookie(&first)];
    let probe = Probe { api, resto_id: &credentials.resto_id, wait: settings.deadline + Duration::from_secs(15) };
    let (information, learnt) = probe.information().await;
    results.extend(information);
    let flow = probe.bill_flow(&learnt.tables, settings.table.as_deref()).await;
    results.extend(flow.results);
    results.extend(probe.ordering(&learnt).await);
    let cache = CacheWatch {
        api,
        resto_id: &credentials.resto_id,
        interval: settings.cache_interval,
        window: settings.cache_window,
    };
    results.extend(cache.run(learnt.version.has_feature(feature::ORDERS_CACHE), flow.paid_bill.as_deref()).await);
    results.push(link.first_socket_survives(&first, connected_at, settings.keepalive_window).await);
    results.push(link.text_pings(connected_at.elapsed()).await);
    let current = api.connection(&credentials.resto_id).await.unwrap_or_else(|_| first.clone());
    let (replaced, pacing, back) = link.replace_twice(&current).await;
    results.extend([replaced, pacing]);
    results.push(match back {
        Some(back) => link.going_away(&back).await,
        None => checks::GOING_AWAY.skip("needs the POS to come back after its socket was replaced"),
    });
    results.extend(audit(api, credentials, &checker_rids).await);
    let warnings = api.warnings(&credentials.resto_id).await.unwrap_or_else(|error| {
        eprintln!("The server did not list conformance warnings ({error:#}); none are reported.");
        Vec::new()
    });
    Outcome { checks: completed(results), pos_name: Some(first.pos_name), warnings }
}

fn cookie(connection: &Connection) -> CheckResult {
    if connection.pos_name_missing {
        checks::SYSTEM_COOKIE
            .fail("the socket carried no `Cookie: system=<POS name>`")
            .evidence("(the POS opened the socket)", "a socket upgrade without the `system` cookie")
    } else {
        checks::SYSTEM_COOKIE.pass(format!("system={}", connection.pos_name))
    }
}

async fn audit(api: &AdminApi, credentials: &Credentials, checker_rids: &CheckerRids) -> Vec<CheckResult> {
    tokio::time::sleep(LOG_SETTLE).await;
    let resto_id = &credentials.resto_id;
    let (refusals, log) = match (api.refusals(resto_id).await, api.request_log(resto_id).await) {
        (Ok(refusals), Ok(log)) => (refusals, log),
        (Err(error), _) | (_, Err(error)) => {
            let why = format!("the server does not show refused callbacks or its request log: {error:#}");
            return [checks::SIGNATURE, checks::SIGNED_BYTES, checks::VALID_BODY, checks::RID, checks::DEADLINE]
                .map(|check| check.skip(why.clone()))
                .into();
        }
    };
    let checker_rids = checker_rids.lock().unwrap_or_else(|p| p.into_inner()).clone();
    CallbackAudit { refusals: &refusals, log: &log, secret: &credentials.secret_key, checker_rids: &checker_rids }
        .results()
}

/// Every check of the catalogue in report order; those the run did not reach are skipped.
fn completed(mut results: Vec<CheckResult>) -> Vec<CheckResult> {
    let position = |id: &str| checks::ALL.iter().position(|c: &Check| c.id == id).unwrap_or(usize::MAX);
    for check in checks::ALL {
        if !results.iter().any(|r| r.id == check.id) {
            results.push(check.skip("not reached: the POS did not connect"));
        }
    }
    results.sort_by_key(|r| position(r.id));
    results
}
