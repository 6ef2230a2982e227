//! The callback checks, judged after the run from what the server refused
//! (`/callback-refusals`) and from the request log: signatures, signed bytes, valid bodies,
//! `rID` handling, deadlines.
//!
//! Why this exists: a refused callback completes nothing, so the operation that sent it only
//! sees a timeout; the refusal says why. For a bad signature the checker, which knows the
//! secret, also tells apart "signed with another key" from "signed, then re-serialised": it
//! tries the usual re-serialisations of the body that arrived and sees whether one of them is
//! what was signed.

use super::checks::CheckResult;
use super::checks::{self, Check};
use super::operations::excerpt;
use super::target::Refusal;
use rahunok_protocol::signing;
use rahunok_server::store::{RequestLogEntry, RequestOutcome};
use std::collections::HashSet;

const SIGNATURE_CODES: &[&str] = &["BAD_SIGNATURE", "MISSING_SIGNATURE"];
const BODY_CODES: &[&str] = &[
    "VALIDATION",
    "NOT_JSON_OBJECT",
    "BODY_TOO_LARGE",
    "BODY_UNREADABLE",
    "UNKNOWN_OPERATION",
    "UNKNOWN_WEBHOOK_TYPE",
];
const RID_CODES: &[&str] = &["UNKNOWN_RID", "RID_ALREADY_ANSWERED"];
const LATE_CODE: &str = "RID_EXPIRED";

/// What the audit reads.
pub struct CallbackAudit<'a> {
    /// Refused callbacks and webhooks of the test restaurant.
    pub refusals: &'a [Refusal],
    /// The test restaurant's request log.
    pub log: &'a [RequestLogEntry],
    /// The test restaurant's secret.
    pub secret: &'a str,
    /// Requests sent to the checker's own sockets (not the POS's to answer).
    pub checker_rids: &'a HashSet<String>,
}

impl CallbackAudit<'_> {
    /// The five callback checks.
    pub fn results(&self) -> Vec<CheckResult> {
        let (re_serialised, wrong_key) = self.signature_refusals();
        vec![
            self.judge(checks::SIGNATURE, &wrong_key, "signed with another key, or not signed"),
            self.judge(checks::SIGNED_BYTES, &re_serialised, "signed over a re-serialisation of the bytes sent"),
            self.judge(checks::VALID_BODY, &self.with_codes(BODY_CODES), "refused as invalid for the operation"),
            self.judge(checks::RID, &self.with_codes(RID_CODES), "refused for their rID"),
            self.deadline(),
        ]
    }

    /// Signature refusals split into "signed a re-serialisation" and "wrong key". A body the
    /// server kept only in part cannot be told apart; it joins the kind the others show.
    fn signature_refusals(&self) -> (Vec<&Refusal>, Vec<&Refusal>) {
        let (whole, cut): (Vec<&Refusal>, Vec<&Refusal>) =
            self.with_codes(SIGNATURE_CODES).into_iter().partition(|r| !r.body_truncated);
        let (mut re_serialised, mut wrong_key): (Vec<&Refusal>, Vec<&Refusal>) =
            whole.into_iter().partition(|r| signs_a_re_serialisation(r, self.secret));
        if re_serialised.is_empty() {
            wrong_key.extend(cut);
        } else {
            re_serialised.extend(cut);
        }
        (re_serialised, wrong_key)
    }

    fn with_codes(&self, codes: &[&str]) -> Vec<&Refusal> {
        self.refusals.iter().filter(|r| codes.contains(&r.err_code.as_str())).collect()
    }

    fn judge(&self, check: Check, refused: &[&Refusal], what: &str) -> CheckResult {
        let Some(first) = refused.last() else {
            return check.pass(format!("no callback or webhook was {what}"));
        };
        let codes: HashSet<&str> = refused.iter().map(|r| r.err_code.as_str()).collect();
        let mut codes: Vec<&str> = codes.into_iter().collect();
        codes.sort();
        let note = format!("{} callback(s) {what} ({})", refused.len(), codes.join(", "));
        check.fail(note).evidence(self.request_of(first), describe(first))
    }

    /// `callback.deadline`: no late callback, and no request left unanswered without a
    /// refusal that explains it.
    fn deadline(&self) -> CheckResult {
        let check = checks::DEADLINE;
        let late = self.with_codes(&[LATE_CODE]);
        if let Some(first) = late.last() {
            let sent_at = self.entry(first.rid.as_deref()).map(|e| e.sent_at);
            let after = sent_at.map(|at| format!(" {:.1} s after the request", (first.at - at) as f64 / 1000.0));
            let note = format!("{} callback(s) arrived after the deadline{}", late.len(), after.unwrap_or_default());
            return check.fail(note).evidence(self.request_of(first), describe(first));
        }
        let unexplained: Vec<&RequestLogEntry> =
            self.log.iter().filter(|e| e.outcome == RequestOutcome::Timeout && !self.is_explained(&e.rid)).collect();
        match unexplained.last() {
            None => check.pass("every request to the POS was answered (or refused for a reason listed above) in time"),
            Some(first) => {
                let operations: Vec<&str> = unexplained.iter().map(|e| e.operation.as_str()).collect();
                let note = format!(
                    "{} request(s) got no callback at all before the deadline: {}",
                    unexplained.len(),
                    operations.join(", ")
                );
                check.fail(note).evidence(excerpt(&first.request_body), "no callback")
            }
        }
    }

    /// A timed-out request sent to the checker, or one whose callback was refused for a
    /// reason another check reports.
    fn is_explained(&self, rid: &str) -> bool {
        self.checker_rids.contains(rid)
            || self.refusals.iter().any(|r| r.rid.as_deref() == Some(rid) && r.err_code != LATE_CODE)
    }

    fn entry(&self, rid: Option<&str>) -> Option<&RequestLogEntry> {
        let rid = rid?;
        self.log.iter().find(|e| e.rid == rid)
    }

    fn request_of(&self, refusal: &Refusal) -> String {
        match self.entry(refusal.rid.as_deref()) {
            Some(entry) => excerpt(&entry.request_body),
            None if refusal.path.ends_with("/webhook") => "nothing (a webhook the POS sent on its own)".into(),
            None => format!("a request with rID {}", refusal.rid.as_deref().unwrap_or("(unreadable)")),
        }
    }
}

