//! The outcome of a run and its three renderings: a table for people, JSON for scripts, and
//! JUnit XML for CI systems.
//!
//! Why this exists: every failure must say what was sent, what came back and which rule of the
//! spec it breaks, the same way in every format; and "passed" has one definition (every
//! required check PASS) whatever reads the report.

use super::checks::Check;
use serde::Serialize;
use std::fmt::Write;
use std::time::Duration;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// Holds.
    Pass,
    /// Does not hold.
    Fail,
    /// Could not be run (a precondition is missing, or the feature is not declared).
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Skip => "SKIP",
        }
    }
}

/// One check's outcome, with the evidence.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckResult {
    /// Stable id.
    pub id: &'static str,
    /// What passing means.
    pub title: &'static str,
    /// PASS, FAIL or SKIP.
    pub status: Status,
    /// Whether the run passes only if this check passes.
    pub required: bool,
    /// Round trip of the request behind this check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// One line about the outcome.
    pub note: String,
    /// What the checker (or server) sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent: Option<String>,
    /// What came back.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub received: Option<String>,
    /// The spec section.
    pub section: &'static str,
    /// The rule, quoted from the spec.
    pub rule: &'static str,
}

impl CheckResult {
    /// A required result of `check`.
    pub fn new(check: Check, status: Status, note: String) -> CheckResult {
        CheckResult {
            id: check.id,
            title: check.title,
            status,
            required: true,
            latency_ms: None,
            note,
            sent: None,
            received: None,
            section: check.section,
            rule: check.rule,
        }
    }

    /// Marks the check as optional (it cannot fail the run by being skipped).
    pub fn optional(mut self) -> CheckResult {
        self.required = false;
        self
    }

    /// Records the round trip.
    pub fn latency(mut self, latency: Duration) -> CheckResult {
        self.latency_ms = Some(latency.as_millis() as u64);
        self
    }

    /// Records what was sent and what came back.
    pub fn evidence(mut self, sent: impl Into<String>, received: impl Into<String>) -> CheckResult {
        self.sent = Some(sent.into());
        self.received = Some(received.into());
        self
    }

    /// True when this result keeps the run from passing.
    pub fn blocks(&self) -> bool {
        match self.status {
            Status::Pass => false,
            Status::Fail => true,
            Status::Skip => self.required,
        }
    }
}

/// A whole run.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The server the POS was checked against.
    pub server: String,
    /// The test restaurant.
    pub resto_id: String,
    /// The POS name from its `system` cookie, when it connected.
    pub pos_name: Option<String>,
    /// True when every required check passed.
    pub passed: bool,
    /// Counts.
    pub summary: Summary,
    /// Every check, in report order.
    pub checks: Vec<CheckResult>,
    /// How long the run took.
    pub duration_ms: u64,
}

/// How many checks ended each way.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Summary {
    /// PASS.
    pub passed: usize,
    /// FAIL.
    pub failed: usize,
    /// SKIP.
    pub skipped: usize,
}

impl Report {
    /// A report of `checks`.
    pub fn new(
        server: String,
        resto_id: String,
        pos_name: Option<String>,
        checks: Vec<CheckResult>,
        took: Duration,
    ) -> Report {
        let mut summary = Summary::default();
        for check in &checks {
            match check.status {
                Status::Pass => summary.passed += 1,
                Status::Fail => summary.failed += 1,
                Status::Skip => summary.skipped += 1,
            }
        }
        let passed = !checks.iter().any(CheckResult::blocks);
        Report { server, resto_id, pos_name, passed, summary, checks, duration_ms: took.as_millis() as u64 }
    }

