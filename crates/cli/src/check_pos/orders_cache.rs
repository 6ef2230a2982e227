//! The `ORDERS_CACHE` checks: pushes arrive at the declared cadence, and a paid bill leaves the
//! cache. Required when the POS declares `ORDERS_CACHE`; run (but optional) when it pushes
//! without declaring it; skipped otherwise.
//!
//! Why this exists: the cadence is seen only over time — the checker watches when the server
//! last received a push (`pushedAt`, server clock) for a window of a few intervals.

use super::checks;
use super::checks::CheckResult;
use super::target::AdminApi;
use std::time::{Duration, Instant};

/// How often `pushedAt` is read while watching.
const POLL: Duration = Duration::from_millis(100);

/// What to expect and for how long to watch.
pub struct CacheWatch<'a> {
    /// The admin API.
    pub api: &'a AdminApi,
    /// The test restaurant.
    pub resto_id: &'a str,
    /// The expected cadence (spec: 5 s).
    pub interval: Duration,
    /// How long to watch.
    pub window: Duration,
}

impl CacheWatch<'_> {
    /// Watches the pushes; then checks that `paid_bill` is gone from the cache.
    pub async fn run(&self, declared: bool, paid_bill: Option<&str>) -> Vec<CheckResult> {
        let pushes = self.watch().await;
        if !declared && pushes.is_empty() {
            let why = "the POS does not declare ORDERS_CACHE and pushed none";
            return vec![checks::CACHE_CADENCE.skip(why).optional(), checks::CACHE_DROPS_PAID.skip(why).optional()];
        }
        let mark = |result: CheckResult| if declared { result } else { result.optional() };
        vec![mark(self.cadence(&pushes)), mark(self.drops_paid(paid_bill).await)]
    }

    /// The distinct `pushedAt` values seen during the window (server ms).
    async fn watch(&self) -> Vec<i64> {
        let started = Instant::now();
        let mut pushes: Vec<i64> = Vec::new();
        while started.elapsed() < self.window {
            if let Ok(Some(at)) = self.api.orders_cache(self.resto_id).await.map(|v| v.pushed_at) {
                if pushes.last() != Some(&at) {
                    pushes.push(at);
                }
            }
            tokio::time::sleep(POLL).await;
        }
        pushes
    }

    fn cadence(&self, pushes: &[i64]) -> CheckResult {
        let check = checks::CACHE_CADENCE;
        let expected = self.interval.as_secs_f64();
        let gaps: Vec<f64> = pushes.windows(2).map(|w| (w[1] - w[0]) as f64 / 1000.0).collect();
        let watched = format!("watched for {:.1} s", self.window.as_secs_f64());
        if gaps.is_empty() {
            return check
                .fail(format!("{watched}: {} push(es), expected one every {expected:.1} s", pushes.len()))
                .evidence("nothing (the POS pushes on its own)", format!("pushes at {pushes:?} (server ms)"));
        }
        let mean = gaps.iter().sum::<f64>() / gaps.len() as f64;
        let longest = gaps.iter().cloned().fold(0.0, f64::max);
        let note = format!(
            "{watched}: {} pushes, every {mean:.2} s on average, longest gap {longest:.2} s (expected every {expected:.1} s)",
            pushes.len()
        );
        if mean <= expected * 1.5 && longest <= expected * 3.0 {
            check.pass(note)
        } else {
            check
                .fail(note)
                .evidence("nothing (the POS pushes on its own)", format!("pushes at {pushes:?} (server ms)"))
        }
    }

    async fn drops_paid(&self, paid_bill: Option<&str>) -> CheckResult {
        let check = checks::CACHE_DROPS_PAID;
        let Some(bill_id) = paid_bill else { return check.skip("needs a bill paid by pay_bill.closes") };
        match self.api.orders_cache(self.resto_id).await {
            Ok(view) if view.orders.iter().any(|o| o.bill_id == bill_id) => check
                .fail(format!("bill {bill_id} was paid, yet the pushes still list it as open"))
                .evidence(format!("payBill for {bill_id}"), format!("actualOrders still has {bill_id}")),
            Ok(_) => check.pass(format!("bill {bill_id} left the cache after it was paid")),
            Err(error) => check.fail(format!("could not read the cache: {error:#}")),
        }
    }
}