/// The refused POST and the server's answer, for the report.
fn describe(refusal: &Refusal) -> String {
    let fields: Vec<String> = refusal.field_errors.iter().map(ToString::to_string).collect();
    let fields = if fields.is_empty() { String::new() } else { format!(" [{}]", fields.join("; ")) };
    format!(
        "POST {} with signature {} and body {} → {} {}: {}{fields}",
        refusal.path,
        refusal.signature.as_deref().unwrap_or("(none)"),
        excerpt(&refusal.body),
        refusal.status,
        refusal.err_code,
        refusal.err_text
    )
}

/// True when the signature is right for some common re-serialisation of the body that
/// arrived: whitespace removed, keys sorted, pretty-printed, a trailing newline.
fn signs_a_re_serialisation(refusal: &Refusal, secret: &str) -> bool {
    let Some(signature) = refusal.signature.as_deref() else { return false };
    re_serialisations(&refusal.body).iter().any(|candidate| {
        candidate != &refusal.body && signing::verify(secret.as_bytes(), candidate.as_bytes(), signature)
    })
}

fn re_serialisations(body: &str) -> Vec<String> {
    let mut candidates = vec![without_whitespace(body), format!("{body}\n"), body.trim_end().to_string()];
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(body) {
        candidates.push(value.to_string());
        candidates.push(serde_json::to_string_pretty(&value).expect("values serialise"));
    }
    candidates
}

/// The JSON text with whitespace outside strings removed (key order kept).
fn without_whitespace(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let (mut in_string, mut escaped) = (false, false);
    for c in json.chars() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !c.is_whitespace() {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(body: &str, signature: &str) -> Refusal {
        Refusal {
            err_code: "BAD_SIGNATURE".into(),
            body: body.into(),
            signature: Some(signature.into()),
            ..Refusal::default()
        }
    }

    #[test]
    fn whitespace_is_removed_outside_strings_only() {
        assert_eq!(without_whitespace("{ \"a b\" : [1, 2],\n \"c\":\"\\\" x\" }"), "{\"a b\":[1,2],\"c\":\"\\\" x\"}");
    }

    #[test]
    fn a_body_pretty_printed_after_signing_is_told_apart_from_a_wrong_key() {
        let signed = r#"{"rID":"r1","state":"SUCCESS","tables":[]}"#;
        let value: serde_json::Value = serde_json::from_str(signed).unwrap();
        let sent = serde_json::to_string_pretty(&value).unwrap();
        let signature = signing::sign(b"secret", without_whitespace(&sent).as_bytes());
        assert!(signs_a_re_serialisation(&refused(&sent, &signature), "secret"));
        let other_key = signing::sign(b"another", sent.as_bytes());
        assert!(!signs_a_re_serialisation(&refused(&sent, &other_key), "secret"));
    }

    #[test]
    fn checks_pass_without_refusals_and_name_the_failure_with_them() {
        let rids = HashSet::new();
        let clean = CallbackAudit { refusals: &[], log: &[], secret: "s", checker_rids: &rids };
        assert!(clean.results().iter().all(|r| r.status == super::super::checks::Status::Pass));
        let refusals = [Refusal { err_code: "VALIDATION".into(), ..Refusal::default() }];
        let audit = CallbackAudit { refusals: &refusals, log: &[], secret: "s", checker_rids: &rids };
        let failed: Vec<&str> =
            audit.results().iter().filter(|r| r.status != super::super::checks::Status::Pass).map(|r| r.id).collect();
        assert_eq!(failed, ["callback.valid_body"]);
    }
}