    /// The checks that keep the run from passing.
    pub fn blocking(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| c.blocks())
    }

    /// The table and the failure details, for a terminal.
    pub fn human(&self) -> String {
        let mut out = String::new();
        let pos = self.pos_name.as_deref().unwrap_or("(not connected)");
        let _ = writeln!(out, "\nRahunok POS conformance: {pos} on {} (RESTO_ID {})\n", self.server, self.resto_id);
        let width = self.checks.iter().map(|c| c.id.len()).max().unwrap_or(10);
        let _ = writeln!(out, "  {:<6} {:<width$}  {:>8}  NOTE", "STATUS", "CHECK", "LATENCY");
        for check in &self.checks {
            let latency = check.latency_ms.map(|ms| format!("{ms} ms")).unwrap_or_default();
            let optional = if check.required { "" } else { " (optional)" };
            let _ = writeln!(
                out,
                "  {:<6} {:<width$}  {:>8}  {}{optional}",
                check.status.label(),
                check.id,
                latency,
                check.note
            );
        }
        for check in self.blocking() {
            let _ = writeln!(out, "\n{} {} — {}", check.status.label(), check.id, check.title);
            let _ = writeln!(out, "  what happened: {}", check.note);
            if let Some(sent) = &check.sent {
                let _ = writeln!(out, "  sent:          {sent}");
            }
            if let Some(received) = &check.received {
                let _ = writeln!(out, "  came back:     {received}");
            }
            let _ = writeln!(out, "  the spec ({}): \"{}\"", check.section, check.rule);
        }
        let verdict = if self.passed { "PASSED" } else { "FAILED" };
        let Summary { passed, failed, skipped } = self.summary;
        let _ = writeln!(out, "\n{verdict}: {passed} passed, {failed} failed, {skipped} skipped");
        out
    }

    /// The report as one JSON document.
    pub fn json(&self) -> String {
        serde_json::to_string_pretty(self).expect("reports serialise")
    }

    /// The report as JUnit XML: one test case per check.
    pub fn junit(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        let Summary { failed, skipped, .. } = self.summary;
        let _ = writeln!(
            out,
            "<testsuite name=\"rahunok check-pos\" tests=\"{}\" failures=\"{failed}\" skipped=\"{skipped}\" time=\"{:.3}\">",
            self.checks.len(),
            self.duration_ms as f64 / 1000.0
        );
        for check in &self.checks {
            let time = check.latency_ms.unwrap_or_default() as f64 / 1000.0;
            let group = check.id.split('.').next().unwrap_or("check");
            let _ = write!(
                out,
                "  <testcase classname=\"check_pos.{group}\" name=\"{}\" time=\"{time:.3}\"",
                xml(check.id)
            );
            match check.status {
                Status::Pass => out.push_str("/>\n"),
                Status::Skip => {
                    let _ = writeln!(out, ">\n    <skipped message=\"{}\"/>\n  </testcase>", xml(&check.note));
                }
                Status::Fail => {
                    let detail = format!(
                        "sent: {}\ncame back: {}\nthe spec ({}): {}",
                        check.sent.as_deref().unwrap_or("-"),
                        check.received.as_deref().unwrap_or("-"),
                        check.section,
                        check.rule
                    );
                    let _ = writeln!(
                        out,
                        ">\n    <failure message=\"{}\">{}</failure>\n  </testcase>",
                        xml(&check.note),
                        xml(&detail)
                    );
                }
            }
        }
        out.push_str("</testsuite>\n");
        out
    }
}

fn xml(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&apos;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check_pos::checks;

    fn report() -> Report {
        let checks = vec![
            checks::BASIC_AUTH.pass("authenticated"),
            checks::SIGNATURE.fail("1 callback refused: BAD_SIGNATURE").evidence("getBill <frame>", "401 \"x\" & y"),
            checks::SPLIT.skip("no splitAvailable order").optional(),
        ];
        Report::new("http://h".into(), "r".into(), Some("Pos".into()), checks, Duration::from_millis(1500))
    }

    #[test]
    fn a_failure_or_a_skipped_required_check_fails_the_run() {
        let report = report();
        assert!(!report.passed);
        assert_eq!(report.blocking().map(|c| c.id).collect::<Vec<_>>(), ["callback.signature"]);
        let skipped = vec![checks::PAY_CLOSES.skip("no open bill")];
        assert!(!Report::new(String::new(), String::new(), None, skipped, Duration::ZERO).passed);
        let optional = vec![checks::BASIC_AUTH.pass(""), checks::SPLIT.skip("").optional()];
        assert!(Report::new(String::new(), String::new(), None, optional, Duration::ZERO).passed);
    }

    #[test]
    fn the_human_report_quotes_the_rule_of_each_failure() {
        let text = report().human();
        assert!(text.contains("FAIL   callback.signature"), "{text}");
        assert!(text.contains("the spec (§4): \"`signature: base64(HMAC-SHA256"), "{text}");
        assert!(text.contains("FAILED: 1 passed, 1 failed, 1 skipped"), "{text}");
    }

    #[test]
    fn junit_escapes_and_counts() {
        let xml = report().junit();
        assert!(xml.contains("tests=\"3\" failures=\"1\" skipped=\"1\""), "{xml}");
        assert!(xml.contains("401 &quot;x&quot; &amp; y"), "{xml}");
        assert!(xml.contains("<testcase classname=\"check_pos.connect\" name=\"connect.basic_auth\""), "{xml}");
    }
}
