//! Limits failed POS authentications per source address and per `RESTO_ID` **[ours]**: after
//! too many failures within a window, further attempts get 429 until the window passes.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failure counters (see the module docs).
pub struct AuthLimiter {
    max_failures: u32,
    window: Duration,
    failures: Mutex<HashMap<String, (Instant, u32)>>,
}

impl AuthLimiter {
    /// Allows `max_failures` per `window` for each address and each restaurant id.
    pub fn new(max_failures: u32, window: Duration) -> AuthLimiter {
        AuthLimiter { max_failures, window, failures: Mutex::new(HashMap::new()) }
    }

    /// True when this address or restaurant has failed too often lately.
    pub fn is_blocked(&self, address: IpAddr, resto_id: Option<&str>) -> bool {
        let now = Instant::now();
        let failures = self.lock();
        keys(address, resto_id).iter().any(|key| {
            failures
                .get(key)
                .is_some_and(|(since, count)| now.duration_since(*since) < self.window && *count >= self.max_failures)
        })
    }

    /// Counts a failed attempt.
    pub fn record_failure(&self, address: IpAddr, resto_id: Option<&str>) {
        let now = Instant::now();
        let mut failures = self.lock();
        if failures.len() > 100_000 {
            failures.retain(|_, (since, _)| now.duration_since(*since) < self.window);
        }
        for key in keys(address, resto_id) {
            let entry = failures.entry(key).or_insert((now, 0));
            if now.duration_since(entry.0) >= self.window {
                *entry = (now, 0);
            }
            entry.1 += 1;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, u32)>> {
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn keys(address: IpAddr, resto_id: Option<&str>) -> Vec<String> {
    let mut keys = vec![format!("ip:{address}")];
    if let Some(id) = resto_id {
        keys.push(format!("resto:{id}"));
    }
    keys
}
