//! Prometheus metrics for the people who run the server: live POS sockets, operations by name
//! and outcome with their latency, refused callbacks by reason, conformance warnings, payments
//! by state, the closer's backlog, acquirer errors, charges held for an operator (amount
//! mismatches, late charges), and messages the bus between nodes refused.
//!
//! Why this exists: the request log and the admin API answer "what happened to this
//! restaurant"; an operator also needs "is the platform healthy right now", as numbers a
//! Prometheus server scrapes and alerts on. They are served at `/metrics` on a listener of their
//! own (`--metrics-listen`, off by default; the route is wired in `crate::routes`), never on the public one.
//!
//! Labels are bounded sets (operation names, outcomes, error codes, warning kinds, payment
//! states, acquirer names): no restaurant id and nothing secret, so the number of series does
//! not grow with the number of restaurants. Per-restaurant detail stays in the request log.
//!
//! Counters are counted where the event is recorded ([`Metrics::request_finished`] and the
//! others, called from the gateway's journal and the acquirer calls); gauges that are the
//! store's truth (payments by state, the closer's backlog) are read from the store at each
//! scrape, so every node of a cluster reports the same figures for them.

use crate::store::{PaymentStatus, RequestOutcome, Store, StoreError};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// The OpenMetrics exposition's content type (what Prometheus asks for first).
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The classic Prometheus text format's content type (for every other client, `promtool`,
/// `curl`).
pub const PROMETHEUS_TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabels {
    operation: String,
    outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationOnly {
    operation: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RefusalLabels {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct WarningLabels {
    operation: String,
    kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TableLabels {
    table: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AcquirerLabels {
    acquirer: String,
    call: String,
    error: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AcquirerOnly {
    acquirer: String,
}

type LatencyFamily = Family<OperationOnly, Histogram, fn() -> Histogram>;

/// Every metric of one server (see the module docs); shared by the areas that count.
pub struct Metrics {
    registry: Registry,
    operations: Family<OperationLabels, Counter>,
    latency: LatencyFamily,
    refusals: Family<RefusalLabels, Counter>,
    warnings: Family<WarningLabels, Counter>,
    acquirer_errors: Family<AcquirerLabels, Counter>,
    amount_mismatches: Family<AcquirerOnly, Counter>,
    late_charges: Family<AcquirerOnly, Counter>,
    journal_dropped: Counter,
    bus_refused: Family<RefusalLabels, Counter>,
    pruned: Family<TableLabels, Counter>,
    pos_sockets: Gauge,
    pending_requests: Gauge,
    payments: Family<StateLabels, Gauge>,
    closer_backlog: Gauge,
}

/// Round-trip buckets in seconds: 5 ms to the protocol's 80 s deadline and past it.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.005, 2.5, 12))
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

impl Metrics {
    /// A fresh set of metrics, all at zero.
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("rahunok");
        let operations = Family::<OperationLabels, Counter>::default();
        let latency = LatencyFamily::new_with_constructor(latency_histogram);
        let refusals = Family::<RefusalLabels, Counter>::default();
        let warnings = Family::<WarningLabels, Counter>::default();
        let acquirer_errors = Family::<AcquirerLabels, Counter>::default();
        let amount_mismatches = Family::<AcquirerOnly, Counter>::default();
        let late_charges = Family::<AcquirerOnly, Counter>::default();
        let journal_dropped = Counter::default();
        let bus_refused = Family::<RefusalLabels, Counter>::default();
        // Each reason shown from the start (at 0), so an alert on it has a series to watch.
        for reason in ["malformed", "stale", "bad_mac", "replayed"] {
            let _ = bus_refused.get_or_create(&RefusalLabels { reason: reason.to_string() });
        }
        let pruned = Family::<TableLabels, Counter>::default();
        let pos_sockets = Gauge::default();
        let pending_requests = Gauge::default();
        let payments = Family::<StateLabels, Gauge>::default();
        let closer_backlog = Gauge::default();
        registry.register(
            "pos_operations",
            "Requests sent to POS systems from this node, by operation and how they ended",
            operations.clone(),
        );
        registry.register(
            "pos_operation_duration_seconds",
            "Round trip from sending a request to its callback, for requests the POS answered",
            latency.clone(),
        );
        registry.register("callback_refusals", "Callbacks and webhooks refused, by errCode", refusals.clone());
        registry.register(
            "conformance_warnings",
            "Loose forms accepted in POS answers, by operation and kind",
            warnings.clone(),
        );
        registry.register("acquirer_errors", "Failed calls to card acquirers", acquirer_errors.clone());
        registry.register(
            "acquirer_amount_mismatches",
            "Successes whose amount or currency was not what we asked: held for an operator, not paid",
            amount_mismatches.clone(),
        );
        registry.register(
            "acquirer_late_charges",
            "Charges an acquirer took for a payment we had ended while another payment held the bill",
            late_charges.clone(),
        );
        registry.register(
            "journal_dropped",
            "Request-log entries, refusals and warnings dropped because the writer fell behind",
            journal_dropped.clone(),
        );
        registry.register(
            "bus_messages_refused",
            "Messages from the bus between nodes dropped unread, by reason (malformed, stale, bad_mac, replayed)",
            bus_refused.clone(),
        );
        registry.register("journal_pruned", "Journal rows deleted by the retention bounds, by table", pruned.clone());
        registry.register("pos_sockets", "POS sockets open to this node", pos_sockets.clone());
        registry.register(
            "pending_requests",
            "Requests on this node waiting for their callback",
            pending_requests.clone(),
        );
        registry.register("payments", "Payments in the store, by state", payments.clone());
        registry.register(
            "closer_backlog",
            format!(
                "Charged payments whose bill the POS has not closed yet ({})",
                PaymentStatus::awaiting_close().iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            ),
            closer_backlog.clone(),
        );
        Metrics {
            registry,
            operations,
            latency,
            refusals,
            warnings,
            acquirer_errors,
            amount_mismatches,
            late_charges,
            journal_dropped,
            bus_refused,
            pruned,
            pos_sockets,
            pending_requests,
            payments,
            closer_backlog,
        }
    }

    /// Counts a finished request (and its round trip, when the POS answered).
    pub fn request_finished(&self, operation: &str, outcome: RequestOutcome, latency_ms: Option<i64>) {
        let labels = OperationLabels { operation: operation.to_string(), outcome: outcome.as_str().to_string() };
        self.operations.get_or_create(&labels).inc();
        let answered = matches!(outcome, RequestOutcome::Answered | RequestOutcome::PosFail | RequestOutcome::Invalid);
        if let (true, Some(ms)) = (answered, latency_ms) {
            let seconds = ms.max(0) as f64 / 1000.0;
            self.latency.get_or_create(&OperationOnly { operation: operation.to_string() }).observe(seconds);
        }
    }

    /// Counts a refused callback or webhook by its `errCode`.
    pub fn callback_refused(&self, err_code: &str) {
        self.refusals.get_or_create(&RefusalLabels { reason: err_code.to_string() }).inc();
    }

    /// Counts a conformance warning.
    pub fn conformance_warning(&self, operation: &str, kind: &str) {
        let labels = WarningLabels { operation: operation.to_string(), kind: kind.to_string() };
        self.warnings.get_or_create(&labels).inc();
    }

    /// Counts a failed call to an acquirer (`call`: create, status, cancel, refund, notification).
    pub fn acquirer_error(&self, acquirer: &str, call: &str, error: &str) {
        let labels =
            AcquirerLabels { acquirer: acquirer.to_string(), call: call.to_string(), error: error.to_string() };
        self.acquirer_errors.get_or_create(&labels).inc();
    }

    /// Counts a success an acquirer reported for another amount or currency than we asked.
    pub fn acquirer_amount_mismatch(&self, acquirer: &str) {
        self.amount_mismatches.get_or_create(&AcquirerOnly { acquirer: acquirer.to_string() }).inc();
    }

    /// Counts a charge taken for a payment we had ended, held for an operator.
    pub fn acquirer_late_charge(&self, acquirer: &str) {
        self.late_charges.get_or_create(&AcquirerOnly { acquirer: acquirer.to_string() }).inc();
    }

    /// Counts a journal entry dropped because the writer fell behind.
    pub fn journal_entry_dropped(&self) {
        self.journal_dropped.inc();
    }

    /// Counts a message from the bus dropped because its seal did not hold (`reason`: malformed,
    /// stale, bad_mac, replayed; see `crate::gateway`'s bus).
    pub fn bus_message_refused(&self, reason: &'static str) {
        self.bus_refused.get_or_create(&RefusalLabels { reason: reason.to_string() }).inc();
    }

    /// Counts rows the retention bounds deleted from `table`.
    pub fn pruned(&self, table: &str, rows: u64) {
        if rows > 0 {
            self.pruned.get_or_create(&TableLabels { table: table.to_string() }).inc_by(rows);
        }
    }

    /// The OpenMetrics exposition, with the gauges set first: the POS sockets this node holds
    /// and the requests waiting for their answers (as the caller counted them), the payments
    /// by state as `store` has them.
    pub async fn scrape(&self, sockets: usize, waiting: usize, store: &Store) -> Result<String, StoreError> {
        self.pos_sockets.set(sockets as i64);
        self.pending_requests.set(waiting as i64);
        let counts = store.payment_counts().await?;
        let count_of = |status: PaymentStatus| counts.iter().find(|(s, _)| *s == status).map_or(0, |(_, n)| *n);
        for status in PaymentStatus::ALL {
            self.payments.get_or_create(&StateLabels { state: status.as_str().to_string() }).set(count_of(*status));
        }
        let backlog: i64 = PaymentStatus::awaiting_close().into_iter().map(count_of).sum();
        self.closer_backlog.set(backlog);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String never fails");
        Ok(text)
    }
}

/// The classic Prometheus text format of an OpenMetrics exposition written by this module: a
/// counter family `x` is typed and described under its sample name `x_total` (the classic
/// format names a family by its samples), and the `# EOF` marker goes. Everything else (gauges,
/// histograms, labels, escaping) is the same in both formats.
pub fn prometheus_text(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    let mut help: Option<&str> = None;
    for line in openmetrics.lines() {
        if line == "# EOF" {
            continue;
        }
        if line.starts_with("# HELP ") {
            help = Some(line);
            continue;
        }
        if let Some(family) = line.strip_prefix("# TYPE ").and_then(|t| t.strip_suffix(" counter")) {
            if let Some(help) = help.take() {
                out.push_str(&help.replacen(family, &format!("{family}_total"), 1));
                out.push('\n');
            }
            out.push_str(&format!("# TYPE {family}_total counter\n"));
            continue;
        }
        if let Some(help) = help.take() {
            out.push_str(help);
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::prometheus_text;

    #[test]
    fn counters_are_named_by_their_samples_in_the_classic_text_format() {
        let openmetrics = "# HELP rahunok_x Things.\n# TYPE rahunok_x counter\nrahunok_x_total{a=\"b\"} 3\n\
                           # HELP rahunok_g Now.\n# TYPE rahunok_g gauge\nrahunok_g 1\n# EOF\n";
        assert_eq!(
            prometheus_text(openmetrics),
            "# HELP rahunok_x_total Things.\n# TYPE rahunok_x_total counter\nrahunok_x_total{a=\"b\"} 3\n\
             # HELP rahunok_g Now.\n# TYPE rahunok_g gauge\nrahunok_g 1\n"
        );
    }
}
