//! Probing the information operations (`versionInfo`, `tablesInfo`, the menu, ...) and the
//! order operations (`checkProductsRestrictions`, `createOrderOnTable`): each must be answered
//! with a valid, signed body before the deadline. An operation the POS neither declares nor
//! implements (it answers `FAIL`) is skipped; one it declares must succeed.
//!
//! Why this exists: "every operation the POS declares in versionInfo or answers" is one rule
//! applied to ten operations; the judging lives here once.

use super::checks::CheckResult;
use super::checks::{self, Check};
use super::target::{AdminApi, Asked};
use rahunok_protocol::envelope::{AnswerBody, Callback};
use rahunok_protocol::ops::{
    feature, CheckProductsRestrictions, CreateOrderOnTable, MenuInfoAnswer, OrderItem, StopListAnswer, Table,
    TablesInfoAnswer, VersionInfoAnswer,
};
use rahunok_protocol::order::FiscalLine;
use rahunok_protocol::{Operation, Quantity};
use std::time::Duration;

/// What the suite learnt from the information operations.
#[derive(Debug, Default)]
pub struct Learnt {
    /// The POS's `versionInfo` answer.
    pub version: VersionInfoAnswer,
    /// Its tables.
    pub tables: Vec<Table>,
    /// Its menu.
    pub menu: MenuInfoAnswer,
    /// Its stop list.
    pub stop_list: StopListAnswer,
}

/// Asks one operation and judges the answer: a result, and the body when it succeeded.
pub struct Probe<'a> {
    /// The admin API.
    pub api: &'a AdminApi,
    /// The test restaurant.
    pub resto_id: &'a str,
    /// How long to wait for an answer.
    pub wait: Duration,
}

impl Probe<'_> {
    /// Sends `operation` with `fields` and judges the answer against `check`.
    pub async fn run(
        &self,
        check: Check,
        operation: Operation,
        fields: &str,
        required: bool,
    ) -> (CheckResult, Option<String>) {
        let asked = self.api.ask(self.resto_id, operation, fields, self.wait).await;
        let sent = format!("{} {fields}", operation.name());
        judge(check, &asked, sent, required)
    }

    /// The information operations: `versionInfo` first, then the others side by side.
    pub async fn information(&self) -> (Vec<CheckResult>, Learnt) {
        let (version_result, version_body) = self.run(checks::VERSION_INFO, Operation::VersionInfo, "{}", true).await;
        let version: VersionInfoAnswer = parsed(version_body.as_deref()).unwrap_or_default();
        let stop_list_required = version.has_feature(feature::STOP_LIST);
        let info = [
            (checks::TABLES_INFO, Operation::TablesInfo, true),
            (checks::HALLPLANS_INFO, Operation::HallplansInfo, false),
            (checks::USERS_INFO, Operation::UsersInfo, false),
            (checks::CATEGORIES_INFO, Operation::CategoriesInfo, false),
            (checks::MENU_INFO, Operation::MenuInfo, false),
            (checks::STOP_LIST, Operation::StopList, stop_list_required),
            (checks::CHECK_WORK, Operation::CheckWork, false),
        ];
        let answers = futures_util::future::join_all(
            info.iter().map(|(check, op, required)| self.run(*check, *op, "{}", *required)),
        )
        .await;
        let body_of = |operation: Operation| {
            info.iter().position(|(_, op, _)| *op == operation).and_then(|i| answers[i].1.clone())
        };
        let tables: TablesInfoAnswer = parsed(body_of(Operation::TablesInfo).as_deref()).unwrap_or_default();
        let learnt = Learnt {
            tables: tables.tables,
            menu: parsed(body_of(Operation::MenuInfo).as_deref()).unwrap_or_default(),
            stop_list: parsed(body_of(Operation::StopList).as_deref()).unwrap_or_default(),
            version,
        };
        let mut results = vec![version_result];
        results.extend(answers.into_iter().map(|(result, _)| result));
        (results, learnt)
    }

    /// `checkProductsRestrictions` and `createOrderOnTable` with a dish from the menu on the
    /// first table (required when the POS declares `ORDER_ON_TABLE`).
    pub async fn ordering(&self, learnt: &Learnt) -> Vec<CheckResult> {
        let required = learnt.version.has_feature(feature::ORDER_ON_TABLE);
        let (Some(item), Some(table)) = (orderable_item(learnt), learnt.tables.first()) else {
            let why = "needs a table (tablesInfo) and an active dish with a price (menuInfo)";
            let skipped = [checks::CHECK_PRODUCTS_RESTRICTIONS, checks::CREATE_ORDER_ON_TABLE].map(|c| c.skip(why));
            return skipped.into_iter().map(|r| if required { r } else { r.optional() }).collect();
        };
        let restrictions = CheckProductsRestrictions { items: vec![item.clone()] };
        let fields = serde_json::to_string(&restrictions).expect("requests serialise");
        let check = checks::CHECK_PRODUCTS_RESTRICTIONS;
        let (stock, _) = self.run(check, Operation::CheckProductsRestrictions, &fields, required).await;
        let order = CreateOrderOnTable {
            external_id: format!("check-pos-{}", std::process::id()),
            origin_name: "rahunok check-pos".into(),
            table_id: table.id.clone(),
            items: vec![item],
            fiscal_data: vec![FiscalLine { key: "acquirer".into(), value: "rahunok check-pos (test order)".into() }],
        };
        let fields = serde_json::to_string(&order).expect("requests serialise");
        let check = checks::CREATE_ORDER_ON_TABLE;
        let (created, _) = self.run(check, Operation::CreateOrderOnTable, &fields, required).await;
        vec![stock, created]
    }
}

