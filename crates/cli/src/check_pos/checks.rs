//! The catalogue of checks: a stable id (what reports, scripts and CI name), a title, and the
//! rule of `docs/pos-protocol.md` each one enforces, quoted (line breaks of the spec joined).
//!
//! Why this exists apart from the suite: the ids are a public contract (`--json`, `--junit`,
//! integrators' CI), and the quoted rules are what a failure report shows; keeping them in one
//! table makes both easy to review against the spec. A check's outcome ([`CheckResult`]) is
//! beside it, so the suite's parts and the report build on this module alone.

use serde::Serialize;
use std::time::Duration;

/// One check of the suite.
#[derive(Debug, Clone, Copy)]
pub struct Check {
    /// Stable id, e.g. `callback.signature`.
    pub id: &'static str,
    /// What passing means, in a few words.
    pub title: &'static str,
    /// The spec section the rule is from.
    pub section: &'static str,
    /// The rule, quoted from the spec.
    pub rule: &'static str,
}

impl Check {
    /// A passed, required result.
    pub fn pass(self, note: impl Into<String>) -> CheckResult {
        CheckResult::new(self, Status::Pass, note.into())
    }

    /// A failed, required result.
    pub fn fail(self, note: impl Into<String>) -> CheckResult {
        CheckResult::new(self, Status::Fail, note.into())
    }

    /// A skipped result (required unless marked optional).
    pub fn skip(self, note: impl Into<String>) -> CheckResult {
        CheckResult::new(self, Status::Skip, note.into())
    }
}

macro_rules! checks {
    ($($name:ident = $id:literal, $title:literal, $section:literal, $rule:literal;)+) => {
        $(pub const $name: Check = Check { id: $id, title: $title, section: $section, rule: $rule };)+
        /// Every check, in report order.
        pub const ALL: &[Check] = &[$($name),+];
    };
}

