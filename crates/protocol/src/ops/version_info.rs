//! `versionInfo`: which POS plugin is connected and which optional features it implements.
//! The server asks right after every socket is accepted.

use crate::envelope::{AnswerBody, PosRequest};
use crate::lenient;
use crate::Operation;
use serde::{Deserialize, Serialize};

/// Request: no fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionInfo {}

impl PosRequest for VersionInfo {
    const OPERATION: Operation = Operation::VersionInfo;
    type Answer = VersionInfoAnswer;
}

/// Answer. The older dotted spelling (`plugin.version`, `partner.id`, ...) is read too, also
/// when a POS sends both spellings (the camelCase value wins).
///
/// ```
/// use rahunok_protocol::ops::VersionInfoAnswer;
/// let a: VersionInfoAnswer = serde_json::from_str(r#"{"plugin.version": "41", "partner.id": "acme", "systemInfo": {"os": "win"}}"#).unwrap();
/// assert_eq!(a.plugin_version, Some(41));
/// assert_eq!(a.partner_id.as_deref(), Some("acme"));
/// let both: VersionInfoAnswer = serde_json::from_str(r#"{"pluginVersion": 42, "plugin.version": "41"}"#).unwrap();
/// assert_eq!(both.plugin_version, Some(42));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "VersionInfoWire")]
pub struct VersionInfoAnswer {
    /// ISO-8601 UTC time of the answer.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time: Option<String>,
    /// The POS vendor's partner id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_id: Option<String>,
    /// Plugin version; grows with each release.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin_version: Option<i64>,
    /// The POS's own version.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restaurant_version: Option<String>,
    /// Licence end, `yyyy.MM.dd`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restaurant_license_date_end: Option<String>,
    /// Free-form details.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_info: Option<serde_json::Value>,
    /// Pending updates, free-form.
    pub update_info: Vec<serde_json::Value>,
    /// Optional features and whether they are on.
    pub implemented_features: Vec<ImplementedFeature>,
}

/// Both spellings as they may arrive; folded into [`VersionInfoAnswer`].
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionInfoWire {
    #[serde(default, with = "lenient::text")]
    event_time: Option<String>,
    #[serde(default, with = "lenient::text")]
    partner_id: Option<String>,
    #[serde(default, rename = "partner.id", with = "lenient::text")]
    dotted_partner_id: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_int")]
    plugin_version: Option<i64>,
    #[serde(default, rename = "plugin.version", deserialize_with = "lenient::opt_int")]
    dotted_plugin_version: Option<i64>,
    #[serde(default, with = "lenient::text")]
    restaurant_version: Option<String>,
    #[serde(default, rename = "restaurant.version", with = "lenient::text")]
    dotted_restaurant_version: Option<String>,
    #[serde(default, with = "lenient::text")]
    restaurant_license_date_end: Option<String>,
    #[serde(default, rename = "restaurant.license.date.end", with = "lenient::text")]
    dotted_restaurant_license_date_end: Option<String>,
    #[serde(default)]
    additional_info: Option<serde_json::Value>,
    #[serde(default)]
    system_info: Option<serde_json::Value>,
    #[serde(default, deserialize_with = "lenient::list")]
    update_info: Vec<serde_json::Value>,
    #[serde(default, deserialize_with = "lenient::list")]
    implemented_features: Vec<ImplementedFeature>,
}

impl From<VersionInfoWire> for VersionInfoAnswer {
    fn from(wire: VersionInfoWire) -> VersionInfoAnswer {
        VersionInfoAnswer {
            event_time: wire.event_time,
            partner_id: wire.partner_id.or(wire.dotted_partner_id),
            plugin_version: wire.plugin_version.or(wire.dotted_plugin_version),
            restaurant_version: wire.restaurant_version.or(wire.dotted_restaurant_version),
            restaurant_license_date_end: wire.restaurant_license_date_end.or(wire.dotted_restaurant_license_date_end),
            additional_info: wire.additional_info.or(wire.system_info),
            update_info: wire.update_info,
            implemented_features: wire.implemented_features,
        }
    }
}

impl VersionInfoAnswer {
    /// True when the POS declares `feature` (e.g. `ORDERS_CACHE`) as implemented and available.
    pub fn has_feature(&self, feature: &str) -> bool {
        self.implemented_features
            .iter()
            .any(|f| f.feature.eq_ignore_ascii_case(feature) && f.implemented && f.available)
    }
}

impl AnswerBody for VersionInfoAnswer {}

/// One optional feature: `BILL_V_2`, `STOP_LIST`, `ORDERS_CACHE`, `ORDER_ON_TABLE`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImplementedFeature {
    /// Feature name.
    #[serde(deserialize_with = "lenient::string")]
    pub feature: String,
    /// Switched on in this restaurant.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub available: bool,
    /// Implemented by the plugin.
    #[serde(default, deserialize_with = "lenient::bool")]
    pub implemented: bool,
    /// Feature details (`{"orderTypeCode": ...}` for `ORDER_ON_TABLE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub info: Option<serde_json::Value>,
}

/// Feature names the server understands.
pub mod feature {
    /// Bills in the second format.
    pub const BILL_V_2: &str = "BILL_V_2";
    /// `stopList` is answered.
    pub const STOP_LIST: &str = "STOP_LIST";
    /// The POS pushes `ORDERS_CACHE` webhooks.
    pub const ORDERS_CACHE: &str = "ORDERS_CACHE";
    /// `createOrderOnTable` is answered.
    pub const ORDER_ON_TABLE: &str = "ORDER_ON_TABLE";
}
