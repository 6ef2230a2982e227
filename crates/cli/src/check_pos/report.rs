//! The outcome of a run and its three renderings: a table for people, JSON for scripts, and
//! JUnit XML for CI systems.
//!
//! Why this exists: every failure must say what was sent, what came back and which rule of the
//! spec it breaks, the same way in every format; and "passed" has one definition (every
//! required check PASS) whatever reads the report.
//!
//! Conformance warnings (loose forms the server accepted, spec section 4) never fail a run.
//! They are listed after the checks in the text report, as `warnings` in JSON (each naming the
//! check whose operation showed it), and in JUnit as `<property name="warning.<operation>.<KIND>">`
//! entries of the test suite's `<properties>` — properties, not skipped test cases, because a
//! check that passed with warnings did pass, and CI systems count skips as "not run".

use super::checks::{self, CheckResult, Status};
use super::operations::excerpt;
use rahunok_server::store::StoredWarning;
use serde::Serialize;
use std::fmt::Write;
use std::time::Duration;

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
    /// Loose forms the server accepted (they do not fail the run).
    pub warnings: Vec<ReportedWarning>,
    /// How long the run took.
    pub duration_ms: u64,
}

/// A conformance warning, as the report lists it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportedWarning {
    /// The check whose operation showed it (`op.versionInfo`), when one asks that operation.
    pub check: Option<&'static str>,
    /// The callback's operation.
    pub operation: String,
    /// The stable code (`DOTTED_VERSION_INFO`, `STOP_LIST_ID_QUANTITY`, ...).
    pub kind: String,
    /// The field's path (empty for the whole body).
    pub field: String,
    /// What was accepted, in a sentence.
    pub message: String,
    /// How many callbacks showed it.
    pub count: i64,
    /// The latest body that showed it, cut to a readable length.
    pub body: String,
}

impl From<StoredWarning> for ReportedWarning {
    fn from(warning: StoredWarning) -> ReportedWarning {
        ReportedWarning {
            check: checks::asking(&warning.operation).map(|c| c.id),
            body: excerpt(&warning.body),
            operation: warning.operation,
            kind: warning.kind,
            field: warning.field,
            message: warning.message,
            count: warning.count,
        }
    }
}

impl ReportedWarning {
    fn line(&self) -> String {
        let at = if self.field.is_empty() { String::new() } else { format!(" at {}", self.field) };
        let times = if self.count > 1 { format!(" (seen {} times)", self.count) } else { String::new() };
        format!("{} {}{at}: {}{times}", self.operation, self.kind, self.message)
    }
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
    /// Conformance warnings.
    pub warnings: usize,
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
        let duration_ms = took.as_millis() as u64;
        Report { server, resto_id, pos_name, passed, summary, checks, warnings: Vec::new(), duration_ms }
    }

    /// Adds the conformance warnings the server recorded during the run.
    pub fn with_warnings(mut self, warnings: Vec<StoredWarning>) -> Report {
        self.warnings = warnings.into_iter().map(ReportedWarning::from).collect();
        self.summary.warnings = self.warnings.len();
        self
    }

    fn warnings_of(&self, check: &str) -> usize {
        self.warnings.iter().filter(|w| w.check == Some(check)).count()
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
            let warned = match self.warnings_of(check.id) {
                0 => String::new(),
                n => format!(" [{n} warning(s), see below]"),
            };
            let _ = writeln!(
                out,
                "  {:<6} {:<width$}  {:>8}  {}{optional}{warned}",
                check.status.label(),
                check.id,
                latency,
                check.note
            );
        }
        if !self.warnings.is_empty() {
            let _ = writeln!(out, "\nWARNINGS: accepted, but a strict reader of the spec (§4) would refuse them");
            for warning in &self.warnings {
                let _ = writeln!(out, "  WARN   {}", warning.line());
                let _ = writeln!(out, "         latest body: {}", warning.body);
            }
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
        let Summary { passed, failed, skipped, warnings } = self.summary;
        let _ =
            writeln!(out, "\n{verdict}: {passed} passed, {failed} failed, {skipped} skipped, {warnings} warning(s)");
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
        if !self.warnings.is_empty() {
            out.push_str("  <properties>\n");
            for warning in &self.warnings {
                let name = format!("warning.{}.{}", warning.operation, warning.kind);
                let _ = writeln!(out, "    <property name=\"{}\" value=\"{}\"/>", xml(&name), xml(&warning.line()));
            }
            out.push_str("  </properties>\n");
        }
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
        assert!(text.contains("FAILED: 1 passed, 1 failed, 1 skipped, 0 warning(s)"), "{text}");
    }

    fn warned() -> Report {
        let warning = StoredWarning {
            operation: "versionInfo".into(),
            kind: "UNREADABLE_INFORMATIONAL".into(),
            field: "plugin.version".into(),
            message: "`v0.6.0` is not a number; kept as text".into(),
            body: r#"{"plugin.version":"v0.6.0"}"#.into(),
            count: 2,
            ..StoredWarning::default()
        };
        let checks = vec![checks::VERSION_INFO.pass("answered SUCCESS")];
        Report::new(String::new(), String::new(), None, checks, Duration::ZERO).with_warnings(vec![warning])
    }

    #[test]
    fn warnings_do_not_fail_the_run_and_are_listed_in_every_format() {
        let report = warned();
        assert!(report.passed);
        let text = report.human();
        assert!(text.contains("answered SUCCESS [1 warning(s), see below]"), "{text}");
        assert!(
            text.contains("WARN   versionInfo UNREADABLE_INFORMATIONAL at plugin.version: `v0.6.0` is not a number; kept as text (seen 2 times)"),
            "{text}"
        );
        assert!(text.contains("PASSED: 1 passed, 0 failed, 0 skipped, 1 warning(s)"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&report.json()).unwrap();
        assert_eq!(json["warnings"][0]["check"], "op.versionInfo");
        assert_eq!(json["summary"]["warnings"], 1);
        let xml = report.junit();
        assert!(xml.contains("<property name=\"warning.versionInfo.UNREADABLE_INFORMATIONAL\""), "{xml}");
        assert!(xml.contains("failures=\"0\" skipped=\"0\""), "{xml}");
    }

    #[test]
    fn junit_escapes_and_counts() {
        let xml = report().junit();
        assert!(xml.contains("tests=\"3\" failures=\"1\" skipped=\"1\""), "{xml}");
        assert!(xml.contains("401 &quot;x&quot; &amp; y"), "{xml}");
        assert!(xml.contains("<testcase classname=\"check_pos.connect\" name=\"connect.basic_auth\""), "{xml}");
    }
}
