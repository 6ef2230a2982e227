//! POS-initiated webhooks on `POST /callback/webhook` (spec section 6), signed like callbacks.
//!
//! Why this exists: the POS pushes its open orders every 5 s (`ORDERS_CACHE`) so guests get
//! their bill without a round trip, and tells us about closed orders and staff changes.

use crate::conformance::{self, ConformanceWarning, WireValue};
use crate::envelope::parse_tracked;
use crate::error_body::FieldError;
use crate::lenient::{self, wire_enum};
use crate::money::Money;
use crate::ops::User;
use crate::order::{Order, OrderState};
use serde::{Deserialize, Serialize};

/// Webhook type names.
pub mod kind {
    /// Open orders, every 5 s.
    pub const ORDERS_CACHE: &str = "ORDERS_CACHE";
    /// Orders closed on the POS.
    pub const ORDERS_CLOSED: &str = "ORDERS_CLOSED";
    /// A member of staff changed.
    pub const USER_UPDATE: &str = "USER_UPDATE";
}

/// A webhook, by kind. Serialises with its `webhookType` tag.
///
/// ```
/// use rahunok_protocol::webhook::{OrdersClosed, ClosedOrder, Webhook};
/// let hook = Webhook::OrdersClosed(OrdersClosed {
///     event_time: Some("2026-11-28T12:00:00Z".into()),
///     closed_orders: vec![ClosedOrder { bill_id: "b-1".into(), closed_at: None }],
/// });
/// let bytes = serde_json::to_vec(&hook).unwrap();
/// assert_eq!(Webhook::parse(&bytes).unwrap(), hook);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "webhookType")]
pub enum Webhook {
    /// `ORDERS_CACHE`.
    #[serde(rename = "ORDERS_CACHE")]
    OrdersCache(OrdersCache),
    /// `ORDERS_CLOSED`.
    #[serde(rename = "ORDERS_CLOSED")]
    OrdersClosed(OrdersClosed),
    /// `USER_UPDATE`.
    #[serde(rename = "USER_UPDATE")]
    UserUpdate(UserUpdate),
}

/// Why a webhook body was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// `webhookType` names no kind we know.
    #[error("unknown webhookType `{0}`: expected ORDERS_CACHE, ORDERS_CLOSED or USER_UPDATE")]
    UnknownType(String),
    /// A field is missing or malformed.
    #[error("invalid webhook body")]
    Invalid(Vec<FieldError>),
}

#[derive(Deserialize)]
struct WebhookHead {
    #[serde(rename = "webhookType", deserialize_with = "lenient::string")]
    webhook_type: String,
}

impl Webhook {
    /// Parses a raw webhook body.
    pub fn parse(bytes: &[u8]) -> Result<Webhook, WebhookError> {
        let head: WebhookHead = parse_tracked(bytes).map_err(WebhookError::Invalid)?;
        let kind = head.webhook_type.trim().to_ascii_uppercase();
        match kind.as_str() {
            kind::ORDERS_CACHE => parse_tracked(bytes).map(Webhook::OrdersCache),
            kind::ORDERS_CLOSED => parse_tracked(bytes).map(Webhook::OrdersClosed),
            kind::USER_UPDATE => parse_tracked(bytes).map(Webhook::UserUpdate),
            _ => return Err(WebhookError::UnknownType(head.webhook_type)),
        }
        .map_err(WebhookError::Invalid)
    }

    /// The conformance warnings of `raw`, the bytes this webhook was parsed from: what a strict
    /// reader would have refused, found as for callbacks ([`crate::conformance::compare`] of
    /// the raw body and this webhook written canonically). Each (kind, field) once.
    ///
    /// ```
    /// use rahunok_protocol::webhook::Webhook;
    /// let raw = br#"{"webhookType":"orders_cache","actualOrders":[{"billId":"b-1","tableNumber":7,"totalSum":120}]}"#;
    /// let hook = Webhook::parse(raw).unwrap();
    /// let found: Vec<(String, String)> =
    ///     hook.conformance_warnings(raw).into_iter().map(|w| (w.kind, w.field)).collect();
    /// assert_eq!(found, [
    ///     ("ENUM_CASE".to_string(), "webhookType".to_string()),
    ///     ("STRING_AS_NUMBER".to_string(), "actualOrders[0].tableNumber".to_string()),
    ///     ("WHOLE_NUMBER_MONEY".to_string(), "actualOrders[0].totalSum".to_string()),
    /// ]);
    /// ```
    pub fn conformance_warnings(&self, raw: &[u8]) -> Vec<ConformanceWarning> {
        let Ok(raw) = WireValue::parse(raw) else { return Vec::new() };
        let canonical = serde_json::to_vec(self).ok().and_then(|bytes| WireValue::parse(&bytes).ok());
        canonical.map(|canonical| conformance::dedup(conformance::compare(&raw, &canonical))).unwrap_or_default()
    }

    /// The wire name of this webhook's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Webhook::OrdersCache(_) => kind::ORDERS_CACHE,
            Webhook::OrdersClosed(_) => kind::ORDERS_CLOSED,
            Webhook::UserUpdate(_) => kind::USER_UPDATE,
        }
    }
}

/// `ORDERS_CACHE`: every open order in short form, and full orders changed since the last push.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdersCache {
    /// ISO-8601 UTC.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// Every open order (NEW or BILL), empty ones included.
    #[serde(default, deserialize_with = "lenient::list")]
    pub actual_orders: Vec<ShortOrder>,
    /// Full orders changed since the last push.
    #[serde(default, deserialize_with = "lenient::list")]
    pub orders: Vec<Order>,
}

/// The short form of an open order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ShortOrder {
    /// Bill id.
    #[serde(deserialize_with = "lenient::string")]
    pub bill_id: String,
    /// Table number (`0` reads as none).
    #[serde(default, with = "lenient::table", skip_serializing_if = "Option::is_none")]
    pub table_number: Option<String>,
    /// Order number.
    #[serde(default, deserialize_with = "lenient::opt_int", skip_serializing_if = "Option::is_none")]
    pub order_number: Option<i64>,
    /// Total.
    #[serde(default, deserialize_with = "crate::money::or_zero")]
    pub total_sum: Money,
    /// NEW or BILL.
    #[serde(default, deserialize_with = "crate::order::opt_order_state", skip_serializing_if = "Option::is_none")]
    pub state: Option<OrderState>,
}

/// `ORDERS_CLOSED`: orders closed on the POS.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrdersClosed {
    /// ISO-8601 UTC.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// The closed orders.
    #[serde(default, deserialize_with = "lenient::list")]
    pub closed_orders: Vec<ClosedOrder>,
}

/// One closed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClosedOrder {
    /// Bill id.
    #[serde(deserialize_with = "lenient::string")]
    pub bill_id: String,
    /// When, ISO-8601 UTC.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
}

wire_enum! {
    /// What happened to a user.
    UserAction {
        /// Added.
        Created = "created",
        /// Changed.
        Updated = "updated",
        /// Removed.
        Deleted = "deleted",
    }
}

/// `USER_UPDATE`: a member of staff was created, updated or deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserUpdate {
    /// ISO-8601 UTC.
    #[serde(default, with = "lenient::text", skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// What happened.
    pub action: UserAction,
    /// The user as in `usersInfo`.
    pub user: User,
}