checks! {
    BASIC_AUTH = "connect.basic_auth", "the socket authenticates with Basic RESTO_ID:SECRET_KEY", "§2",
        "`Authorization: Basic base64(\"RESTO_ID:SECRET_KEY\")` — required. Missing or wrong: HTTP 401 before the upgrade, with an error body (section 7).";
    SYSTEM_COOKIE = "connect.system_cookie", "the socket names the POS in `Cookie: system=`", "§2",
        "`Cookie: system=<POS name>` — the POS product name. Expirenza refuses connections without it.";
    PONG = "keepalive.pong", "the POS answers the server's pings; its socket is never closed for silence", "§2",
        "Keep-alive: the server sends a WebSocket ping every **15 s**; if no pong (or any frame) arrives for **90 s** it closes the socket.";
    TEXT_PING = "keepalive.text_ping", "the POS sends `Resto <RESTO_ID> ping` text frames", "§2",
        "Clients also send a text frame `Resto <RESTO_ID> ping` every ~15 s; the server accepts it as a sign of life and sends nothing back.";
    REPLACED_SOCKET = "keepalive.replaced_socket", "after its socket is replaced (4409) the POS connects again and serves", "§2",
        "**[ours]** One live socket per restaurant: a new authenticated socket replaces the old one; the old one is closed with code `4409` and reason `replaced by a newer connection`.";
    RECONNECT_PACING = "keepalive.reconnect_pacing", "the POS reconnects at most once per 15 s", "§2",
        "Clients reconnect at most once per 15 s.";
    GOING_AWAY = "keepalive.reconnect_after_1001", "after the server closes its socket with 1001 (going away) the POS connects again", "§2",
        "**[ours]** When the server shuts down it stops taking new requests and closes every POS socket with code `1001` (going away), so clients reconnect to another node at once.";
    VERSION_INFO = "op.versionInfo", "versionInfo is answered", "§5",
        "`versionInfo` — callback `eventTime` (ISO-8601 UTC), `partnerId`, `pluginVersion` (int, grows with each release), `restaurantVersion`, `restaurantLicenseDateEnd` (`yyyy.MM.dd`), `additionalInfo` (free object), `updateInfo[]`, `implementedFeatures[{feature, available, implemented, info}]` with features `BILL_V_2`, `STOP_LIST`, `ORDERS_CACHE`, `ORDER_ON_TABLE` (`info.orderTypeCode`).";
    TABLES_INFO = "op.tablesInfo", "tablesInfo is answered", "§5",
        "`tablesInfo` — callback `tables[{id, name, number (int), hallPlanId}]`.";
    HALLPLANS_INFO = "op.hallplansInfo", "hallplansInfo is answered (if implemented)", "§5",
        "`hallplansInfo` — callback `hallPlans[{id, name}]` (note the lower-case `p` in the operation).";
    USERS_INFO = "op.usersInfo", "usersInfo is answered (if implemented)", "§5",
        "`usersInfo` — callback `users[{id, name, cellPhone, roles}]`; `roles` may be a comma-separated string or an array of strings: accept both.";
    CATEGORIES_INFO = "op.categoriesInfo", "categoriesInfo is answered (if implemented)", "§5",
        "`categoriesInfo` — callback `categories[{id, name, type}]`.";
    MENU_INFO = "op.menuInfo", "menuInfo is answered (if implemented)", "§5",
        "`menuInfo` — callback `dishes[]`, `modifiers[]`, `groupModifiers[]`, `groups[{id, name, parentId, menuIndex}]`, `terminalsGroups[]`, `hostTerminalsGroup`.";
    STOP_LIST = "op.stopList", "stopList is answered (required with STOP_LIST)", "§5",
        "`stopList` — callback `items[{productId, balance}]` (balance 0 = unavailable) **[ours]**.";
    CHECK_WORK = "op.checkWork", "checkWork is answered (if implemented)", "§5",
        "`checkWork` — callback `dateTime` (`yyyy.MM.dd HH:mm:ss`), `readyToWork` (bool).";
    CHECK_PRODUCTS_RESTRICTIONS = "op.checkProductsRestrictions", "checkProductsRestrictions is answered (required with ORDER_ON_TABLE)", "§5",
        "`checkProductsRestrictions` — request `items[{id, quantity, modifier[{id, groupId, quantity}]}]`; callback `result{checkResult, itemResults[{id, name, available, exceedQuantity}]}`.";
    CREATE_ORDER_ON_TABLE = "op.createOrderOnTable", "createOrderOnTable is answered (required with ORDER_ON_TABLE)", "§5",
        "`createOrderOnTable` — request `externalId` (the platform's order id: the POS uses it to detect a repeat), `originName`, `tableId`, `items[]` (as above), `fiscalData[]`. The POS finds or creates the order, checks stock, prints kitchen tickets, and pays orders in state NEW or BILL.";
    GET_BILL_BY_TABLE = "get_bill.by_table", "getBill by tableNumber returns the table's open orders", "§5",
        "`getBill` — request has `tableNumber` (guest scanned the table QR) or `billId` (guest scanned the QR on the pre-check). Callback body: `rID`, `state` (`SUCCESS`|`FAIL`), `substate` (`TABLE_NOT_FOUND`|`ORDER_NOT_FOUND` when FAIL), `errorCode`, `errorMessage`, `tableNumber`, `orders[]`.";
    GET_BILL_BY_ID = "get_bill.by_bill_id", "getBill by billId returns that bill, on the table it was found on (or none)", "§5",
        "`getBill` — request has `tableNumber` (guest scanned the table QR) or `billId` (guest scanned the QR on the pre-check).";
    TABLE_NOT_FOUND = "get_bill.table_not_found", "getBill for a table that does not exist answers FAIL / TABLE_NOT_FOUND", "§5",
        "Callback body: `rID`, `state` (`SUCCESS`|`FAIL`), `substate` (`TABLE_NOT_FOUND`|`ORDER_NOT_FOUND` when FAIL)";
    SPLIT = "split_order.split", "splitOrder on a splitAvailable order returns the parent and the child", "§5",
        "The POS moves the chosen positions into a new bill (copying discounts, table, waiter, order type). Callback: same shape as getBill, with exactly two orders: the parent (what remains) and the child (what the guest chose, to be paid next).";
    PAY_CLOSES = "pay_bill.closes", "payBill closes the bill: a following getBill no longer shows it open", "§5",
        "`payBill` — request: `billId`, `sum`, `tips`, `fiscalData[{key, value}]` (lines to print on the fiscal receipt: acquirer, RRN, approval code, masked card). The POS closes the order.";
    PAY_REPEAT = "pay_bill.repeat_refused", "a repeated payBill is refused with ORDER_ALREADY_PAID", "§5",
        "**[ours]** FAIL substates: `ORDER_NOT_FOUND`, `ORDER_ALREADY_PAID`, `SUM_MISMATCH`, `ORDER_LOCKED`, `POS_ERROR`.";
    CACHE_CADENCE = "orders_cache.cadence", "ORDERS_CACHE is pushed every 5 s (required with ORDERS_CACHE)", "§6",
        "`ORDERS_CACHE` — sent every **5 s**: `actualOrders[]` (short entries for every open order in state NEW or BILL, empty ones included: `billId`, `tableNumber`, `orderNumber`, `totalSum`, `state`) and **[ours]** `orders[]` (full Order objects for orders changed since the last push). Bills are served to guests from this cache while it is fresh; with no push for **15 s** the cache is stale and the server asks the POS live with `getBill`.";
    CACHE_DROPS_PAID = "orders_cache.drops_paid", "a paid bill leaves ORDERS_CACHE", "§6",
        "`actualOrders[]` (short entries for every open order in state NEW or BILL, empty ones included";
    SIGNATURE = "callback.signature", "callbacks are signed with SECRET_KEY", "§4",
        "`signature: base64(HMAC-SHA256(key = SECRET_KEY bytes, message = the exact raw body bytes))`";
    SIGNED_BYTES = "callback.signed_bytes", "the signature covers the exact bytes sent (no re-serialising after signing)", "§4",
        "Never re-serialise JSON before checking: key order and whitespace are part of what is signed.";
    VALID_BODY = "callback.valid_body", "callback bodies are valid for their operation", "§4",
        "Body usable for the operation (required fields present, money readable, enums known after the normalisation below) — else **400** with `fieldErrors`. **[ours]** The waiting request then fails at once with that reason: the caller gets `POS_ANSWER_INVALID` with the field errors right away, not a timeout 80 s later. A later answer for the same `rID` gets **409**.";
    RID = "callback.rid", "callbacks echo the request's rID and answer it once", "§4",
        "`rID` names a request sent to THIS restaurant with THIS operation — else **404**; known but past its deadline — **410**; already answered with a different body — **409**; already answered with the identical body — **200** (a retry is harmless).";
    DEADLINE = "callback.deadline", "every request is answered before its deadline", "§1",
        "Deadline: **80 seconds** from sending the request (configurable). After that the request has failed (timed out) and a late callback is refused.";
}

/// The check that asks `operation` (a callback's operation name), to which its conformance
/// warnings belong.
pub fn asking(operation: &str) -> Option<Check> {
    let check = match operation {
        "versionInfo" => VERSION_INFO,
        "tablesInfo" => TABLES_INFO,
        "hallplansInfo" => HALLPLANS_INFO,
        "usersInfo" => USERS_INFO,
        "categoriesInfo" => CATEGORIES_INFO,
        "menuInfo" => MENU_INFO,
        "stopList" => STOP_LIST,
        "checkWork" => CHECK_WORK,
        "checkProductsRestrictions" => CHECK_PRODUCTS_RESTRICTIONS,
        "createOrderOnTable" => CREATE_ORDER_ON_TABLE,
        "getBill" => GET_BILL_BY_TABLE,
        "splitOrder" => SPLIT,
        "payBill" => PAY_CLOSES,
        _ => return None,
    };
    Some(check)
}

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
    pub(super) fn label(self) -> &'static str {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_ids_are_unique_and_dotted() {
        let mut ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        assert!(ids.iter().all(|id| id.contains('.') && !id.contains(' ')));
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), ALL.len());
    }
}