/// One of a dish that is active, priced and not on the stop list.
fn orderable_item(learnt: &Learnt) -> Option<OrderItem> {
    let stopped = |id: &str| learnt.stop_list.items.iter().any(|s| s.product_id == id);
    let dish = learnt.menu.dishes.iter().find(|d| d.is_active && d.price.is_some() && !stopped(&d.id))?;
    Some(OrderItem { id: dish.id.clone(), quantity: Quantity::whole(1), modifier: Vec::new() })
}

/// A successful callback body read as `A`.
pub fn parsed<A: AnswerBody>(body: Option<&str>) -> Option<A> {
    Callback::<A>::parse(body?.as_bytes()).ok().map(|c| c.body)
}

/// PASS on `SUCCESS`; on `FAIL`, FAIL when required, else SKIP (not implemented); FAIL on a
/// timeout, whatever the operation (a POS answers every request, if only with FAIL).
pub fn judge(check: Check, asked: &Asked, sent: String, required: bool) -> (CheckResult, Option<String>) {
    match asked {
        Asked::Answered { body, latency } => match failure_of(body) {
            None => (check.pass("answered SUCCESS").latency(*latency), Some(body.clone())),
            Some(substate) if required => {
                let result = check.fail(format!("answered FAIL {substate}")).latency(*latency);
                (result.evidence(sent, excerpt(body)), None)
            }
            Some(substate) => {
                let result = check.skip(format!("not implemented (answered FAIL {substate})")).optional();
                (result.latency(*latency), None)
            }
        },
        other => (unanswered(check, other, sent), None),
    }
}

/// The result of a request that got no usable callback body.
pub fn unanswered(check: Check, asked: &Asked, sent: String) -> CheckResult {
    match asked {
        Asked::Timeout { latency } => check
            .fail(format!("no accepted callback within the deadline ({:.1} s)", latency.as_secs_f64()))
            .latency(*latency)
            .evidence(sent, "nothing the server accepted (refused callbacks are listed under callback.*)"),
        Asked::Unusable(fields) => check
            .fail(format!("the answer was refused as unusable for the operation: {fields}"))
            .evidence(sent, format!("400 VALIDATION to the POS; 502 POS_ANSWER_INVALID to the caller: {fields}")),
        Asked::Offline => check.fail("the POS was not connected when the request was sent"),
        Asked::Error(error) => check.fail(error.clone()),
        Asked::Answered { body, .. } => check.fail("unexpected answer").evidence(sent, excerpt(body)),
    }
}

/// The upper-cased substate of a `FAIL` answer; `None` for `SUCCESS`.
pub fn failure_of(body: &str) -> Option<String> {
    let head: rahunok_protocol::AnswerHead = rahunok_protocol::envelope::parse_tracked(body.as_bytes()).ok()?;
    head.failure()
}

/// A body cut to a readable length for the report.
pub fn excerpt(body: &str) -> String {
    const SHOWN: usize = 600;
    match body.char_indices().nth(SHOWN) {
        Some((at, _)) => format!("{}… ({} bytes)", &body[..at], body.len()),
        None => body.to_string(),
    }
}
